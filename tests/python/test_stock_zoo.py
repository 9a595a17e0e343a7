"""Unmodified Keras models built from stock keras.layers RNNs: each recurrent layer becomes our
fused op. A zoo of real architectures, trained a few steps on synthetic data, then converted and
compared with Keras (1e-5 max abs)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import assert_parity, keras_outputs, padded_batch, run_tflite

import tflite_rnn_ops as tro


def _train(model, x, y, loss):
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)


def _check(model, inputs, expected_ops: dict[str, int], atol: float = 1e-5):
    before = [w.copy() for w in model.get_weights()]
    tflite, report = tro.convert(model, return_report=True, report=False)
    info = tro.inspect_model(tflite)
    assert info.count("WHILE") == 0, info.summary()
    for op, count in expected_ops.items():
        assert info.count(op) == count, info.summary()
    assert report.expected_ops == sum(expected_ops.values()) and not report.unfused
    # the user's model object is untouched: same weights, still Keras's own classes
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    feed = inputs if isinstance(inputs, dict) else [inputs]
    want = keras_outputs(model, list(inputs.values()) if isinstance(inputs, dict) else [inputs])
    assert_parity(run_tflite(tflite, feed), want, atol=atol)
    return report


def test_crnn_text_recognizer():
    inp = keras.Input((32, 64, 1))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = keras.layers.MaxPooling2D(2)(x)                        # (8, 16, 16)
    x = keras.layers.Permute((2, 1, 3))(x)                     # width is time
    x = keras.layers.Reshape((16, 8 * 16))(x)
    x = keras.layers.Bidirectional(keras.layers.LSTM(32, return_sequences=True))(x)
    x = keras.layers.Bidirectional(keras.layers.LSTM(32, return_sequences=True))(x)
    model = keras.Model(inp, keras.layers.Dense(20, activation="softmax")(x))
    rng = np.random.default_rng(0)
    images = rng.random((32, 32, 64, 1)).astype(np.float32)
    _train(model, images, rng.integers(0, 20, (32, 16)), "sparse_categorical_crossentropy")
    report = _check(model, images[:2], {"TFLiteRnnOps>LSTM": 2})
    assert all("bidirectional" in e.op for e in report.entries)


def test_keyword_spotting_gru():
    inp = keras.Input((None, 40))
    x = keras.layers.GRU(64, return_sequences=True)(inp)
    x = keras.layers.GRU(64)(x)
    model = keras.Model(inp, keras.layers.Dense(12, activation="softmax")(x))
    rng = np.random.default_rng(1)
    frames = rng.normal(size=(48, 49, 40)).astype(np.float32)
    _train(model, frames, rng.integers(0, 12, 48), "sparse_categorical_crossentropy")
    _check(model, frames[:3], {"TFLiteRnnOps>GRU": 2})


def test_seq2seq_encoder_embedding_mask_bidirectional_gru_states():
    inp = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(100, 16, mask_zero=True)(inp)
    seq, h_fw, h_bw = keras.layers.Bidirectional(
        keras.layers.GRU(32, return_sequences=True, return_state=True))(x)
    model = keras.Model(inp, [seq, h_fw, h_bw])
    rng = np.random.default_rng(2)
    tokens = rng.integers(1, 100, (4, 15)).astype(np.int32)
    for b, length in enumerate([15, 9, 3, 12]):
        tokens[b, length:] = 0
    report = _check(model, tokens, {"TFLiteRnnOps>GRU": 1})
    assert report.entries[0].layer_class == "Bidirectional"


def test_character_language_model():
    inp = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(60, 32)(inp)
    x = keras.layers.LSTM(64, return_sequences=True)(x)
    x = keras.layers.LSTM(64, return_sequences=True)(x)
    model = keras.Model(inp, keras.layers.Dense(60)(x))
    rng = np.random.default_rng(3)
    text = rng.integers(0, 60, (32, 21))
    _train(model, text[:, :-1], text[:, 1:], keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    _check(model, text[:2, :-1].astype(np.int32), {"TFLiteRnnOps>LSTM": 2})


def test_simple_rnn_regressor_with_masking():
    model = keras.Sequential([
        keras.Input((None, 3)),
        keras.layers.Masking(0.0),
        keras.layers.SimpleRNN(16),
        keras.layers.Dense(1),
    ])
    rng = np.random.default_rng(4)
    x = padded_batch(rng, 32, 12, 3, rng.integers(1, 13, 32))
    _train(model, x, x.sum(axis=(1, 2))[:, None], "mse")
    _check(model, x[:5], {"TFLiteRnnOps>RNN": 1})


def test_rnn_over_cells_nested_model_and_subclassed_model():
    inner_in = keras.Input((None, 6))
    inner = keras.Model(inner_in, keras.layers.RNN(keras.layers.LSTMCell(8), return_sequences=True)(inner_in),
                        name="encoder")
    inp = keras.Input((None, 6))
    x = inner(inp)
    x = keras.layers.RNN(keras.layers.GRUCell(5, reset_after=False), go_backwards=True)(x)
    model = keras.Model(inp, x)
    x_val = np.random.default_rng(5).normal(size=(2, 7, 6)).astype(np.float32)
    report = _check(model, x_val, {"TFLiteRnnOps>LSTM": 1, "TFLiteRnnOps>GRU": 1})
    assert any(e.path.startswith("encoder/") for e in report.entries)

    class Tagger(keras.Model):
        def __init__(self):
            super().__init__()
            self.rnn = keras.layers.SimpleRNN(6, return_sequences=True, activation="relu")
            self.head = keras.layers.Dense(3)

        def call(self, x):
            return self.head(self.rnn(x))

    tagger = Tagger()
    tagger(x_val)
    tflite = tro.convert(tagger, report=False)
    from tflite_rnn_ops import timing

    got = timing.run(tro.Interpreter(model_content=tflite), [x_val])[0]
    assert_parity([got], [tagger(x_val).numpy()])
    assert tro.inspect_model(tflite).count("TFLiteRnnOps>RNN") == 1


@pytest.mark.parametrize("kwargs", [
    {"unroll": True}, {"use_bias": False}, {"dropout": 0.3, "recurrent_dropout": 0.2},
    {"return_state": True, "go_backwards": True},
])
def test_layer_options(kwargs):
    inp = keras.Input((6, 4), batch_size=None)  # unroll needs a static time axis
    out = keras.layers.LSTM(5, return_sequences=True, **kwargs)(inp)
    model = keras.Model(inp, out)
    _check(model, np.random.default_rng(6).normal(size=(3, 6, 4)).astype(np.float32),
           {"TFLiteRnnOps>LSTM": 1})


def test_initial_state_and_mask_inputs():
    x_in = keras.Input((None, 3), name="x")
    m_in = keras.Input((None,), dtype="bool", name="m")
    h_in = keras.Input((4,), name="h0")
    out = keras.layers.GRU(4, return_sequences=True)(x_in, mask=m_in, initial_state=h_in)
    model = keras.Model([x_in, m_in, h_in], out)
    rng = np.random.default_rng(7)
    feed = {"x": rng.normal(size=(2, 5, 3)).astype(np.float32), "m": rng.random((2, 5)) > 0.3,
            "h0": rng.normal(size=(2, 4)).astype(np.float32)}
    _check(model, feed, {"TFLiteRnnOps>GRU": 1})


def test_unfusable_layer_warns_strict_raises_and_report_says_why():
    class Doubling(keras.layers.Layer):  # a custom cell we have no op for
        state_size = 3

        def call(self, x, states):
            h = states[0] * 0.5 + keras.ops.sum(x, axis=-1, keepdims=True)
            return h, [h]

    inp = keras.Input((6, 2), batch_size=2)  # Keras's own loop converts only with static shapes
    model = keras.Model(inp, keras.layers.RNN(Doubling())(inp))
    with pytest.warns(UserWarning, match="cannot be fused: cell Doubling has no fused op"):
        tflite, report = tro.convert(model, return_report=True, report=False)
    assert report.unfused[0].reason == "cell Doubling has no fused op"
    assert tro.inspect_model(tflite).count("WHILE") == 1
    with pytest.raises(tro.ConversionError, match="strict=True.*Doubling"):
        tro.convert(model, strict=True, report=False)
    dynamic_in = keras.Input((None, 2))
    dynamic = keras.Model(dynamic_in, keras.layers.RNN(Doubling())(dynamic_in))
    with pytest.warns(UserWarning), pytest.raises(tro.ConversionError,
                                                  match="only with a static batch size"):
        tro.convert(dynamic, report=False)


def test_model_without_recurrent_layers_converts_with_a_note(capsys):
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(2)(inp))
    tflite, report = tro.convert(model, return_report=True)
    assert "no recurrent layers" in capsys.readouterr().out
    assert not report.entries and tro.inspect_model(tflite).count("FULLY_CONNECTED") == 1


def test_keras_file_and_dynamic_range_quantization(tmp_path):
    inp = keras.Input((None, 8))
    # the Dense kernel must reach the quantizer's 1024-element minimum
    model = keras.Model(inp, keras.layers.Dense(64)(keras.layers.LSTM(32)(inp)))
    path = tmp_path / "m.keras"
    model.save(path)
    tflite = tro.convert(str(path), report=False, optimizations=[tf.lite.Optimize.DEFAULT])
    info = tro.inspect_model(tflite)
    assert info.count("TFLiteRnnOps>LSTM") == 1
    from ai_edge_litert import schema_py_generated as schema

    sg = schema.Model.GetRootAs(tflite, 0).Subgraphs(0)
    types = {sg.Tensors(i).Type() for i in range(sg.TensorsLength())}
    assert schema.TensorType.INT8 in types  # the Dense layer's weights were quantized
    x = np.random.default_rng(8).normal(size=(2, 9, 8)).astype(np.float32)
    got = run_tflite(tflite, [x])[0]
    # the Dense layer is now int8-weight quantized: close to Keras, not bit-equal
    np.testing.assert_allclose(got, keras_outputs(model, [x])[0], atol=5e-2)


def test_stateful_streaming_denoiser():
    frame = 32
    inp = keras.Input(batch_shape=(1, 1, frame))
    x = keras.layers.LSTM(48, stateful=True, return_sequences=True)(inp)
    x = keras.layers.LSTM(48, stateful=True, return_sequences=True)(x)
    gain = keras.layers.Dense(frame, activation="sigmoid")(x)
    model = keras.Model(inp, keras.layers.Multiply()([inp, gain]))
    tflite, report = tro.convert(model, return_report=True, report=False)
    info = tro.inspect_model(tflite)
    assert info.count("TFLiteRnnOps>LSTM") == 2 and info.count("WHILE") == 0
    assert info.count("READ_VARIABLE") == 0 and info.count("ASSIGN_VARIABLE") == 0
    assert all(op.attributes["stateful"] for op in info.our_ops)
    assert any("reset_all_variables" in note for note in report.notes)

    it = tro.Interpreter(model_content=tflite)
    it.allocate_tensors()
    d_in, d_out = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
    frames = np.random.default_rng(9).normal(size=(50, 1, 1, frame)).astype(np.float32)

    def stream(n):
        got, want = [], []
        for f in frames[:n]:
            it.set_tensor(d_in, f)
            it.invoke()
            got.append(it.get_tensor(d_out).copy())
            want.append(model(f).numpy())
        return np.stack(got), np.stack(want)

    got, want = stream(50)  # state carried across 50 invokes, as Keras carries it across calls
    assert_parity([got], [want])
    assert not np.allclose(got[0], got[-1])
    it.reset_all_variables()
    for layer in model.layers:
        if hasattr(layer, "reset_state"):
            layer.reset_state()
    got, want = stream(5)  # after both resets: the same as a fresh start
    assert_parity([got], [want])


@pytest.mark.parametrize("name", tro._contract.ACTIVATIONS)
def test_every_elementwise_keras_activation(name):
    inp = keras.Input((None, 3))
    x = keras.layers.SimpleRNN(6, activation=name, return_sequences=True)(inp)
    x = keras.layers.GRU(5, recurrent_activation=name, return_sequences=True)(x)
    model = keras.Model(inp, keras.layers.LSTM(4, activation=name)(x))
    # small weights keep unbounded activations O(1) over 6 steps; an LSTM with exponential
    # activation is exp(c) of a sum of exps, so it needs smaller ones still
    rng = np.random.default_rng(10)
    scale = 0.1 if name == "exponential" else 0.3
    model.set_weights([rng.normal(0, scale, w.shape).astype(np.float32) for w in model.get_weights()])
    x_val = rng.normal(size=(2, 6, 3)).astype(np.float32)
    assert np.all(np.abs(model(x_val)) < 10), "weights must keep this case's values O(1)"
    _check(model, x_val, {"TFLiteRnnOps>RNN": 1, "TFLiteRnnOps>GRU": 1, "TFLiteRnnOps>LSTM": 1})


def test_non_elementwise_activation_is_reported_not_fused():
    inp = keras.Input((5, 3), batch_size=1)
    model = keras.Model(inp, keras.layers.SimpleRNN(4, activation="softmax")(inp))
    with pytest.warns(UserWarning, match="softmax"):
        _, report = tro.convert(model, return_report=True, report=False)
    assert "activation" in report.unfused[0].reason


def test_saved_model_directories(tmp_path):
    inp = keras.Input((None, 4))
    ours = keras.Model(inp, tro.layers.GRU(5)(inp))
    ours.export(str(tmp_path / "ours"), verbose=False)
    tflite, report = tro.convert(str(tmp_path / "ours"), return_report=True, report=False)
    assert tro.inspect_model(tflite).count("TFLiteRnnOps>GRU") == 1
    assert "1 fused op(s) found" in report.notes[0]
    x = np.random.default_rng(11).normal(size=(2, 3, 4)).astype(np.float32)
    from tflite_rnn_ops import timing

    assert_parity(timing.run(tro.Interpreter(model_content=tflite), [x]), [ours(x).numpy()])

    stock = keras.Model(inp, keras.layers.GRU(5)(inp))
    stock.export(str(tmp_path / "dynamic"), verbose=False)
    with pytest.raises(tro.ConversionError, match="convert the Keras model or its .keras file"):
        tro.convert(str(tmp_path / "dynamic"), report=False)
    # Keras's own loop converts only with static shapes
    archive = keras.export.ExportArchive()
    archive.track(stock)
    archive.add_endpoint("serve", stock.call, [tf.TensorSpec((2, 3, 4), tf.float32)])
    archive.write_out(str(tmp_path / "stock"), verbose=False)
    with pytest.warns(UserWarning, match="WHILE loop"):
        tro.convert(str(tmp_path / "stock"), report=False)
    with pytest.raises(tro.ConversionError, match="strict=True.*convert the Keras model"):
        tro.convert(str(tmp_path / "stock"), strict=True, report=False)
    with pytest.raises(ValueError, match="must be a Keras model, a .keras file or a SavedModel"):
        tro.convert(str(tmp_path / "missing.h5"), report=False)


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_rnn_over_stacked_cells(go_backwards, return_sequences):
    inp = keras.Input((None, 4))
    masked = keras.layers.Masking(0.0)(inp)
    cells = keras.layers.StackedRNNCells([keras.layers.LSTMCell(8), keras.layers.GRUCell(6),
                                          keras.layers.SimpleRNNCell(5)])
    outputs = keras.layers.RNN(cells, return_sequences=return_sequences, return_state=True,
                               go_backwards=go_backwards)(masked)
    model = keras.Model(inp, keras.tree.flatten(outputs))  # states come nested per cell
    x = padded_batch(np.random.default_rng(12), 3, 8, 4, [8, 5, 2])
    report = _check(model, x, {"TFLiteRnnOps>LSTM": 1, "TFLiteRnnOps>GRU": 1, "TFLiteRnnOps>RNN": 1})
    assert report.entries[0].op == "TFLiteRnnOps>LSTM + TFLiteRnnOps>GRU + TFLiteRnnOps>RNN"


def test_bidirectional_over_stacked_cells_fuses_each_direction():
    inp = keras.Input((None, 3))
    cells = keras.layers.StackedRNNCells([keras.layers.GRUCell(4), keras.layers.GRUCell(4)])
    model = keras.Model(inp, keras.layers.Bidirectional(keras.layers.RNN(cells))(inp))
    x = np.random.default_rng(13).normal(size=(2, 5, 3)).astype(np.float32)
    report = _check(model, x, {"TFLiteRnnOps>GRU": 4})
    assert any("each direction is fused separately" in n for n in report.notes)
