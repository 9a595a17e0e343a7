"""The fused path of one Keras recurrent layer: which op, which attributes, which weights.

Shared by our layers (``tro.layers.*``) and by the conversion of stock ``keras.layers`` RNNs,
which get a ``FusedLoop`` attached for the duration of the conversion (see ``stock.py``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from tflite_rnn_ops import _contract
from tflite_rnn_ops.layers import base, cells


@dataclasses.dataclass(frozen=True)
class CellKind:
    op_name: str
    num_states: int
    gates: int
    activation_args: tuple[str, ...]


LSTM_KIND = CellKind(_contract.LSTM_OP, 2, 4, ("activation", "recurrent_activation"))
GRU_KIND = CellKind(_contract.GRU_OP, 1, 3, ("activation", "recurrent_activation"))
RNN_KIND = CellKind(_contract.RNN_OP, 1, 1, ("activation",))


def cell_kind(cell: Any) -> CellKind | None:
    """The op family of a Keras (or tf_keras) cell, or None for cells we have no op for."""
    import keras

    from tflite_rnn_ops import legacy_keras

    cls = legacy_keras.cell_classes().get(type(cell), type(cell))
    for keras_cls, kind in ((keras.layers.LSTMCell, LSTM_KIND), (keras.layers.GRUCell, GRU_KIND),
                            (keras.layers.SimpleRNNCell, RNN_KIND)):
        if cls is keras_cls:
            return kind
    return None


class FusedLoop:
    """Runs `layer`'s recurrence (a Keras 3 ``RNN`` over a single cell) as one fused op.

    `unsupported` says why the layer cannot be fused (None when it can).
    """

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.kind = cell_kind(layer.cell)
        self.activations: dict[str, str] = {}
        self.unsupported = self._check()
        self._fns = base.FusedFunctionCache()
        self.default_state = False  # set per call: initial states are only Keras's zeros

    def _check(self) -> str | None:
        if self.kind is None:
            return f"cell {type(self.layer.cell).__name__} has no fused op"
        if getattr(self.layer, "time_major", False):
            return "time_major=True (tf_keras) layers are not converted yet"
        for arg in self.kind.activation_args:
            fn = getattr(self.layer.cell, arg)
            name = base.activation_name(fn)
            if getattr(fn, "__module__", "").startswith("tf_keras") and name is None:
                return (f"{arg}={getattr(fn, '__name__', fn)!r} is tf_keras's own definition, "
                        "which differs from the kernels' Keras 3 one")
            if name is None:
                return (f"{arg}={getattr(self.layer.cell, arg)!r} is not one of the kernels' "
                        f"activations ({', '.join(_contract.ACTIVATIONS)})")
            self.activations[arg] = name
        if self.layer.compute_dtype != "float32":
            return f"compute dtype {self.layer.compute_dtype} (the ops are float32)"
        return None

    def available(self, dtype: Any, training: Any) -> bool:
        """Whether this call can run fused (else Keras's own loop runs)."""
        import keras

        cell = self.layer.cell
        dropout_active = bool(training) and (cell.dropout > 0 or cell.recurrent_dropout > 0)
        return (self.unsupported is None and keras.backend.backend() == "tensorflow"
                and not dropout_active and dtype == "float32")

    def attrs(self, has_mask: bool, has_state: bool) -> dict[str, Any]:
        """The op attributes of this layer (see docs/ops.md)."""
        layer = self.layer
        attrs = {
            _contract.ATTR_UNITS: int(layer.cell.units),
            _contract.ATTR_TIME_MAJOR: False,
            _contract.ATTR_GO_BACKWARDS: bool(layer.go_backwards),
            _contract.ATTR_RETURN_SEQUENCES: bool(layer.return_sequences),
            _contract.ATTR_ZERO_OUTPUT_FOR_MASK: bool(layer.zero_output_for_mask),
            _contract.ATTR_MASK: _contract.MASK_STEPS if has_mask else _contract.MASK_NONE,
            _contract.ATTR_INITIAL_STATE: has_state,
            **self.activations,
        }
        if self.kind is GRU_KIND:
            attrs[_contract.ATTR_RESET_AFTER] = bool(layer.cell.reset_after)
        return attrs

    def make_step(self) -> Callable:
        if self.kind is LSTM_KIND:
            return cells.lstm_step(**self.activations)
        if self.kind is GRU_KIND:
            return cells.gru_step(reset_after=bool(self.layer.cell.reset_after), **self.activations)
        return cells.simple_rnn_step(**self.activations)

    def weights(self) -> list:
        import tensorflow as tf

        cell, units = self.layer.cell, int(self.layer.cell.units)
        if cell.use_bias:
            bias = tf.convert_to_tensor(cell.bias)
        else:
            reset_after = self.kind is GRU_KIND and cell.reset_after
            shape = [2, 3 * units] if reset_after else [self.kind.gates * units]
            bias = tf.zeros(shape, "float32")
        return [tf.convert_to_tensor(cell.kernel), tf.convert_to_tensor(cell.recurrent_kernel), bias]

    def run(self, sequences, initial_state, mask):
        """Keras ``RNN.inner_loop`` contract: returns (last_output, outputs, states)."""
        import tensorflow as tf

        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        has_mask, has_state = mask is not None, not self.default_state
        fn = self._fns.get((has_mask, has_state), lambda: self._make_fn(has_mask, has_state))
        args = [sequences, *self.weights()]
        if has_mask:
            args.append(tf.cast(mask, tf.bool))
        if has_state:
            args += list(initial_state)
        output, *states = fn(*args)
        last_output = output[:, -1] if self.layer.return_sequences else output
        return last_output, output, states

    def _make_fn(self, has_mask: bool, has_state: bool):
        body = base.sequence_body(
            self.make_step(), units=int(self.layer.cell.units), num_weights=3,
            num_states=self.kind.num_states, go_backwards=bool(self.layer.go_backwards),
            return_sequences=bool(self.layer.return_sequences),
            zero_output_for_mask=bool(self.layer.zero_output_for_mask), time_major=False,
            has_mask=has_mask, has_state=has_state)
        return base.fused_function(self.kind.op_name, self.attrs(has_mask, has_state), body)


def pair_unsupported(forward: FusedLoop, backward: FusedLoop) -> str | None:
    """Why the two directions of a Bidirectional cannot share one op (None when they can)."""
    if not (isinstance(forward, FusedLoop) and isinstance(backward, FusedLoop)):
        return "stacked cells: each direction is fused separately"
    fw, bw = forward.layer, backward.layer
    if forward.unsupported or backward.unsupported:
        return forward.unsupported or backward.unsupported
    if forward.kind is not backward.kind:
        return "forward and backward layers are different cells"
    if fw.stateful:
        return "stateful bidirectional layers keep per-direction state variables"
    if fw.go_backwards or not bw.go_backwards:
        return "forward layer runs backwards or backward layer runs forwards"
    fw_attrs, bw_attrs = forward.attrs(False, False), backward.attrs(False, False)
    fw_attrs.pop(_contract.ATTR_GO_BACKWARDS)
    bw_attrs.pop(_contract.ATTR_GO_BACKWARDS)
    if fw_attrs != bw_attrs:
        return "forward and backward layers are configured differently"
    return None


class FusedBidirectional:
    """Both directions of a Keras ``Bidirectional`` as ONE fused op."""

    def __init__(self, wrapper: Any, forward: FusedLoop, backward: FusedLoop) -> None:
        self.wrapper, self.forward, self.backward = wrapper, forward, backward
        self.unsupported = pair_unsupported(forward, backward)
        self._fns = base.FusedFunctionCache()

    def available(self, dtype: Any, training: Any) -> bool:
        return (self.unsupported is None and self.forward.available(dtype, training)
                and self.backward.available(dtype, training))

    def call(self, sequences, initial_state=None, mask=None):
        """Keras ``Bidirectional.call`` contract."""
        import tensorflow as tf

        has_mask, has_state = mask is not None, initial_state is not None
        fn = self._fns.get((has_mask, has_state), lambda: self._make_fn(has_mask, has_state))
        args = [sequences, *self.forward.weights(), *self.backward.weights()]
        if has_mask:
            args.append(tf.cast(mask[0] if isinstance(mask, (list, tuple)) else mask, tf.bool))
        if has_state:
            args += list(initial_state)
        outputs = fn(*args)
        merge_mode = self.wrapper.merge_mode
        n_seq = 2 if merge_mode is None else 1
        output, states = tuple(outputs[:n_seq]), tuple(outputs[n_seq:])
        if self.wrapper.return_state:
            return output + states
        return output if merge_mode is None else output[0]

    def _make_fn(self, has_mask: bool, has_state: bool):
        fw = self.forward.layer
        merge = "none" if self.wrapper.merge_mode is None else self.wrapper.merge_mode
        attrs = {
            **self.forward.attrs(has_mask, has_state),
            _contract.ATTR_DIRECTION: _contract.DIRECTION_BIDIRECTIONAL,
            _contract.ATTR_MERGE_MODE: merge,
        }
        body = base.bidirectional_body(
            self.forward.make_step(), self.backward.make_step(), merge_mode=merge,
            num_states=self.forward.kind.num_states, return_sequences=bool(fw.return_sequences),
            has_mask=has_mask, has_state=has_state, units=int(fw.cell.units),
            zero_output_for_mask=bool(fw.zero_output_for_mask), time_major=False)
        return base.fused_function(self.forward.kind.op_name, attrs, body)


class _CellView:
    """One cell of a ``StackedRNNCells`` seen as a single-cell RNN layer, for its FusedLoop."""

    def __init__(self, layer: Any, cell: Any, last: bool) -> None:
        self.cell = cell
        self.name = f"{layer.name}/{cell.name}"
        self.compute_dtype = layer.compute_dtype
        self.stateful = layer.stateful
        # Only the first cell iterates backwards: the later ones read its output, which is
        # already in iteration order.
        self.go_backwards = False
        self.return_sequences = layer.return_sequences if last else True
        self.zero_output_for_mask = layer.zero_output_for_mask


class StackedFusedLoop:
    """``keras.layers.RNN(StackedRNNCells([...]))`` as one fused op per cell, chained.

    Equal to the stacked step loop: a masked step carries every cell's state, and what the next
    cell read at that step never reaches a state.
    """

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        cells = layer.cell.cells
        self.loops = [FusedLoop(_CellView(layer, c, i == len(cells) - 1)) for i, c in enumerate(cells)]
        self.loops[0].layer.go_backwards = bool(layer.go_backwards)
        reasons = [f"{c.name}: {lp.unsupported}" for c, lp in zip(cells, self.loops) if lp.unsupported]
        self.unsupported = "; ".join(reasons) or None
        self.kind = self.loops[0].kind
        self.op_names = [lp.kind.op_name if lp.kind else "?" for lp in self.loops]
        self.default_state = False

    def available(self, dtype: Any, training: Any) -> bool:
        return all(loop.available(dtype, training) for loop in self.loops)

    def run(self, sequences, initial_state, mask):
        import tensorflow as tf

        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        x, states, last = sequences, [], None
        for i, loop in enumerate(self.loops):
            step_mask = mask
            if mask is not None and i > 0 and self.layer.go_backwards:
                step_mask = tf.reverse(mask, [1])  # later cells read the sequence reversed
            loop.default_state = self.default_state
            cell_state = None if self.default_state else list(initial_state[i])
            last, x, cell_states = loop.run(x, cell_state, step_mask)
            loop.default_state = False
            states.append(list(cell_states))
        return last, x, states
