"""Base of the TF1-compatible RNN cells: variables, scopes, state structure, argument checks.

Each cell owns TF1's variables (same names, shapes and scopes, so TF1 checkpoints restore) and
knows how to present them to the fused op: gates reordered into the op's Keras layout, the input
and recurrent rows split, the forget bias folded in. The weight conversion runs as ordinary
TensorFlow ops before the fused op, so gradients reach the TF1-layout variables.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import tensorflow as tf

from tflite_rnn_ops import _contract
from tflite_rnn_ops.layers.base import FusedFunctionCache


class LSTMStateTuple(NamedTuple):
    """TF1's ``(c, h)`` LSTM state. ``h`` has ``num_proj`` columns with a projection."""

    c: Any
    h: Any

    @property
    def dtype(self):
        return self.c.dtype


def _activation_table() -> dict:
    import keras

    table = {}
    for name, fns in {
        "tanh": (tf.tanh, tf.math.tanh, tf.nn.tanh, keras.activations.tanh),
        "relu": (tf.nn.relu, keras.activations.relu),
        "sigmoid": (tf.sigmoid, tf.math.sigmoid, tf.nn.sigmoid, keras.activations.sigmoid),
        "linear": (tf.identity, keras.activations.linear),
    }.items():
        table.update({id(fn): name for fn in fns})
    return table


def activation_name(cell: str, activation: Any) -> str:
    """Contract name of a TF1 cell ``activation`` (None = tanh), or ValueError naming it."""
    if activation is None:
        return "tanh"
    if isinstance(activation, str) and activation in ("tanh", "relu", "sigmoid", "linear"):
        return activation
    name = _activation_table().get(id(activation))
    if name is None:
        raise ValueError(
            f"{cell}: `activation` must be None (tanh), tf.tanh, tf.nn.relu, tf.sigmoid or "
            f"tf.identity (or their names), the activations the fused kernel implements; "
            f"received activation={activation!r}"
        )
    return name


def positive(cell: str, argument: str, value: Any, kind: type, required: bool = False) -> Any:
    if value is None and not required:
        return None
    number_types = (int, float) if kind is float else (int,)
    if isinstance(value, bool) or not isinstance(value, number_types) or value <= 0:
        raise ValueError(
            f"{cell}: `{argument}` must be None or a positive {kind.__name__}; "
            f"received {argument}={value!r}"
        )
    return kind(value)


def check_common(cell: str, num_units: Any, dtype: Any, kwargs: dict) -> int:
    if kwargs:
        raise TypeError(
            f"{cell}: unsupported argument(s) {', '.join(sorted(kwargs))}; this TF1-compatible cell "
            f"accepts only the arguments of its TF1 namesake that the fused op implements"
        )
    if dtype is not None and tf.as_dtype(dtype) != tf.float32:
        raise ValueError(f"{cell}: `dtype` must be None or float32 (the fused ops are float32); "
                         f"received dtype={dtype!r}")
    return positive(cell, "num_units", num_units, int, required=True)


class FusedCell(tf.Module):
    """Base of the TF1-compatible cells: TF1 variables, scope handling, single-step call."""

    op_name: str
    default_name: str

    def __init__(self, num_units: int, reuse: Any, name: str | None) -> None:
        super().__init__()
        self._num_units = num_units
        self._reuse = reuse
        self._cell_name = name or self.default_name
        self._tf1_vars: dict[str, tf.Variable] | None = None
        self._input_depth = 0
        self.fused_fns = FusedFunctionCache()  # not tracked by tf.Module: functions, not state

    # --- TF1 RNNCell API -------------------------------------------------------------------
    @property
    def state_size(self) -> Any:
        return self._num_units

    @property
    def output_size(self) -> int:
        return self._num_units

    @property
    def weights(self) -> list:
        return list((self._tf1_vars or {}).values())

    def zero_state(self, batch_size: Any, dtype: Any = tf.float32) -> Any:
        """All-zero state of this cell for ``batch_size`` examples, in TF1's structure."""
        zeros = [tf.zeros(tf.stack([batch_size, size]), dtype) for size in self.op_state_sizes]
        return self.from_op_states(zeros)

    def __call__(self, inputs, state, scope: Any = None):
        """One step with TF1 semantics: ``(output, new_state)``."""
        inputs = tf.convert_to_tensor(inputs)
        self.build_in_scope(int(inputs.shape[-1]), scope)
        output, states = self.make_step()(*self.fused_weights())(inputs, self.to_op_states(state))
        return output, self.from_op_states(states)

    # --- building ------------------------------------------------------------------------------
    def build_in_scope(self, input_depth: int, scope: Any = None) -> None:
        """Creates the TF1 variables under ``scope`` (default: this cell's name), once."""
        if self._tf1_vars is not None:
            if input_depth != self._input_depth:
                raise ValueError(
                    f"{type(self).__name__}: `inputs` depth must stay {self._input_depth} (the "
                    f"depth it was built with); received inputs of depth {input_depth}"
                )
            return
        if self._reuse:
            context = tf.compat.v1.variable_scope(scope or self._cell_name, reuse=self._reuse)
        else:
            context = tf.compat.v1.variable_scope(scope, default_name=self._cell_name)
        with context:
            self._input_depth = input_depth
            self._tf1_vars = self.create_variables(input_depth)

    def variable(self, name: str) -> tf.Variable:
        return self._tf1_vars[name]

    @staticmethod
    def get_variable(name: str, shape: list[int], initializer: Any = None) -> tf.Variable:
        return tf.compat.v1.get_variable(name, shape, tf.float32, initializer=initializer)

    # --- fused-op view (implemented by subclasses) -------------------------------------------
    @property
    def op_state_sizes(self) -> list[int]:
        return [self._num_units]

    def to_op_states(self, state: Any) -> list:
        return [state]

    def from_op_states(self, states: list) -> Any:
        return states[0]

    @property
    def uses_v2(self) -> bool:
        return False

    def create_variables(self, input_depth: int) -> dict:
        raise NotImplementedError

    def op_attrs(self) -> dict[str, Any]:
        raise NotImplementedError

    def fused_weights(self) -> list:
        raise NotImplementedError

    def make_step(self) -> Callable:
        raise NotImplementedError
