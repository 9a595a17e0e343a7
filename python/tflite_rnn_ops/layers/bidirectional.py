"""``tflite_rnn_ops.layers.Bidirectional``: both directions of one of our layers as ONE fused op."""

from __future__ import annotations

from typing import Any

import keras

from tflite_rnn_ops.layers import base
from tflite_rnn_ops.layers.fused_loop import FusedBidirectional


@keras.saving.register_keras_serializable(package="tflite_rnn_ops")
class Bidirectional(keras.layers.Bidirectional):
    """``keras.layers.Bidirectional`` over our LSTM, GRU or SimpleRNN, converting to one op.

    Same arguments as Keras's (``merge_mode`` concat / sum / mul / ave / None, ``backward_layer``,
    ``return_state`` through the wrapped layer). The op runs both recurrences in one invocation
    (with ``num_threads`` >= 2, a thread each). When the two directions cannot share one op (a
    ``backward_layer`` of another type or configuration, or ``stateful=True``), each direction
    becomes its own fused op instead.

    Example:
        >>> import keras, tflite_rnn_ops as tro
        >>> inp = keras.Input((None, 8))
        >>> out = tro.layers.Bidirectional(tro.layers.LSTM(16, return_sequences=True))(inp)
        >>> tflite_bytes = tro.convert(keras.Model(inp, out))
    """

    def __init__(self, layer, merge_mode: str | None = "concat", weights=None,
                 backward_layer=None, **kwargs: Any) -> None:
        for name, value in (("layer", layer), ("backward_layer", backward_layer)):
            if value is not None and not isinstance(value, base.FusedRNNMixin):
                raise ValueError(
                    f"Bidirectional: `{name}` must be a tflite_rnn_ops layer (tro.layers.LSTM, GRU "
                    f"or SimpleRNN); received {name}={value!r}"
                )
        super().__init__(layer, merge_mode=merge_mode, weights=weights,
                         backward_layer=backward_layer, **kwargs)
        self._tro_pair = FusedBidirectional(self, self.forward_layer._tro_loop,
                                            self.backward_layer._tro_loop)

    @property
    def fuses_both_directions(self) -> bool:
        """True when one op can run both directions (same layer type and configuration)."""
        return self._tro_pair.unsupported is None

    def call(self, sequences, initial_state=None, mask=None, training=None):
        if self._tro_pair.available(sequences.dtype, training):
            return self._tro_pair.call(sequences, initial_state, mask)
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)
