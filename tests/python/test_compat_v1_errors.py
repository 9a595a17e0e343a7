"""tflite_rnn_ops.compat.v1: unsupported cells and arguments fail with errors naming the argument."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tflite_rnn_ops.compat import v1

X = np.zeros([2, 3, 4], np.float32)


@pytest.mark.parametrize("make,error,match", [
    (lambda: v1.TfLiteLSTMCell(4, num_unit_shards=2), ValueError, "`num_unit_shards`"),
    (lambda: v1.TfLiteLSTMCell(4, num_proj_shards=2), ValueError, "`num_proj_shards`"),
    (lambda: v1.TfLiteLSTMCell(4, state_is_tuple=False), ValueError, "`state_is_tuple`"),
    (lambda: v1.TfLiteLSTMCell(4, cell_clip=-1.0), ValueError, "`cell_clip`.*-1.0"),
    (lambda: v1.TfLiteLSTMCell(4, num_proj=0), ValueError, "`num_proj`"),
    (lambda: v1.TfLiteLSTMCell(4, num_proj=2, proj_clip="x"), ValueError, "`proj_clip`"),
    (lambda: v1.TfLiteLSTMCell(4, forget_bias=None), TypeError, "`forget_bias`"),
    (lambda: v1.TfLiteLSTMCell(4, activation=tf.nn.softsign), ValueError, "`activation`"),
    (lambda: v1.TfLiteGRUCell(4, activation=lambda t: t), ValueError, "`activation`"),
    (lambda: v1.TfLiteGRUCell(4, dtype=tf.float64), ValueError, "`dtype`.*float64"),
    (lambda: v1.TfLiteRNNCell(0), ValueError, "`num_units`.*0"),
    (lambda: v1.TfLiteRNNCell(4, trainable=False), TypeError, "trainable"),
    (lambda: v1.MultiRNNCell([keras.layers.LSTMCell(4)]), TypeError, "`cells`"),
    (lambda: v1.MultiRNNCell([v1.TfLiteRNNCell(4)], state_is_tuple=False), ValueError,
     "`state_is_tuple`"),
])
def test_cell_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("call,error,match", [
    (lambda: v1.dynamic_rnn(keras.layers.LSTMCell(4), X, dtype=tf.float32), TypeError, "`cell`"),
    (lambda: v1.dynamic_rnn(v1.TfLiteGRUCell(4), X), ValueError, "`dtype`"),
    (lambda: v1.dynamic_rnn(v1.TfLiteGRUCell(4), X, dtype=tf.float16), ValueError, "`dtype`"),
    (lambda: v1.dynamic_rnn(v1.TfLiteGRUCell(4), X.astype(np.float64), dtype=tf.float32),
     TypeError, "`inputs`.*float64"),
    (lambda: v1.dynamic_rnn(v1.TfLiteGRUCell(4), [X], dtype=tf.float32), TypeError, "`inputs`"),
    (lambda: v1.dynamic_rnn(v1.TfLiteGRUCell(4), X[0], dtype=tf.float32), ValueError, "`inputs`"),
    (lambda: v1.dynamic_rnn(v1.TfLiteGRUCell(4), X, sequence_length=[1.0, 2.0], dtype=tf.float32),
     TypeError, "`sequence_length`"),
    (lambda: v1.dynamic_rnn(v1.TfLiteGRUCell(4), X, sequence_length=[[1, 2]], dtype=tf.float32),
     ValueError, "`sequence_length`"),
    (lambda: v1.bidirectional_dynamic_rnn(v1.TfLiteGRUCell(4), "gru", X, dtype=tf.float32),
     TypeError, "`cell_bw`"),
    (lambda: v1.static_rnn(v1.TfLiteRNNCell(4), X, dtype=tf.float32), TypeError, "`inputs`"),
    (lambda: v1.convert_session(object(), [], []), TypeError, "`sess`"),
])
def test_function_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_convert_session_arguments():
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        x = tf.compat.v1.placeholder(tf.float32, [None, None, 4], name="x")
        out, _ = v1.dynamic_rnn(v1.TfLiteRNNCell(3), x, dtype=tf.float32)
        sess.run(tf.compat.v1.global_variables_initializer())
        with pytest.raises(TypeError, match="`input_tensors`"):
            v1.convert_session(sess, x, [out])
        with pytest.raises(ValueError, match="`output_tensors`"):
            v1.convert_session(sess, [x], [1])
        with pytest.raises(TypeError, match="not_an_option"):
            v1.convert_session(sess, [x], [out], not_an_option=1)


def test_inputs_depth_must_not_change():
    cell = v1.TfLiteGRUCell(3)
    v1.dynamic_rnn(cell, X, dtype=tf.float32)
    with pytest.raises(ValueError, match="`inputs` depth must stay 4"):
        v1.dynamic_rnn(cell, np.zeros([2, 3, 5], np.float32), dtype=tf.float32)
