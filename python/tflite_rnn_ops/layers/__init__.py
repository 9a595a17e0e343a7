"""Keras 3 recurrent layers whose inner loop converts to one fused TFLite custom op."""

from tflite_rnn_ops.layers.lstm import LSTM

__all__ = ["LSTM"]
