"""Create/invoke/destroy cycles of interpreter + delegate, measuring RSS (issue 11, part 4).

Each cycle loads our delegate (``tro.load_delegate``), builds an interpreter on one model with
it, allocates, invokes once and drops both (delegate first or interpreter first, alternating).
RSS is read from /proc/self/statm after a warm-up and at the end; a leak of even a few hundred
bytes per cycle shows as growth proportional to the cycle count.

Run (the long run of docs/reliability.md; tests/python/test_lifetime.py runs fewer cycles)::

    python bench/reliability/lifetime_cycles.py --cycles 10000 --warmup 500
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time

import numpy as np


def rss_kib() -> int:
    """Resident set size of this process in KiB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def small_model() -> bytes:
    """An LSTM and a bidirectional GRU: two of our ops, in one delegate partition each."""
    import keras

    import tflite_rnn_ops as tro

    keras.utils.set_random_seed(0)
    inp = keras.Input((None, 8))
    x = tro.layers.LSTM(16, return_sequences=True)(inp)
    x = keras.layers.Dense(8)(x)  # a builtin op between them: two partitions
    out = tro.layers.Bidirectional(tro.layers.GRU(8))(x)
    return tro.convert(keras.Model(inp, out), report=False)


def cycle(tflite: bytes, x: np.ndarray, delegate_first: bool, threads: int) -> np.ndarray:
    """One create/invoke/destroy cycle; returns the output."""
    from ai_edge_litert.interpreter import Interpreter

    import tflite_rnn_ops as tro

    delegate = tro.load_delegate()
    it = Interpreter(model_content=tflite, experimental_delegates=[delegate], num_threads=threads)
    it.resize_tensor_input(it.get_input_details()[0]["index"], list(x.shape))
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    out = it.get_tensor(it.get_output_details()[0]["index"]).copy()
    if delegate_first:
        delegate.__del__()  # destroys the native delegate now, the interpreter still holds it
        del delegate
        del it
    else:
        del it
        del delegate
    return out


def run(cycles: int, warmup: int, threads: int) -> dict:
    """Runs the cycles; returns RSS after warm-up and at the end, and the cycle rate."""
    tflite = small_model()
    x = np.random.default_rng(0).normal(size=(2, 12, 8)).astype(np.float32)
    reference = cycle(tflite, x, False, threads)
    start_rss = None
    start = time.perf_counter()
    for i in range(cycles):
        out = cycle(tflite, x, i % 2 == 0, threads)
        if not np.array_equal(out, reference):
            raise AssertionError(f"cycle {i}: output differs from the first cycle")
        if i + 1 == warmup:
            gc.collect()
            start_rss, start = rss_kib(), time.perf_counter()
    gc.collect()
    end_rss = rss_kib()
    measured = cycles - warmup
    return {"cycles": cycles, "warmup": warmup, "threads": threads,
            "rss_after_warmup_kib": start_rss, "rss_end_kib": end_rss,
            "growth_kib": end_rss - start_rss,
            "growth_bytes_per_cycle": round((end_rss - start_rss) * 1024 / measured, 1),
            "cycles_per_s": round(measured / (time.perf_counter() - start), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if not 0 < args.warmup < args.cycles:
        sys.exit("--warmup must be between 0 and --cycles")
    print(json.dumps(run(args.cycles, args.warmup, args.threads)))


if __name__ == "__main__":
    main()
