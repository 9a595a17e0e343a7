"""The model zoo end to end: each model converted by tro.convert vs TensorFlow's plain conversion.

    python bench/e2e/bench_zoo.py [--only attention seq2seq ...] [--runs 200]

Models: tests/python/model_zoo.py (attention over a BiGRU, seq2seq LSTMs with states and
attention, CTC CRNN, TimeDistributed CNN + GRU video classifier, two-branch LSTM/GRU, masked
tagger). Each is built once with batch 1 and a static time axis (the plain conversion of Keras 3
recurrent layers needs a static batch, and of TimeDistributed a static time axis) and converted
both ways from the same model object and weights. One interpreter thread, the LiteRT interpreter
with XNNPACK on; the two models must agree (< 1e-4) before they are timed, interleaved in 5
rounds. Prints the median microseconds per invoke (the thread's CPU time and wall time), the
ratio plain / ours, op counts and sizes, and writes them to bench/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import time as _time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "python"))  # the zoo's builders


def _placed(interpreter, model, inputs: list[np.ndarray]):
    """Runs once through the signature (inputs by Keras name); later invoke()s reuse them."""
    runner = interpreter.get_signature_runner()
    runner(**{t.name: x for t, x in zip(model.inputs, inputs)})
    return interpreter


def _interleaved_medians(interpreters: dict, runs: int, rounds: int = 5) -> dict:
    """Median µs per invoke, of wall time and of the thread's CPU time.

    The models take turns so that machine drift hits both alike. On a shared machine a long
    invoke is more often preempted than a short one, which inflates its wall time only: the CPU
    time of the (single-threaded) invoke is the fairer comparison there.
    """
    wall = {name: [] for name in interpreters}
    cpu = {name: [] for name in interpreters}
    for _ in range(rounds):
        for name, it in interpreters.items():
            for _ in range(max(1, runs // rounds)):
                start, start_cpu = _time.perf_counter_ns(), _time.thread_time_ns()
                it.invoke()
                cpu[name].append((_time.thread_time_ns() - start_cpu) / 1e3)
                wall[name].append((_time.perf_counter_ns() - start) / 1e3)
    return {"wall": {n: statistics.median(s) for n, s in wall.items()},
            "cpu": {n: statistics.median(s) for n, s in cpu.items()}}


def _outputs(interpreter) -> list[np.ndarray]:
    details = sorted(interpreter.get_output_details(), key=lambda d: d["name"])
    return [interpreter.get_tensor(d["index"]) for d in details]


def bench_model(name: str, runs: int) -> dict:
    import keras
    import tensorflow as tf
    from ai_edge_litert.interpreter import Interpreter
    from model_zoo import ZOO

    import tflite_rnn_ops as tro

    zoo = ZOO[name]
    keras.utils.set_random_seed(0)
    model = zoo.build(1, zoo.bench_time)
    ours = tro.convert(model, report=False)
    with contextlib.redirect_stdout(io.StringIO()):
        plain = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    inputs, _ = zoo.data(np.random.default_rng(0), 1, zoo.bench_time)
    interpreters = {
        "ours": _placed(tro.Interpreter(model_content=ours, num_threads=1), model, inputs),
        "plain": _placed(Interpreter(model_content=plain, num_threads=1), model, inputs),
    }
    # Same model, same input: the conversions must agree before their speed means anything.
    for got, want in zip(_outputs(interpreters["ours"]), _outputs(interpreters["plain"])):
        err = float(np.max(np.abs(got - want)))
        assert err < 1e-4, f"{name}: ours disagrees with the plain conversion by {err}"
    med = _interleaved_medians(interpreters, runs)
    info, plain_info = tro.inspect_model(ours), tro.inspect_model(plain)
    return {"model": name, "time": zoo.bench_time, "batch": 1, "median_us": med["wall"],
            "median_cpu_us": med["cpu"],
            "speedup": med["wall"]["plain"] / med["wall"]["ours"],
            "speedup_cpu": med["cpu"]["plain"] / med["cpu"]["ours"],
            "ops": {"ours": len(info.ops), "plain": len(plain_info.ops)},
            "our_ops": len(info.our_ops), "while": {"ours": info.count("WHILE"),
                                                    "plain": plain_info.count("WHILE")},
            "kib": {"ours": len(ours) / 1024, "plain": len(plain) / 1024}}


def _row(r: dict) -> str:
    m, c, ops, kib = r["median_us"], r["median_cpu_us"], r["ops"], r["kib"]
    return (f"{r['model']:<11} {r['time']:>4} | {c['ours']:>9.1f} {c['plain']:>9.1f} "
            f"x{r['speedup_cpu']:>6.2f} | {m['ours']:>9.1f} {m['plain']:>9.1f} "
            f"x{r['speedup']:>6.2f} | {ops['ours']:>4} {ops['plain']:>5} | "
            f"{kib['ours']:>7.1f} {kib['plain']:>7.1f}")


def main() -> int:
    from model_zoo import ZOO

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(ZOO), default=list(ZOO))
    parser.add_argument("--runs", type=int, default=200, help="timed invokes per model")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "results"))
    args = parser.parse_args()

    import bench_results

    header = bench_results.machine_line()
    print(header)
    print(f"{'':<16} | {'CPU time':^27} | {'wall time':^27} |")
    print(f"{'model':<11} {'T':>4} | {'ours us':>9} {'plain us':>9} {'ratio':>7} | "
          f"{'ours us':>9} {'plain us':>9} {'ratio':>7} | {'ops':>4} {'plain':>5} | "
          f"{'KiB':>7} {'plain':>7}")
    results = []
    for name in args.only:
        results.append(bench_model(name, args.runs))
        print(_row(results[-1]), flush=True)
    path = bench_results.write(args.out, "zoo", header, results)
    print(f"wrote {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
