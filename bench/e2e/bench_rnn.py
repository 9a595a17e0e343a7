"""Recurrent layers end to end: our fused ops vs TFLite's own conversions, same weights, one run.

    python bench/e2e/bench_rnn.py [--only lstm gru simple_rnn bilstm] [--runs 200]

Cases (batch 1, input 40, one interpreter thread, LiteRT interpreter with XNNPACK on):
  lstm        T 50/100, units 128/256/512: ours vs builtin UNIDIRECTIONAL_SEQUENCE_LSTM
              (tf_keras conversion) vs the Keras 3 WHILE-loop conversion
  gru         T 100, units 128/256: ours vs the Keras 3 WHILE loop
  simple_rnn  T 100, units 128/256: ours vs the Keras 3 WHILE loop
  bilstm      T 100, units 128/256: ours (one op) vs tf_keras (two builtin LSTMs + reverse +
              concat) vs Keras 3 (two WHILE loops)
Prints medians (microseconds per invoke) and ratios and writes them to bench/results/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time as _time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES = 40
CASES = {
    "lstm": [(t, u) for u in (128, 256, 512) for t in (50, 100)],
    "gru": [(100, 128), (100, 256)],
    "simple_rnn": [(100, 128), (100, 256)],
    "bilstm": [(100, 128), (100, 256)],
}


def _models(kind: str, time: int, units: int):
    """(ours, keras3_stock) on the same weights; static shapes so the stock loop converts."""
    import keras

    import tflite_rnn_ops as tro

    def build(layers_module):
        cls = {"lstm": "LSTM", "bilstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}[kind]
        layer = getattr(layers_module, cls)(units, return_sequences=True)
        if kind == "bilstm":
            layer = layers_module.Bidirectional(layer)
        inp = keras.Input((time, FEATURES), batch_size=1)
        return keras.Model(inp, layer(inp))

    keras.utils.set_random_seed(units + time)
    ours = build(tro.layers)
    stock = build(keras.layers)
    stock.set_weights(ours.get_weights())
    return ours, stock


def _builtin_tflite(weights, kind: str, time: int, units: int, workdir: str) -> bytes:
    path_w = os.path.join(workdir, f"w_{kind}_{time}_{units}.npz")
    path_m = os.path.join(workdir, f"builtin_{kind}_{time}_{units}.tflite")
    np.savez(path_w, **{f"w{i}": w for i, w in enumerate(weights)}, time=time, features=FEATURES,
             units=units, bidirectional=int(kind == "bilstm"))
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run([sys.executable, os.path.join(HERE, "tf_keras_builtin.py"), path_w, path_m],
                   check=True, env=env, capture_output=True)
    with open(path_m, "rb") as f:
        return f.read()


def _interleaved_medians(interpreters: dict, x: np.ndarray, runs: int, rounds: int = 5) -> dict:
    """Median µs per invoke; the models take turns so that machine drift hits all alike."""
    from tflite_rnn_ops import timing

    samples = {name: [] for name in interpreters}
    for it in interpreters.values():
        timing.set_inputs(it, [x])
        for _ in range(3):
            it.invoke()
    for _ in range(rounds):
        for name, it in interpreters.items():
            for _ in range(max(1, runs // rounds)):
                start = _time.perf_counter()
                it.invoke()
                samples[name].append((_time.perf_counter() - start) * 1e6)
    return {name: statistics.median(s) for name, s in samples.items()}


def bench_case(kind: str, time: int, units: int, runs: int, workdir: str) -> dict:
    import tensorflow as tf
    from ai_edge_litert.interpreter import Interpreter

    import tflite_rnn_ops as tro
    from tflite_rnn_ops import timing

    ours_model, stock_model = _models(kind, time, units)
    ours = tro.convert(ours_model, report=False)
    assert len(tro.inspect_model(ours).our_ops) == 1
    models = {"ours": ours, "keras3_while": tf.lite.TFLiteConverter.from_keras_model(stock_model).convert()}
    if kind in ("lstm", "bilstm"):
        models["builtin"] = _builtin_tflite(ours_model.get_weights(), kind, time, units, workdir)
        want = 2 if kind == "bilstm" else 1
        assert tro.inspect_model(models["builtin"]).count("UNIDIRECTIONAL_SEQUENCE_LSTM") == want
    interpreters = {name: (tro.Interpreter if name == "ours" else Interpreter)(
        model_content=m, num_threads=1) for name, m in models.items()}
    x = np.random.default_rng(0).normal(size=(1, time, FEATURES)).astype(np.float32)
    # Same weights, same input: the models must agree before their speed means anything.
    ref = timing.run(interpreters["keras3_while"], [x])[0]
    for name in interpreters:
        err = float(np.max(np.abs(timing.run(interpreters[name], [x])[0] - ref)))
        assert err < 1e-4, f"{kind}: {name} disagrees with the Keras 3 conversion by {err}"
    med = _interleaved_medians(interpreters, x, runs)
    return {"kind": kind, "time": time, "units": units, "batch": 1, "features": FEATURES,
            "median_us": med,
            "speedup": {name: med[name] / med["ours"] for name in med if name != "ours"}}


def _row(r: dict) -> str:
    m, s = r["median_us"], r["speedup"]
    builtin = f"{m['builtin']:>10.1f}" if "builtin" in m else f"{'-':>10}"
    vs_builtin = f"x{s['builtin']:>9.2f}" if "builtin" in s else f"{'-':>10}"
    return (f"{r['kind']:<10} {r['time']:>4} {r['units']:>5} | {m['ours']:>9.1f} {builtin} "
            f"{m['keras3_while']:>9.1f} | {vs_builtin} x{s['keras3_while']:>8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(CASES), default=list(CASES))
    parser.add_argument("--runs", type=int, default=200, help="timed invokes per model and case")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "results"))
    args = parser.parse_args()

    import tflite_rnn_ops as tro
    from tflite_rnn_ops import timing

    header = (f"CPU: {timing.cpu_model()}  cores: {os.cpu_count()}  kernel ISA: {tro.kernel_isa()}  "
              f"tflite-rnn-ops {tro.__version__}")
    print(header)
    print(f"{'case':<10} {'T':>4} {'units':>5} | {'ours us':>9} {'builtin us':>10} {'while us':>9} | "
          f"{'vs builtin':>10} {'vs while':>9}")
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for kind in args.only:
            for time, units in CASES[kind]:
                results.append(bench_case(kind, time, units, args.runs, workdir))
                print(_row(results[-1]), flush=True)
    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(args.out, f"rnn_{stamp}.json")
    with open(path, "w") as f:
        json.dump({"command": " ".join(["python"] + sys.argv), "machine": header,
                   "results": results}, f, indent=2)
    print(f"wrote {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
