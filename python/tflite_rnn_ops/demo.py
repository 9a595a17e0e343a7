"""The main job, end to end: train a small Keras model with our LSTM, convert it, run it with our
kernels, and print parity with Keras and speed against the plain (WHILE-loop) conversion."""

from __future__ import annotations

import contextlib
import dataclasses
import io

import numpy as np


@dataclasses.dataclass
class DemoConfig:
    features: int = 40
    units: int = 128
    classes: int = 4
    time: int = 100
    train_samples: int = 512
    epochs: int = 2
    runs: int = 50
    seed: int = 0


def _build(layer_cls, cfg: DemoConfig, static_shape: tuple | None = None):
    import keras

    if static_shape:
        inp = keras.Input(static_shape[1:], batch_size=static_shape[0], name="frames")
    else:
        inp = keras.Input((None, cfg.features), name="frames")
    x = layer_cls(cfg.units, return_sequences=True, name="lstm_1")(inp)
    x = layer_cls(cfg.units // 2, name="lstm_2")(x)
    out = keras.layers.Dense(cfg.classes, activation="softmax", name="head")(x)
    return keras.Model(inp, out)


def _synthetic_data(cfg: DemoConfig, rng: np.random.Generator):
    # The class is which quarter of the feature vector carries a slow sine: learnable in a few steps.
    n, t, f = cfg.train_samples, 30, cfg.features
    y = rng.integers(0, cfg.classes, n)
    x = rng.normal(0, 0.5, (n, t, f)).astype(np.float32)
    wave = np.sin(np.linspace(0, 3 * np.pi, t))[None, :, None]
    band = f // cfg.classes
    for c in range(cfg.classes):
        x[y == c, :, c * band:(c + 1) * band] += wave
    return x, y


def run_demo(cfg: DemoConfig | None = None, log=print) -> dict:
    """Runs the demo and returns its measurements (also printed through `log`)."""
    import keras
    import tensorflow as tf

    import tflite_rnn_ops as tro
    from tflite_rnn_ops import timing

    cfg = cfg or DemoConfig()
    keras.utils.set_random_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    log(f"[1/4] training a 2-layer tro.layers.LSTM model ({cfg.units}/{cfg.units // 2} units) "
        f"on {cfg.train_samples} synthetic sequences for {cfg.epochs} epoch(s)")
    model = _build(tro.layers.LSTM, cfg)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x_train, y_train = _synthetic_data(cfg, rng)
    hist = model.fit(x_train, y_train, epochs=cfg.epochs, batch_size=32, verbose=0)
    log(f"      final loss {hist.history['loss'][-1]:.4f}, accuracy {hist.history['accuracy'][-1]:.3f}")

    log("[2/4] converting: ours (fused op) and the plain Keras 3 conversion of the same weights")
    ours = tro.convert(model)
    # The stock conversion of stacked Keras 3 LSTMs fails with a dynamic time axis (TensorList
    # lowering), so the baseline gets the static shape we time below.
    plain_model = _build(keras.layers.LSTM, cfg, static_shape=(1, cfg.time, cfg.features))
    plain_model.set_weights(model.get_weights())
    converter = tf.lite.TFLiteConverter.from_keras_model(plain_model)
    with contextlib.redirect_stdout(io.StringIO()):  # the export's endpoint listing
        plain = converter.convert()
    info, plain_info = tro.inspect_model(ours), tro.inspect_model(plain)
    log(f"      ours: {len(info.ops)} ops, {len(info.our_ops)} x TFLiteRnnOps>LSTM, "
        f"{info.count('WHILE')} WHILE; plain: {len(plain_info.ops)} ops, "
        f"{plain_info.count('WHILE')} WHILE")

    log(f"[3/4] parity on a batch of 4 sequences of {cfg.time} steps (max abs vs Keras)")
    x = rng.normal(0, 1, (4, cfg.time, cfg.features)).astype(np.float32)
    want = model.predict(x, verbose=0)
    it = tro.Interpreter(model_content=ours, num_threads=1)
    got = timing.run(it, [x])[0]
    err = float(np.max(np.abs(got - want)))
    log(f"      max |tflite - keras| = {err:.2e}  ({'OK' if err <= 1e-5 else 'ABOVE 1e-5'})")

    log(f"[4/4] speed: batch 1, T={cfg.time}, one thread, median of {cfg.runs} invokes")
    x1 = x[:1]
    t_ours = timing.median_invoke_us(tro.Interpreter(model_content=ours, num_threads=1), [x1], cfg.runs)
    from ai_edge_litert.interpreter import Interpreter as LiteRtInterpreter

    t_plain = timing.median_invoke_us(LiteRtInterpreter(model_content=plain, num_threads=1), [x1], cfg.runs)
    log(f"      ours {t_ours:9.1f} us   plain conversion {t_plain:9.1f} us   "
        f"speed-up x{t_plain / t_ours:.2f}   (kernel ISA: {tro.kernel_isa()}, CPU: {timing.cpu_model()})")
    return {"max_abs_error": err, "ours_us": t_ours, "plain_us": t_plain}
