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
    items = {"tfl_fusable_op": True, _contract.ATTR_VERSION: _contract.CONTRACT_VERSION, **attrs}
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
