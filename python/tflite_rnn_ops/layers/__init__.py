"""Keras 3 recurrent layers whose inner loop converts to one fused TFLite custom op."""

from tflite_rnn_ops.layers.bidirectional import Bidirectional
from tflite_rnn_ops.layers.gru import GRU
from tflite_rnn_ops.layers.lstm import LSTM
from tflite_rnn_ops.layers.simple_rnn import SimpleRNN

__all__ = ["Bidirectional", "GRU", "LSTM", "SimpleRNN"]
