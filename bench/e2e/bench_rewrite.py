"""A .tflite file with TFLite's builtin LSTM, before and after ``tro.rewrite``, in one run.

    python bench/e2e/bench_rewrite.py [--units 128] [--time 100] [--runs 300]

The original file is a tf_keras ``LSTM(units, return_sequences=True)`` on input 40, batch 1,
converted by TensorFlow's own converter (one builtin UNIDIRECTIONAL_SEQUENCE_LSTM, state in
variable tensors); the rewritten file is ``tro.rewrite`` of it. Both run on the LiteRT
interpreter with one thread (the original with XNNPACK, the rewritten one with our delegate
first), on the same input, taking turns; the state carries across invokes in both, so each
timed invoke continues the same sequence. Prints medians (microseconds per invoke) and the
ratio, and writes them to bench/results/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_results  # noqa: E402
from bench_rnn import FEATURES, _builtin_tflite, _interleaved_medians  # noqa: E402


def _weights(units: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    shapes = [(FEATURES, 4 * units), (units, 4 * units), (4 * units,)]
    return [rng.normal(0, 1.0 / np.sqrt(s[0]) if len(s) == 2 else 0.5, s).astype(np.float32)
            for s in shapes]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--time", type=int, default=100)
    parser.add_argument("--runs", type=int, default=300, help="timed invokes per model")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "results"))
    args = parser.parse_args()

    from ai_edge_litert.interpreter import Interpreter

    import tflite_rnn_ops as tro
    from tflite_rnn_ops import timing

    with tempfile.TemporaryDirectory() as workdir:
        case = {"kind": "lstm", "time": args.time, "units": args.units, "batch": 1}
        original = _builtin_tflite(_weights(args.units), case, workdir)
    assert tro.inspect_model(original).count("UNIDIRECTIONAL_SEQUENCE_LSTM") == 1
    rewritten = tro.rewrite(original, report=False)
    assert tro.inspect_model(rewritten).count("TFLiteRnnOps>LSTM") == 1
    interpreters = {"original": Interpreter(model_content=original, num_threads=1),
                    "rewritten": tro.Interpreter(model_content=rewritten, num_threads=1)}
    x = np.random.default_rng(1).normal(size=(1, args.time, FEATURES)).astype(np.float32)
    outputs = {name: timing.run(it, [x])[0] for name, it in interpreters.items()}
    err = float(np.max(np.abs(outputs["rewritten"] - outputs["original"])))
    assert err <= 1e-5, f"the rewritten file disagrees with the original by {err}"
    for it in interpreters.values():
        it.reset_all_variables()
    med = _interleaved_medians(interpreters, x, args.runs)
    ratio = med["original"] / med["rewritten"]
    header = bench_results.machine_line()
    print(header)
    print(f"tf_keras LSTM({args.units}), batch 1, T={args.time}, input {FEATURES}, 1 thread: "
          f"original {med['original']:.1f} us, rewritten {med['rewritten']:.1f} us, "
          f"x{ratio:.2f} (max abs diff {err:.1e})")
    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(args.out, f"rewrite_{stamp}.json")
    with open(path, "w") as f:
        json.dump({"command": " ".join(["python"] + sys.argv), "machine": header,
                   "case": {"units": args.units, "time": args.time, "batch": 1,
                            "features": FEATURES, "threads": 1},
                   "median_us": med, "speedup": ratio, "max_abs_diff": err}, f, indent=2)
    print(f"wrote {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
