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

    if getattr(fn, "__module__", "").startswith("tf_keras"):
        # tf_keras's definitions differ from Keras 3's for some names (hard_sigmoid is
        # clip(0.2x + 0.5) there), so accept only those that are the same function.
        name = getattr(fn, "__name__", None)
        return name if name in ("tanh", "sigmoid", "relu", "linear") else None
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
        if time_major:
            # Keras's rnn reads the step count from axis 1 before it transposes, which is the
            # batch axis of a time-major input: run batch-major and transpose around it.
            x = tf.transpose(x, [1, 0, 2])
            mask = None if mask is None else tf.transpose(mask, [1, 0])
        last, outputs, final = keras_tf_rnn(
            make_step(*weights),
            x,
            list(states),
            go_backwards=go_backwards,
            mask=mask,
            zero_output_for_mask=zero_output_for_mask,
            return_all_outputs=return_sequences,
        )
        if time_major and return_sequences:
            outputs = tf.transpose(outputs, [1, 0, 2])
        return (outputs if return_sequences else last, *final)

    return body


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


class FusedRNNMixin:
    """Our layers: Keras's RNN layer whose inner loop runs through a ``FusedLoop``."""

    def _init_fused(self) -> None:
        from tflite_rnn_ops.layers.fused_loop import FusedLoop

        loop = FusedLoop(self)
        for arg in loop.kind.activation_args:
            check_activation(self.name, arg, getattr(self.cell, arg))
        self._tro_loop = loop

    def call(self, sequences, initial_state=None, mask=None, training=False):
        # RNN.call always materialises zero initial states; remember whether they are only that,
        # so the op does not take extra inputs computed by FILL ops.
        self._tro_loop.default_state = initial_state is None and not self.stateful
        try:
            return super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        finally:
            self._tro_loop.default_state = False

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if self._tro_loop.available(sequences.dtype, training):
            return self._tro_loop.run(sequences, initial_state, mask)
        return super().inner_loop(sequences, initial_state, mask, training=training)
