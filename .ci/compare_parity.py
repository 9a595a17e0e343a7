#!/usr/bin/env python3
"""Compares two tro_parity_dump outputs value by value: exits 1 if any case differs by more
than --atol (max abs), or if the files do not hold the same cases and sizes.

    python3 .ci/compare_parity.py x86_ref.txt aarch64.txt --atol 1e-5
"""

import argparse
import math
import os
import sys


def read_dump(path: str) -> tuple[str, dict[str, list[float]]]:
    """Returns (isa, {"case/what": values}) of one dump."""
    isa, case, what, out = "?", "", "", {}
    with open(path) as f:
        for line in f:
            word, _, rest = line.strip().partition(" ")
            if word == "isa":
                isa = rest
            elif word == "case":
                case = rest
            elif rest:
                what = f"{case}/{word}"
                out[what] = []
            else:
                out[what].append(float(word))
    return isa, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference")
    parser.add_argument("candidate")
    parser.add_argument("--atol", type=float, default=1e-5)
    args = parser.parse_args()
    ref_isa, ref = read_dump(args.reference)
    got_isa, got = read_dump(args.candidate)
    if ref.keys() != got.keys() or not ref:
        print(f"parity: the dumps hold different cases: {sorted(ref.keys() ^ got.keys())}")
        return 1
    failures, worst = [], 0.0
    for key, want in ref.items():
        have = got[key]
        if len(have) != len(want):
            failures.append(f"{key}: {len(have)} values, expected {len(want)}")
            continue
        err = max((abs(a - b) for a, b in zip(have, want)), default=0.0)
        err = math.inf if any(math.isnan(v) for v in have) else err
        worst = max(worst, err)
        if err > args.atol:
            failures.append(f"{key}: max abs error {err:.3g} > {args.atol}")
    for f in failures:
        print(f"parity: {f}")
    cases = len({k.split('/')[0] for k in ref})
    status = "FAIL" if failures else "ok"
    name = os.path.basename
    print(f"parity {status}: {name(args.candidate)} ({got_isa}) vs "
          f"{name(args.reference)} ({ref_isa}): {cases} cases, {len(ref)} arrays, "
          f"max abs diff {worst:.3g} (atol {args.atol})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
