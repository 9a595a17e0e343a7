"""End to end: tro.layers.LSTM -> tro.convert -> interpreter + our delegate, against Keras."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from conftest import assert_parity, assert_parity_on_routes, keras_outputs, randomize_weights, run_tflite

import tflite_rnn_ops as tro
from tflite_rnn_ops import timing


def _lstm_model(features: int, units: int, **kwargs):
    inp = keras.Input((None, features))
    out = tro.layers.LSTM(units, **kwargs)(inp)
    return keras.Model(inp, out)


def _randomize(model, seed: int = 0):
    randomize_weights(model, seed=seed)


def _converted_ops(tflite: bytes):
    info = tro.inspect_model(tflite)
    assert info.count("TFLiteRnnOps>LSTM") >= 1
    assert info.count("WHILE") == 0, info.summary()
    return info


@pytest.mark.parametrize(
    "batch,time,features,units,kwargs",
    [
        (1, 1, 1, 1, {}),
        (3, 17, 40, 128, {"return_sequences": True}),
        (2, 9, 5, 7, {"return_sequences": True, "go_backwards": True}),
        (4, 12, 16, 33, {"return_state": True}),
        (5, 6, 3, 9, {"return_sequences": True, "return_state": True, "go_backwards": True}),
        (2, 8, 6, 10, {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
        (2, 8, 6, 10, {"activation": "linear", "recurrent_activation": "sigmoid",
                       "return_sequences": True}),
        (2, 8, 6, 10, {"activation": "sigmoid", "use_bias": False, "return_sequences": True}),
        (8, 200, 256, 512, {"return_sequences": True}),
    ],
)
def test_parity_with_keras(batch, time, features, units, kwargs):
    model = _lstm_model(features, units, **kwargs)
    _randomize(model)
    tflite = tro.convert(model)
    info = _converted_ops(tflite)
    assert info.count("TFLiteRnnOps>LSTM") == 1
    x = np.random.default_rng(1).normal(0, 1, (batch, time, features)).astype(np.float32)
    assert_parity_on_routes(tflite, [x], keras_outputs(model, [x]))


@pytest.mark.parametrize("backend", ["litert", "tensorflow"])
def test_both_interpreters_and_resize(backend):
    model = _lstm_model(12, 20, return_sequences=True)
    tflite = tro.convert(model)
    it = tro.Interpreter(model_content=tflite, backend=backend)
    for shape in [(1, 5, 12), (6, 31, 12), (2, 3, 12)]:  # grow, then shrink
        x = np.random.default_rng(sum(shape)).normal(size=shape).astype(np.float32)
        got = timing.run(it, [x])[0]
        assert_parity([got], keras_outputs(model, [x]))


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_masking_layer_padded_batch(return_sequences, go_backwards):
    inp = keras.Input((None, 4))
    masked = keras.layers.Masking(mask_value=0.0)(inp)
    out = tro.layers.LSTM(6, return_sequences=return_sequences, go_backwards=go_backwards)(masked)
    model = keras.Model(inp, out)
    _randomize(model)
    tflite = tro.convert(model)
    _converted_ops(tflite)
    x = np.random.default_rng(2).normal(size=(4, 9, 4)).astype(np.float32)
    for b, length in enumerate([9, 5, 1, 7]):
        x[b, length:] = 0.0  # padding at the end, a different length per example
    x[3, 2] = 0.0  # and a masked step in the middle
    assert_parity_on_routes(tflite, [x], keras_outputs(model, [x]))


def test_embedding_mask_zero_stack():
    # Two adjacent fused ops: the tensor between them lives inside one delegate partition.
    inp = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(50, 8, mask_zero=True)(inp)
    x = tro.layers.LSTM(16, return_sequences=True)(x)
    out = tro.layers.LSTM(5)(x)
    model = keras.Model(inp, out)
    _randomize(model)
    tflite = tro.convert(model)
    assert _converted_ops(tflite).count("TFLiteRnnOps>LSTM") == 2
    tokens = np.random.default_rng(3).integers(1, 50, (3, 11)).astype(np.int32)
    tokens[0, 6:] = 0
    tokens[2, 2:] = 0
    assert_parity_on_routes(tflite, [tokens], keras_outputs(model, [tokens]))


def test_explicit_mask_and_initial_state_inputs():
    x_in = keras.Input((None, 3), name="x")
    m_in = keras.Input((None,), dtype="bool", name="m")
    h_in = keras.Input((4,), name="h0")
    c_in = keras.Input((4,), name="c0")
    seq, h, c = tro.layers.LSTM(4, return_sequences=True, return_state=True)(
        x_in, mask=m_in, initial_state=[h_in, c_in])
    model = keras.Model([x_in, m_in, h_in, c_in], [seq, h, c])
    _randomize(model)
    tflite = tro.convert(model)
    attrs = _converted_ops(tflite).our_ops[0].attributes
    assert attrs["mask"] == "steps" and attrs["initial_state"] != 0
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 7, 3)).astype(np.float32)
    m = rng.random((3, 7)) > 0.3
    m[1, :2] = False  # leading masked steps: output stays zero while the state is h0
    h0 = rng.normal(size=(3, 4)).astype(np.float32)
    c0 = rng.normal(size=(3, 4)).astype(np.float32)
    want = keras_outputs(model, [x, m, h0, c0])
    assert_parity_on_routes(tflite, {"x": x, "m": m, "h0": h0, "c0": c0}, want)


def test_plain_interpreter_fails_naming_our_op():
    from ai_edge_litert.interpreter import Interpreter

    tflite = tro.convert(_lstm_model(3, 4))
    it = Interpreter(model_content=tflite)
    with pytest.raises(RuntimeError, match=r"unresolved custom op: TFLiteRnnOps>LSTM"):
        it.allocate_tensors()
