"""``keras.layers.TimeDistributed`` during export: the wrapped layer runs once, on ``(B*T, ...)``.

Keras 3 applies the wrapped layer to each time step: with a static time axis it unrolls T copies
of it (the model grows with T), with a dynamic one it maps it with ``vectorized_map``, whose
TensorList ops TFLite cannot lower. For the layers ``stock.plan`` accepts, ``attached`` routes
``TimeDistributed.call`` through the reshape form instead, ``(B, T, ...) -> (B*T, ...) -> layer ->
(B, T, ...)``, which is the same function because every time step is computed independently. Like
the RNN routing, the class method is swapped for the export trace only; the user's model object
is not modified.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, Iterator


@dataclasses.dataclass
class TimeDistributedEntry:
    """One ``TimeDistributed`` layer of the model and how it converts."""

    path: str
    wrapped: str  # class of the wrapped layer
    output_shape: str
    reason: str | None  # why Keras's own per-step form is kept (None: reshaped)

    @property
    def reshaped(self) -> bool:
        return self.reason is None

    def line(self) -> str:
        status = (f"reshaped -> {self.wrapped} on (B*T, ...)" if self.reshaped
                  else f"Keras's per-step form kept ({self.reason})")
        return f"  {self.path:<32s} {'TimeDistributed':<16s} {self.output_shape:<22s} {status}"


def why_not_reshaped(wrapper: Any) -> str | None:
    """Why the wrapped layer cannot run on all time steps at once (None when it can).

    A stateful layer carries its state from one time step's call to the next in Keras's form, and
    its state is sized for B rows, not B*T: its result depends on the time axis.

    Example:
        >>> import keras
        >>> from tflite_rnn_ops.time_distributed import why_not_reshaped
        >>> why_not_reshaped(keras.layers.TimeDistributed(keras.layers.Dense(2))) is None
        True
    """
    for layer in wrapper.layer._flatten_layers(include_self=True, recursive=True):
        if getattr(layer, "stateful", False):
            return (f"wraps stateful layer {layer.name!r}, whose state runs from one time step "
                    "to the next")
    return None


def entry(wrapper: Any, path: str, output_shape: str) -> TimeDistributedEntry:
    return TimeDistributedEntry(path, type(wrapper.layer).__name__, output_shape,
                                why_not_reshaped(wrapper))


def _merge_time(x):
    """``(B, T, ...) -> (B*T, ...)``, keeping the static inner dimensions."""
    import tensorflow as tf

    inner = [d if d is not None else tf.shape(x)[i + 2] for i, d in enumerate(x.shape[2:])]
    return tf.reshape(x, [-1, *inner])


def _split_time(y, batch_and_time: list):
    """``(B*T, ...) -> (B, T, ...)``."""
    import tensorflow as tf

    inner = [d if d is not None else tf.shape(y)[i + 1] for i, d in enumerate(y.shape[1:])]
    return tf.reshape(y, [*batch_and_time, *inner])


def reshaped_call(wrapper: Any, inputs, training=None, mask=None):
    """``TimeDistributed.call`` in the reshape form; the wrapped layer gets what Keras gives it.

    Keras passes the wrapped layer the mask of each time step (``mask[:, t]``) when its ``call``
    takes one, and ``training`` when it takes that; here the mask's time steps are merged into
    the batch like the inputs'.
    """
    import tensorflow as tf

    batch_and_time = [d if d is not None else tf.shape(inputs)[i]
                      for i, d in enumerate(inputs.shape[:2])]
    kwargs = {}
    if wrapper.layer._call_has_mask_arg and mask is not None:
        kwargs["mask"] = _merge_time(mask)
    if wrapper.layer._call_has_training_arg:
        kwargs["training"] = training
    outputs = wrapper.layer.call(_merge_time(inputs), **kwargs)
    return tf.nest.map_structure(lambda y: _split_time(y, batch_and_time), outputs)


@contextlib.contextmanager
def attached(reshaped: set[int]) -> Iterator[None]:
    """Routes the ``TimeDistributed`` layers whose ids are in `reshaped` while a model is traced."""
    import keras
    import tensorflow as tf

    original = keras.layers.TimeDistributed.call

    def patched_call(self, inputs, training=None, mask=None):
        if id(self) in reshaped and tf.is_tensor(inputs) and len(inputs.shape) >= 3:
            return reshaped_call(self, inputs, training=training, mask=mask)
        return original(self, inputs, training=training, mask=mask)

    keras.layers.TimeDistributed.call = patched_call
    try:
        yield
    finally:
        keras.layers.TimeDistributed.call = original
