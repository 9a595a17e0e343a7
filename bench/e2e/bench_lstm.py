"""LSTM end to end: our fused op vs TFLite's builtin UNIDIRECTIONAL_SEQUENCE_LSTM (tf_keras
conversion) vs the Keras 3 WHILE-loop conversion, on the same weights, in one run.

    python bench/e2e/bench_lstm.py [--units 128 256 512] [--time 50 100] [--runs 200]

Batch 1, input 40, one interpreter thread, LiteRT interpreter (XNNPACK on, as by default).
Prints medians (microseconds per invoke) and ratios and writes them to bench/results/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES = 40


def _keras3_models(time: int, units: int, seed: int):
    import keras

    import tflite_rnn_ops as tro

    keras.utils.set_random_seed(seed)
    inp = keras.Input((time, FEATURES), batch_size=1)
    ours = keras.Model(inp, tro.layers.LSTM(units, return_sequences=True)(inp))
    plain = keras.Model(inp, keras.layers.LSTM(units, return_sequences=True)(inp))
    plain.set_weights(ours.get_weights())
    return ours, plain


def _builtin_tflite(weights: list[np.ndarray], time: int, units: int, workdir: str) -> bytes:
    path_w = os.path.join(workdir, f"w_{time}_{units}.npz")
    path_m = os.path.join(workdir, f"builtin_{time}_{units}.tflite")
    np.savez(path_w, kernel=weights[0], recurrent_kernel=weights[1], bias=weights[2],
             time=time, features=FEATURES, units=units)
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run([sys.executable, os.path.join(HERE, "tf_keras_builtin_lstm.py"), path_w, path_m],
                   check=True, env=env, capture_output=True)
    with open(path_m, "rb") as f:
        return f.read()


def _interleaved_medians(interpreters: dict, x: np.ndarray, runs: int, rounds: int = 5) -> dict:
    """Median µs per invoke; the models take turns so that machine drift hits all alike."""
    import statistics
    import time as _time

    from tflite_rnn_ops import timing

    samples = {name: [] for name in interpreters}
    for it in interpreters.values():
        timing.set_inputs(it, [x])
        for _ in range(3):
            it.invoke()
    per_round = max(1, runs // rounds)
    for _ in range(rounds):
        for name, it in interpreters.items():
            for _ in range(per_round):
                start = _time.perf_counter()
                it.invoke()
                samples[name].append((_time.perf_counter() - start) * 1e6)
    return {name: statistics.median(s) for name, s in samples.items()}


def bench_case(time: int, units: int, runs: int, workdir: str) -> dict:
    from ai_edge_litert.interpreter import Interpreter

    import tflite_rnn_ops as tro
    from tflite_rnn_ops import timing

    ours_model, plain_model = _keras3_models(time, units, seed=units + time)
    ours = tro.convert(ours_model)
    plain = tro_plain_convert(plain_model)
    builtin = _builtin_tflite(ours_model.get_weights(), time, units, workdir)
    assert tro.inspect_model(builtin).count("UNIDIRECTIONAL_SEQUENCE_LSTM") == 1
    interpreters = {
        "ours": tro.Interpreter(model_content=ours, num_threads=1),
        "builtin": Interpreter(model_content=builtin, num_threads=1),
        "keras3_while": Interpreter(model_content=plain, num_threads=1),
    }
    x = np.random.default_rng(0).normal(size=(1, time, FEATURES)).astype(np.float32)
    # Same weights, same input: the three must agree before their speed means anything.
    ref = timing.run(interpreters["builtin"], [x])[0]
    for name in ("ours", "keras3_while"):
        err = float(np.max(np.abs(timing.run(interpreters[name], [x])[0] - ref)))
        assert err < 1e-4, f"{name} disagrees with the builtin by {err}"
    med = _interleaved_medians(interpreters, x, runs)
    return {
        "time": time, "units": units, "batch": 1, "features": FEATURES,
        "median_us": med,
        "speedup_vs_builtin": med["builtin"] / med["ours"],
        "speedup_vs_keras3_while": med["keras3_while"] / med["ours"],
    }


def tro_plain_convert(model) -> bytes:
    import tensorflow as tf

    return tf.lite.TFLiteConverter.from_keras_model(model).convert()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[128, 256, 512])
    parser.add_argument("--time", type=int, nargs="+", default=[50, 100])
    parser.add_argument("--runs", type=int, default=200, help="timed invokes per model and case")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "results"))
    args = parser.parse_args()

    import tflite_rnn_ops as tro
    from tflite_rnn_ops import timing

    header = (f"CPU: {timing.cpu_model()}  cores: {os.cpu_count()}  kernel ISA: {tro.kernel_isa()}  "
              f"tflite-rnn-ops {tro.__version__}")
    print(header)
    print(f"{'T':>4} {'units':>5} | {'ours us':>9} {'builtin us':>10} {'while us':>9} | "
          f"{'vs builtin':>10} {'vs while':>9}")
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for units in args.units:
            for time in args.time:
                r = bench_case(time, units, args.runs, workdir)
                results.append(r)
                m = r["median_us"]
                print(f"{time:>4} {units:>5} | {m['ours']:>9.1f} {m['builtin']:>10.1f} "
                      f"{m['keras3_while']:>9.1f} | x{r['speedup_vs_builtin']:>9.2f} "
                      f"x{r['speedup_vs_keras3_while']:>8.2f}", flush=True)
    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(args.out, f"lstm_{stamp}.json")
    with open(path, "w") as f:
        json.dump({"command": " ".join(["python"] + sys.argv), "machine": header,
                   "results": results}, f, indent=2)
    print(f"wrote {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
