"""Float64 NumPy oracles, test data and helpers shared by the kernel tests (test_kernels_*.py).

Oracles are written from the Keras 3 semantics (keras/src/backend/tensorflow/rnn.py loop,
keras/src/layers/rnn/*.py cells), TF1's LSTMCell extras (peepholes, clipping, projection) and
TF1's dynamic_rnn / reverse_sequence for per-example lengths. Tolerances are absolute and stated
next to each comparison.
"""

import math

import numpy as np
import pytest

from tflite_rnn_ops import _native

# Oracle vs ref and SIMD vs ref: float32 kernels, O(1) activations, sequences up to 200 steps.
SEQ_ATOL = 1e-5

SIMD_ISAS = ("avx2", "avx512", "neon")
ALL_ISAS = ("ref",) + SIMD_ISAS
KINDS = ("lstm", "gru", "rnn")
GATES = {"lstm": 4, "gru": 3, "rnn": 1}

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------------------------------------
# Activations (float64, Keras 3 definitions; see cc/kernels/activation.h)


def _softplus(z):
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _sigmoid(z):
    # Split by sign so exp never overflows (avoids warnings for |z| ~ 1e38).
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def _erfc(z):
    return np.frompyfunc(math.erfc, 1, 1)(z).astype(np.float64)


def _squareplus(z):
    s = np.sqrt(z * z + 4.0)
    with np.errstate(divide="ignore"):
        # For z < 0, (z + s) / 2 == 2 / (s - z) without the cancellation.
        return np.where(z < 0, 2.0 / (s - z), (z + s) / 2.0)


_EXACT = {
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda z: np.minimum(np.maximum(z + 3.0, 0.0), 6.0) / 6.0,
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
    "relu6": lambda z: np.minimum(np.maximum(z, 0.0), 6.0),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "selu": lambda z: _SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0.0))),
    "softplus": _softplus,
    "softsign": lambda z: z / (1.0 + np.abs(z)),
    "silu": lambda z: z * _sigmoid(z),
    "gelu": lambda z: z * 0.5 * _erfc(-z / np.sqrt(2.0)),
    "exponential": np.exp,
    "hard_silu": lambda z: z * np.minimum(np.maximum(z + 3.0, 0.0), 6.0) / 6.0,
    "mish": lambda z: z * np.tanh(_softplus(z)),
    "log_sigmoid": lambda z: -_softplus(-z),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),
    "hard_tanh": lambda z: np.clip(z, -1.0, 1.0),
    "tanh_shrink": lambda z: z - np.tanh(z),
    "soft_shrink": lambda z: np.where(z > 0.5, z - 0.5, np.where(z < -0.5, z + 0.5, 0.0)),
    "hard_shrink": lambda z: np.where(np.abs(z) > 0.5, z, 0.0),
    "sparse_plus": lambda z: np.where(z <= -1, 0.0, np.where(z < 1, 0.25 * (z + 1) ** 2, z)),
    "squareplus": _squareplus,
    "celu": lambda z: np.maximum(z, 0.0) + np.expm1(np.minimum(z, 0.0)),
    "sparse_sigmoid": lambda z: np.where(z <= -1, 0.0, np.where(z >= 1, 1.0, 0.5 * (z + 1))),
}
_EXACT["swish"] = _EXACT["silu"]
_EXACT["hard_swish"] = _EXACT["hard_silu"]

# Every name the kernels accept: canonical Keras names, then the two Keras aliases.
ACTIVATIONS = tuple(n for n in _EXACT if n not in ("swish", "hard_swish"))
ACTIVATION_ALIASES = {"swish": "silu", "hard_swish": "hard_silu"}


def exact_activation(name, z):
    with np.errstate(over="ignore", invalid="ignore"):
        return _EXACT[name](np.asarray(z, dtype=np.float64))


# ---------------------------------------------------------------------------------------------
# Sequence loops


def sequence_oracle(cell, x, mask, states, *, time_major=False, go_backwards=False,
                    return_sequences=False, zero_output_for_mask=False):
    """Keras 3 backend rnn loop: cell(x_t, states) -> (output, new_states), float64."""
    x = np.asarray(x, np.float64)
    if time_major:
        x = x.transpose(1, 0, 2)
        mask = None if mask is None else np.asarray(mask).T
    steps = x.shape[1]
    prev_out = np.zeros_like(states[0])
    outputs = []
    for t in (range(steps - 1, -1, -1) if go_backwards else range(steps)):
        out, new_states = cell(x[:, t], states)
        if mask is None:
            states = new_states
        else:
            valid = np.asarray(mask)[:, t].astype(bool)[:, None]
            out = np.where(valid, out, 0.0 if zero_output_for_mask else prev_out)
            states = [np.where(valid, n, s) for n, s in zip(new_states, states)]
        outputs.append(out)
        prev_out = out
    seq = np.stack(outputs, axis=1)  # iteration order, as Keras returns it
    if time_major:
        seq = seq.transpose(1, 0, 2)
    return ((seq if return_sequences else outputs[-1]),) + tuple(states)


def reverse_sequence(x, lengths):
    """tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0)."""
    out = np.array(x, copy=True)
    for b, n in enumerate(lengths):
        out[b, :n] = x[b, :n][::-1]
    return out


def dynamic_rnn(cell, x, lengths, states):
    """tf.compat.v1.nn.dynamic_rnn's loop (rnn.py _rnn_step) with sequence_length, batch-major.

    Steps at t >= len are copy-through: zero output, unchanged state.
    """
    outputs = []
    for t in range(x.shape[1]):
        out, new_states = cell(x[:, t], states)
        done = (t >= np.asarray(lengths))[:, None]
        outputs.append(np.where(done, 0.0, out))
        states = [np.where(done, s, n) for n, s in zip(new_states, states)]
    return np.stack(outputs, axis=1), states


def lengths_oracle(cell, x, lengths, states, *, time_major=False, go_backwards=False,
                   return_sequences=False, time_order=False, **_):
    """dynamic_rnn with sequence_length; go_backwards = bidirectional_dynamic_rnn's backward half
    (reverse_sequence, dynamic_rnn, and with time_order reverse_sequence back)."""
    x = np.asarray(x, np.float64)
    if time_major:
        x = x.transpose(1, 0, 2)
    if go_backwards:
        x = reverse_sequence(x, lengths)
    seq, states = dynamic_rnn(cell, x, lengths, states)
    last = np.stack([seq[b, n - 1] if n > 0 else np.zeros(seq.shape[2])
                     for b, n in enumerate(lengths)]) if seq.shape[1] else states[0] * 0
    if go_backwards and time_order:
        seq = reverse_sequence(seq, lengths)
    if time_major:
        seq = seq.transpose(1, 0, 2)
    return ((seq if return_sequences else last),) + tuple(states)


def _run_loop(cell, x, mask, lengths, states, flags):
    if lengths is not None:
        return lengths_oracle(cell, x, lengths, states, **flags)
    flags = {k: v for k, v in flags.items() if k != "time_order"}
    return sequence_oracle(cell, x, mask, states, **flags)


# ---------------------------------------------------------------------------------------------
# Cells


def _f64(a):
    return None if a is None else np.asarray(a, np.float64)


def _matrix(a):
    """A weight matrix for the oracles' `rows @ matrix`: float64, or a model of a quantized
    storage that implements the product itself (quant_oracles.Int8Matrix)."""
    return a if hasattr(a, "__rmatmul__") and not isinstance(a, np.ndarray) else _f64(a)


def _initial(batch, width, s):
    return np.zeros((batch, width)) if s is None else _f64(s)


def _batch(x, flags):
    return x.shape[1] if flags.get("time_major") else x.shape[0]


def lstm_oracle(x, kernel, recurrent_kernel, bias=None, mask=None, h0=None, c0=None, *,
                activation="tanh", recurrent_activation="sigmoid", lengths=None,
                w_i_diag=None, w_f_diag=None, w_o_diag=None, projection=None, cell_clip=0.0,
                proj_clip=0.0, **flags):
    """Keras 3 LSTMCell (keras/src/layers/rnn/lstm.py), plus TF1 LSTMCell's peepholes, cell
    clip and projection (tensorflow/python/keras/layers/legacy_rnn/rnn_cell_impl.py) in Keras's
    i | f | c | o gate order."""
    k, r, proj = _matrix(kernel), _matrix(recurrent_kernel), _matrix(projection)
    units = k.shape[1] // 4
    b = np.zeros(4 * units) if bias is None else _f64(bias)
    act = lambda z: exact_activation(activation, z)  # noqa: E731
    ract = lambda z: exact_activation(recurrent_activation, z)  # noqa: E731
    peep = w_i_diag is not None

    def cell(x_t, states):
        h, c = states
        zi, zf, zc, zo = np.split(x_t @ k + h @ r + b, 4, axis=1)
        if peep:
            zi, zf = zi + _f64(w_i_diag) * c, zf + _f64(w_f_diag) * c
        c_new = ract(zf) * c + ract(zi) * act(zc)
        if cell_clip:
            c_new = np.clip(c_new, -cell_clip, cell_clip)
        if peep:
            zo = zo + _f64(w_o_diag) * c_new
        h_new = ract(zo) * act(c_new)
        if proj is not None:
            h_new = h_new @ proj
            if proj_clip:
                h_new = np.clip(h_new, -proj_clip, proj_clip)
        return h_new, [h_new, c_new]

    batch = _batch(x, flags)
    h_width = units if proj is None else proj.shape[1]
    states = [_initial(batch, h_width, h0), _initial(batch, units, c0)]
    return _run_loop(cell, x, mask, lengths, states, flags)


def gru_oracle(x, kernel, recurrent_kernel, bias=None, mask=None, h0=None, *,
               activation="tanh", recurrent_activation="sigmoid", reset_after=True,
               lengths=None, **flags):
    """Keras 3 GRUCell (keras/src/layers/rnn/gru.py), z | r | h gate order."""
    k, r = _matrix(kernel), _matrix(recurrent_kernel)
    units = r.shape[0]
    if bias is None:
        b_in, b_rec = np.zeros(3 * units), np.zeros(3 * units)
    elif reset_after:
        b_in, b_rec = _f64(bias)[0], _f64(bias)[1]
    else:
        b_in, b_rec = _f64(bias), np.zeros(3 * units)
    act = lambda z: exact_activation(activation, z)  # noqa: E731
    ract = lambda z: exact_activation(recurrent_activation, z)  # noqa: E731

    def cell(x_t, states):
        (h,) = states
        x_z, x_r, x_h = np.split(x_t @ k + b_in, 3, axis=1)
        z = ract(x_z + h @ r[:, :units] + b_rec[:units])
        rr = ract(x_r + h @ r[:, units:2 * units] + b_rec[units:2 * units])
        if reset_after:
            hh = act(x_h + rr * (h @ r[:, 2 * units:] + b_rec[2 * units:]))
        else:
            hh = act(x_h + (rr * h) @ r[:, 2 * units:])
        h_new = z * h + (1 - z) * hh
        return h_new, [h_new]

    states = [_initial(_batch(x, flags), units, h0)]
    return _run_loop(cell, x, mask, lengths, states, flags)


def rnn_oracle(x, kernel, recurrent_kernel, bias=None, mask=None, h0=None, *,
               activation="tanh", lengths=None, **flags):
    """Keras 3 SimpleRNNCell (keras/src/layers/rnn/simple_rnn.py)."""
    k, r = _matrix(kernel), _matrix(recurrent_kernel)
    units = r.shape[0]
    b = np.zeros(units) if bias is None else _f64(bias)

    def cell(x_t, states):
        h_new = exact_activation(activation, x_t @ k + b + states[0] @ r)
        return h_new, [h_new]

    states = [_initial(_batch(x, flags), units, h0)]
    return _run_loop(cell, x, mask, lengths, states, flags)


ORACLES = {"lstm": lstm_oracle, "gru": gru_oracle, "rnn": rnn_oracle}


# ---------------------------------------------------------------------------------------------
# Data


def make_case(kind, seed, batch, steps, features, units, *, with_mask=False, with_state=False,
              with_bias=True, time_major=False, reset_after=True, recurrent_gain=None,
              peepholes=False, num_proj=0):
    """Weights scaled by 1/sqrt(fan-in) so pre-activations stay O(1) at any size.

    A SimpleRNN with recurrent gain 2 is chaotic (float32 rounding differences grow
    exponentially along the sequence), so it defaults to a contractive 0.8. peepholes and
    num_proj (LSTM only) add TF1 LSTMCell weights; with num_proj the recurrent kernel and h0 are
    num_proj wide.
    """
    if recurrent_gain is None:
        recurrent_gain = 0.8 if kind == "rnn" else 2.0
    rng = np.random.default_rng(seed)
    gates = GATES[kind]
    h_width = num_proj or units
    scale = 1.0 / np.sqrt(features + h_width)
    f32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
    x_shape = (steps, batch, features) if time_major else (batch, steps, features)
    bias_shape = (2, gates * units) if kind == "gru" and reset_after else (gates * units,)
    case = dict(
        x=f32(rng.standard_normal(x_shape)),
        kernel=f32(rng.standard_normal((features, gates * units)) * 2 * scale),
        recurrent_kernel=f32(rng.standard_normal((h_width, gates * units)) * recurrent_gain
                             * scale),
        bias=f32(rng.standard_normal(bias_shape) * 0.5) if with_bias else None,
        mask=None, h0=None,
    )
    if kind == "lstm":
        case["c0"] = None
    if peepholes:
        for key in ("w_i_diag", "w_f_diag", "w_o_diag"):
            case[key] = f32(rng.standard_normal(units) * 0.7)
    if num_proj:
        case["projection"] = f32(rng.standard_normal((units, num_proj)) * 1.5 / np.sqrt(units))
    if with_mask:
        m = rng.random((batch, steps)) > 0.3
        m[0, : max(1, steps // 3)] = False  # leading padding: outputs must start at zeros
        if batch > 1:
            m[1, -max(1, steps // 4):] = False  # trailing padding: last output is carried
        if steps > 2:
            m[:, steps // 2] = False  # a step where every row is masked
        case["mask"] = np.ascontiguousarray(m.T if time_major else m)
    if with_state:
        case["h0"] = f32(rng.standard_normal((batch, h_width)) * 0.5)
        if kind == "lstm":
            case["c0"] = f32(rng.standard_normal((batch, units)) * 0.5)
    return case


def make_lstm_case(seed, batch, steps, features, units, **kw):
    return make_case("lstm", seed, batch, steps, features, units, **kw)


def make_lengths(seed, batch, steps):
    """Lengths covering 0, T and values between (T must be >= 1 for a nonzero length)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, steps + 1, size=batch)
    lengths[0] = steps
    if batch > 1:
        lengths[1] = 0
    if batch > 2:
        lengths[2] = min(1, steps)
    return lengths.astype(np.int32)


_EXTRA_KEYS = ("w_i_diag", "w_f_diag", "w_o_diag", "projection", "kernel_scale",
               "recurrent_kernel_scale", "projection_scale")


def run_kernel(kind, isa, case, **options):
    fn = getattr(_native, f"{kind}_forward")
    states = (case["h0"], case["c0"]) if kind == "lstm" else (case["h0"],)
    extras = {k: case[k] for k in _EXTRA_KEYS if case.get(k) is not None}
    return fn(isa, case["x"], case["kernel"], case["recurrent_kernel"], case["bias"],
              case["mask"], *states, **extras, **options)


def run_lstm(isa, case, **options):
    return run_kernel("lstm", isa, case, **options)


def options_for(kind, options):
    """Drops LSTM/GRU-only options for kinds that lack them."""
    out = dict(options)
    if kind == "rnn":
        out.pop("recurrent_activation", None)
    if kind != "gru":
        out.pop("reset_after", None)
    if kind == "gru" and out.get("recurrent_activation") == "relu":
        # An unbounded update gate z makes z*h + (1-z)*hh diverge; not a meaningful test.
        out["recurrent_activation"] = "hard_sigmoid"
    return out


def assert_close(actual, expected, atol, what):
    assert len(actual) == len(expected), what
    for index, (a, e) in enumerate(zip(actual, expected)):
        name = ("output", "h", "c")[index]
        assert a.shape == e.shape, f"{what}: {name} shape {a.shape} != {e.shape}"
        err = float(np.max(np.abs(a.astype(np.float64) - e))) if a.size else 0.0
        assert err <= atol, f"{what}: {name} max abs error {err:.3g} > {atol}"


def bidirectional_call(isa, kind, fw, bw, **options):
    """_native.bidirectional_forward with the per-direction dicts built from two cases."""
    keys = ("kernel", "recurrent_kernel", "bias", "h0", "c0") + _EXTRA_KEYS
    pick = lambda c: {k: c[k] for k in keys if c.get(k) is not None}  # noqa: E731
    return _native.bidirectional_forward(isa, kind, fw["x"], pick(fw), pick(bw), fw["mask"],
                                         **options)


def require_isa(isa):
    if isa != "ref" and not _native.isa_available(isa):
        pytest.skip(f"{isa} is not supported by this CPU/build "
                    "(test_supported_isas_are_built fails if the CPU has it)")
