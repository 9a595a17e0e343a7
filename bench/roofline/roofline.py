"""How far each bench case is from what this machine allows: a roofline per recurrent step.

    python bench/roofline/roofline.py [--results bench/results/rnn_X.json] [--peaks PEAKS.json]

Runs the roofline_peaks microbenchmark (bench/roofline/machine_peaks.cc: single-core FMA peak,
read bandwidth of L1/L2/L3/DRAM; built with g++ into build/ if no build of it is found), then for
every case of a bench_rnn.py result prints: our µs per step, GFLOP/s, the weight bytes one
thread reads per step, the level of the memory hierarchy that holds them, the bound

    max(FLOPs per step / FMA peak, weight bytes per step / bandwidth of that level)

(per thread: a thread owns 1/threads of an LSTM's units, or one direction of a bidirectional
layer) and our fraction of it (bound / ours: 1.0 = at the roofline). The max assumes the input
projection's FMAs overlap the step's weight reads; the kernels run that projection as a GEMM
of its own, one chunk ahead of the steps, so the table also gives the serial bound

    input-projection FLOPs / FMA peak + max(recurrent FLOPs / FMA peak, weight bytes / bandwidth)

and our fraction of that: what a kernel that does not overlap the two could reach. Weights larger than a
thread's L2 are read partly from L2: the kernels visit their unit blocks in the opposite order
every step (cc/kernels/isa/microkernels.h, `backward`), so an LRU L2 of C bytes serves about C of
them per step and only the rest comes from L3 or DRAM; the bound counts the two parts at their
own bandwidths. The table and the peaks go
to roofline_<same stamp>.json next to the result, which bench/plot.py draws.

Counted: the recurrent matmul h @ recurrent_kernel every step plus the input projection
(x @ kernel, read once per chunk of 16 steps, so its weight bytes are spread over those steps).
The bandwidth is the one measured at the weights' own working-set size (per thread for L1/L2,
all threads' for the shared L3; interpolated between the swept sizes), not a nominal level
size. Not
counted: the gate activations and the per-invoke fixed costs, which is why short or small
cases sit further from the bound. For the stream cases bench_rnn.py also times an invoke of a
one-ADD model (the Python call and the interpreter's dispatch, which no kernel removes), and
the table gives our fraction of the serial bound plus that floor as well.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RESULTS = os.path.join(ROOT, "bench", "results")
GATES = {"lstm": 4, "bilstm": 4, "gru": 3, "simple_rnn": 1}
FLOAT_BYTES = 4
CHUNK_STEPS = 16  # ChunkedProjection::kChunkSteps, cc/kernels/input_projection.h
MIN_SPLIT_STEP_BYTES = 512 << 10  # kMinSplitStepBytes, cc/kernels/thread_pool.h


def peaks_binary() -> str:
    """A built roofline_peaks (CMake build tree or build/), else one compiled here with g++."""
    found = sorted(glob.glob(os.path.join(ROOT, "build", "**", "roofline_peaks"), recursive=True))
    if found:
        return found[0]
    out = os.path.join(ROOT, "build", "roofline_peaks")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subprocess.run(["g++", "-O2", "-march=native", "-std=c++17",
                    os.path.join(HERE, "machine_peaks.cc"), "-o", out], check=True)
    return out


def measure_peaks() -> dict:
    return json.loads(subprocess.run([peaks_binary()], check=True, capture_output=True,
                                     text=True).stdout)


def latest_results() -> str:
    paths = sorted(glob.glob(os.path.join(RESULTS, "rnn_*.json")))
    if not paths:
        sys.exit("no bench/results/rnn_*.json: run python bench/e2e/bench_rnn.py first")
    return paths[-1]


def weight_level(per_thread_bytes: float, all_bytes: float, caches: dict) -> tuple[str, float]:
    """Where a step's weights live, and the working-set size whose read bandwidth applies: a
    private level holds one thread's share, the shared L3 (or DRAM) all threads' weights."""
    if per_thread_bytes <= caches["L1"]:
        return "L1", per_thread_bytes
    if per_thread_bytes <= caches["L2"]:
        return "L2", per_thread_bytes
    return ("L3" if all_bytes <= caches["L3"] else "DRAM"), all_bytes


def read_gbs_at(size: float, peaks: dict) -> float:
    """Read bandwidth at a working set of `size` bytes, interpolated in log2(size) between the
    two swept powers of two around it: a shared or virtualised L3 can hold far less than its
    nominal size, and this sees that. (Taking the next power of two up instead charged a
    1026 KiB LSTM(256) the bandwidth of a 2 MiB set, which on this VM already spills its 2 MiB
    L2 and measured 60-90 GB/s against 170-180 at 1 MiB.)"""
    sweep = peaks["read_gbs_by_size"]
    if size <= sweep[0][0]:
        return sweep[0][1]
    for (lo, lo_gbs), (hi, hi_gbs) in zip(sweep, sweep[1:]):
        if size <= hi:
            t = math.log2(size / lo) / math.log2(hi / lo)
            return lo_gbs + t * (hi_gbs - lo_gbs)
    return sweep[-1][1]


def memory_time_us(per_thread_bytes: float, level: str, resident: float, peaks: dict) -> float:
    """Microseconds to read one thread's weights of a step: all at the bandwidth of the level
    holding them, except that beyond L2 the L2 still serves as many bytes as it holds (the
    alternating block order, module docstring) at L2's own bandwidth."""
    if level in ("L1", "L2"):
        return per_thread_bytes / (read_gbs_at(resident, peaks) * 1e3)
    # The L2's share at the bandwidth of a half-L2 set: a set the size of the whole L2 already
    # spills (other data, non-LRU replacement), and counting all L2 bytes keeps the bound tight.
    l2 = peaks["cache_bytes"]["L2"]
    from_l2 = min(per_thread_bytes, l2)
    return (from_l2 / (peaks["read_gbs"]["L2"] * 1e3) +
            (per_thread_bytes - from_l2) / (read_gbs_at(resident, peaks) * 1e3))


def case_roofline(r: dict, peaks: dict) -> dict:
    """Per-step FLOPs, bytes, bound and our fraction of it for one bench_rnn result."""
    g, u, f, b, t = GATES[r["kind"]], r["units"], r["features"], r["batch"], r["time"]
    directions = 2 if r["kind"] == "bilstm" else 1
    threads = r.get("threads", 1)
    # Who splits: an LSTM's units across all threads; a bidirectional layer one direction per
    # thread; GRU and SimpleRNN steps only from MIN_SPLIT_STEP_BYTES of recurrent weights.
    if r["kind"] == "bilstm":
        parallel = min(threads, 2)
    elif r["kind"] == "lstm" or FLOAT_BYTES * g * u * u >= MIN_SPLIT_STEP_BYTES:
        parallel = threads
    else:
        parallel = 1
    projection_flops = directions * 2.0 * b * f * g * u
    flops = projection_flops + directions * 2.0 * b * u * g * u
    # The input projection reads its kernel once per chunk of CHUNK_STEPS steps.
    weight_bytes = directions * FLOAT_BYTES * (u * g * u + f * g * u / min(t, CHUNK_STEPS))
    per_thread_bytes = weight_bytes / parallel
    # One thread runs a large bidirectional layer's directions one after the other
    # (bidirectional.h), so only one direction's weights need to stay resident at a time.
    resident_per_thread = weight_bytes / max(parallel, directions)
    level, resident = weight_level(resident_per_thread, weight_bytes, peaks["cache_bytes"])
    compute_us = flops / parallel / (peaks["fma_gflops"] * 1e3)
    memory_us = memory_time_us(per_thread_bytes, level, resident, peaks)
    bound_us = max(compute_us, memory_us)
    projection_us = projection_flops / parallel / (peaks["fma_gflops"] * 1e3)
    serial_us = projection_us + max(compute_us - projection_us, memory_us)
    ours_us = r["median_us"]["ours"] / t
    baselines = [v for k, v in r["median_us"].items() if k != "ours"]
    floor = {}
    if "invoke_floor_us" in r:
        floor_us = serial_us + r["invoke_floor_us"] / t
        floor = {"invoke_floor_us": r["invoke_floor_us"],
                 "floor_bound_us_per_step": floor_us, "floor_fraction": floor_us / ours_us}
    return {
        "kind": r["kind"], "time": t, "units": u, "batch": b, "threads": threads,
        "stream": r.get("stream", False), "us_per_step": ours_us,
        "gflops": flops / ours_us / 1e3, "weight_bytes_per_thread": per_thread_bytes,
        "level": level, "bound": "compute" if compute_us >= memory_us else "memory",
        "bound_us_per_step": bound_us, "fraction": bound_us / ours_us,
        "serial_bound_us_per_step": serial_us, "serial_fraction": serial_us / ours_us,
        "best_baseline_us_per_step": min(baselines) / t, **floor,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=None, help="a bench_rnn.py JSON (default: latest)")
    parser.add_argument("--peaks", default=None,
                        help="a roofline_peaks or roofline_*.json (its peaks; default: measure)")
    args = parser.parse_args()
    results_path = args.results or latest_results()
    with open(results_path) as fh:
        bench = json.load(fh)
    if args.peaks:
        with open(args.peaks) as fh:
            peaks = json.load(fh)
        peaks = peaks.get("peaks", peaks)
    else:
        peaks = measure_peaks()
    print(f"bench: {os.path.relpath(results_path)}  ({bench['machine']})")
    bw = "  ".join(f"{size >> 10} KiB {gbs:.1f}" for size, gbs in peaks["read_gbs_by_size"])
    print(f"peaks ({peaks['vector']}, one core): FMA {peaks['fma_gflops']:.1f} GFLOP/s; "
          f"read GB/s by working set: {bw}")
    print(f"{'case':<11} {'T':>4} {'units':>5} {'batch':>5} {'thr':>3} | {'us/step':>8} "
          f"{'GFLOP/s':>8} {'KiB/thr':>8} {'level':>5} {'bound us':>9} {'of bound':>8} "
          f"{'serial us':>9} {'of serial':>9}")
    # The quantized cases (bench_rnn.py --only quant) have their own table in docs/quantization.md.
    rows = [case_roofline(r, peaks) for r in bench["results"] if "ours" in r["median_us"]]
    for row in rows:
        case = row["kind"] + (" stream" if row["stream"] else "")
        print(f"{case:<11} {row['time']:>4} {row['units']:>5} {row['batch']:>5} "
              f"{row['threads']:>3} | {row['us_per_step']:>8.2f} {row['gflops']:>8.2f} "
              f"{row['weight_bytes_per_thread'] / 1024:>8.0f} {row['level']:>5} "
              f"{row['bound_us_per_step']:>9.2f} {row['fraction']:>7.0%} "
              f"{row['serial_bound_us_per_step']:>9.2f} {row['serial_fraction']:>8.0%}")
    for row in rows:
        if "invoke_floor_us" in row:
            print(f"lstm stream {row['units']}: an invoke of a one-ADD model takes "
                  f"{row['invoke_floor_us']:.2f} us; serial bound + that = "
                  f"{row['floor_bound_us_per_step']:.2f} us, ours {row['floor_fraction']:.0%} of it")
    out = os.path.join(os.path.dirname(results_path),
                       os.path.basename(results_path).replace("rnn_", "roofline_"))
    with open(out, "w") as fh:
        json.dump({"command": " ".join(["python"] + sys.argv), "bench": os.path.basename(results_path),
                   "machine": bench["machine"], "peaks": peaks, "rows": rows}, fh, indent=2)
    print(f"wrote {os.path.relpath(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
