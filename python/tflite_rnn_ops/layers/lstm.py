"""``tflite_rnn_ops.layers.LSTM``: ``keras.layers.LSTM`` that converts to one fused custom op."""

from __future__ import annotations

from typing import Any

import keras

from tflite_rnn_ops.layers import base


@keras.saving.register_keras_serializable(package="tflite_rnn_ops")
class LSTM(base.FusedRNNMixin, keras.layers.LSTM):
    """Long Short-Term Memory layer that converts to the ``TFLiteRnnOps>LSTM`` custom op.

    Same arguments, weights and training behaviour as ``keras.layers.LSTM``. In inference (and in
    training without dropout) the recurrence runs as one composite TensorFlow function that the
    TFLite converter emits as a single fused custom op, instead of a WHILE loop.

    Supported activations: tanh, sigmoid, relu, hard_sigmoid, linear (Keras 3 definitions).

    Example:
        >>> import keras, numpy as np, tflite_rnn_ops as tro
        >>> inp = keras.Input((None, 8))
        >>> model = keras.Model(inp, tro.layers.LSTM(16, return_sequences=True)(inp))
        >>> tflite_bytes = tro.convert(model)
        >>> it = tro.Interpreter(model_content=tflite_bytes)
    """

    def __init__(self, units: int, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self._init_fused()
