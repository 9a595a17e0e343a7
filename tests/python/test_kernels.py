"""Kernel-core tests through tflite_rnn_ops._native.

Three layers of checking:
  * a float64 NumPy oracle written from the Keras 3 semantics vs the portable 'ref' kernels,
  * every SIMD variant the CPU supports vs 'ref' (the ref path is the SIMD oracle),
  * the vectorised activations vs exact float64 functions.
Tolerances are absolute and stated next to each comparison.
"""

import os
import platform
import subprocess
import sys

import numpy as np
import pytest

from tflite_rnn_ops import _native

# Oracle vs ref and SIMD vs ref: float32 kernels, O(1) activations, sequences up to 200 steps.
SEQ_ATOL = 1e-5
# Vectorised sigmoid/tanh vs exact float64 (float32 rounding alone is up to 6e-8 near 1).
SMOOTH_ACT_ATOL = 2e-7
# hard_sigmoid: two float32 roundings (x + 3 and the division by 6) vs float64.
HARD_SIGMOID_ATOL = 1e-7

SIMD_ISAS = ("avx2", "avx512", "neon")
ACTIVATIONS = ("tanh", "sigmoid", "hard_sigmoid", "relu", "linear")


# ---------------------------------------------------------------------------------------------
# Oracles (float64)


def exact_activation(name, z):
    z = np.asarray(z, dtype=np.float64)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        # Split by sign so exp never overflows (avoids warnings for |z| ~ 1e38).
        out = np.empty_like(z)
        pos = z >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        e = np.exp(z[~pos])
        out[~pos] = e / (1.0 + e)
        return out
    if name == "hard_sigmoid":
        return np.minimum(np.maximum(z + 3.0, 0.0), 6.0) / 6.0
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "linear":
        return z
    raise ValueError(name)


def sequence_oracle(cell, x, mask, states, *, time_major=False, go_backwards=False,
                    return_sequences=False, zero_output_for_mask=False):
    """Keras 3 backend rnn loop: cell(x_t, states) -> (output, new_states), float64."""
    x = np.asarray(x, np.float64)
    if time_major:
        x = x.transpose(1, 0, 2)
        mask = None if mask is None else np.asarray(mask).T
    batch, steps, _ = x.shape
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


def _f64(a):
    return None if a is None else np.asarray(a, np.float64)


def _initial(batch, units, s):
    return np.zeros((batch, units)) if s is None else _f64(s)


def lstm_oracle(x, kernel, recurrent_kernel, bias=None, mask=None, h0=None, c0=None, *,
                activation="tanh", recurrent_activation="sigmoid", **flags):
    """Keras 3 LSTMCell (keras/src/layers/rnn/lstm.py)."""
    k, r = _f64(kernel), _f64(recurrent_kernel)
    units = r.shape[0]
    b = np.zeros(4 * units) if bias is None else _f64(bias)
    act = lambda z: exact_activation(activation, z)  # noqa: E731
    ract = lambda z: exact_activation(recurrent_activation, z)  # noqa: E731

    def cell(x_t, states):
        h, c = states
        zi, zf, zc, zo = np.split(x_t @ k + h @ r + b, 4, axis=1)
        c_new = ract(zf) * c + ract(zi) * act(zc)
        h_new = ract(zo) * act(c_new)
        return h_new, [h_new, c_new]

    batch = x.shape[1] if flags.get("time_major") else x.shape[0]
    return sequence_oracle(cell, x, mask, [_initial(batch, units, h0), _initial(batch, units, c0)],
                           **flags)


def gru_oracle(x, kernel, recurrent_kernel, bias=None, mask=None, h0=None, *,
               activation="tanh", recurrent_activation="sigmoid", reset_after=True, **flags):
    """Keras 3 GRUCell (keras/src/layers/rnn/gru.py), z | r | h gate order."""
    k, r = _f64(kernel), _f64(recurrent_kernel)
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

    batch = x.shape[1] if flags.get("time_major") else x.shape[0]
    return sequence_oracle(cell, x, mask, [_initial(batch, units, h0)], **flags)


def rnn_oracle(x, kernel, recurrent_kernel, bias=None, mask=None, h0=None, *,
               activation="tanh", **flags):
    """Keras 3 SimpleRNNCell (keras/src/layers/rnn/simple_rnn.py)."""
    k, r = _f64(kernel), _f64(recurrent_kernel)
    units = r.shape[0]
    b = np.zeros(units) if bias is None else _f64(bias)

    def cell(x_t, states):
        h_new = exact_activation(activation, x_t @ k + b + states[0] @ r)
        return h_new, [h_new]

    batch = x.shape[1] if flags.get("time_major") else x.shape[0]
    return sequence_oracle(cell, x, mask, [_initial(batch, units, h0)], **flags)


ORACLES = {"lstm": lstm_oracle, "gru": gru_oracle, "rnn": rnn_oracle}
GATES = {"lstm": 4, "gru": 3, "rnn": 1}
KINDS = ("lstm", "gru", "rnn")


# ---------------------------------------------------------------------------------------------
# Data


def make_case(kind, seed, batch, steps, features, units, *, with_mask=False, with_state=False,
              with_bias=True, time_major=False, reset_after=True, recurrent_gain=None):
    """Weights scaled by 1/sqrt(fan-in) so pre-activations stay O(1) at any size.

    A SimpleRNN with recurrent gain 2 is chaotic (float32 rounding differences grow
    exponentially along the sequence), so it defaults to a contractive 0.8.
    """
    if recurrent_gain is None:
        recurrent_gain = 0.8 if kind == "rnn" else 2.0
    rng = np.random.default_rng(seed)
    gates = GATES[kind]
    scale = 1.0 / np.sqrt(features + units)
    f32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
    x_shape = (steps, batch, features) if time_major else (batch, steps, features)
    bias_shape = (2, gates * units) if kind == "gru" and reset_after else (gates * units,)
    case = dict(
        x=f32(rng.standard_normal(x_shape)),
        kernel=f32(rng.standard_normal((features, gates * units)) * 2 * scale),
        recurrent_kernel=f32(rng.standard_normal((units, gates * units)) * recurrent_gain * scale),
        bias=f32(rng.standard_normal(bias_shape) * 0.5) if with_bias else None,
        mask=None, h0=None,
    )
    if kind == "lstm":
        case["c0"] = None
    if with_mask:
        m = rng.random((batch, steps)) > 0.3
        m[0, : max(1, steps // 3)] = False  # leading padding: outputs must start at zeros
        if batch > 1:
            m[1, -max(1, steps // 4):] = False  # trailing padding: last output is carried
        if steps > 2:
            m[:, steps // 2] = False  # a step where every row is masked
        case["mask"] = np.ascontiguousarray(m.T if time_major else m)
    if with_state:
        case["h0"] = f32(rng.standard_normal((batch, units)) * 0.5)
        if kind == "lstm":
            case["c0"] = f32(rng.standard_normal((batch, units)) * 0.5)
    return case


def make_lstm_case(seed, batch, steps, features, units, **kw):
    return make_case("lstm", seed, batch, steps, features, units, **kw)


def run_kernel(kind, isa, case, **options):
    fn = getattr(_native, f"{kind}_forward")
    states = (case["h0"], case["c0"]) if kind == "lstm" else (case["h0"],)
    return fn(isa, case["x"], case["kernel"], case["recurrent_kernel"], case["bias"],
              case["mask"], *states, **options)


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


# ---------------------------------------------------------------------------------------------
# CPU capabilities


def cpu_supported_isas():
    """ISAs this CPU can run, from the OS's view; None when it cannot be determined."""
    machine = platform.machine().lower()
    if machine in ("aarch64", "arm64"):
        return {"neon"}
    if machine not in ("x86_64", "amd64"):
        return set()
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f
                          if line.startswith("flags")), [])
    except OSError:
        return None
    isas = set()
    if "avx2" in flags and "fma" in flags:
        isas.add("avx2")
    if "avx512f" in flags and "avx2" in isas:
        isas.add("avx512")
    return isas


def require_isa(isa):
    if not _native.isa_available(isa):
        pytest.skip(f"{isa} is not supported by this CPU/build "
                    "(test_supported_isas_are_built fails if the CPU has it)")


# ---------------------------------------------------------------------------------------------
# (1) Oracle vs ref

ORACLE_CASES = [
    # (batch, steps, features, units, case kwargs, lstm options)
    (1, 1, 1, 1, {}, {}),
    (2, 6, 3, 5, {}, {"return_sequences": True}),
    (3, 9, 4, 7, {"with_state": True}, {"return_sequences": True}),
    (2, 7, 5, 9, {"with_bias": False}, {}),
    (4, 12, 6, 11, {"with_mask": True}, {"return_sequences": True}),
    (4, 12, 6, 11, {"with_mask": True}, {"return_sequences": False}),
    (4, 12, 6, 11, {"with_mask": True}, {"return_sequences": True, "zero_output_for_mask": True}),
    (4, 12, 6, 11, {"with_mask": True}, {"zero_output_for_mask": True}),
    (3, 10, 4, 6, {"with_mask": True, "with_state": True},
     {"return_sequences": True, "go_backwards": True}),
    (3, 10, 4, 6, {}, {"go_backwards": True}),
    (3, 8, 5, 10, {"time_major": True}, {"time_major": True, "return_sequences": True}),
    (3, 8, 5, 10, {"time_major": True, "with_mask": True, "with_state": True},
     {"time_major": True, "return_sequences": True, "go_backwards": True}),
    (3, 8, 5, 10, {"time_major": True, "with_mask": True},
     {"time_major": True, "zero_output_for_mask": True, "go_backwards": True}),
    (2, 9, 3, 8, {}, {"activation": "relu", "return_sequences": True}),
    (2, 9, 3, 8, {"with_mask": True}, {"recurrent_activation": "hard_sigmoid",
                                        "return_sequences": True}),
    (2, 9, 3, 8, {}, {"activation": "linear", "recurrent_activation": "sigmoid"}),
    # A linear recurrent activation lets c grow geometrically; keep it short so values stay O(1).
    (2, 3, 3, 8, {}, {"activation": "sigmoid", "recurrent_activation": "linear"}),
    (2, 9, 3, 8, {}, {"activation": "hard_sigmoid", "recurrent_activation": "relu"}),
    (1, 40, 16, 33, {"with_state": True}, {"return_sequences": True}),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("batch,steps,features,units,case_kw,options", ORACLE_CASES)
def test_ref_matches_numpy_oracle(kind, batch, steps, features, units, case_kw, options):
    options = options_for(kind, options)
    if kind == "rnn" and options.get("activation") in ("linear", "relu"):
        # Without a squashing gate the state grows geometrically with gain 2; keep it O(1) so
        # an absolute tolerance stays meaningful.
        case_kw = dict(case_kw, recurrent_gain=0.5)
    case = make_case(kind, batch * 1000 + units, batch, steps, features, units, **case_kw)
    got = run_kernel(kind, "ref", case, **options)
    want = ORACLES[kind](**case, **options)
    assert_close(got, want, SEQ_ATOL, f"{kind} ref vs oracle {options}")


GRU_VARIANT_CASES = [
    # (reset_after, with_bias, case kwargs, options)
    (True, True, {"with_mask": True, "with_state": True}, {"return_sequences": True}),
    (True, False, {}, {"return_sequences": True}),
    (False, True, {"with_mask": True, "with_state": True}, {"return_sequences": True}),
    (False, False, {}, {"go_backwards": True}),
    (False, True, {"time_major": True}, {"time_major": True, "return_sequences": True,
                                          "recurrent_activation": "hard_sigmoid"}),
]


@pytest.mark.parametrize("isa", ("ref",) + SIMD_ISAS)
@pytest.mark.parametrize("reset_after,with_bias,case_kw,options", GRU_VARIANT_CASES)
@pytest.mark.parametrize("batch,units", [(1, 9), (3, 17), (5, 40)])
def test_gru_reset_after_variants(isa, reset_after, with_bias, case_kw, options, batch, units):
    if isa != "ref":
        require_isa(isa)
    case = make_case("gru", units + batch, batch, 11, 6, units, with_bias=with_bias,
                     reset_after=reset_after, **case_kw)
    options = dict(options, reset_after=reset_after)
    got = run_kernel("gru", isa, case, **options)
    want = gru_oracle(**case, **options)
    assert_close(got, want, SEQ_ATOL, f"gru {isa} vs oracle {options}")


def test_lstm_masked_output_starts_at_zero_not_h0():
    case = make_lstm_case(7, 2, 5, 3, 4, with_state=True)
    case["mask"] = np.array([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], dtype=bool)
    out, h, _ = run_lstm("ref", case, return_sequences=True)
    assert np.all(out[0, :2] == 0.0)
    assert not np.allclose(h[0], case["h0"][0])


# ---------------------------------------------------------------------------------------------
# (2) SIMD vs ref

_OPTION_CYCLE = [
    ({}, {"return_sequences": True}),
    ({"with_mask": True}, {"return_sequences": True}),
    ({"with_state": True}, {"go_backwards": True}),
    ({"with_mask": True, "time_major": True}, {"time_major": True, "return_sequences": True,
                                                "zero_output_for_mask": True}),
    ({"with_bias": False, "with_state": True}, {"activation": "relu",
                                                 "recurrent_activation": "hard_sigmoid"}),
    ({"with_mask": True}, {"go_backwards": True, "return_sequences": True}),
]

# (batch, steps, features, units): units straddle every vector width (8 and 16), batches cover
# the 1-row, 2-row and 4-row tiles with remainders, batch*steps covers GEMM row remainders.
SIMD_SHAPES = [
    (1, 1, 1, 1), (2, 3, 1, 3), (3, 5, 2, 7), (1, 7, 3, 8), (4, 4, 5, 9), (5, 9, 8, 15),
    (7, 3, 9, 16), (8, 2, 17, 17), (6, 11, 31, 24), (1, 13, 33, 31), (2, 17, 40, 33),
    (3, 6, 64, 47), (1, 50, 40, 128), (8, 20, 40, 128), (5, 7, 129, 130), (2, 200, 40, 64),
    (1, 100, 256, 130), (3, 25, 256, 255), (1, 30, 40, 512), (8, 4, 100, 512),
    (8, 200, 16, 32), (6, 60, 2, 96),
]
SIMD_CASES = [shape + _OPTION_CYCLE[i % len(_OPTION_CYCLE)] for i, shape in enumerate(SIMD_SHAPES)]


@pytest.mark.parametrize("isa", SIMD_ISAS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("batch,steps,features,units,case_kw,options", SIMD_CASES)
def test_simd_matches_ref(isa, kind, batch, steps, features, units, case_kw, options):
    require_isa(isa)
    options = options_for(kind, options)
    if kind == "gru" and units % 2:
        options["reset_after"] = False  # cover both GRU forms across the sweep
        case_kw = dict(case_kw, reset_after=False)
    if kind == "rnn" and options.get("activation") in ("linear", "relu"):
        case_kw = dict(case_kw, recurrent_gain=0.5)  # see test_ref_matches_numpy_oracle
    case = make_case(kind, batch * 7919 + steps * 31 + units, batch, steps, features, units,
                     **case_kw)
    want = run_kernel(kind, "ref", case, **options)
    got = run_kernel(kind, isa, case, **options)
    assert_close(got, [w.astype(np.float64) for w in want], SEQ_ATOL,
                 f"{kind} {isa} vs ref {options}")


# ---------------------------------------------------------------------------------------------
# Bidirectional (Keras Bidirectional, merge_mode="concat")


def bidirectional_oracle(kind, fw_case, bw_case, mask, options):
    oracle = ORACLES[kind]
    seq_axis = 0 if options.get("time_major") else 1
    fw = oracle(**dict(fw_case, mask=mask), **options)
    bw = oracle(**dict(bw_case, mask=mask), **options, go_backwards=True)
    bw_out = np.flip(bw[0], axis=seq_axis) if options.get("return_sequences") else bw[0]
    return (np.concatenate([fw[0], bw_out], axis=-1),) + fw[1:] + bw[1:]


@pytest.mark.parametrize("isa", ("ref",) + SIMD_ISAS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case_kw,options", [
    ({}, {"return_sequences": True}),
    ({"with_mask": True, "with_state": True}, {"return_sequences": True}),
    ({"with_mask": True}, {}),
    ({"with_mask": True, "time_major": True}, {"return_sequences": True, "time_major": True,
                                                "zero_output_for_mask": True}),
])
def test_bidirectional_matches_oracle(isa, kind, case_kw, options):
    if isa != "ref":
        require_isa(isa)
    batch, steps, features, units = 3, 13, 5, 10
    fw = make_case(kind, 11, batch, steps, features, units, **case_kw)
    bw = make_case(kind, 12, batch, steps, features, units, **case_kw)
    bw["x"], bw["mask"] = fw["x"], fw["mask"]
    keys = ("kernel", "recurrent_kernel", "bias", "h0", "c0")
    got = _native.bidirectional_forward(
        isa, kind, fw["x"], {k: fw[k] for k in keys if k in fw},
        {k: bw[k] for k in keys if k in bw}, fw["mask"], **options)
    strip = lambda c: {k: v for k, v in c.items() if k != "mask"}  # noqa: E731
    want = bidirectional_oracle(kind, strip(fw), strip(bw), fw["mask"], options)
    assert_close(got[:1], want[:1], SEQ_ATOL, f"{kind} bidirectional output")
    for g, w in zip(got[1:], want[1:]):
        assert np.max(np.abs(g - w)) <= SEQ_ATOL, f"{kind} bidirectional final state"


def test_supported_isas_are_built():
    supported = cpu_supported_isas()
    if supported is None:
        pytest.skip("cannot read the CPU's feature flags on this OS")
    missing = sorted(isa for isa in supported if not _native.isa_available(isa))
    assert not missing, f"CPU supports {missing} but the build does not provide them"
    assert _native.isa_available("ref")


def test_active_isa_is_best_available():
    env = {k: v for k, v in os.environ.items() if k != "TFLITE_RNN_OPS_ISA"}
    best = next(i for i in ("avx512", "avx2", "neon", "ref") if _native.isa_available(i))
    assert active_isa_in_subprocess(env) == best


# ---------------------------------------------------------------------------------------------
# (3) Activations vs exact float64


def activation_sweep():
    dense = np.linspace(-100.0, 100.0, 2_000_001, dtype=np.float64)
    fine = np.linspace(-1.0, 1.0, 200_001, dtype=np.float64)
    special = np.array([0.0, -0.0, 1e-30, -1e-30, 1e-7, -1e-7, 0.625, -0.625, 0.6249999,
                        87.0, -87.0, 88.0, -88.0, 88.8, -88.8, 89.0, -89.0, 1e4, -1e4,
                        3.4e38, -3.4e38])
    near_boundary = np.nextafter(np.float32(0.625), np.float32(0)) + np.arange(-4, 5) * 6e-8
    return np.concatenate([dense, fine, special, near_boundary, -near_boundary]).astype(np.float32)


@pytest.mark.parametrize("isa", ("ref",) + SIMD_ISAS)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_exact(isa, name):
    if isa != "ref":
        require_isa(isa)
    x = activation_sweep()
    y = _native.activation_forward(isa, name, x)
    assert y.dtype == np.float32 and y.shape == x.shape
    want = exact_activation(name, x.astype(np.float64))
    err = np.abs(y.astype(np.float64) - want)
    if name in ("tanh", "sigmoid"):
        atol = SMOOTH_ACT_ATOL
    elif name == "hard_sigmoid":
        atol = HARD_SIGMOID_ATOL
    else:
        atol = 0.0  # relu and linear are exact
    worst = int(np.argmax(err))
    assert err[worst] <= atol, f"{isa} {name}: error {err[worst]:.3g} at x={x[worst]!r}"
    assert np.all(np.isfinite(y))


@pytest.mark.parametrize("isa", SIMD_ISAS)
def test_activation_tail_lengths(isa):
    require_isa(isa)
    rng = np.random.default_rng(3)
    for n in range(0, 40):
        x = (rng.standard_normal(n) * 4).astype(np.float32)
        for name in ACTIVATIONS:
            y = _native.activation_forward(isa, name, x)
            ref = _native.activation_forward("ref", name, x)
            assert np.max(np.abs(y - ref), initial=0.0) <= 2 * SMOOTH_ACT_ATOL


# ---------------------------------------------------------------------------------------------
# (4) Environment override


def active_isa_in_subprocess(env):
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    code = "from tflite_rnn_ops import _native; print(_native.active_isa())"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout.strip()


def test_env_override_ref_is_respected():
    env = dict(os.environ, TFLITE_RNN_OPS_ISA="ref")
    assert active_isa_in_subprocess(env) == "ref"


@pytest.mark.parametrize("isa", SIMD_ISAS)
def test_env_override_simd(isa):
    require_isa(isa)
    env = dict(os.environ, TFLITE_RNN_OPS_ISA=isa)
    assert active_isa_in_subprocess(env) == isa


def test_env_override_unknown_or_unavailable_falls_back():
    best = next(i for i in ("avx512", "avx2", "neon", "ref") if _native.isa_available(i))
    for value in ("bogus", "") + tuple(i for i in SIMD_ISAS if not _native.isa_available(i)):
        env = dict(os.environ, TFLITE_RNN_OPS_ISA=value)
        assert active_isa_in_subprocess(env) == best, value


# ---------------------------------------------------------------------------------------------
# Argument validation


def test_lstm_shape_errors_name_the_argument():
    case = make_lstm_case(1, 2, 3, 4, 5)
    bad = dict(case, kernel=np.zeros((4, 21), np.float32))
    with pytest.raises(ValueError, match=r"'kernel'.*\(4, 20\).*\(4, 21\)"):
        run_lstm("ref", bad)
    bad = dict(case, bias=np.zeros(19, np.float32))
    with pytest.raises(ValueError, match=r"'bias'.*\(20,\).*\(19,\)"):
        run_lstm("ref", bad)
    bad = dict(case, h0=np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError, match=r"'h0'.*\(2, 5\).*\(3, 5\)"):
        run_lstm("ref", bad)
    bad = dict(case, mask=np.ones((3, 2), bool))
    with pytest.raises(ValueError, match=r"'mask'.*\(2, 3\).*\(3, 2\)"):
        run_lstm("ref", bad)
    with pytest.raises(ValueError, match="'x'"):
        _native.lstm_forward("ref", case["x"][0], case["kernel"], case["recurrent_kernel"],
                             None, None, None, None)
    with pytest.raises(ValueError, match="activation"):
        run_lstm("ref", case, activation="gelu")
    with pytest.raises(ValueError, match="isa"):
        run_lstm("sse9", case)
