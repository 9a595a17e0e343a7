"""tro.layers.LSTM is a drop-in for keras.layers.LSTM: weights, outputs, gradients, training,
serialisation."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import assert_parity, run_tflite

import tflite_rnn_ops as tro


def _pair(**kwargs):
    inp = keras.Input((None, 5))
    ours = keras.Model(inp, tro.layers.LSTM(7, **kwargs)(inp))
    stock = keras.Model(inp, keras.layers.LSTM(7, **kwargs)(inp))
    stock.set_weights(ours.get_weights())
    return ours, stock


def test_same_weights_layout_as_keras():
    ours, stock = _pair()
    assert [w.shape for w in ours.weights] == [w.shape for w in stock.weights]
    assert [w.path.split("/")[-1] for w in ours.weights] == [w.path.split("/")[-1] for w in stock.weights]


@pytest.mark.parametrize("kwargs", [{}, {"return_sequences": True, "go_backwards": True}])
def test_gradients_match_keras(kwargs):
    ours, stock = _pair(**kwargs)
    x = tf.constant(np.random.default_rng(0).normal(size=(3, 6, 5)).astype(np.float32))
    grads = []
    for model in (ours, stock):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(model(x, training=True)))
        grads.append(tape.gradient(loss, model.trainable_weights))
    for g_ours, g_stock in zip(*grads):
        np.testing.assert_allclose(g_ours.numpy(), g_stock.numpy(), atol=1e-5)


def test_fit_matches_keras_and_converts():
    ours, stock = _pair(return_sequences=False)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 8, 5)).astype(np.float32)
    y = rng.normal(size=(32, 7)).astype(np.float32)
    for model in (ours, stock):
        model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
        model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for w_ours, w_stock in zip(ours.get_weights(), stock.get_weights()):
        np.testing.assert_allclose(w_ours, w_stock, atol=1e-5)
    assert_parity(run_tflite(tro.convert(ours), [x[:4]]), [stock.predict(x[:4], verbose=0)])


def test_dropout_trains_and_is_identity_in_inference():
    ours, stock = _pair(dropout=0.3, recurrent_dropout=0.2)
    x = np.random.default_rng(2).normal(size=(2, 4, 5)).astype(np.float32)
    assert not np.allclose(ours(x, training=True), ours(x, training=False))
    np.testing.assert_allclose(ours(x, training=False), stock(x, training=False), atol=1e-6)


def test_keras_file_roundtrip(tmp_path):
    ours, _ = _pair(return_sequences=True, activation="relu")
    path = tmp_path / "model.keras"
    ours.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.layers[-1], tro.layers.LSTM)
    assert loaded.layers[-1].get_config() == ours.layers[-1].get_config()
    x = np.random.default_rng(3).normal(size=(2, 4, 5)).astype(np.float32)
    np.testing.assert_allclose(loaded(x), ours(x), atol=0)
    assert tro.inspect_model(tro.convert(loaded)).count("TFLiteRnnOps>LSTM") == 1


def test_config_matches_keras():
    ours, stock = _pair(return_state=False, unroll=False, stateful=False)
    cfg_ours, cfg_stock = ours.layers[-1].get_config(), stock.layers[-1].get_config()
    cfg_ours.pop("name"), cfg_stock.pop("name")
    assert cfg_ours == cfg_stock
