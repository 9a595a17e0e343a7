"""Bad input to the version-2 op features (lengths, peepholes, projection, clipping): clear
errors naming the op and the tensor, at allocate_tensors() or, for length values, at invoke()."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import tensorflow as tf
from flatbuffers import flexbuffers
from test_errors import _our_op, _patched, _schema

import tflite_rnn_ops as tro

OP = "TFLiteRnnOps>LSTM"


@functools.lru_cache(maxsize=None)
def _model() -> bytes:
    v1 = tro.compat.v1
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        x = tf.compat.v1.placeholder(tf.float32, [None, None, 3], name="x")
        lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
        cell = v1.TfLiteLSTMCell(6, use_peepholes=True, num_proj=4, cell_clip=3.0)
        out, _ = v1.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
        sess.run(tf.compat.v1.global_variables_initializer())
        return v1.convert_session(sess, {"x": x, "lengths": lengths}, {"out": out})


def _run(tflite: bytes, lengths) -> None:
    runner = tro.Interpreter(model_content=tflite).get_signature_runner()
    runner(x=np.ones((2, 5, 3), np.float32), lengths=np.asarray(lengths, np.int32))


def test_the_model_uses_version_2_features_and_runs():
    (op,) = tro.inspect_model(_model()).our_ops
    assert op.attributes["version"] == 2 and op.attributes["mask"] == "lengths"
    assert op.attributes["use_peepholes"] and op.attributes["num_proj"] == 4
    _run(_model(), [5, 0])  # 0 and T are both valid lengths


@pytest.mark.parametrize("lengths,bad", [([5, 6], "got 6 for batch row 1"),
                                         ([-1, 2], "got -1 for batch row 0")])
def test_length_values_out_of_range(lengths, bad):
    with pytest.raises(RuntimeError) as err:
        _run(_model(), lengths)
    assert f"{OP}: input 'lengths' expected values in [0, T=5], {bad}" in str(err.value)


def _allocate_error(tflite: bytes) -> str:
    it = tro.Interpreter(model_content=tflite)
    with pytest.raises(RuntimeError) as err:
        it.allocate_tensors()
    return str(err.value)


def _edit_input(position: int, edit):
    def apply(model, sg):
        edit(sg.tensors[_our_op(sg).inputs[position]])
    return apply


def test_wrong_extra_weight_shapes_and_lengths_dtype():
    # inputs: x, kernel, recurrent_kernel, bias, w_i, w_f, w_o, projection, lengths
    def shrink(t):
        t.shape = [t.shape[0], t.shape[1] - 1]
    message = _allocate_error(_patched(_model(), _edit_input(7, shrink)))
    assert f"{OP}: input 'projection' expected shape [units, num_proj] = [6, 4], got [6, 3]" in message

    def as_float(t):
        t.type = _schema().TensorType.FLOAT32
    message = _allocate_error(_patched(_model(), _edit_input(8, as_float)))
    assert f"{OP}: input 'lengths' expected int32, got float32" in message


@pytest.mark.parametrize("change,expected", [
    ({"cell_clip": -1.0}, "expected >= 0"),
    ({"num_proj": "four"}, "option 'num_proj' expected an int"),
    ({"use_peepholes": False}, "expected 6 inputs"),
])
def test_malformed_version_2_options(change, expected):
    def edit(model, sg):
        op = _our_op(sg)
        options = dict(flexbuffers.Loads(bytes(op.customOptions)))
        op.customOptions = list(flexbuffers.Dumps({**options, **change}))
    message = _allocate_error(_patched(_model(), edit))
    assert OP in message and expected in message, message
