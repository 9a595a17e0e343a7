"""Recurrent layers end to end: our fused ops vs TFLite's own conversions, same weights, one run.

    python bench/e2e/bench_rnn.py [--only lstm gru simple_rnn bilstm threads batch stream]
                                  [--runs 200]

Cases (input 40, LiteRT interpreter with XNNPACK on, the same num_threads on every side):
  lstm        T 50/100, units 128/256/512: ours vs builtin UNIDIRECTIONAL_SEQUENCE_LSTM
              (tf_keras conversion) vs the Keras 3 WHILE-loop conversion
  gru         T 100, units 128/256: ours vs the Keras 3 WHILE loop
  simple_rnn  T 100, units 128/256: ours vs the Keras 3 WHILE loop
  bilstm      T 100, units 128/256: ours (one op) vs tf_keras (two builtin LSTMs + reverse +
              concat) vs Keras 3 (two WHILE loops)
  threads     num_threads=2: LSTM T 100, units 128/256/512, and Bidirectional LSTM 128
  batch       batch 8: LSTM T 100, units 128/256
  stream      one step per invoke, state carried (a streaming app): LSTM 128/256, T 1. Ours and
              Keras 3 from stateful=True layers; the builtin LSTM keeps its state in variable
              tensors across invokes anyway, so the plain tf_keras conversion streams too.
              Also timed, in the same rounds: an invoke of a one-ADD model on the same input
              (invoke_floor_us), the per-invoke cost bench/roofline adds to a stream's bound.
  quant       quantized weights: LSTM T 100, units 128/256/512/1024: ours int8
              (Optimize.DEFAULT), float16 and float32 vs the builtin hybrid LSTM (tf_keras
              conversion with Optimize.DEFAULT), and the model files' sizes
All cases are batch 1 and one thread unless they say otherwise.
Prints medians (microseconds per invoke) and ratios and writes them to bench/results/.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time as _time

import numpy as np

import bench_results

HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES = 40


def _case(kind: str, time: int, units: int, batch: int = 1, threads: int = 1,
          stream: bool = False, quant: bool = False) -> dict:
    return {"kind": kind, "time": time, "units": units, "batch": batch, "threads": threads,
            "stream": stream, "quant": quant}


CASES = {
    "lstm": [_case("lstm", t, u) for u in (128, 256, 512) for t in (50, 100)],
    "gru": [_case("gru", 100, u) for u in (128, 256)],
    "simple_rnn": [_case("simple_rnn", 100, u) for u in (128, 256)],
    "bilstm": [_case("bilstm", 100, u) for u in (128, 256)],
    "threads": [_case("lstm", 100, u, threads=2) for u in (128, 256, 512)]
    + [_case("bilstm", 100, 128, threads=2)],
    "batch": [_case("lstm", 100, u, batch=8) for u in (128, 256)],
    "stream": [_case("lstm", 1, u, stream=True) for u in (128, 256)],
    "quant": [_case("lstm", 100, u, quant=True) for u in (128, 256, 512, 1024)],
}
# quant: the models the case times, and how far each may be from our float32 model before its
# speed means nothing (same weights; int8 weights move O(1) outputs by a few 1e-2 at most).
QUANT_MODELS = {"ours_float32": 1e-6, "ours_int8": 0.2, "ours_float16": 1e-2,
                "builtin_hybrid": 0.2}


def _models(c: dict):
    """(ours, keras3_stock) on the same weights; static shapes so the stock loop converts."""
    import keras

    import tflite_rnn_ops as tro

    kind, time, units = c["kind"], c["time"], c["units"]

    def build(layers_module):
        cls = {"lstm": "LSTM", "bilstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}[kind]
        layer = getattr(layers_module, cls)(units, return_sequences=True, stateful=c["stream"])
        if kind == "bilstm":
            layer = layers_module.Bidirectional(layer)
        inp = keras.Input((time, FEATURES), batch_size=c["batch"])
        return keras.Model(inp, layer(inp))

    keras.utils.set_random_seed(units + time)
    ours = build(tro.layers)
    stock = build(keras.layers)
    stock.set_weights(ours.get_weights())
    return ours, stock


def _builtin_tflite(weights, c: dict, workdir: str, hybrid: bool = False) -> bytes:
    """The tf_keras conversion (builtin LSTM) of these weights; `hybrid`: with Optimize.DEFAULT."""
    tag = f"{c['kind']}_{c['time']}_{c['units']}_{c['batch']}_{int(hybrid)}"
    path_w = os.path.join(workdir, f"w_{tag}.npz")
    path_m = os.path.join(workdir, f"builtin_{tag}.tflite")
    np.savez(path_w, **{f"w{i}": w for i, w in enumerate(weights)}, time=c["time"],
             features=FEATURES, units=c["units"], batch=c["batch"],
             bidirectional=int(c["kind"] == "bilstm"), hybrid=int(hybrid))
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


def _outputs_of_steps(interpreter, x: np.ndarray, steps: int) -> np.ndarray:
    """Outputs of `steps` invokes on x (one step each for a stream): call once, on a fresh
    interpreter (reset_all_variables does not reset Keras 3's resource variables)."""
    from tflite_rnn_ops import timing

    timing.set_inputs(interpreter, [x])
    out = []
    for _ in range(steps):
        interpreter.invoke()
        out.append(interpreter.get_tensor(interpreter.get_output_details()[0]["index"]).copy())
    return np.stack(out)


def _quant_models(c: dict, workdir: str) -> dict[str, bytes]:
    import tensorflow as tf

    import tflite_rnn_ops as tro

    model, _ = _models(c)
    default = [tf.lite.Optimize.DEFAULT]
    spec = tf.lite.TargetSpec()
    spec.supported_types = [tf.float16]
    models = {"ours_float32": tro.convert(model, report=False),
              "ours_int8": tro.convert(model, report=False, optimizations=default),
              "ours_float16": tro.convert(model, report=False, optimizations=default,
                                          target_spec=spec),
              "builtin_hybrid": _builtin_tflite(model.get_weights(), c, workdir, hybrid=True)}
    assert tro.inspect_model(models["builtin_hybrid"]).count("UNIDIRECTIONAL_SEQUENCE_LSTM") == 1
    return models


def bench_quant_case(c: dict, runs: int, workdir: str) -> dict:
    from ai_edge_litert.interpreter import Interpreter

    import tflite_rnn_ops as tro

    models = _quant_models(c, workdir)
    interpreters = {name: (Interpreter if name == "builtin_hybrid" else tro.Interpreter)(
        model_content=m, num_threads=c["threads"]) for name, m in models.items()}
    x = np.random.default_rng(0).normal(size=(c["batch"], c["time"], FEATURES)).astype(np.float32)
    outs = {name: _outputs_of_steps(it, x, 1) for name, it in interpreters.items()}
    errors = {name: float(np.max(np.abs(out - outs["ours_float32"]))) for name, out in outs.items()}
    for name, err in errors.items():
        assert err <= QUANT_MODELS[name], f"{c}: {name} is {err} from our float32 model"
    med = _interleaved_medians(interpreters, x, runs)
    return dict(c, features=FEATURES, median_us=med, max_abs_vs_float32=errors,
                bytes={name: len(m) for name, m in models.items()},
                speedup_vs_builtin_hybrid={n: med["builtin_hybrid"] / med[n] for n in med},
                speedup_vs_ours_float32={n: med["ours_float32"] / med[n] for n in med})


def _quant_row(r: dict) -> str:
    m, s, b = r["median_us"], r["speedup_vs_builtin_hybrid"], r["bytes"]
    f32 = r["speedup_vs_ours_float32"]
    return (f"quant       {r['time']:>4} {r['units']:>5} | {m['ours_int8']:>9.1f} "
            f"{m['ours_float16']:>9.1f} {m['ours_float32']:>9.1f} {m['builtin_hybrid']:>10.1f} | "
            f"x{s['ours_int8']:>6.2f} x{s['ours_float16']:>6.2f} | x{f32['ours_int8']:>5.2f} "
            f"x{f32['ours_float16']:>5.2f} | {b['ours_int8'] / b['builtin_hybrid']:>6.3f}")


QUANT_HEADER = (f"{'case':<11} {'T':>4} {'units':>5} | {'int8 us':>9} {'f16 us':>9} "
                f"{'f32 us':>9} {'hybrid us':>10} | {'int8/hyb':>7} {'f16/hyb':>7} | "
                f"{'i8/f32':>6} {'f16/f32':>6} | {'size i8/hyb':>6}")


def interpreters_for(c: dict, workdir: str) -> dict:
    """name -> interpreter for one case (num_threads = c["threads"] on every side)."""
    import tensorflow as tf
    from ai_edge_litert.interpreter import Interpreter

    import tflite_rnn_ops as tro

    ours_model, stock_model = _models(c)
    ours = tro.convert(ours_model, report=False)
    assert len(tro.inspect_model(ours).our_ops) == 1
    models = {"ours": ours,
              "keras3_while": tf.lite.TFLiteConverter.from_keras_model(stock_model).convert()}
    if c["kind"] in ("lstm", "bilstm"):
        models["builtin"] = _builtin_tflite(ours_model.get_weights(), c, workdir)
        want = 2 if c["kind"] == "bilstm" else 1
        assert tro.inspect_model(models["builtin"]).count("UNIDIRECTIONAL_SEQUENCE_LSTM") == want
    return {name: (tro.Interpreter if name == "ours" else Interpreter)(
        model_content=m, num_threads=c["threads"]) for name, m in models.items()}


def _invoke_floor_model(c: dict) -> bytes:
    """One ADD on a stream case's input: an invoke with no recurrent work at all, i.e. the
    Python call and the interpreter's own dispatch, which no kernel can remove."""
    import tensorflow as tf

    class AddOne(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([c["batch"], c["time"], FEATURES], tf.float32)])
        def __call__(self, x):
            return x + 1.0

    module = AddOne()
    return tf.lite.TFLiteConverter.from_concrete_functions(
        [module.__call__.get_concrete_function()], module).convert()


def bench_case(c: dict, runs: int, workdir: str) -> dict:
    from ai_edge_litert.interpreter import Interpreter

    interpreters = interpreters_for(c, workdir)
    x = np.random.default_rng(0).normal(size=(c["batch"], c["time"], FEATURES)).astype(np.float32)
    # Same weights, same input: the models must agree before their speed means anything (a
    # stream over 5 invokes, so the carried state is checked too).
    steps = 5 if c["stream"] else 1
    outs = {name: _outputs_of_steps(it, x, steps) for name, it in interpreters.items()}
    for name, out in outs.items():
        err = float(np.max(np.abs(out - outs["keras3_while"])))
        assert err < 1e-4, f"{c}: {name} disagrees with the Keras 3 conversion by {err}"
    extra = {}
    if c["stream"]:
        interpreters["invoke_floor"] = Interpreter(model_content=_invoke_floor_model(c),
                                                   num_threads=c["threads"])
    med = _interleaved_medians(interpreters, x, runs)
    if c["stream"]:
        extra["invoke_floor_us"] = med.pop("invoke_floor")
    speedup = {name: med[name] / med["ours"] for name in med if name != "ours"}
    return dict(c, features=FEATURES, median_us=med, speedup=speedup,
                vs_best=min(med[n] for n in speedup) / med["ours"], **extra)


def _row(r: dict) -> str:
    m, s = r["median_us"], r["speedup"]
    builtin = f"{m['builtin']:>10.1f}" if "builtin" in m else f"{'-':>10}"
    vs_builtin = f"x{s['builtin']:>9.2f}" if "builtin" in s else f"{'-':>10}"
    case = r["kind"] + (" stream" if r["stream"] else "")
    return (f"{case:<11} {r['time']:>4} {r['units']:>5} {r['batch']:>5} {r['threads']:>3} | "
            f"{m['ours']:>9.1f} {builtin} {m['keras3_while']:>9.1f} | {vs_builtin} "
            f"x{s['keras3_while']:>8.2f} x{r['vs_best']:>6.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(CASES), default=list(CASES))
    parser.add_argument("--runs", type=int, default=200, help="timed invokes per model and case")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "results"))
    args = parser.parse_args()

    header = bench_results.machine_line()
    print(header)
    if set(args.only) - {"quant"}:
        print(f"{'case':<11} {'T':>4} {'units':>5} {'batch':>5} {'thr':>3} | {'ours us':>9} "
              f"{'builtin us':>10} {'while us':>9} | {'vs builtin':>10} {'vs while':>9} "
              f"{'vs best':>7}")
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for group in args.only:
            if group == "quant":
                print(QUANT_HEADER)
            for case in CASES[group]:
                run = bench_quant_case if group == "quant" else bench_case
                results.append(dict(run(case, args.runs, workdir), group=group))
                print((_quant_row if group == "quant" else _row)(results[-1]), flush=True)
    path = bench_results.write(args.out, "rnn", header, results)
    print(f"wrote {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
