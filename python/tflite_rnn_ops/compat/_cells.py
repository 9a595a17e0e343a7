"""TF1-compatible cells: ``LSTMCell``, ``BasicLSTMCell``, ``GRUCell``, ``BasicRNNCell`` on the fused ops.

Each cell owns TF1's variables (same names, shapes and scopes, so TF1 checkpoints restore) and
presents them to the fused op: gates reordered into the op's Keras layout, input and recurrent
rows split, the forget bias folded in. That conversion runs as ordinary TensorFlow ops before the
fused op, so gradients reach the TF1-layout variables (and the converter folds it into constants).
"""

from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf

from tflite_rnn_ops import _contract
from tflite_rnn_ops.compat import _steps
from tflite_rnn_ops.compat._cell_base import (
    FusedCell, LSTMStateTuple, activation_name, check_common, positive,
)
from tflite_rnn_ops.layers import cells as _keras_cells


def _split_rows(kernel, input_depth: int) -> tuple:
    return kernel[:input_depth], kernel[input_depth:]


class TfLiteLSTMCell(FusedCell):
    """TF1 ``tf.compat.v1.nn.rnn_cell.LSTMCell`` whose sequences run as one ``TFLiteRnnOps>LSTM``.

    Same arguments, variables (``kernel``, ``bias``, ``w_f_diag``, ``w_i_diag``, ``w_o_diag``,
    ``projection/kernel`` under ``lstm_cell``) and state (``LSTMStateTuple(c, h)``) as TF1's.

    Example:
        >>> import tensorflow as tf
        >>> from tflite_rnn_ops.compat import v1
        >>> cell = v1.TfLiteLSTMCell(8, use_peepholes=True, num_proj=4)
        >>> out, state = v1.dynamic_rnn(cell, tf.zeros([2, 5, 3]), dtype=tf.float32)
        >>> out.shape.as_list(), state.c.shape.as_list()
        ([2, 5, 4], [2, 8])
    """

    op_name = _contract.LSTM_OP
    default_name = "lstm_cell"

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip: float | None = None,
                 initializer: Any = None, num_proj: int | None = None,
                 proj_clip: float | None = None, num_unit_shards: Any = None,
                 num_proj_shards: Any = None, forget_bias: float = 1.0,
                 state_is_tuple: bool = True, activation: Any = None, reuse: Any = None,
                 name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        cls = type(self).__name__
        units = check_common(cls, num_units, dtype, kwargs)
        for arg, value in (("num_unit_shards", num_unit_shards), ("num_proj_shards", num_proj_shards)):
            if value is not None:
                raise ValueError(f"{cls}: `{arg}` (deprecated variable sharding) is not supported; "
                                 f"expected None, received {arg}={value!r}")
        if state_is_tuple is not True:
            raise ValueError(f"{cls}: `state_is_tuple` must be True (TF1's deprecated concatenated "
                             f"state is not supported); received state_is_tuple={state_is_tuple!r}")
        if not isinstance(forget_bias, (int, float)) or isinstance(forget_bias, bool):
            raise TypeError(f"{cls}: `forget_bias` must be a number; received {forget_bias!r}")
        super().__init__(units, reuse, name)
        self._use_peepholes = bool(use_peepholes)
        self._cell_clip = positive(cls, "cell_clip", cell_clip, float)
        self._num_proj = positive(cls, "num_proj", num_proj, int)
        self._proj_clip = positive(cls, "proj_clip", proj_clip, float) if self._num_proj else None
        self._forget_bias = float(forget_bias)
        self._activation = activation_name(cls, activation)
        self._initializer = initializer

    @property
    def state_size(self) -> LSTMStateTuple:
        return LSTMStateTuple(self._num_units, self.output_size)

    @property
    def output_size(self) -> int:
        return self._num_proj or self._num_units

    @property
    def op_state_sizes(self) -> list[int]:
        return [self.output_size, self._num_units]

    def to_op_states(self, state: Any) -> list:
        c, h = state
        return [h, c]

    def from_op_states(self, states: list) -> LSTMStateTuple:
        h, c = states
        return LSTMStateTuple(c=c, h=h)

    @property
    def uses_v2(self) -> bool:
        return self._use_peepholes or bool(self._cell_clip) or bool(self._num_proj)

    def create_variables(self, input_depth: int) -> dict:
        units, init = self._num_units, self._initializer
        found = {
            "kernel": self.get_variable("kernel", [input_depth + self.output_size, 4 * units], init),
            "bias": self.get_variable("bias", [4 * units], tf.compat.v1.zeros_initializer()),
        }
        if self._use_peepholes:
            for name in ("w_f_diag", "w_i_diag", "w_o_diag"):
                found[name] = self.get_variable(name, [units], init)
        if self._num_proj:
            with tf.compat.v1.variable_scope("projection"):
                found["projection/kernel"] = self.get_variable("kernel", [units, self._num_proj], init)
        return found

    def op_attrs(self) -> dict[str, Any]:
        attrs: dict[str, Any] = {
            _contract.ATTR_UNITS: self._num_units,
            _contract.ATTR_ACTIVATION: self._activation,
            _contract.ATTR_RECURRENT_ACTIVATION: "sigmoid",
        }
        if self._use_peepholes:
            attrs[_contract.ATTR_USE_PEEPHOLES] = True
        if self._cell_clip:
            attrs[_contract.ATTR_CELL_CLIP] = self._cell_clip
        if self._num_proj:
            attrs[_contract.ATTR_NUM_PROJ] = self._num_proj
            if self._proj_clip:
                attrs[_contract.ATTR_PROJ_CLIP] = self._proj_clip
        return attrs

    def fused_weights(self) -> list:
        # TF1 gate order i|j|f|o -> the op's i|f|c|o (j is the candidate c).
        def reorder(t):
            i, j, f, o = tf.split(t, 4, axis=-1)
            return i, f, j, o

        kernel, recurrent = _split_rows(tf.convert_to_tensor(self.variable("kernel")), self._input_depth)
        i, f, c, o = reorder(tf.convert_to_tensor(self.variable("bias")))
        weights = [tf.concat(reorder(kernel), -1), tf.concat(reorder(recurrent), -1),
                   tf.concat([i, f + self._forget_bias, c, o], -1)]
        if self._use_peepholes:
            weights += [tf.convert_to_tensor(self.variable(n)) for n in ("w_i_diag", "w_f_diag", "w_o_diag")]
        if self._num_proj:
            weights.append(tf.convert_to_tensor(self.variable("projection/kernel")))
        return weights

    def make_step(self) -> Callable:
        return _steps.lstm_step(self._activation, self._use_peepholes, self._cell_clip,
                                self._num_proj, self._proj_clip)


class TfLiteBasicLSTMCell(TfLiteLSTMCell):
    """TF1 ``BasicLSTMCell`` (variables ``basic_lstm_cell/kernel``, ``bias``) on the fused op.

    Example:
        >>> from tflite_rnn_ops.compat import v1
        >>> v1.TfLiteBasicLSTMCell(8, forget_bias=0.5).output_size
        8
    """

    default_name = "basic_lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, state_is_tuple: bool = True,
                 activation: Any = None, reuse: Any = None, name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(num_units, forget_bias=forget_bias, state_is_tuple=state_is_tuple,
                         activation=activation, reuse=reuse, name=name, dtype=dtype, **kwargs)


class TfLiteGRUCell(FusedCell):
    """TF1 ``GRUCell`` on the ``TFLiteRnnOps>GRU`` op (``reset_after: false``).

    Variables as TF1's: ``gru_cell/gates/kernel`` ``[F+U, 2U]`` (r|u), ``gates/bias`` (ones),
    ``candidate/kernel`` ``[F+U, U]``, ``candidate/bias``.

    Example:
        >>> import tensorflow as tf
        >>> from tflite_rnn_ops.compat import v1
        >>> out, h = v1.dynamic_rnn(v1.TfLiteGRUCell(6), tf.zeros([2, 4, 3]), dtype=tf.float32)
        >>> h.shape.as_list()
        [2, 6]
    """

    op_name = _contract.GRU_OP
    default_name = "gru_cell"

    def __init__(self, num_units: int, activation: Any = None, reuse: Any = None,
                 kernel_initializer: Any = None, bias_initializer: Any = None,
                 name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        units = check_common(type(self).__name__, num_units, dtype, kwargs)
        super().__init__(units, reuse, name)
        self._activation = activation_name(type(self).__name__, activation)
        self._kernel_init, self._bias_init = kernel_initializer, bias_initializer

    def create_variables(self, input_depth: int) -> dict:
        rows, units = input_depth + self._num_units, self._num_units
        found = {}
        for scope, cols, default_bias in (("gates", 2 * units, 1.0), ("candidate", units, 0.0)):
            bias_init = self._bias_init or tf.compat.v1.constant_initializer(default_bias)
            with tf.compat.v1.variable_scope(scope):
                found[f"{scope}/kernel"] = self.get_variable("kernel", [rows, cols], self._kernel_init)
                found[f"{scope}/bias"] = self.get_variable("bias", [cols], bias_init)
        return found

    def op_attrs(self) -> dict[str, Any]:
        return {
            _contract.ATTR_UNITS: self._num_units,
            _contract.ATTR_ACTIVATION: self._activation,
            _contract.ATTR_RECURRENT_ACTIVATION: "sigmoid",
            _contract.ATTR_RESET_AFTER: False,
        }

    def fused_weights(self) -> list:
        # TF1's gates are r|u; the op's are z|r|h with z = u.
        r_k, u_k = tf.split(tf.convert_to_tensor(self.variable("gates/kernel")), 2, axis=-1)
        r_b, u_b = tf.split(tf.convert_to_tensor(self.variable("gates/bias")), 2, axis=-1)
        full = tf.concat([u_k, r_k, tf.convert_to_tensor(self.variable("candidate/kernel"))], -1)
        kernel, recurrent = _split_rows(full, self._input_depth)
        bias = tf.concat([u_b, r_b, tf.convert_to_tensor(self.variable("candidate/bias"))], -1)
        return [kernel, recurrent, bias]

    def make_step(self) -> Callable:
        return _keras_cells.gru_step(self._activation, "sigmoid", reset_after=False)


class TfLiteRNNCell(FusedCell):
    """TF1 ``BasicRNNCell`` on the ``TFLiteRnnOps>RNN`` op (variables ``basic_rnn_cell/kernel``,
    ``basic_rnn_cell/bias``).

    Example:
        >>> import tensorflow as tf
        >>> from tflite_rnn_ops.compat import v1
        >>> out, h = v1.dynamic_rnn(v1.TfLiteRNNCell(5), tf.zeros([2, 4, 3]), dtype=tf.float32)
        >>> out.shape.as_list()
        [2, 4, 5]
    """

    op_name = _contract.RNN_OP
    default_name = "basic_rnn_cell"

    def __init__(self, num_units: int, activation: Any = None, reuse: Any = None,
                 name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        units = check_common(type(self).__name__, num_units, dtype, kwargs)
        super().__init__(units, reuse, name)
        self._activation = activation_name(type(self).__name__, activation)

    def create_variables(self, input_depth: int) -> dict:
        units = self._num_units
        return {
            "kernel": self.get_variable("kernel", [input_depth + units, units]),
            "bias": self.get_variable("bias", [units], tf.compat.v1.zeros_initializer()),
        }

    def op_attrs(self) -> dict[str, Any]:
        return {_contract.ATTR_UNITS: self._num_units, _contract.ATTR_ACTIVATION: self._activation}

    def fused_weights(self) -> list:
        kernel, recurrent = _split_rows(tf.convert_to_tensor(self.variable("kernel")), self._input_depth)
        return [kernel, recurrent, tf.convert_to_tensor(self.variable("bias"))]

    def make_step(self) -> Callable:
        return _keras_cells.simple_rnn_step(self._activation)


class MultiRNNCell(tf.Module):
    """TF1 ``MultiRNNCell``: a stack of the cells above, each layer its own fused op.

    Variables live under ``multi_rnn_cell/cell_<i>/<cell name>/`` as in TF1; the state is a tuple
    with one entry per layer. ``StackedRNNCells`` is the same class.

    Example:
        >>> import tensorflow as tf
        >>> from tflite_rnn_ops.compat import v1
        >>> stack = v1.MultiRNNCell([v1.TfLiteLSTMCell(8), v1.TfLiteGRUCell(4)])
        >>> out, (lstm_state, gru_h) = v1.dynamic_rnn(stack, tf.zeros([2, 5, 3]), dtype=tf.float32)
        >>> out.shape.as_list()
        [2, 5, 4]
    """

    default_name = "multi_rnn_cell"

    def __init__(self, cells: Any, state_is_tuple: bool = True) -> None:
        super().__init__()
        if not isinstance(cells, (list, tuple)) or not cells or not all(
                isinstance(c, FusedCell) for c in cells):
            raise TypeError(
                "MultiRNNCell: `cells` must be a non-empty list of tflite_rnn_ops.compat.v1 cells "
                f"(TfLiteLSTMCell, TfLiteGRUCell, TfLiteRNNCell, ...); received cells={cells!r}"
            )
        if state_is_tuple is not True:
            raise ValueError("MultiRNNCell: `state_is_tuple` must be True (TF1's deprecated "
                             f"concatenated state is not supported); received {state_is_tuple!r}")
        self._cells = list(cells)
        self._built = False

    @property
    def cells(self) -> list[FusedCell]:
        return list(self._cells)

    @property
    def state_size(self) -> tuple:
        return tuple(cell.state_size for cell in self._cells)

    @property
    def output_size(self) -> int:
        return self._cells[-1].output_size

    def zero_state(self, batch_size: Any, dtype: Any = tf.float32) -> tuple:
        """Zero state of every layer, as a tuple."""
        return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)

    def build_in_scope(self, input_depth: int, scope: Any = None) -> None:
        """Creates each layer's variables under ``<scope>/cell_<i>/``, once."""
        if self._built:
            return
        with tf.compat.v1.variable_scope(scope, default_name=self.default_name):
            depth = input_depth
            for i, cell in enumerate(self._cells):
                with tf.compat.v1.variable_scope(f"cell_{i}"):
                    cell.build_in_scope(depth)
                depth = cell.output_size
        self._built = True

    def __call__(self, inputs, state, scope: Any = None):
        """One step through every layer: ``(output, tuple_of_new_states)``."""
        inputs = tf.convert_to_tensor(inputs)
        self.build_in_scope(int(inputs.shape[-1]), scope)
        new_states = []
        for cell, layer_state in zip(self._cells, state):
            inputs, layer_state = cell(inputs, layer_state)
            new_states.append(layer_state)
        return inputs, tuple(new_states)
