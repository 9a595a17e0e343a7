"""Subprocess helper for the benchmarks: converts an LSTM with tf_keras (Keras 2), which the TFLite
converter fuses into the builtin UNIDIRECTIONAL_SEQUENCE_LSTM (Keras 3 models never fuse).

Usage: TF_USE_LEGACY_KERAS=1 python tf_keras_builtin_lstm.py WEIGHTS.npz OUT.tflite
WEIGHTS.npz holds kernel, recurrent_kernel, bias and the ints time, features, units.
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
    assert "tf_keras" in type(keras).__module__ or "tf_keras" in keras.__name__, "tf_keras is required"
    inp = keras.Input((time, features), batch_size=1)
    out = keras.layers.LSTM(units, return_sequences=True)(inp)
    model = keras.Model(inp, out)
    model.set_weights([w["kernel"], w["recurrent_kernel"], w["bias"]])
    tflite = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    with open(out_path, "wb") as f:
        f.write(tflite)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
