"""Run with TF_USE_LEGACY_KERAS=1: tf_keras models converted by tro.convert, compared with
tf_keras's own outputs. Prints one JSON line per model."""

import json
import os

assert os.environ.get("TF_USE_LEGACY_KERAS") == "1"

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tflite_rnn_ops as tro  # noqa: E402
from tflite_rnn_ops import timing  # noqa: E402

keras = tf.keras
assert "tf_keras" in keras.__name__
rng = np.random.default_rng(0)


def masked_stack():
    inp = keras.Input((None, 5))
    x = keras.layers.Masking(0.0)(inp)
    x = keras.layers.LSTM(8, return_sequences=True)(x)
    x = keras.layers.GRU(6, return_sequences=True, reset_after=True)(x)
    return keras.Model(inp, keras.layers.SimpleRNN(4)(x))


def bidirectional():
    inp = keras.Input((None, 5))
    return keras.Model(inp, keras.layers.Bidirectional(keras.layers.LSTM(7, return_sequences=True))(inp))


def unfusable():
    inp = keras.Input((6, 5), batch_size=2)  # static: tf_keras's own loop must convert
    return keras.Model(inp, keras.layers.LSTM(3, recurrent_activation="hard_sigmoid")(inp))


for name, build in [("masked_stack", masked_stack), ("bidirectional", bidirectional),
                    ("unfusable", unfusable)]:
    model = build()
    tflite, report = tro.convert(model, report=False, return_report=True)
    x = rng.normal(size=(2, 6, 5)).astype(np.float32)
    x[1, 4:] = 0.0
    got = timing.run(tro.Interpreter(model_content=tflite), [x])[0]
    info = tro.inspect_model(tflite)
    print(json.dumps({
        "model": name,
        "max_abs_error": float(np.max(np.abs(got - model(x).numpy()))),
        "our_ops": [op.name for op in info.our_ops],
        "while": info.count("WHILE") + info.count("UNIDIRECTIONAL_SEQUENCE_LSTM"),
        "unfused": [e.reason for e in report.unfused],
    }))
