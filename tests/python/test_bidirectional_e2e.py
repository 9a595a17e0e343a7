"""Bidirectional over each cell, every merge_mode: ONE fused op runs both directions."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from conftest import assert_fused, assert_parity, assert_parity_on_routes, keras_outputs, padded_batch, randomize_weights, run_tflite
from flatbuffers import flexbuffers

import tflite_rnn_ops as tro

CELLS = [(tro.layers.LSTM, "TFLiteRnnOps>LSTM"), (tro.layers.GRU, "TFLiteRnnOps>GRU"),
         (tro.layers.SimpleRNN, "TFLiteRnnOps>RNN")]


@pytest.mark.parametrize("layer_cls,op", CELLS)
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_merge_modes_with_masks_and_states(layer_cls, op, merge_mode, return_sequences):
    inp = keras.Input((None, 5))
    masked = keras.layers.Masking(0.0)(inp)
    layer = layer_cls(6, return_sequences=return_sequences, return_state=True)
    out = tro.layers.Bidirectional(layer, merge_mode=merge_mode)(masked)
    model = keras.Model(inp, out)
    randomize_weights(model)
    tflite = tro.convert(model)
    attrs = assert_fused(tflite, op).our_ops[0].attributes
    assert attrs["direction"] == "bidirectional"
    assert attrs["merge_mode"] == (merge_mode or "none")
    x = padded_batch(np.random.default_rng(5), 4, 9, 5, [9, 4, 1, 7])
    assert_parity_on_routes(tflite, [x], keras_outputs(model, [x]))


@pytest.mark.parametrize("layer_cls,op,units", [*(c + (128,) for c in CELLS), (*CELLS[0], 256)])
def test_large_and_dynamic(layer_cls, op, units):
    # LSTM 256: 1 MB of recurrent weights per direction; long and batched sequences, on one
    # thread (one direction after the other, bidirectional.h).
    inp = keras.Input((None, 40))
    model = keras.Model(inp, tro.layers.Bidirectional(layer_cls(units, return_sequences=True))(inp))
    randomize_weights(model)
    tflite = tro.convert(model)
    assert_fused(tflite, op)
    it = tro.Interpreter(model_content=tflite)
    from tflite_rnn_ops import timing

    for shape in [(1, 200, 40), (8, 30, 40)]:
        x = np.random.default_rng(sum(shape)).normal(size=shape).astype(np.float32)
        assert_parity(timing.run(it, [x]), keras_outputs(model, [x]))


def test_stacked_bidirectional_with_embedding_mask():
    inp = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(30, 8, mask_zero=True)(inp)
    x = tro.layers.Bidirectional(tro.layers.LSTM(10, return_sequences=True))(x)
    x = tro.layers.Bidirectional(tro.layers.GRU(6, return_sequences=True), merge_mode="sum")(x)
    out = tro.layers.Bidirectional(tro.layers.SimpleRNN(4), merge_mode="ave")(x)
    model = keras.Model(inp, out)
    randomize_weights(model)
    tflite = tro.convert(model)
    info = tro.inspect_model(tflite)
    assert len(info.our_ops) == 3 and info.count("WHILE") == 0
    tokens = np.random.default_rng(6).integers(1, 30, (5, 12)).astype(np.int32)
    for b, length in enumerate([12, 3, 7, 1, 9]):
        tokens[b, length:] = 0
    assert_parity_on_routes(tflite, [tokens], keras_outputs(model, [tokens]))


def test_initial_states_as_inputs():
    x_in = keras.Input((None, 3), name="x")
    states = [keras.Input((4,), name=f"s{i}") for i in range(4)]
    out = tro.layers.Bidirectional(tro.layers.LSTM(4, return_sequences=True))(x_in, initial_state=states)
    model = keras.Model([x_in, *states], out)
    randomize_weights(model)
    tflite = tro.convert(model)
    assert assert_fused(tflite, "TFLiteRnnOps>LSTM").our_ops[0].attributes["initial_state"] != 0
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    s = [rng.normal(size=(2, 4)).astype(np.float32) for _ in range(4)]
    feed = {"x": x, **{f"s{i}": v for i, v in enumerate(s)}}
    assert_parity_on_routes(tflite, feed, keras_outputs(model, [x, *s]))


def test_mismatched_backward_layer_falls_back_to_two_fused_ops():
    inp = keras.Input((None, 3))
    bidi = tro.layers.Bidirectional(
        tro.layers.GRU(4, return_sequences=True),
        backward_layer=tro.layers.GRU(4, return_sequences=True, go_backwards=True, activation="relu"))
    assert not bidi.fuses_both_directions
    model = keras.Model(inp, bidi(inp))
    tflite = tro.convert(model)
    assert_fused(tflite, "TFLiteRnnOps>GRU", count=2)
    x = np.random.default_rng(8).normal(size=(2, 6, 3)).astype(np.float32)
    assert_parity_on_routes(tflite, [x], keras_outputs(model, [x]))


def test_stock_layer_is_rejected_with_a_clear_error():
    with pytest.raises(ValueError, match="`layer` must be a tflite_rnn_ops layer"):
        tro.layers.Bidirectional(keras.layers.LSTM(3))


def test_keras_file_roundtrip(tmp_path):
    inp = keras.Input((None, 3))
    model = keras.Model(inp, tro.layers.Bidirectional(tro.layers.GRU(4), merge_mode="mul")(inp))
    model.save(tmp_path / "b.keras")
    loaded = keras.models.load_model(tmp_path / "b.keras")
    assert isinstance(loaded.layers[-1], tro.layers.Bidirectional)
    assert loaded.layers[-1].fuses_both_directions
    x = np.ones((2, 3, 3), np.float32)
    np.testing.assert_allclose(loaded(x), model(x), atol=0)


def _with_direction_reverse(tflite: bytes) -> bytes:
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(bytearray(tflite), 0)
    (op,) = [o for o in model.subgraphs[0].operators if o.customOptions is not None]
    options = dict(flexbuffers.Loads(bytes(op.customOptions)))
    op.customOptions = list(flexbuffers.Dumps({**options, "direction": "reverse"}))
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


@pytest.mark.parametrize("layer_cls", [tro.layers.LSTM, tro.layers.GRU, tro.layers.SimpleRNN])
def test_direction_reverse_is_go_backwards_in_time_order(layer_cls):
    # No Keras layer emits "reverse" (the TF1 entry points will); its meaning is Keras's backward
    # layer output reversed back into time order.
    inp = keras.Input((None, 3))
    model = keras.Model(inp, layer_cls(5, return_sequences=True)(inp))
    randomize_weights(model)
    backwards = keras.Model(inp, layer_cls(5, return_sequences=True, go_backwards=True)(inp))
    backwards.set_weights(model.get_weights())
    tflite = _with_direction_reverse(tro.convert(model))
    x = np.random.default_rng(9).normal(size=(3, 7, 3)).astype(np.float32)
    want = [np.flip(keras_outputs(backwards, [x])[0], axis=1)]
    assert_parity_on_routes(tflite, [x], want)
