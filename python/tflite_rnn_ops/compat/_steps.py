"""TensorFlow step functions and sequence bodies of the TF1-compatible cells (op weight layout).

A step is ``step(inputs, states) -> (output, new_states)`` with states in the op's order (h, then c
for the LSTM). The bodies run a whole sequence (one or two directions) and are what TensorFlow
executes inside the composite function that the converter replaces by one fused op.
"""

from __future__ import annotations

from typing import Callable, Sequence

from tflite_rnn_ops import _contract


def tf_activation(name: str) -> Callable:
    """The TensorFlow function of a contract activation name (tanh, relu, sigmoid, linear)."""
    import tensorflow as tf

    return {"tanh": tf.tanh, "relu": tf.nn.relu, "sigmoid": tf.sigmoid, "linear": tf.identity}[name]


def lstm_step(
    activation: str,
    use_peepholes: bool = False,
    cell_clip: float | None = None,
    num_proj: int | None = None,
    proj_clip: float | None = None,
) -> Callable:
    """LSTM step on op-layout weights (gates i|f|c|o, forget bias already folded into the bias).

    ``make(kernel, recurrent_kernel, bias, [w_i_diag, w_f_diag, w_o_diag], [projection])``. The
    recurrence is TF1 ``LSTMCell``'s: peepholes on the input and forget gates see the previous c,
    the output gate sees the new c; c is clipped right after it is computed; h is projected and
    then clipped.
    """
    act = tf_activation(activation)

    def make(kernel, recurrent_kernel, bias, *extras) -> Callable:
        import tensorflow as tf

        w_i, w_f, w_o = extras[:3] if use_peepholes else (None, None, None)
        projection = extras[-1] if num_proj else None

        def step(inputs, states):
            h_prev, c_prev = states
            z = tf.matmul(inputs, kernel) + tf.matmul(h_prev, recurrent_kernel) + bias
            z_i, z_f, z_c, z_o = tf.split(z, 4, axis=1)
            if use_peepholes:
                z_i, z_f = z_i + w_i * c_prev, z_f + w_f * c_prev
            c = tf.sigmoid(z_f) * c_prev + tf.sigmoid(z_i) * act(z_c)
            if cell_clip:
                c = tf.clip_by_value(c, -cell_clip, cell_clip)
            if use_peepholes:
                z_o = z_o + w_o * c
            h = tf.sigmoid(z_o) * act(c)
            if projection is not None:
                h = tf.matmul(h, projection)
                if proj_clip:
                    h = tf.clip_by_value(h, -proj_clip, proj_clip)
            return h, [h, c]

        return step

    return make


def _lengths_mask(lengths, x, time_major: bool):
    import tensorflow as tf

    mask = tf.sequence_mask(lengths, tf.shape(x)[0 if time_major else 1])
    return tf.transpose(mask) if time_major else mask


def sequence_body(
    makers: Sequence[Callable],
    *,
    num_weights: int,
    state_sizes: Sequence[int],
    mask_kind: str,
    has_state: bool,
    time_major: bool,
    backwards: Sequence[bool],
    merge_mode: str,
) -> Callable:
    """TensorFlow body of a one- or two-direction op.

    ``body(x, *weights_per_direction, [mask | lengths], [*states_per_direction])
    -> (*sequence_outputs, *final_states_per_direction)``. A direction with ``backwards`` iterates
    from the last step and its outputs are put back in time order. Masked steps (``t >= length``)
    output zeros and carry the state, so a backward direction over a padded batch reverses each
    example within its own length, as ``tf.compat.v1.nn.bidirectional_dynamic_rnn`` does.
    """
    num_states = len(state_sizes)

    def body(x, *args):
        import tensorflow as tf
        from keras.src.backend.tensorflow.rnn import rnn as keras_tf_rnn

        directions = len(makers)
        weights = [args[d * num_weights:(d + 1) * num_weights] for d in range(directions)]
        rest = list(args[directions * num_weights:])
        mask = None
        if mask_kind == _contract.MASK_STEPS:
            mask = rest.pop(0)
        elif mask_kind == _contract.MASK_LENGTHS:
            mask = _lengths_mask(rest.pop(0), x, time_major)
        if time_major:
            # Keras 3's rnn caps the loop at inputs.shape[1] even when time_major (its batch
            # dim), so run it batch-major and transpose back.
            x = tf.transpose(x, [1, 0, 2])
            mask = None if mask is None else tf.transpose(mask)
        batch = tf.shape(x)[0]
        sequences, finals = [], []
        for d in range(directions):
            if has_state:
                states = rest[d * num_states:(d + 1) * num_states]
            else:
                states = [tf.zeros(tf.stack([batch, size]), x.dtype) for size in state_sizes]
            _, y, final = keras_tf_rnn(
                makers[d](*weights[d]), x, list(states), go_backwards=backwards[d], mask=mask,
                zero_output_for_mask=mask is not None, return_all_outputs=True,
            )
            sequences.append(tf.reverse(y, [1]) if backwards[d] else y)
            finals.extend(final)
        if merge_mode == "concat" and directions == 2:
            sequences = [tf.concat(sequences, axis=-1)]
        if time_major:
            sequences = [tf.transpose(y, [1, 0, 2]) for y in sequences]
        return (*sequences, *finals)

    return body
