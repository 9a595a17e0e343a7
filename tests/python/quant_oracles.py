"""NumPy model of the quantized-weight scheme (cc/kernels/isa/microkernels.h, "int8 layout" and
QuantizeRowsArgs), for the kernel oracles of kernel_oracles.py.

  * int8 weights: per-column symmetric q, s (what the converter stores); every product
    rows @ W quantizes each activation row in float32 (m = max |x|, q = rint(x * (127 / m))
    clamped to +-127, scale m / 127; zero/Inf/NaN rows give q = 0, scale m), sums q_x * q_w
    exactly in integers and scales by float32(row_scale * s).
  * float16 weights: the float path on the exactly widened weights.

Example:
    >>> import numpy as np
    >>> w = np.array([[0.5, -1.0], [0.25, 2.0]], np.float32)
    >>> q, s = quantize_columns(w)
    >>> q.tolist()
    [[127, -64], [64, 127]]
    >>> bool(s[1] == np.float32(2) / np.float32(127))
    True
    >>> m = Int8Matrix(q, s)
    >>> np.allclose(np.array([[1.0, 1.0]]) @ m, [[0.75, 1.0]], atol=1e-2)
    True
"""

import numpy as np


def quantize_columns(w):
    """Per-output-column symmetric int8 as the converter writes it (docs/ops.md, version 4):
    s = max |w| / 127 (1 for a zero column), each raised to the nearest float16 value >= it when
    all of them lie in float16's normal range, q = round half to even of w / s, clamped.
    Returns (q int8, s float32)."""
    w = np.asarray(w, np.float32)
    m = np.max(np.abs(w), axis=0)
    s = np.where(m > 0, m / np.float32(127), np.float32(1)).astype(np.float32)
    f16 = np.finfo(np.float16)
    if np.all((s >= f16.tiny) & (s <= f16.max)):
        h = s.astype(np.float16)
        up = h.astype(np.float32) < s
        h[up] = np.nextafter(h[up], np.float16(np.inf))
        s = h.astype(np.float32)
    q = np.clip(np.rint(w / s), -127, 127).astype(np.int8)
    return q, s


def quantize_rows(x):
    """The kernels' activation rule, row by row in float32. Returns (q int64, scale float32)."""
    x = np.asarray(x, np.float32)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        m = np.max(np.abs(x), axis=-1)  # NaN propagates
        inv = np.float32(127) / m
        ok = (m > 0) & np.isfinite(m) & np.isfinite(inv)
        safe_inv = np.where(ok, inv, np.float32(0)).astype(np.float32)
        y = np.clip(x * safe_inv[..., None], np.float32(-127), np.float32(127))
        q = np.where(ok[..., None], np.rint(y), 0).astype(np.int64)
        scale = np.where(ok, m / np.float32(127), m).astype(np.float32)
    return q, scale


def centre_rows(x):
    """The drivers' centring before quantize_rows (cc/kernels/packed_weights.h): each float32 row
    minus the midpoint of its range, 0 for a row with a non-finite value. Returns (x - c, c)."""
    x = np.asarray(x, np.float32)
    with np.errstate(invalid="ignore"):
        lo, hi = np.min(x, axis=-1), np.max(x, axis=-1)
        finite = np.all(np.isfinite(x), axis=-1)
        c = np.where(finite, np.float32(0.5) * lo + np.float32(0.5) * hi, np.float32(0))
    c = c.astype(np.float32)
    return (x - c[..., None]).astype(np.float32), c


def column_sums(q, scales):
    """float32(sum_k q[k][n]) * scale[n]: what a row's centre is multiplied by."""
    return (np.asarray(q, np.int64).sum(0).astype(np.float32) *
            np.asarray(scales, np.float32)).astype(np.float32)


class Int8Matrix:
    """An int8 matrix with per-column scales; `rows @ m` is the scheme's product (float64)."""

    __array_ufunc__ = None  # makes ndarray @ Int8Matrix defer to __rmatmul__

    def __init__(self, q, scales):
        self.q = np.asarray(q, np.int64)
        self.scales = np.asarray(scales, np.float32)
        self.shape = self.q.shape

    def __getitem__(self, index):
        rows, cols = index
        return Int8Matrix(self.q[rows, cols], self.scales[cols])

    def __rmatmul__(self, x):
        # Rows as they are: the kernels' bindings run the v3 scheme (no centring); the centred
        # v4 scheme is checked through converted models (quant_scheme.py) and natively.
        q, row_scale = quantize_rows(x)
        scale = (row_scale[..., None] * self.scales).astype(np.float32)
        return (q @ self.q).astype(np.float64) * scale.astype(np.float64)


MATRIX_KEYS = ("kernel", "recurrent_kernel", "projection")


def store(case, weights):
    """(kernel_case, oracle_case) for a kernel_oracles.make_case case with its weight matrices
    stored as `weights` ("float16" or "int8"): the kernel gets the stored arrays (+ *_scale),
    the oracle the model of them."""
    kernel_case, oracle_case = dict(case), dict(case)
    for key in MATRIX_KEYS:
        if case.get(key) is None:
            continue
        if weights == "float16":
            half = np.asarray(case[key], np.float32).astype(np.float16)
            kernel_case[key] = half
            oracle_case[key] = half.astype(np.float64)
        else:
            q, s = quantize_columns(case[key])
            kernel_case[key], kernel_case[key + "_scale"] = q, s
            oracle_case[key] = Int8Matrix(q, s)
    return kernel_case, oracle_case
