"""``tflite_rnn_ops.layers.SimpleRNN``: ``keras.layers.SimpleRNN`` as one fused custom op."""

from __future__ import annotations

from typing import Any

import keras

from tflite_rnn_ops.layers import base


@keras.saving.register_keras_serializable(package="tflite_rnn_ops")
class SimpleRNN(base.FusedRNNMixin, keras.layers.SimpleRNN):
    """Fully-connected RNN layer that converts to the ``TFLiteRnnOps>RNN`` custom op.

    Same arguments, weights and training behaviour as ``keras.layers.SimpleRNN``. Activations:
    tanh, relu, sigmoid, linear (and hard_sigmoid).

    Example:
        >>> import keras, tflite_rnn_ops as tro
        >>> inp = keras.Input((None, 8))
        >>> model = keras.Model(inp, tro.layers.SimpleRNN(16, activation="relu")(inp))
        >>> tflite_bytes = tro.convert(model)
    """

    def __init__(self, units: int, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self._init_fused()
