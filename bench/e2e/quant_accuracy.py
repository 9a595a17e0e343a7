"""Accuracy of quantized weights against the float Keras model (issue 10 Part 3).

    python bench/e2e/quant_accuracy.py [--only lstm zoo scheme]

lstm    LSTM layers (input 40, T 100, batch 1, 4 random inputs), Keras initialisation and
        saturating random weights (gain 1.5): ours int8 (Optimize.DEFAULT) and float16, TFLite's
        builtin hybrid LSTM (tf_keras conversion, Optimize.DEFAULT) and the Keras 3 conversion's
        dynamic-range quantization (int8 FC weights inside its WHILE loop).
zoo     the stock-Keras model zoo (tests/python/model_zoo.py, trained briefly, batch 1, static
        time, 64 random inputs): ours int8 / float16 and Keras 3 dynamic range (no builtin LSTM
        exists for them).
scheme  centred symmetric (ours) vs plain symmetric vs asymmetric per-row activation
        quantization, a NumPy model of each
        (tests/python/quant_scheme.py) on the lstm cases.
Each entry: max abs error and relative error (max abs / max |float output|) over the inputs.
Prints a table and writes bench/results/quant_accuracy_<stamp>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "python"))  # zoo, scheme, randomize

import bench_results  # noqa: E402
from bench_rnn import FEATURES, _builtin_tflite  # noqa: E402

TIME, SAMPLES = 100, 4
# Most zoo models end in one small vector per input (two_branch: one sigmoid), so their max
# error over 4 inputs is a max over 4 numbers and swings by 2x with the draw; 64 inputs give a
# stable statistic (an LSTM case's output is already 100 x units numbers per input).
ZOO_SAMPLES = 64
LSTM_CASES = [(u, init) for u in (128, 256) for init in ("keras", "gain1.5")]


def _errors(got: list[np.ndarray], want: list[np.ndarray]) -> dict:
    err = max(float(np.max(np.abs(g - w))) for g, w in zip(got, want))
    scale = max(float(np.max(np.abs(w))) for w in want)
    return {"max_abs": err, "relative": err / scale}


def _converters(model) -> dict:
    """name -> .tflite bytes of `model` (static shapes) in each quantized form."""
    import tensorflow as tf

    import tflite_rnn_ops as tro

    spec = tf.lite.TargetSpec()
    spec.supported_types = [tf.float16]
    default = [tf.lite.Optimize.DEFAULT]
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = default
    with contextlib.redirect_stdout(io.StringIO()):
        keras3 = converter.convert()
    return {"ours_int8": tro.convert(model, report=False, optimizations=default),
            "ours_float16": tro.convert(model, report=False, optimizations=default,
                                        target_spec=spec),
            "keras3_dynamic": keras3}


def _run(tflite: bytes, model, inputs: list[np.ndarray]) -> list[np.ndarray]:
    from ai_edge_litert.interpreter import Interpreter

    import tflite_rnn_ops as tro

    it = tro.Interpreter(model_content=tflite, num_threads=1) if b"TFLiteRnnOps>" in tflite \
        else Interpreter(model_content=tflite, num_threads=1)
    runner = it.get_signature_runner()
    names = list(runner.get_input_details())
    feed = dict(zip(names, inputs)) if len(names) == 1 else {t.name: x for t, x in
                                                              zip(model.inputs, inputs)}
    out = runner(**feed)
    return [out[k] for k in sorted(out)]


def _lstm_model(units: int, init: str):
    import keras
    from conftest import randomize_weights

    keras.utils.set_random_seed(units)
    inp = keras.Input((TIME, FEATURES), batch_size=1)
    model = keras.Model(inp, keras.layers.LSTM(units, return_sequences=True)(inp))
    if init == "gain1.5":
        randomize_weights(model, seed=units)
    return model


def _lstm_inputs(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(1, TIME, FEATURES)).astype(np.float32) for _ in range(SAMPLES)]


def lstm_case(units: int, init: str, workdir: str) -> dict:
    model = _lstm_model(units, init)
    models = _converters(model)
    case = {"kind": "lstm", "time": TIME, "units": units, "batch": 1}
    models["builtin_hybrid"] = _builtin_tflite(model.get_weights(), case, workdir, hybrid=True)
    xs = _lstm_inputs()
    want = [np.asarray(model(x)) for x in xs]
    errors = {name: _errors([_run(m, model, [x])[0] for x in xs], want)
              for name, m in models.items()}
    return {"group": "lstm", "model": f"LSTM({units}) {init}", "errors": errors,
            "bytes": {name: len(m) for name, m in models.items()}}


def zoo_case(name: str) -> dict:
    import keras
    from model_zoo import ZOO, train_briefly

    zoo = ZOO[name]
    keras.utils.set_random_seed(0)
    time = min(zoo.bench_time, 50)
    model = zoo.build(1, time)
    rng = np.random.default_rng(0)
    train_briefly(zoo, model, rng, time)
    models = _converters(model)
    samples = [zoo.data(rng, 1, time)[0] for _ in range(ZOO_SAMPLES)]
    errors = {}
    for label, tflite in models.items():
        got, want = [], []
        for inputs in samples:
            got += _run(tflite, model, inputs)
            out = model(inputs if len(inputs) > 1 else inputs[0])
            want += [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]
        errors[label] = _errors(got, want)
    return {"group": "zoo", "model": name, "time": time, "errors": errors,
            "bytes": {n: len(m) for n, m in models.items()}}


def scheme_case(units: int, init: str) -> dict:
    import quant_scheme as qs

    model = _lstm_model(units, init)
    kernel, recurrent, bias = model.layers[1].get_weights()
    xs = _lstm_inputs()
    want = [np.asarray(model(x)) for x in xs]
    errors = {}
    for scheme in ("int8", "int8_symmetric", "int8_asymmetric"):
        got = [qs.lstm(x, kernel, recurrent, bias, scheme, return_sequences=True) for x in xs]
        errors[scheme] = _errors(got, want)
    return {"group": "scheme", "model": f"LSTM({units}) {init}", "errors": errors}


def _row(r: dict) -> str:
    cells = "  ".join(f"{n}={e['max_abs']:.2e} ({e['relative']:.1e})"
                      for n, e in r["errors"].items())
    return f"{r['group']:<7} {r['model']:<20} {cells}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=["lstm", "zoo", "scheme"],
                        default=["lstm", "zoo", "scheme"])
    parser.add_argument("--out", default=os.path.join(HERE, "..", "results"))
    args = parser.parse_args()
    from model_zoo import ZOO

    header = bench_results.machine_line()
    print(header)
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        jobs = {"lstm": [lambda u=u, i=i: lstm_case(u, i, workdir) for u, i in LSTM_CASES],
                "zoo": [lambda n=n: zoo_case(n) for n in ZOO],
                "scheme": [lambda u=u, i=i: scheme_case(u, i) for u, i in LSTM_CASES]}
        for group in args.only:
            for job in jobs[group]:
                results.append(job())
                print(_row(results[-1]), flush=True)
    path = bench_results.write(args.out, "quant_accuracy", header, results)
    print(f"wrote {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
