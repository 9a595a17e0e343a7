"""Quantized models run end to end: against a NumPy model of the scheme (tests/python/quant_scheme.py;
<= 1e-5, only the float summation order differs) and against the float Keras model within the
documented error (docs/quantization.md): LSTM, GRU (both reset_after), SimpleRNN, bidirectional,
stateful, masked; dynamic range, float16 and full-integer conversions."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import quant_scheme as qs
import tensorflow as tf
from conftest import ROUTES, randomize_weights, run_tflite
from test_quantize_convert import MODES, calibration

import tflite_rnn_ops as tro

SCHEME_ATOL = 1e-5
# Max abs error against float Keras documented in docs/quantization.md for these models
# (randomized weights that saturate the gates, O(1) outputs, T = 30).
KERAS_ATOL = {"dynamic": 0.1, "int8": 0.1, "float16": 5e-3}
SCHEME = {"dynamic": "int8", "int8": "int8", "float16": "float16"}

LAYERS = {
    "lstm": (lambda: keras.layers.LSTM(48, return_sequences=True), qs.lstm),
    "gru": (lambda: keras.layers.GRU(48, return_sequences=True), qs.gru),
    "gru_reset_before": (lambda: keras.layers.GRU(48, return_sequences=True, reset_after=False),
                         lambda *a, **kw: qs.gru(*a, reset_after=False, **kw)),
    "simple_rnn": (lambda: keras.layers.SimpleRNN(48, return_sequences=True), qs.simple_rnn),
}


def _x(seed=0, batch=3, time=30, features=24) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(batch, time, features)).astype(np.float32)


def _weights(layer, mode: str) -> list[np.ndarray]:
    kernel, recurrent, bias = layer.get_weights()
    if mode == "float16":  # TF's float16 pass rounds the bias too (it stays a float32 tensor)
        bias = bias.astype(np.float16).astype(np.float32)
    return [kernel, recurrent, bias]


def _max_err(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


@pytest.mark.parametrize("mode", ["dynamic", "float16", "int8"])
@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_layer_against_the_scheme_and_keras(kind, mode):
    make, scheme_model = LAYERS[kind]
    inp = keras.Input((None, 24), name="x")  # every matrix >= 1024 elements: quantized
    model = keras.Model(inp, make()(inp))
    randomize_weights(model)
    options = dict(MODES[mode])
    if mode == "int8":
        options["representative_dataset"] = calibration(features=24)
    tflite = tro.convert(model, report=False, **options)
    x = _x()
    want = scheme_model(x, *_weights(model.layers[1], mode), SCHEME[mode], return_sequences=True)
    for route in ROUTES:
        got = run_tflite(tflite, [x], route=route)[0]
        assert _max_err(got, want) <= SCHEME_ATOL, route
    err = _max_err(got, model(x))
    assert 0 < err <= KERAS_ATOL[mode]


@pytest.mark.parametrize("mode", ["dynamic", "float16"])
def test_bidirectional_lstm(mode):
    inp = keras.Input((None, 24))
    model = keras.Model(inp, keras.layers.Bidirectional(
        keras.layers.LSTM(32, return_sequences=True))(inp))
    randomize_weights(model)
    x = _x(1)
    layer = model.layers[1]
    fw = qs.lstm(x, *_weights(layer.forward_layer, mode), SCHEME[mode], return_sequences=True)
    bw = qs.lstm(x[:, ::-1], *_weights(layer.backward_layer, mode), SCHEME[mode],
                 return_sequences=True)[:, ::-1]
    got = run_tflite(tro.convert(model, report=False, **MODES[mode]), [x])[0]
    assert _max_err(got, np.concatenate([fw, bw], -1)) <= SCHEME_ATOL
    assert _max_err(got, model(x)) <= KERAS_ATOL[mode]


def test_stateful_lstm_streams_like_the_whole_sequence():
    frames = _x(2, batch=1, time=12, features=12)
    inp = keras.Input(batch_shape=(1, 1, 12))
    model = keras.Model(inp, keras.layers.LSTM(24, stateful=True)(inp))
    randomize_weights(model)
    tflite = tro.convert(model, report=False, optimizations=[tf.lite.Optimize.DEFAULT])
    it = tro.Interpreter(model_content=tflite, num_threads=1)
    runner = it.get_signature_runner()
    (name,) = runner.get_input_details()
    got = [next(iter(runner(**{name: frames[:, t:t + 1]}).values())) for t in range(12)]
    want = qs.lstm(frames, *_weights(model.layers[1], "dynamic"), "int8", return_sequences=True)
    assert _max_err(np.stack(got, 1)[0], want[0]) <= SCHEME_ATOL
    keras_steps = [model(frames[:, t:t + 1]).numpy() for t in range(12)]
    assert _max_err(np.stack(got, 1), np.stack(keras_steps, 1)) <= KERAS_ATOL["dynamic"]
    it.reset_all_variables()
    again = next(iter(it.get_signature_runner()(**{name: frames[:, :1]}).values()))
    assert _max_err(again, got[0]) == 0.0


@pytest.mark.parametrize("mode", ["dynamic", "float16", "int8"])
def test_masked_tagger(mode):
    from model_zoo import ZOO, train_briefly

    zoo = ZOO["tagger"]
    model = zoo.build(None, None)
    rng = np.random.default_rng(0)
    train_briefly(zoo, model, rng, time=12)
    options = dict(MODES[mode])
    if mode == "int8":
        options["representative_dataset"] = lambda: ([zoo.data(rng, 1, 12)[0][0]] for _ in range(4))
    tflite = tro.convert(model, report=False, **options)
    (x,), _ = zoo.data(rng, 3, 12)
    assert _max_err(run_tflite(tflite, [x])[0], model(x)) <= KERAS_ATOL[mode]


def test_full_integer_lstm_equals_dynamic_range_when_it_reads_the_model_input():
    # Nothing integer runs before or after a lone recurrent layer: the two files compute alike.
    inp = keras.Input((None, 20), name="x")
    model = keras.Model(inp, keras.layers.LSTM(48, return_sequences=True)(inp))
    randomize_weights(model)
    x = _x(3, features=20)
    dynamic = run_tflite(tro.convert(model, report=False, **MODES["dynamic"]), [x])[0]
    full = run_tflite(tro.convert(model, report=False, optimizations=[tf.lite.Optimize.DEFAULT],
                                  representative_dataset=calibration()), [x])[0]
    np.testing.assert_array_equal(full, dynamic)
