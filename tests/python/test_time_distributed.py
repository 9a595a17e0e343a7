"""keras.layers.TimeDistributed converts in the reshape form (B, T, ...) -> (B*T, ...) -> layer,
over static and dynamic time axes, whatever it wraps; a layer whose result depends on the time
axis keeps Keras's per-step form and the report says why."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from conftest import assert_fused, assert_parity, keras_outputs, padded_batch, run_tflite

import tflite_rnn_ops as tro


def _convert_and_compare(model, x, op: str, count: int = 1):
    tflite, report = tro.convert(model, return_report=True, report=False)
    info = assert_fused(tflite, op, count)
    assert_parity(run_tflite(tflite, [x]), keras_outputs(model, [x]))
    return info, report


def test_sequence_tagger_over_a_dynamic_time_axis():
    # the model: Keras 3 maps the Dense with vectorized_map, which TFLite cannot lower
    inp = keras.Input((None, 8))
    x = keras.layers.Masking(0.0)(inp)
    x = keras.layers.GRU(16, return_sequences=True)(x)
    model = keras.Model(inp, keras.layers.TimeDistributed(keras.layers.Dense(1))(x))
    rng = np.random.default_rng(0)
    x_train = padded_batch(rng, 16, 10, 8, rng.integers(2, 11, 16))
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    model.fit(x_train, x_train.sum(-1, keepdims=True), epochs=1, batch_size=8, verbose=0)
    original_call = keras.layers.TimeDistributed.call
    info, report = _convert_and_compare(model, x_train[:3], "TFLiteRnnOps>GRU")
    assert info.count("FULLY_CONNECTED") == 1
    (entry,) = report.time_distributed
    assert entry.reshaped and entry.wrapped == "Dense"
    assert "reshaped -> Dense on (B*T, ...)" in str(report)
    assert keras.layers.TimeDistributed.call is original_call  # restored after the export


def _video_head(time, batch=None):
    inp = keras.Input((time, 12, 12, 1), batch_size=batch)
    x = keras.layers.TimeDistributed(keras.layers.Conv2D(4, 3, activation="relu"))(inp)
    x = keras.layers.TimeDistributed(keras.layers.MaxPooling2D(2))(x)
    x = keras.layers.TimeDistributed(keras.layers.Flatten())(x)
    return keras.Model(inp, keras.layers.LSTM(6)(x))


def test_convolutions_over_frames_dynamic_and_static_time():
    x = np.random.default_rng(1).normal(size=(2, 5, 12, 12, 1)).astype(np.float32)
    _convert_and_compare(_video_head(None), x, "TFLiteRnnOps>LSTM")
    # a static time axis no longer unrolls one copy of the wrapped layer per step
    info, report = _convert_and_compare(_video_head(5, batch=2), x, "TFLiteRnnOps>LSTM")
    assert info.count("CONV_2D") == 1 and info.count("MAX_POOL_2D") == 1
    assert [e.wrapped for e in report.time_distributed] == ["Conv2D", "MaxPooling2D", "Flatten"]


def test_dynamic_axes_inside_each_time_step():
    inp = keras.Input((None, None, 3))  # (batch, sentences, words, features), all but one dynamic
    x = keras.layers.TimeDistributed(keras.layers.Conv1D(4, 2, padding="same"))(inp)
    x = keras.layers.TimeDistributed(keras.layers.GlobalMaxPooling1D())(x)
    model = keras.Model(inp, keras.layers.GRU(3)(x))
    tflite = tro.convert(model, report=False)
    assert_fused(tflite, "TFLiteRnnOps>GRU")
    rng = np.random.default_rng(6)
    for shape in [(2, 5, 7, 3), (1, 3, 4, 3)]:
        x_val = rng.normal(size=shape).astype(np.float32)
        assert_parity(run_tflite(tflite, [x_val]), keras_outputs(model, [x_val]))


def test_small_sub_model_as_the_per_step_head():
    head_in = keras.Input((10,))
    hidden = keras.layers.Dense(12, activation="relu")(head_in)
    head = keras.Model(head_in, keras.layers.Dense(3, activation="softmax")(hidden), name="head")
    inp = keras.Input((None, 5))
    x = keras.layers.Bidirectional(keras.layers.LSTM(5, return_sequences=True))(inp)
    model = keras.Model(inp, keras.layers.TimeDistributed(head)(x))
    x_val = np.random.default_rng(2).normal(size=(3, 7, 5)).astype(np.float32)
    _, report = _convert_and_compare(model, x_val, "TFLiteRnnOps>LSTM")
    assert report.time_distributed[0].wrapped == "Functional"


class _MaskedScale(keras.layers.Layer):
    """Multiplies each row by a weight where its mask is set and zeroes it elsewhere."""

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, x, mask=None):
        if mask is None:
            return x * self.scale
        return x * self.scale * keras.ops.expand_dims(keras.ops.cast(mask, x.dtype), -1)


def test_masks_reach_the_wrapped_layer_and_pass_through_it():
    inp = keras.Input((None, 4))
    masked = keras.layers.Masking(0.0)(inp)
    x = keras.layers.TimeDistributed(_MaskedScale())(masked)  # gets each step's mask
    x = keras.layers.TimeDistributed(keras.layers.Dense(6))(x)  # passes the mask on unchanged
    model = keras.Model(inp, keras.layers.LSTM(5)(x))  # ... to the LSTM, which stops at it
    model.layers[2].layer.set_weights([np.array([2.0, -1.0, 0.5, 3.0], np.float32)])
    x_val = padded_batch(np.random.default_rng(3), 3, 8, 4, [8, 5, 2])
    _convert_and_compare(model, x_val, "TFLiteRnnOps>LSTM")
    # the mask matters: the same layers without it give another result
    scale, dense, lstm = model.layers[2:]
    unmasked = keras.Model(inp, lstm(dense(scale(inp))))
    assert not np.allclose(keras_outputs(unmasked, [x_val])[0], keras_outputs(model, [x_val])[0],
                           atol=1e-3)


def test_recurrent_layer_over_each_time_step():
    # (batch, sentences, words, features): the LSTM reads each sentence, the GRU the sentences
    words = keras.Input((6, 3))
    sentence = keras.Model(words, keras.layers.LSTM(5)(keras.layers.Masking(0.0)(words)),
                           name="sentence")
    inp = keras.Input((None, 6, 3))
    x = keras.layers.TimeDistributed(sentence)(inp)
    model = keras.Model(inp, keras.layers.GRU(4)(x))
    rng = np.random.default_rng(4)
    x_val = rng.normal(size=(2, 4, 6, 3)).astype(np.float32)
    x_val[0, :, 4:] = 0.0  # padded words, masked inside the wrapped LSTM
    tflite, report = tro.convert(model, return_report=True, report=False)
    info = tro.inspect_model(tflite)
    assert info.count("TFLiteRnnOps>LSTM") == 1 and info.count("TFLiteRnnOps>GRU") == 1
    assert info.count("WHILE") == 0
    assert report.entries[0].path.startswith("time_distributed") and not report.unfused
    assert_parity(run_tflite(tflite, [x_val]), keras_outputs(model, [x_val]))


def _stateful_per_step(time):
    inp = keras.Input((time, 6, 3), batch_size=2)
    return keras.Model(inp, keras.layers.TimeDistributed(keras.layers.LSTM(5, stateful=True))(inp))


def test_stateful_wrapped_layer_keeps_keras_form_and_says_why():
    # Keras's per-step form maps the layer with vectorized_map over a dynamic time axis...
    with pytest.warns(UserWarning), pytest.raises(
            tro.ConversionError, match="keep Keras's per-step form \\('time_distributed.*': wraps "
            "stateful layer.*give the model's input a static time dimension"):
        tro.convert(_stateful_per_step(None), report=False)
    # ... and unrolls a static one, as the advice says
    model = _stateful_per_step(4)
    with pytest.warns(UserWarning, match="called once per time step"):
        tflite, report = tro.convert(model, return_report=True, report=False)
    (entry,) = report.time_distributed
    assert not entry.reshaped and "stateful layer" in entry.reason
    assert "Keras's per-step form kept (wraps stateful layer" in str(report)
    assert report.unfused[0].reason.startswith("called once per time step")
    x_val = np.random.default_rng(5).normal(size=(2, 4, 6, 3)).astype(np.float32)
    # Keras's own per-step loops: each step's call carries the state on to the next
    assert tro.inspect_model(tflite).count("WHILE") == 4
    assert_parity(run_tflite(tflite, [x_val]), keras_outputs(model, [x_val]))
