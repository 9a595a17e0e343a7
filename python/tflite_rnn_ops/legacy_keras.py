"""tf_keras (Keras 2, ``TF_USE_LEGACY_KERAS=1``) models: their RNN layers through our fused ops.

tf_keras layers have no ``inner_loop`` to route, so during the export trace we replace the
``call`` of the tf_keras RNN classes, for the planned layers only, with one that does the same
input and state handling and runs the recurrence as our fused op. Bidirectional wrappers call
their two layers, so each direction becomes its own fused op.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any, Iterator


def loaded() -> Any:
    """The tf_keras layers module if the user's program has imported tf_keras, else None."""
    if "tf_keras" not in sys.modules:
        return None
    import tf_keras

    return tf_keras.layers


def rnn_classes() -> tuple:
    layers = loaded()
    return (layers.RNN,) if layers is not None else ()


def bidirectional_classes() -> tuple:
    layers = loaded()
    return (layers.Bidirectional,) if layers is not None else ()


def cell_classes() -> dict:
    """tf_keras cell class -> the Keras 3 cell class with the same math."""
    import keras

    layers = loaded()
    if layers is None:
        return {}
    return {layers.LSTMCell: keras.layers.LSTMCell, layers.GRUCell: keras.layers.GRUCell,
            layers.SimpleRNNCell: keras.layers.SimpleRNNCell}


def _fused_call(loop, layer, inputs, mask, initial_state):
    import tensorflow as tf

    default_state = initial_state is None and not layer.stateful
    inputs, initial_state, _ = layer._process_inputs(inputs, initial_state, None)
    if isinstance(mask, list):
        mask = mask[0]
    loop.default_state = default_state
    try:
        last_output, outputs, states = loop.run(inputs, initial_state, mask)
    finally:
        loop.default_state = False
    if layer.stateful:
        layer.add_update([tf.compat.v1.assign(v, tf.cast(s, v.dtype))
                          for v, s in zip(layer.states, states)])
    output = outputs if layer.return_sequences else last_output
    return [output, *states] if layer.return_state else output


@contextlib.contextmanager
def attached(loops: dict) -> Iterator[None]:
    """Routes the planned tf_keras layers (``loops``: id(layer) -> FusedLoop) while tracing."""
    layers = loaded()
    if layers is None or not loops:
        yield
        return
    classes = [layers.RNN, layers.LSTM, layers.GRU, layers.SimpleRNN]
    originals = {cls: cls.__dict__["call"] for cls in classes if "call" in cls.__dict__}

    def make(original):
        def call(self, inputs, mask=None, training=None, initial_state=None, **kwargs):
            loop = loops.get(id(self))
            if loop is None or kwargs or not loop.available(inputs.dtype, training):
                return original(self, inputs, mask=mask, training=training,
                                initial_state=initial_state, **kwargs)
            return _fused_call(loop, self, inputs, mask, initial_state)
        return call

    for cls, original in originals.items():
        cls.call = make(original)
    try:
        yield
    finally:
        for cls, original in originals.items():
            cls.call = original
