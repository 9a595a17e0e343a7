"""``tflite_rnn_ops.layers.LSTM``: ``keras.layers.LSTM`` that converts to one fused custom op."""

from __future__ import annotations

from typing import Any

import keras

from tflite_rnn_ops import _contract
from tflite_rnn_ops.layers import base


@keras.saving.register_keras_serializable(package="tflite_rnn_ops")
class LSTM(keras.layers.LSTM):
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
        self._tro_activation = base.check_activation(self.name, "activation", self.activation)
        self._tro_recurrent_activation = base.check_activation(
            self.name, "recurrent_activation", self.recurrent_activation
        )
        self._tro_fns = base.FusedFunctionCache()
        self._tro_default_state = False

    def call(self, sequences, initial_state=None, mask=None, training=False):
        # RNN.call always materialises zero initial states; remember whether they are only that,
        # so the op does not take two extra inputs computed by FILL ops.
        self._tro_default_state = initial_state is None and not self.stateful
        try:
            return super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        finally:
            self._tro_default_state = False

    def _uses_fused_path(self, sequences, training) -> bool:
        dropout_active = bool(training) and (self.dropout > 0 or self.recurrent_dropout > 0)
        return (
            keras.backend.backend() == "tensorflow"
            and not dropout_active
            and self.compute_dtype == "float32"
            and sequences.dtype == "float32"
        )

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if not self._uses_fused_path(sequences, training):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        import tensorflow as tf

        has_mask = mask is not None
        has_state = not self._tro_default_state
        fn = self._tro_fns.get((has_mask, has_state), lambda: self._make_fused_fn(has_mask, has_state))
        bias = self.cell.bias if self.use_bias else tf.zeros([4 * self.units], self.compute_dtype)
        args = [
            sequences,
            tf.convert_to_tensor(self.cell.kernel),
            tf.convert_to_tensor(self.cell.recurrent_kernel),
            tf.convert_to_tensor(bias),
        ]
        if has_mask:
            args.append(tf.cast(mask, tf.bool))
        if has_state:
            args += [initial_state[0], initial_state[1]]
        output, h, c = fn(*args)
        last_output = output[:, -1] if self.return_sequences else output
        return last_output, output, [h, c]

    def _make_fused_fn(self, has_mask: bool, has_state: bool):
        attrs = {
            _contract.ATTR_UNITS: int(self.units),
            _contract.ATTR_ACTIVATION: self._tro_activation,
            _contract.ATTR_RECURRENT_ACTIVATION: self._tro_recurrent_activation,
            _contract.ATTR_TIME_MAJOR: False,
            _contract.ATTR_GO_BACKWARDS: bool(self.go_backwards),
            _contract.ATTR_RETURN_SEQUENCES: bool(self.return_sequences),
            _contract.ATTR_ZERO_OUTPUT_FOR_MASK: bool(self.zero_output_for_mask),
            _contract.ATTR_MASK: _contract.MASK_STEPS if has_mask else _contract.MASK_NONE,
            _contract.ATTR_INITIAL_STATE: has_state,
        }
        body = lstm_reference_body(
            units=int(self.units),
            activation=self._tro_activation,
            recurrent_activation=self._tro_recurrent_activation,
            go_backwards=bool(self.go_backwards),
            return_sequences=bool(self.return_sequences),
            zero_output_for_mask=bool(self.zero_output_for_mask),
            time_major=False,
            has_mask=has_mask,
            has_state=has_state,
        )
        return base.fused_function(_contract.LSTM_OP, attrs, body)


def lstm_reference_body(
    *,
    units: int,
    activation: str,
    recurrent_activation: str,
    go_backwards: bool,
    return_sequences: bool,
    zero_output_for_mask: bool,
    time_major: bool,
    has_mask: bool,
    has_state: bool,
):
    """TensorFlow body of the fused op: the exact Keras 3 LSTM recurrence on explicit tensors.

    Returns ``body(x, kernel, recurrent_kernel, bias, [mask], [h0, c0]) -> (output, h, c)``.
    """
    import tensorflow as tf
    from keras.src.backend.tensorflow.rnn import rnn as keras_tf_rnn

    act = keras.activations.get(activation)
    ract = keras.activations.get(recurrent_activation)

    def body(x, kernel, recurrent_kernel, bias, *optional):
        optional = list(optional)
        mask = optional.pop(0) if has_mask else None
        batch = tf.shape(x)[1 if time_major else 0]
        if has_state:
            h0, c0 = optional
        else:
            h0 = c0 = tf.zeros(tf.stack([batch, units]), x.dtype)

        def step(inputs, states):
            h_tm1, c_tm1 = states
            z = tf.matmul(inputs, kernel)
            z = z + tf.matmul(h_tm1, recurrent_kernel)
            z = z + bias
            z_i, z_f, z_c, z_o = tf.split(z, 4, axis=1)
            c = ract(z_f) * c_tm1 + ract(z_i) * act(z_c)
            h = ract(z_o) * act(c)
            return h, [h, c]

        last, outputs, (h, c) = keras_tf_rnn(
            step,
            x,
            [h0, c0],
            go_backwards=go_backwards,
            mask=mask,
            time_major=time_major,
            zero_output_for_mask=zero_output_for_mask,
            return_all_outputs=return_sequences,
        )
        return (outputs if return_sequences else last), h, c

    return body
