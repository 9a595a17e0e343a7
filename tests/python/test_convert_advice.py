"""Every message of tro.convert that tells the user what to change is true: each test triggers
the message, makes the change it asks for, and converts."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import assert_fused, assert_parity, keras_outputs, run_tflite

import tflite_rnn_ops as tro
from tflite_rnn_ops import stock


def _conv_lstm(batch):
    inp = keras.Input((None, 6, 6, 2), batch_size=batch)
    return keras.Model(inp, keras.layers.ConvLSTM2D(3, 3, padding="same")(inp))


def test_unfused_loop_needs_a_static_batch_and_converts_with_a_dynamic_time_axis():
    with pytest.warns(UserWarning, match="ConvLSTMCell has no fused op"), pytest.raises(
            tro.ConversionError, match="'conv_lstm2d.*': cell ConvLSTMCell has no fused op\\) "
            "only with a static batch size"):
        tro.convert(_conv_lstm(None), report=False)
    model = _conv_lstm(1)
    with pytest.warns(UserWarning, match="ConvLSTMCell has no fused op"):
        tflite = tro.convert(model, report=False)
    assert tro.inspect_model(tflite).count("WHILE") == 1
    for steps in (3, 7):  # the time axis stayed dynamic
        x = np.random.default_rng(steps).normal(size=(1, steps, 6, 6, 2)).astype(np.float32)
        assert_parity(run_tflite(tflite, [x]), keras_outputs(model, [x]))


def test_activation_the_kernels_lack_is_named_and_a_listed_one_fuses():
    def model(activation):
        inp = keras.Input((None, 3))
        return keras.Model(inp, keras.layers.SimpleRNN(4, activation=activation)(inp))

    (entry,) = stock.plan(model("softmax")).unfused
    listed = entry.reason.split("activations (")[1].rstrip(")").split(", ")
    assert "activation=" in entry.reason and "tanh" in listed
    fixed = model("tanh")
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype(np.float32)
    tflite = tro.convert(fixed, report=False)
    assert_fused(tflite, "TFLiteRnnOps>RNN")
    assert_parity(run_tflite(tflite, [x]), keras_outputs(fixed, [x]))


def test_compute_dtype_other_than_float32_is_named_and_float32_fuses():
    def model(dtype):
        inp = keras.Input((None, 3))
        return keras.Model(inp, keras.layers.GRU(4, dtype=dtype)(inp))

    (entry,) = stock.plan(model("mixed_float16")).unfused
    assert entry.reason == "compute dtype float16 (the ops are float32)"
    tflite = tro.convert(model("float32"), report=False)
    assert_fused(tflite, "TFLiteRnnOps>GRU")


def test_saved_model_of_stock_layers_asks_for_the_keras_file_which_fuses(tmp_path):
    inp = keras.Input((None, 4))
    model = keras.Model(inp, keras.layers.GRU(5, return_sequences=True)(inp))
    model.export(str(tmp_path / "saved"), verbose=False)
    with pytest.raises(tro.ConversionError, match="convert the Keras model or its .keras file"):
        tro.convert(str(tmp_path / "saved"), report=False)
    with pytest.raises(ValueError, match="must be a Keras model, a .keras file or a SavedModel"):
        tro.convert(str(tmp_path / "model.h5"), report=False)
    model.save(tmp_path / "model.keras")
    tflite = tro.convert(str(tmp_path / "model.keras"), report=False)
    assert_fused(tflite, "TFLiteRnnOps>GRU")
    x = np.random.default_rng(1).normal(size=(2, 6, 4)).astype(np.float32)
    assert_parity(run_tflite(tflite, [x]), keras_outputs(model, [x]))


def test_unknown_converter_option_names_the_real_ones():
    inp = keras.Input((None, 4))
    model = keras.Model(inp, keras.layers.LSTM(4)(inp))
    with pytest.raises(TypeError, match="unknown converter option 'optimisations'.*such as "
                       "optimizations"):
        tro.convert(model, report=False, optimisations=[tf.lite.Optimize.DEFAULT])
    tflite = tro.convert(model, report=False, optimizations=[tf.lite.Optimize.DEFAULT])
    assert_fused(tflite, "TFLiteRnnOps>LSTM")
