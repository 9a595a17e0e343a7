"""Running TF1-compatible cells over whole sequences as fused ops (behind ``dynamic_rnn`` & co).

One call of a composite function marked for fusion per layer (or per bidirectional pair), built
by ``layers.base.fused_function``; ``sequence_length`` becomes the op's mask: ``"steps"`` (a bool
``[B, T]`` mask, contract version 1) for cells that need nothing new, ``"lengths"`` (the int32
lengths themselves, version 2) for LSTMs that use version-2 features anyway.
"""

from __future__ import annotations

from typing import Any, Sequence

import tensorflow as tf

from tflite_rnn_ops import _contract
from tflite_rnn_ops.compat import _steps
from tflite_rnn_ops.compat._cell_base import FusedCell
from tflite_rnn_ops.compat._cells import MultiRNNCell
from tflite_rnn_ops.layers import base

Cell = Any  # FusedCell | MultiRNNCell

# Graph collection of (call op name, composite function name). Computing gradients in graph mode
# rewrites a call op in place to a "__forward_*" function (more outputs, no `_implements`);
# convert_session uses this record to point the call back at the composite before converting.
FUSED_CALLS = "tflite_rnn_ops_fused_calls"
_CALL_OPS = ("PartitionedCall", "StatefulPartitionedCall")


# --- argument checks ------------------------------------------------------------------------
def check_cell(function: str, argument: str, cell: Any) -> None:
    if not isinstance(cell, (FusedCell, MultiRNNCell)):
        raise TypeError(
            f"{function}: `{argument}` must be a tflite_rnn_ops.compat.v1 cell (TfLiteLSTMCell, "
            "TfLiteBasicLSTMCell, TfLiteGRUCell, TfLiteRNNCell or a MultiRNNCell of them), the "
            f"cells the fused ops implement; received {argument}={cell!r}"
        )


def check_dtype(function: str, dtype: Any, initial_state: Any, argument: str = "dtype") -> None:
    if dtype is None:
        if initial_state is None:
            raise ValueError(f"{function}: `{argument}` must be given (tf.float32) when there is no "
                             "initial state; received dtype=None")
        return
    if tf.as_dtype(dtype) != tf.float32:
        raise ValueError(f"{function}: `{argument}` must be tf.float32 (the fused ops are float32); "
                         f"received {argument}={dtype!r}")


def sequence_input(function: str, inputs: Any, rank: int = 3) -> tf.Tensor:
    """``inputs`` as one float32 tensor of that rank with a static depth, or a clear error."""
    if isinstance(inputs, (list, tuple, dict)):
        raise TypeError(f"{function}: `inputs` must be one float32 tensor (nested inputs are not "
                        f"supported by the fused ops); received a {type(inputs).__name__}")
    x = tf.convert_to_tensor(inputs)
    if x.dtype != tf.float32:
        raise TypeError(f"{function}: `inputs` must be float32; received dtype {x.dtype.name}")
    if x.shape.rank != rank or x.shape[-1] is None:
        layout = "[batch, time, depth]" if rank == 3 else "[batch, depth]"
        raise ValueError(f"{function}: `inputs` must have shape {layout} with a known depth; "
                         f"received shape {x.shape}")
    return x


def lengths_input(function: str, sequence_length: Any) -> tf.Tensor | None:
    if sequence_length is None:
        return None
    lengths = tf.convert_to_tensor(sequence_length)
    if not lengths.dtype.is_integer:
        raise TypeError(f"{function}: `sequence_length` must be an integer vector [batch]; "
                        f"received dtype {lengths.dtype.name}")
    if lengths.shape.rank not in (None, 1):
        raise ValueError(f"{function}: `sequence_length` must be a vector [batch]; received "
                         f"shape {lengths.shape}")
    return tf.cast(lengths, tf.int32)


# --- building and calling the fused functions ------------------------------------------------
def layers_of(cell: Cell) -> list[FusedCell]:
    return cell.cells if isinstance(cell, MultiRNNCell) else [cell]


def _op_attrs(cell: FusedCell, mask_kind: str, has_state: bool, time_major: bool,
              direction: str, merge_mode: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        _contract.ATTR_TIME_MAJOR: bool(time_major),
        _contract.ATTR_GO_BACKWARDS: False,
        _contract.ATTR_RETURN_SEQUENCES: True,
        _contract.ATTR_ZERO_OUTPUT_FOR_MASK: mask_kind != _contract.MASK_NONE,
        _contract.ATTR_MASK: mask_kind,
        _contract.ATTR_INITIAL_STATE: has_state,
        _contract.ATTR_DIRECTION: direction,
        **cell.op_attrs(),
    }
    if direction == _contract.DIRECTION_BIDIRECTIONAL:
        attrs[_contract.ATTR_MERGE_MODE] = merge_mode
    if cell.uses_v2 or mask_kind == _contract.MASK_LENGTHS:
        attrs[_contract.ATTR_VERSION] = 2
    return attrs


def _fused_call(cells: Sequence[FusedCell], x: tf.Tensor, lengths: tf.Tensor | None,
                states: list | None, time_major: bool, direction: str,
                merge_mode: str = "none") -> list:
    """Calls one fused op over ``x``: one cell per direction; returns the op's outputs."""
    first = cells[0]
    if lengths is None:
        mask_kind = _contract.MASK_NONE
    else:
        mask_kind = _contract.MASK_LENGTHS if first.uses_v2 else _contract.MASK_STEPS
    attrs = _op_attrs(first, mask_kind, states is not None, time_major, direction, merge_mode)
    weights = [cell.fused_weights() for cell in cells]

    def make():
        backwards = [d == 1 or direction == _contract.DIRECTION_REVERSE for d in range(len(cells))]
        body = _steps.sequence_body(
            [cell.make_step() for cell in cells], num_weights=len(weights[0]),
            state_sizes=first.op_state_sizes, mask_kind=mask_kind, has_state=states is not None,
            time_major=time_major, backwards=backwards, merge_mode=merge_mode)
        return base.fused_function(first.op_name, attrs, body)

    fn = first.fused_fns.get((base.implements_text(first.op_name, attrs),), make)
    args = [x, *[w for direction_weights in weights for w in direction_weights]]
    if mask_kind == _contract.MASK_STEPS:
        mask = tf.sequence_mask(lengths, tf.shape(x)[0 if time_major else 1])
        args.append(tf.transpose(mask) if time_major else mask)
    elif mask_kind == _contract.MASK_LENGTHS:
        args.append(lengths)
    outputs = list(fn(*args, *(states or [])))
    if not tf.executing_eagerly() and outputs[0].op.type in _CALL_OPS:
        op = outputs[0].op
        tf.compat.v1.add_to_collection(FUSED_CALLS, (op.name, op.get_attr("f").name))
    _set_static_shapes(outputs, x, time_major)
    return outputs


def _set_static_shapes(outputs: list, x: tf.Tensor, time_major: bool) -> None:
    # The traced function generalises batch and time; give graph tensors the dims known from x.
    if tf.executing_eagerly():
        return
    batch = x.shape[1 if time_major else 0]
    for out in outputs:
        if out.shape.rank == 3:
            out.set_shape(x.shape[:2].concatenate([None]))
        elif out.shape.rank == 2:
            out.set_shape([batch, None])


def run_layer(cell: FusedCell, x: tf.Tensor, lengths: tf.Tensor | None, state: Any,
              time_major: bool, reverse: bool) -> tuple[tf.Tensor, Any]:
    """One layer as one op: ``(outputs in time order, final state in TF1 structure)``."""
    direction = _contract.DIRECTION_REVERSE if reverse else _contract.DIRECTION_FORWARD
    states = None if state is None else cell.to_op_states(state)
    y, *finals = _fused_call([cell], x, lengths, states, time_major, direction)
    return y, cell.from_op_states(finals)


def run_stack(cell: Cell, x: tf.Tensor, lengths: tf.Tensor | None, state: Any,
              time_major: bool, reverse: bool = False) -> tuple[tf.Tensor, Any]:
    """A cell or a MultiRNNCell, layer by layer (one op each); TF1's state structure."""
    if not isinstance(cell, MultiRNNCell):
        return run_layer(cell, x, lengths, state, time_major, reverse)
    layers = cell.cells
    layer_states = [None] * len(layers) if state is None else list(state)
    if len(layer_states) != len(layers):
        raise ValueError(f"`initial_state` of a MultiRNNCell must hold one state per layer "
                         f"({len(layers)}); received {len(layer_states)}")
    finals = []
    for layer, layer_state in zip(layers, layer_states):
        x, final = run_layer(layer, x, lengths, layer_state, time_major, reverse)
        finals.append(final)
    return x, tuple(finals)


def _fusable_pair(cell_fw: Cell, cell_bw: Cell, state_fw: Any, state_bw: Any) -> bool:
    return (isinstance(cell_fw, FusedCell) and type(cell_fw) is type(cell_bw)
            and cell_fw.op_attrs() == cell_bw.op_attrs()
            and (state_fw is None) == (state_bw is None))


def run_pair(cell_fw: Cell, cell_bw: Cell, x: tf.Tensor, lengths: tf.Tensor | None,
             state_fw: Any, state_bw: Any, time_major: bool,
             merge_mode: str) -> tuple[list, Any, Any]:
    """Both directions over the same input: ONE bidirectional op when the two cells have the same
    type and configuration, else a forward and a reverse op per layer. ``merge_mode`` is
    ``"none"`` (two sequences) or ``"concat"``. Returns ``(sequences, state_fw, state_bw)``."""
    if not _fusable_pair(cell_fw, cell_bw, state_fw, state_bw):
        y_fw, final_fw = run_stack(cell_fw, x, lengths, state_fw, time_major)
        y_bw, final_bw = run_stack(cell_bw, x, lengths, state_bw, time_major, reverse=True)
        sequences = [y_fw, y_bw] if merge_mode == "none" else [tf.concat([y_fw, y_bw], -1)]
        return sequences, final_fw, final_bw
    states = None
    if state_fw is not None:
        states = cell_fw.to_op_states(state_fw) + cell_bw.to_op_states(state_bw)
    outputs = _fused_call([cell_fw, cell_bw], x, lengths, states, time_major,
                          _contract.DIRECTION_BIDIRECTIONAL, merge_mode)
    num_seq, num_states = (2 if merge_mode == "none" else 1), len(cell_fw.op_state_sizes)
    finals = outputs[num_seq:]
    return (outputs[:num_seq], cell_fw.from_op_states(finals[:num_states]),
            cell_bw.from_op_states(finals[num_states:]))


def build(cell: Cell, input_depth: int) -> None:
    """Creates the cell's TF1 variables in the current variable scope (first use only)."""
    cell.build_in_scope(input_depth)
