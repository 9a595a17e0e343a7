"""``tflite_rnn_ops.layers.Bidirectional``: both directions of one of our layers as ONE fused op."""

from __future__ import annotations

from typing import Any

import keras

from tflite_rnn_ops import _contract
from tflite_rnn_ops.layers import base


@keras.saving.register_keras_serializable(package="tflite_rnn_ops")
class Bidirectional(keras.layers.Bidirectional):
    """``keras.layers.Bidirectional`` over our LSTM, GRU or SimpleRNN, converting to one op.

    Same arguments as Keras's (``merge_mode`` concat / sum / mul / ave / None, ``backward_layer``,
    ``return_state`` through the wrapped layer). The op runs the two recurrences interleaved in one
    invocation. When the two directions cannot share one op (a ``backward_layer`` of another
    type or configuration, or ``stateful=True``), each direction becomes its own fused op instead;
    ``tro.convert`` reports the count either way.

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
        self._tro_fns = base.FusedFunctionCache()

    @property
    def fuses_both_directions(self) -> bool:
        """True when one op can run both directions (same layer type and configuration)."""
        fw, bw = self.forward_layer, self.backward_layer
        if type(fw) is not type(bw) or fw.stateful or fw.go_backwards or not bw.go_backwards:
            return False
        fw_attrs, bw_attrs = fw.sequence_attrs(False, False), bw.sequence_attrs(False, False)
        fw_attrs.pop(_contract.ATTR_GO_BACKWARDS)
        bw_attrs.pop(_contract.ATTR_GO_BACKWARDS)
        return fw_attrs == bw_attrs

    def call(self, sequences, initial_state=None, mask=None, training=None):
        fw, bw = self.forward_layer, self.backward_layer
        if not (self.fuses_both_directions
                and fw.fused_path_available(sequences.dtype, training)
                and bw.fused_path_available(sequences.dtype, training)):
            return super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        import tensorflow as tf

        has_mask, has_state = mask is not None, initial_state is not None
        fn = self._tro_fns.get((has_mask, has_state), lambda: self._make_fused_fn(has_mask, has_state))
        args = [sequences, *fw._fused_weights(), *bw._fused_weights()]
        if has_mask:
            args.append(tf.cast(mask[0] if isinstance(mask, (list, tuple)) else mask, tf.bool))
        if has_state:
            args += list(initial_state)
        outputs = fn(*args)
        n_seq = 2 if self.merge_mode is None else 1
        output, states = tuple(outputs[:n_seq]), tuple(outputs[n_seq:])
        if self.return_state:
            return output + states
        return output if self.merge_mode is None else output[0]

    def _make_fused_fn(self, has_mask: bool, has_state: bool):
        fw, bw = self.forward_layer, self.backward_layer
        merge = "none" if self.merge_mode is None else self.merge_mode
        attrs = {
            **fw.sequence_attrs(has_mask, has_state),
            _contract.ATTR_DIRECTION: _contract.DIRECTION_BIDIRECTIONAL,
            _contract.ATTR_MERGE_MODE: merge,
        }
        body = base.bidirectional_body(
            fw._make_step(), bw._make_step(), merge_mode=merge, num_states=fw._num_states,
            return_sequences=bool(fw.return_sequences), has_mask=has_mask, has_state=has_state,
            units=int(fw.units), zero_output_for_mask=bool(fw.zero_output_for_mask), time_major=False,
        )
        return base.fused_function(fw._op_name, attrs, body)
