"""``tflite_rnn_ops.layers.GRU``: ``keras.layers.GRU`` that converts to one fused custom op."""

from __future__ import annotations

from typing import Any

import keras

from tflite_rnn_ops import _contract
from tflite_rnn_ops.layers import base, cells


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

    _op_name = _contract.GRU_OP
    _num_states = 1

    def __init__(self, units: int, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self._init_fused(("activation", "recurrent_activation"))

    def _cell_attrs(self) -> dict[str, Any]:
        return {**self._tro_activations, _contract.ATTR_RESET_AFTER: bool(self.reset_after)}

    def _make_step(self):
        return cells.gru_step(reset_after=bool(self.reset_after), **self._tro_activations)

    def _fused_weights(self) -> list:
        import tensorflow as tf

        bias_shape = [2, 3 * self.units] if self.reset_after else [3 * self.units]
        return [
            tf.convert_to_tensor(self.cell.kernel),
            tf.convert_to_tensor(self.cell.recurrent_kernel),
            self.bias_tensor(bias_shape),
        ]
