"""Subprocess helper for the benchmarks: converts an LSTM (or a Bidirectional LSTM) with tf_keras
(Keras 2), which the TFLite converter lowers to the builtin UNIDIRECTIONAL_SEQUENCE_LSTM (Keras 3
models never get it).

Usage: TF_USE_LEGACY_KERAS=1 python tf_keras_builtin.py WEIGHTS.npz OUT.tflite
WEIGHTS.npz holds w0..wN (Keras weight order) and the ints time, features, units, batch,
bidirectional and (optional) hybrid: 1 converts with Optimize.DEFAULT, which makes the builtin
LSTM a hybrid op (int8 weights, float activations).
"""

import os
import sys

os.environ["TF_USE_LEGACY_KERAS"] = "1"

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def main(weights_path: str, out_path: str) -> None:
    w = np.load(weights_path)
    time, features, units = int(w["time"]), int(w["features"]), int(w["units"])
    keras = tf.keras
    assert "tf_keras" in keras.__name__, "tf_keras is required (TF_USE_LEGACY_KERAS=1)"
    inp = keras.Input((time, features), batch_size=int(w["batch"]))
    layer = keras.layers.LSTM(units, return_sequences=True)
    if int(w["bidirectional"]):
        layer = keras.layers.Bidirectional(layer)
    model = keras.Model(inp, layer(inp))
    n = len([k for k in w.files if k.startswith("w")])
    model.set_weights([w[f"w{i}"] for i in range(n)])
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if "hybrid" in w.files and int(w["hybrid"]):
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    tflite = converter.convert()
    with open(out_path, "wb") as f:
        f.write(tflite)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
