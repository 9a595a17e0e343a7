"""Run with TF_USE_LEGACY_KERAS=1: tf_keras models converted by TensorFlow's own converter, which
lowers their LSTMs to the builtin UNIDIRECTIONAL_SEQUENCE_LSTM (state in variable tensors).

Usage: TF_USE_LEGACY_KERAS=1 python tf_keras_builtin_models.py OUT_DIR
Writes OUT_DIR/<name>.tflite for every model below (weights seeded, gates partly saturated);
"hybrid" has int8 LSTM weights (dynamic-range quantization), "float16" float16 ones;
"hybrid_float" is the hybrid model converted without quantization.
"""

import os
import sys

assert os.environ.get("TF_USE_LEGACY_KERAS") == "1"

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

keras = tf.keras
assert "tf_keras" in keras.__name__
BATCH, TIME, FEATURES = 2, 6, 5


def lstm():
    inp = keras.Input((TIME, FEATURES), batch_size=BATCH)
    return keras.Model(inp, keras.layers.LSTM(8, return_sequences=True)(inp))


def stacked():
    inp = keras.Input((TIME, FEATURES), batch_size=BATCH)
    x = keras.layers.LSTM(8, return_sequences=True)(inp)
    x = keras.layers.LSTM(6, return_sequences=True)(x)
    return keras.Model(inp, keras.layers.Dense(3)(x))


def last_step():
    inp = keras.Input((TIME, FEATURES), batch_size=BATCH)
    return keras.Model(inp, keras.layers.LSTM(7)(inp))


def bidirectional():
    inp = keras.Input((TIME, FEATURES), batch_size=BATCH)
    return keras.Model(inp, keras.layers.Bidirectional(keras.layers.LSTM(5, return_sequences=True))(inp))


def hybrid():
    # Big enough for dynamic-range quantization to give the LSTM int8 weights (a hybrid op).
    inp = keras.Input((TIME, 40), batch_size=BATCH)
    return keras.Model(inp, keras.layers.LSTM(32, return_sequences=True)(inp))


def randomize(model, seed):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 1.5 / np.sqrt(w.shape[0]) if w.ndim == 2 else 0.5, w.shape)
                       .astype(np.float32) for w in model.get_weights()])


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    builds = {"lstm": lstm, "stacked": stacked, "last_step": last_step,
              "bidirectional": bidirectional, "hybrid": hybrid, "float16": lstm}
    for seed, (name, build) in enumerate(builds.items()):
        model = build()
        randomize(model, seed)
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        if name in ("hybrid", "float16"):
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if name == "float16":  # float16 weights behind DEQUANTIZE ops
            converter.target_spec.supported_types = [tf.float16]
        with open(os.path.join(out_dir, f"{name}.tflite"), "wb") as f:
            f.write(converter.convert())
        if name == "hybrid":
            with open(os.path.join(out_dir, "hybrid_float.tflite"), "wb") as f:
                f.write(tf.lite.TFLiteConverter.from_keras_model(model).convert())


if __name__ == "__main__":
    main(sys.argv[1])
