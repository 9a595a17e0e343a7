"""``tflite_rnn_ops.compat.v1``: TF1's RNN API (cells, ``dynamic_rnn`` & co) on the fused ops.

Drop-in replacements for the ``tf.compat.v1.nn`` functions and ``tf.compat.v1.nn.rnn_cell``
cells of the "Convert RNN models" guide, on today's TensorFlow (they work with Keras 3 installed,
in graph mode with a ``tf.compat.v1.Session`` and in eager mode). Every layer runs as one
composite function that the TFLite converter emits as ONE fused custom op; ``convert_session``
turns a session's graph into a .tflite model. See docs/compat_v1.md.

Example:
    >>> import numpy as np, tensorflow as tf
    >>> from tflite_rnn_ops.compat import v1
    >>> x = np.ones([2, 5, 3], np.float32)
    >>> out, state = v1.dynamic_rnn(v1.TfLiteLSTMCell(8), x, sequence_length=[5, 2],
    ...                             dtype=tf.float32)
    >>> float(np.abs(out[1, 2:]).max())  # outputs past the length are zero
    0.0
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tflite_rnn_ops.compat import _rnn
from tflite_rnn_ops.compat._cell_base import FusedCell, LSTMStateTuple
from tflite_rnn_ops.compat._cells import (
    MultiRNNCell, TfLiteBasicLSTMCell, TfLiteGRUCell, TfLiteLSTMCell, TfLiteRNNCell,
)
from tflite_rnn_ops.compat._convert import convert_session, signature_key
from tflite_rnn_ops.compat._frozen_graph import convert_frozen_graph

__all__ = [
    "BasicLSTMCell", "BasicRNNCell", "GRUCell", "LSTMCell", "LSTMStateTuple", "MultiRNNCell",
    "RNNCell", "StackedRNNCells", "TfLiteBasicLSTMCell", "TfLiteGRUCell", "TfLiteLSTMCell",
    "TfLiteRNNCell", "bidirectional_dynamic_rnn", "convert_frozen_graph", "convert_session",
    "dynamic_rnn",
    "signature_key", "static_bidirectional_rnn", "static_rnn",
]

# TF1 spellings, so that `from tflite_rnn_ops.compat.v1 import LSTMCell` replaces
# `tf.compat.v1.nn.rnn_cell.LSTMCell` without other edits.
RNNCell = FusedCell
LSTMCell = TfLiteLSTMCell
BasicLSTMCell = TfLiteBasicLSTMCell
GRUCell = TfLiteGRUCell
BasicRNNCell = TfLiteRNNCell
StackedRNNCells = MultiRNNCell


def dynamic_rnn(cell: Any, inputs: Any, sequence_length: Any = None, initial_state: Any = None,
                dtype: Any = None, parallel_iterations: Any = None, swap_memory: bool = False,
                time_major: bool = False, scope: Any = None) -> tuple[tf.Tensor, Any]:
    """``tf.compat.v1.nn.dynamic_rnn`` on the fused ops: ``(outputs, final_state)``.

    ``outputs`` is ``[batch, time, cell.output_size]`` (``[time, batch, ...]`` if ``time_major``);
    with ``sequence_length`` the outputs past each length are zero and the final state is the
    state at the length. Variables are created under ``scope`` (default ``"rnn"``), as TF1 does.
    ``parallel_iterations`` and ``swap_memory`` are accepted and have no effect.

    Example:
        >>> import tensorflow as tf
        >>> from tflite_rnn_ops.compat import v1
        >>> out, h = v1.dynamic_rnn(v1.TfLiteGRUCell(4), tf.zeros([3, 6, 2]), dtype=tf.float32)
        >>> out.shape.as_list(), h.shape.as_list()
        ([3, 6, 4], [3, 4])
    """
    _rnn.check_cell("dynamic_rnn", "cell", cell)
    x = _rnn.sequence_input("dynamic_rnn", inputs)
    _rnn.check_dtype("dynamic_rnn", dtype, initial_state)
    lengths = _rnn.lengths_input("dynamic_rnn", sequence_length)
    with tf.compat.v1.variable_scope(scope or "rnn"):
        _rnn.build(cell, int(x.shape[-1]))
        return _rnn.run_stack(cell, x, lengths, initial_state, bool(time_major))


def bidirectional_dynamic_rnn(cell_fw: Any, cell_bw: Any, inputs: Any, sequence_length: Any = None,
                              initial_state_fw: Any = None, initial_state_bw: Any = None,
                              dtype: Any = None, parallel_iterations: Any = None,
                              swap_memory: bool = False, time_major: bool = False,
                              scope: Any = None) -> tuple[tuple, tuple]:
    """``tf.compat.v1.nn.bidirectional_dynamic_rnn``: ``((out_fw, out_bw), (state_fw, state_bw))``.

    The backward direction reverses each example within its ``sequence_length`` (outputs in time
    order, zero past the length). Two cells of the same type and configuration become ONE
    bidirectional op; otherwise each direction (and each layer of a MultiRNNCell) is its own op.
    Variables live under ``<scope or "bidirectional_rnn">/fw/`` and ``.../bw/``.

    Example:
        >>> import tensorflow as tf
        >>> from tflite_rnn_ops.compat import v1
        >>> (fw, bw), _ = v1.bidirectional_dynamic_rnn(
        ...     v1.TfLiteLSTMCell(4), v1.TfLiteLSTMCell(4), tf.zeros([2, 5, 3]),
        ...     sequence_length=[5, 3], dtype=tf.float32)
        >>> fw.shape.as_list(), bw.shape.as_list()
        ([2, 5, 4], [2, 5, 4])
    """
    name = "bidirectional_dynamic_rnn"
    _rnn.check_cell(name, "cell_fw", cell_fw)
    _rnn.check_cell(name, "cell_bw", cell_bw)
    x = _rnn.sequence_input(name, inputs)
    _rnn.check_dtype(name, dtype, initial_state_fw)
    _rnn.check_dtype(name, dtype, initial_state_bw)
    lengths = _rnn.lengths_input(name, sequence_length)
    with tf.compat.v1.variable_scope(scope or "bidirectional_rnn"):
        _build_pair(cell_fw, cell_bw, int(x.shape[-1]))
        (y_fw, y_bw), state_fw, state_bw = _rnn.run_pair(
            cell_fw, cell_bw, x, lengths, initial_state_fw, initial_state_bw, bool(time_major), "none")
    return (y_fw, y_bw), (state_fw, state_bw)


def static_rnn(cell: Any, inputs: Any, initial_state: Any = None, dtype: Any = None,
               sequence_length: Any = None, scope: Any = None) -> tuple[list, Any]:
    """``tf.compat.v1.nn.static_rnn``: ``inputs`` is a list of ``[batch, depth]`` tensors, one per
    step; returns ``(list of outputs, final_state)``. Runs as ONE fused op (time-major), not as an
    unrolled graph.

    Example:
        >>> import tensorflow as tf
        >>> from tflite_rnn_ops.compat import v1
        >>> outs, state = v1.static_rnn(v1.TfLiteRNNCell(4), [tf.zeros([2, 3])] * 5,
        ...                             dtype=tf.float32)
        >>> len(outs), outs[0].shape.as_list()
        (5, [2, 4])
    """
    _rnn.check_cell("static_rnn", "cell", cell)
    x = _stack_steps("static_rnn", inputs)
    _rnn.check_dtype("static_rnn", dtype, initial_state)
    lengths = _rnn.lengths_input("static_rnn", sequence_length)
    with tf.compat.v1.variable_scope(scope or "rnn"):
        _rnn.build(cell, int(x.shape[-1]))
        y, state = _rnn.run_stack(cell, x, lengths, initial_state, time_major=True)
    return tf.unstack(y, num=len(inputs), axis=0), state


def static_bidirectional_rnn(cell_fw: Any, cell_bw: Any, inputs: Any, initial_state_fw: Any = None,
                             initial_state_bw: Any = None, dtype: Any = None,
                             sequence_length: Any = None,
                             scope: Any = None) -> tuple[list, Any, Any]:
    """``tf.compat.v1.nn.static_bidirectional_rnn``: ``(outputs, state_fw, state_bw)``, each output
    the concatenation ``[batch, fw_size + bw_size]`` of both directions at that step.

    Example:
        >>> import tensorflow as tf
        >>> from tflite_rnn_ops.compat import v1
        >>> outs, s_fw, s_bw = v1.static_bidirectional_rnn(
        ...     v1.TfLiteGRUCell(3), v1.TfLiteGRUCell(3), [tf.zeros([2, 4])] * 6, dtype=tf.float32)
        >>> len(outs), outs[0].shape.as_list()
        (6, [2, 6])
    """
    name = "static_bidirectional_rnn"
    _rnn.check_cell(name, "cell_fw", cell_fw)
    _rnn.check_cell(name, "cell_bw", cell_bw)
    x = _stack_steps(name, inputs)
    _rnn.check_dtype(name, dtype, initial_state_fw)
    _rnn.check_dtype(name, dtype, initial_state_bw)
    lengths = _rnn.lengths_input(name, sequence_length)
    with tf.compat.v1.variable_scope(scope or "bidirectional_rnn"):
        _build_pair(cell_fw, cell_bw, int(x.shape[-1]))
        (y,), state_fw, state_bw = _rnn.run_pair(
            cell_fw, cell_bw, x, lengths, initial_state_fw, initial_state_bw, True, "concat")
    return tf.unstack(y, num=len(inputs), axis=0), state_fw, state_bw


def _build_pair(cell_fw: Any, cell_bw: Any, depth: int) -> None:
    with tf.compat.v1.variable_scope("fw"):
        _rnn.build(cell_fw, depth)
    with tf.compat.v1.variable_scope("bw"):
        _rnn.build(cell_bw, depth)


def _stack_steps(function: str, inputs: Any) -> tf.Tensor:
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise TypeError(f"{function}: `inputs` must be a non-empty list of [batch, depth] tensors "
                        f"(one per step); received {type(inputs).__name__}")
    steps = [_rnn.sequence_input(function, step, rank=2) for step in inputs]
    return tf.stack(steps, axis=0)
