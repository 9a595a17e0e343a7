"""The interpreter's num_threads reaches our ops: a converted model gives the same outputs, bit
for bit, with 1 and 2 threads, and both match Keras to 1e-5 (including a stateful stream)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from conftest import assert_parity, keras_outputs, randomize_weights

import tflite_rnn_ops as tro
from tflite_rnn_ops import timing


def _outputs(tflite: bytes, x: np.ndarray, threads: int) -> list[np.ndarray]:
    it = tro.Interpreter(model_content=tflite, num_threads=threads)
    return timing.run(it, [x])


def _model(layer, batch: int, time: int, features: int) -> keras.Model:
    inp = keras.Input((time, features), batch_size=batch)
    return keras.Model(inp, layer(inp))


@pytest.mark.parametrize(
    "make_layer,batch,units",
    [
        (lambda u: tro.layers.LSTM(u, return_sequences=True), 1, 256),
        (lambda u: tro.layers.LSTM(u, return_sequences=True, return_state=True), 8, 128),
        (lambda u: tro.layers.GRU(u, return_sequences=True), 2, 96),
        (lambda u: tro.layers.SimpleRNN(u, return_sequences=True), 2, 96),
        (lambda u: tro.layers.Bidirectional(tro.layers.LSTM(u, return_sequences=True)), 2, 64),
    ],
)
def test_two_threads_bit_identical_to_one(make_layer, batch, units):
    model = _model(make_layer(units), batch, 20, 40)
    randomize_weights(model)
    tflite = tro.convert(model, report=False)
    x = np.random.default_rng(3).normal(size=(batch, 20, 40)).astype(np.float32)
    one = _outputs(tflite, x, 1)
    two = _outputs(tflite, x, 2)
    for a, b in zip(one, two):
        assert a.shape == b.shape
        assert np.array_equal(a.view(np.uint32), b.view(np.uint32)), "1 vs 2 threads differ"
    keras_out = keras_outputs(model, [x])
    order = np.argsort([-o.ndim for o in one], kind="stable")  # sequence output first
    assert_parity([one[i] for i in order][: len(keras_out)], keras_out)


def test_stateful_stream_identical_across_threads():
    frame, units = 40, 256
    inp = keras.Input(batch_shape=(1, 1, frame))
    model = keras.Model(inp, keras.layers.LSTM(units, stateful=True, return_sequences=True)(inp))
    randomize_weights(model)
    tflite = tro.convert(model, report=False)
    frames = np.random.default_rng(4).normal(size=(30, 1, 1, frame)).astype(np.float32)
    streams = []
    for threads in (1, 2):
        it = tro.Interpreter(model_content=tflite, num_threads=threads)
        it.allocate_tensors()
        d_in, d_out = it.get_input_details()[0]["index"], it.get_output_details()[0]["index"]
        got = []
        for f in frames:
            it.set_tensor(d_in, f)
            it.invoke()
            got.append(it.get_tensor(d_out).copy())
        streams.append(np.stack(got))
    assert np.array_equal(streams[0].view(np.uint32), streams[1].view(np.uint32))
    want = np.stack([model(f).numpy() for f in frames])
    assert_parity([streams[1]], [want])
