"""``tflite_rnn_ops.layers.GRU``: ``keras.layers.GRU`` that converts to one fused custom op."""

from __future__ import annotations

from typing import Any

import keras

from tflite_rnn_ops.layers import base


@keras.saving.register_keras_serializable(package="tflite_rnn_ops")
class GRU(base.FusedRNNMixin, keras.layers.GRU):
    """Gated Recurrent Unit layer that converts to the ``TFLiteRnnOps>GRU`` custom op.

    Same arguments, weights and training behaviour as ``keras.layers.GRU``, both formulations:
    ``reset_after=True`` (Keras default, bias of shape ``(2, 3 * units)``) and
    ``reset_after=False`` (the TF1 ``GRUCell`` form, bias ``(3 * units,)``).

    Example:
        >>> import keras, tflite_rnn_ops as tro
        >>> inp = keras.Input((None, 8))
        >>> model = keras.Model(inp, tro.layers.GRU(16)(inp))
        >>> tflite_bytes = tro.convert(model)
    """

    def __init__(self, units: int, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self._init_fused()
