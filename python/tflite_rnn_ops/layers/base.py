"""Shared machinery: run a Keras RNN layer's loop as one composite TF function marked for fusion.

The TFLite converter turns a ``tf.function`` whose ``experimental_implements`` NameAttrList carries
``tfl_fusable_op: true`` into ONE custom op named after the function, with the other attributes
written into the op's flexbuffer options. In TensorFlow the same function runs (and differentiates)
as ordinary ops, so training is unchanged.
"""

from __future__ import annotations

from typing import Any, Callable

from tflite_rnn_ops import _contract


def _attr_text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        body = f"b: {'true' if value else 'false'}"
    elif isinstance(value, int):
        body = f"i: {value}"
    elif isinstance(value, float):
        body = f"f: {value!r}"
    elif isinstance(value, str):
        body = f's: "{value}"'
    else:
        raise TypeError(f"fused-op attribute {key!r} must be bool, int, float or str, got {value!r}")
    return f'attr {{ key: "{key}" value {{ {body} }} }}'


def implements_text(op_name: str, attrs: dict[str, Any]) -> str:
    """Text-format NameAttrList for ``tf.function(experimental_implements=...)``."""
    items = {"tfl_fusable_op": True, _contract.ATTR_VERSION: _contract.BASE_VERSION, **attrs}
    return f'name: "{op_name}" ' + " ".join(_attr_text(k, v) for k, v in sorted(items.items()))


def fused_function(op_name: str, attrs: dict[str, Any], body: Callable) -> Callable:
    """Wraps ``body`` so that the converter emits it as one custom op ``op_name``."""
    import tensorflow as tf

    return tf.function(
        body,
        experimental_implements=implements_text(op_name, attrs),
        autograph=False,
        reduce_retracing=True,
    )


def activation_name(fn: Any) -> str | None:
    """The contract name of a Keras activation, or None if the kernels don't implement it."""
    import keras

    try:
        name = keras.activations.serialize(fn)
    except Exception:  # a custom callable Keras cannot name
        return None
    if isinstance(name, dict):
        name = name.get("config", name.get("class_name"))
    return name if name in _contract.ACTIVATIONS else None


def check_activation(layer_name: str, argument: str, fn: Any) -> str:
    name = activation_name(fn)
    if name is None:
        raise ValueError(
            f"{layer_name}: `{argument}` must be one of {', '.join(_contract.ACTIVATIONS)} "
            f"(the activations the fused kernel implements); received {argument}={fn!r}"
        )
    return name


class FusedFunctionCache:
    """Per-layer cache of composite functions, one per (mask, initial_state) variant.

    Kept outside Keras's attribute tracking on purpose: these are functions, not state.
    """

    def __init__(self) -> None:
        self._fns: dict[tuple, Callable] = {}

    def get(self, key: tuple, make: Callable[[], Callable]) -> Callable:
        if key not in self._fns:
            self._fns[key] = make()
        return self._fns[key]


def sequence_body(
    make_step: Callable,
    *,
    units: int,
    num_weights: int,
    num_states: int,
    go_backwards: bool,
    return_sequences: bool,
    zero_output_for_mask: bool,
    time_major: bool,
    has_mask: bool,
    has_state: bool,
) -> Callable:
    """TensorFlow body of a one-direction fused op.

    ``body(x, *weights, [mask], [*initial_states]) -> (output, *final_states)``, running Keras 3's
    own ``backend.rnn`` so that masking and ordering are Keras's exactly.
    """

    def body(x, *args):
        import tensorflow as tf
        from keras.src.backend.tensorflow.rnn import rnn as keras_tf_rnn

        weights, rest = args[:num_weights], list(args[num_weights:])
        mask = rest.pop(0) if has_mask else None
        if has_state:
            states = rest[:num_states]
        else:
            batch = tf.shape(x)[1 if time_major else 0]
            states = [tf.zeros(tf.stack([batch, units]), x.dtype) for _ in range(num_states)]
        last, outputs, final = keras_tf_rnn(
            make_step(*weights),
            x,
            list(states),
            go_backwards=go_backwards,
            mask=mask,
            time_major=time_major,
            zero_output_for_mask=zero_output_for_mask,
            return_all_outputs=return_sequences,
        )
        return (outputs if return_sequences else last, *final)

    return body


class FusedRNNMixin:
    """Routes a Keras RNN layer's inner loop through one fused composite function.

    Subclasses (our LSTM, GRU, SimpleRNN) set ``_op_name`` and ``_num_states`` and implement
    ``_cell_attrs`` (op attributes of the cell), ``_make_step`` (its TF step) and
    ``_fused_weights`` (kernel, recurrent kernel, bias as tensors, in the op's input order).
    """

    _op_name: str
    _num_states: int

    def _init_fused(self, activation_args: tuple[str, ...]) -> None:
        self._tro_activations = {
            arg: check_activation(self.name, arg, getattr(self, arg)) for arg in activation_args
        }
        self._tro_fns = FusedFunctionCache()
        self._tro_default_state = False

    def call(self, sequences, initial_state=None, mask=None, training=False):
        # RNN.call always materialises zero initial states; remember whether they are only that,
        # so the op does not take extra inputs computed by FILL ops.
        self._tro_default_state = initial_state is None and not self.stateful
        try:
            return super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        finally:
            self._tro_default_state = False

    def fused_path_available(self, dtype, training) -> bool:
        """Whether this call can run as the fused op (else Keras's own loop runs)."""
        import keras

        dropout_active = bool(training) and (self.dropout > 0 or self.recurrent_dropout > 0)
        return (
            keras.backend.backend() == "tensorflow"
            and not dropout_active
            and self.compute_dtype == "float32"
            and dtype == "float32"
        )

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if not self.fused_path_available(sequences.dtype, training):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        import tensorflow as tf

        has_mask, has_state = mask is not None, not self._tro_default_state
        fn = self._tro_fns.get((has_mask, has_state), lambda: self._make_fused_fn(has_mask, has_state))
        args = [sequences, *self._fused_weights()]
        if has_mask:
            args.append(tf.cast(mask, tf.bool))
        if has_state:
            args += list(initial_state)
        output, *states = fn(*args)
        last_output = output[:, -1] if self.return_sequences else output
        return last_output, output, states

    def sequence_attrs(self, has_mask: bool, has_state: bool) -> dict[str, Any]:
        """The op attributes of this layer (see docs/ops.md)."""
        return {
            _contract.ATTR_UNITS: int(self.units),
            _contract.ATTR_TIME_MAJOR: False,
            _contract.ATTR_GO_BACKWARDS: bool(self.go_backwards),
            _contract.ATTR_RETURN_SEQUENCES: bool(self.return_sequences),
            _contract.ATTR_ZERO_OUTPUT_FOR_MASK: bool(self.zero_output_for_mask),
            _contract.ATTR_MASK: _contract.MASK_STEPS if has_mask else _contract.MASK_NONE,
            _contract.ATTR_INITIAL_STATE: has_state,
            **self._cell_attrs(),
        }

    def bias_tensor(self, shape: list[int]):
        import tensorflow as tf

        if self.use_bias:
            return tf.convert_to_tensor(self.cell.bias)
        return tf.zeros(shape, self.compute_dtype)

    def _make_fused_fn(self, has_mask: bool, has_state: bool):
        body = sequence_body(
            self._make_step(),
            units=int(self.units),
            num_weights=3,
            num_states=self._num_states,
            go_backwards=bool(self.go_backwards),
            return_sequences=bool(self.return_sequences),
            zero_output_for_mask=bool(self.zero_output_for_mask),
            time_major=False,
            has_mask=has_mask,
            has_state=has_state,
        )
        return fused_function(self._op_name, self.sequence_attrs(has_mask, has_state), body)


def _merge(mode: str, y, y_rev):
    import tensorflow as tf

    if mode == "concat":
        return (tf.concat([y, y_rev], axis=-1),)
    if mode == "sum":
        return (y + y_rev,)
    if mode == "ave":
        return ((y + y_rev) / 2,)
    if mode == "mul":
        return (y * y_rev,)
    return (y, y_rev)


def bidirectional_body(
    make_forward_step: Callable,
    make_backward_step: Callable,
    *,
    merge_mode: str,
    num_states: int,
    return_sequences: bool,
    has_mask: bool,
    has_state: bool,
    **common: Any,
) -> Callable:
    """TensorFlow body of a bidirectional fused op, exactly as Keras's ``Bidirectional`` computes:
    the backward layer runs with go_backwards on the same input and mask, and its output sequence
    is reversed back to time order before merging.

    ``body(x, *fw_weights, *bw_weights, [mask], [*fw_states, *bw_states])
    -> (*merged_outputs, *fw_final_states, *bw_final_states)``
    """
    kwargs = dict(common, num_weights=3, num_states=num_states, return_sequences=return_sequences,
                  has_mask=has_mask, has_state=has_state)
    forward = sequence_body(make_forward_step, go_backwards=False, **kwargs)
    backward = sequence_body(make_backward_step, go_backwards=True, **kwargs)

    def body(x, *args):
        import tensorflow as tf

        fw_weights, bw_weights, rest = args[:3], args[3:6], list(args[6:])
        mask = [rest.pop(0)] if has_mask else []
        fw_states, bw_states = rest[:num_states], rest[num_states:]
        y, *fw_final = forward(x, *fw_weights, *mask, *fw_states)
        y_rev, *bw_final = backward(x, *bw_weights, *mask, *bw_states)
        if return_sequences:
            y_rev = tf.reverse(y_rev, [1])
        return (*_merge(merge_mode, y, y_rev), *fw_final, *bw_final)

    return body
