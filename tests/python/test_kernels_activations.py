"""Activations: the ref (scalar) and vectorised implementations vs exact float64 functions
(kernel_oracles.exact_activation, the Keras 3 definitions), SIMD vs ref, and a cross-check of the
definitions against Keras itself.

Each activation has a stated tolerance |err| <= atol + rtol * |exact|: rtol where values grow
with |x| (float32 rounds relative to magnitude), atol for bounded ones.
"""

import functools

import numpy as np
import pytest

from kernel_oracles import (ACTIVATION_ALIASES, ACTIVATIONS, ALL_ISAS, SIMD_ISAS,
                            exact_activation, require_isa)
from tflite_rnn_ops import _native

# (atol, rtol) vs exact float64.
TOLERANCE = {
    # Vectorised exp/tanh paths; float32 rounding alone is up to 6e-8 near 1.
    "tanh": (2e-7, 0.0),
    "sigmoid": (2e-7, 0.0),
    # Two float32 roundings (x + 3 and the division by 6).
    "hard_sigmoid": (1e-7, 0.0),
    # Exact in float32: selections and comparisons only.
    "relu": (0.0, 0.0),
    "linear": (0.0, 0.0),
    "relu6": (0.0, 0.0),
    "hard_tanh": (0.0, 0.0),
    "hard_shrink": (0.0, 0.0),
    # One rounding of x*0.2 / x-+0.5 (0.2f itself is 1.5e-8 relative off 0.2).
    "leaky_relu": (0.0, 1e-7),
    "soft_shrink": (0.0, 1e-7),
    "sparse_sigmoid": (6e-8, 0.0),
    "sparse_plus": (1e-7, 1e-7),
    # Built from exp/expm1/log1p/erfc: a few float32 roundings relative to the result, plus an
    # absolute floor for results near zero that come out of a cancellation (x - tanh x, ...).
    "elu": (1e-7, 2e-7),
    "celu": (1e-7, 2e-7),
    "selu": (2e-7, 2e-7),
    "softplus": (1e-7, 2e-7),
    "log_sigmoid": (1e-7, 2e-7),
    "softsign": (1e-7, 2e-7),
    "silu": (1e-7, 2e-7),
    "gelu": (1e-7, 3e-7),
    "hard_silu": (1e-7, 2e-7),
    "mish": (1e-7, 3e-7),
    "tanh_shrink": (2e-7, 2e-7),
    "squareplus": (1e-7, 2e-7),
    # exp: relative everywhere; the absolute floor is one subnormal step (results < 1.2e-38).
    "exponential": (1.5e-45, 3e-7),
}


def test_every_activation_has_a_tolerance():
    assert sorted(TOLERANCE) == sorted(ACTIVATIONS)


@functools.lru_cache(maxsize=None)
def activation_sweep():
    dense = np.linspace(-100.0, 100.0, 2_000_001, dtype=np.float64)
    fine = np.linspace(-1.0, 1.0, 200_001, dtype=np.float64)
    special = np.array([0.0, -0.0, 1e-30, -1e-30, 1e-7, -1e-7, 0.625, -0.625, 0.6249999,
                        0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 6.0, 14.1, -14.1, 14.2, -14.2,
                        87.0, -87.0, 88.0, -88.0, 88.72283, 88.72284, 88.8, -88.8, 89.0, -89.0,
                        103.9, -103.9, 104.0, -104.0, 1e4, -1e4, 1.1e4, -1.1e4, 1e19, -1e19,
                        3.4e38, -3.4e38])
    near_boundary = np.nextafter(np.float32(0.625), np.float32(0)) + np.arange(-4, 5) * 6e-8
    return np.concatenate([dense, fine, special, near_boundary, -near_boundary]).astype(np.float32)


@functools.lru_cache(maxsize=None)
def exact_on_sweep(name):
    return exact_activation(name, activation_sweep().astype(np.float64))


def check_close(name, got, want, scale, what):
    """|got - want| <= scale * (atol + rtol |want|); infinities must match exactly."""
    atol, rtol = TOLERANCE[name]
    got = got.astype(np.float64)
    with np.errstate(over="ignore"):
        inf = np.isinf(want.astype(np.float32))  # beyond float32's range: must be inf
    assert np.array_equal(np.isinf(got), inf), f"{what}: infinities differ"
    finite = ~inf
    err = np.abs(got[finite] - want[finite])
    bound = scale * (atol + rtol * np.abs(want[finite]))
    worst = int(np.argmax(err - bound)) if err.size else 0
    assert err.size == 0 or err[worst] <= bound[worst], (
        f"{what}: error {err[worst]:.3g} > {bound[worst]:.3g} "
        f"where exact = {want[finite][worst]!r}")


@pytest.mark.parametrize("isa", ALL_ISAS)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_exact(isa, name):
    require_isa(isa)
    x = activation_sweep()
    y = _native.activation_forward(isa, name, x)
    assert y.dtype == np.float32 and y.shape == x.shape
    assert not np.any(np.isnan(y)), f"{isa} {name}: NaN at x={x[np.isnan(y)][:3]}"
    check_close(name, y, exact_on_sweep(name), 1.0, f"{isa} {name}")


@pytest.mark.parametrize("isa", SIMD_ISAS)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_simd_matches_ref_all_tail_lengths(isa, name):
    require_isa(isa)
    rng = np.random.default_rng(3)
    for n in range(0, 40):
        x = (rng.standard_normal(n) * 4).astype(np.float32)
        y = _native.activation_forward(isa, name, x)
        ref = _native.activation_forward("ref", name, x)
        # Both are within tolerance of the exact value, so within twice of each other.
        check_close(name, y, ref.astype(np.float64), 2.0, f"{isa} {name} vs ref, n={n}")


@pytest.mark.parametrize("isa", ALL_ISAS)
@pytest.mark.parametrize("alias,name", sorted(ACTIVATION_ALIASES.items()))
def test_activation_aliases(isa, alias, name):
    require_isa(isa)
    x = np.linspace(-8, 8, 1001, dtype=np.float32)
    np.testing.assert_array_equal(_native.activation_forward(isa, alias, x),
                                  _native.activation_forward(isa, name, x))


def test_unknown_activation_lists_the_accepted_names():
    x = np.zeros(3, np.float32)
    with pytest.raises(ValueError, match="unknown activation 'softmax'.*gelu.*hard_swish"):
        _native.activation_forward("ref", "softmax", x)


@pytest.mark.parametrize("name", ACTIVATIONS + tuple(ACTIVATION_ALIASES))
def test_activation_definitions_match_keras(name):
    """Our exact definitions (and so the kernels) are Keras 3's: same name, same defaults."""
    keras = pytest.importorskip("keras")
    x = np.linspace(-12, 12, 4801, dtype=np.float32)
    want = np.asarray(keras.activations.get(name)(x), np.float64)
    got = _native.activation_forward("ref", name, x).astype(np.float64)
    # Keras evaluates in float32 with its own formulas; 1e-6 relative is far below any
    # definitional difference (a wrong constant or default argument).
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6, err_msg=name)
