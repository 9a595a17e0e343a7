"""TensorFlow step functions of the three cells on explicit weight tensors (Keras 3 math).

They are the bodies of the fused composite functions: what TensorFlow runs (and differentiates)
for our layers, and what the custom op replaces after conversion. Each follows Keras's
``implementation=2`` cell exactly, so TF-side outputs equal Keras's own.
"""

from __future__ import annotations

from typing import Callable

import keras

Step = Callable  # (inputs, states) -> (output, new_states)


def lstm_step(activation: str, recurrent_activation: str) -> Callable[..., Step]:
    act, ract = keras.activations.get(activation), keras.activations.get(recurrent_activation)

    def make(kernel, recurrent_kernel, bias) -> Step:
        import tensorflow as tf

        def step(inputs, states):
            h_tm1, c_tm1 = states
            z = tf.matmul(inputs, kernel)
            z = z + tf.matmul(h_tm1, recurrent_kernel)
            z = z + bias
            z_i, z_f, z_c, z_o = tf.split(z, 4, axis=1)
            c = ract(z_f) * c_tm1 + ract(z_i) * act(z_c)
            h = ract(z_o) * act(c)
            return h, [h, c]

        return step

    return make


def gru_step(activation: str, recurrent_activation: str, reset_after: bool) -> Callable[..., Step]:
    act, ract = keras.activations.get(activation), keras.activations.get(recurrent_activation)

    def make(kernel, recurrent_kernel, bias) -> Step:
        import tensorflow as tf

        units = recurrent_kernel.shape[0]
        if reset_after:
            input_bias, recurrent_bias = bias[0], bias[1]
        else:
            input_bias, recurrent_bias = bias, None

        def step(inputs, states):
            (h_tm1,) = states
            x_z, x_r, x_h = tf.split(tf.matmul(inputs, kernel) + input_bias, 3, axis=-1)
            if reset_after:
                inner = tf.matmul(h_tm1, recurrent_kernel) + recurrent_bias
            else:
                inner = tf.matmul(h_tm1, recurrent_kernel[:, : 2 * units])
            z = ract(x_z + inner[:, :units])
            r = ract(x_r + inner[:, units : 2 * units])
            if reset_after:
                rh = r * inner[:, 2 * units :]
            else:
                rh = tf.matmul(r * h_tm1, recurrent_kernel[:, 2 * units :])
            hh = act(x_h + rh)
            h = z * h_tm1 + (1 - z) * hh
            return h, [h]

        return step

    return make


def simple_rnn_step(activation: str) -> Callable[..., Step]:
    act = keras.activations.get(activation)

    def make(kernel, recurrent_kernel, bias) -> Step:
        import tensorflow as tf

        def step(inputs, states):
            (h_tm1,) = states
            h = tf.matmul(inputs, kernel) + bias
            h = act(h + tf.matmul(h_tm1, recurrent_kernel))
            return h, [h]

        return step

    return make
