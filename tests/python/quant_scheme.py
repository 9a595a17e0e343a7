"""A NumPy model of the quantized-weight scheme (docs/quantization.md, "The scheme") at the level
of whole Keras layers, in float32 as the kernels compute, for the model tests (test_quantize*.py)
and bench/e2e/quant_accuracy.py. The row and column rules are quant_oracles.py's.

int8 weights: per-column symmetric; every activation row (x for the input projection, h_prev each
step for the recurrent product, r*h_prev for GRU reset_after=False) centred on the midpoint of
its range, then quantized symmetrically per row; integer products scaled by row_scale *
column_scale, plus centre * column sum. float16 weights: the float32 path on the float16-rounded
weights. The alternatives (plain symmetric rows, "int8_symmetric"; asymmetric rows as TFLite's
hybrid kernels with asymmetric_quantize_inputs, "int8_asymmetric") are here too, for the
accuracy comparison.
"""

from __future__ import annotations

import numpy as np

from quant_oracles import centre_rows, column_sums, quantize_columns, quantize_rows

F32 = np.float32


def quantize_rows_asymmetric(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Asymmetric per-row uint8-style: x ~ (q - zero_point) * scale, q in [0, 255]."""
    x = np.asarray(x, F32)
    lo = np.minimum(np.min(x, axis=1), 0).astype(F32)
    hi = np.maximum(np.max(x, axis=1), 0).astype(F32)
    scale = np.where(hi > lo, (hi - lo) / F32(255), F32(1)).astype(F32)
    zero = np.rint(-lo / scale).astype(np.int32)
    q = np.clip(np.rint(x / scale[:, None]) + zero[:, None], 0, 255).astype(np.int32)
    return q, scale, zero


class Matmul:
    """x @ w in one storage scheme: "float32", "float16", "int8" (symmetric activation rows) or
    "int8_asymmetric" (asymmetric activation rows)."""

    def __init__(self, w: np.ndarray, scheme: str) -> None:
        self.scheme = scheme
        w = np.asarray(w, F32)
        if scheme == "float16":
            w = w.astype(np.float16).astype(F32)
        if scheme.startswith("int8"):
            self.q, self.s = quantize_columns(w)
            self.q = self.q.astype(np.int32)
        self.w = w

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, F32)
        if self.scheme in ("float32", "float16"):
            return (x.astype(np.float64) @ self.w).astype(F32)
        if self.scheme == "int8":  # rows centred, then symmetric (cc/kernels/packed_weights.h)
            centred, c = centre_rows(x)
            q, rs = quantize_rows(centred)
            acc = (q.astype(np.int64) @ self.q).astype(F32)
            return acc * (rs[:, None] * self.s[None, :]) + c[:, None] * column_sums(self.q, self.s)
        if self.scheme == "int8_symmetric":  # without the centring, for the comparison
            q, rs = quantize_rows(x)
            acc = (q.astype(np.int64) @ self.q).astype(F32)
            return acc * (rs[:, None] * self.s[None, :])
        q, scale, zero = quantize_rows_asymmetric(x)
        acc = (q.astype(np.int64) @ self.q - zero[:, None] * self.q.sum(0)).astype(F32)
        return acc * (scale[:, None] * self.s[None, :])


def _sigmoid(z):
    return (1 / (1 + np.exp(-z.astype(np.float64)))).astype(F32)


def _tanh(z):
    return np.tanh(z).astype(F32)


def lstm(x, kernel, recurrent, bias, scheme, return_sequences=False, go_backwards=False):
    """Keras LSTM (tanh / sigmoid), batch-major x [B, T, F]; the outputs Keras gives."""
    wx, wh = Matmul(kernel, scheme), Matmul(recurrent, scheme)
    b, t, _ = x.shape
    u = recurrent.shape[0]
    gx = wx(x.reshape(b * t, -1)).reshape(b, t, -1) + bias
    h, c = np.zeros((b, u), F32), np.zeros((b, u), F32)
    outs = []
    steps = range(t - 1, -1, -1) if go_backwards else range(t)
    for s in steps:
        z = gx[:, s] + wh(h)
        i, f, g, o = (z[:, k * u:(k + 1) * u] for k in range(4))
        c = _sigmoid(f) * c + _sigmoid(i) * _tanh(g)
        h = _sigmoid(o) * _tanh(c)
        outs.append(h)
    return np.stack(outs, 1) if return_sequences else h


def gru(x, kernel, recurrent, bias, scheme, return_sequences=False, reset_after=True):
    """Keras GRU (tanh / sigmoid), batch-major x [B, T, F]."""
    wx = Matmul(kernel, scheme)
    u = recurrent.shape[0]
    b, t, _ = x.shape
    bias = np.asarray(bias, F32).reshape(2 if reset_after else 1, 3 * u)
    gx = wx(x.reshape(b * t, -1)).reshape(b, t, -1) + bias[0]
    h = np.zeros((b, u), F32)
    outs = []
    if reset_after:
        wh = Matmul(recurrent, scheme)
    else:
        wzr, whh = Matmul(recurrent[:, :2 * u], scheme), Matmul(recurrent[:, 2 * u:], scheme)
    for s in range(t):
        xz, xr, xh = (gx[:, s, k * u:(k + 1) * u] for k in range(3))
        if reset_after:
            inner = wh(h) + bias[1]
            z = _sigmoid(xz + inner[:, :u])
            r = _sigmoid(xr + inner[:, u:2 * u])
            hh = _tanh(xh + r * inner[:, 2 * u:])
        else:
            zr = wzr(h)
            z, r = _sigmoid(xz + zr[:, :u]), _sigmoid(xr + zr[:, u:])
            hh = _tanh(xh + whh(r * h))
        h = z * h + (1 - z) * hh
        outs.append(h)
    return np.stack(outs, 1) if return_sequences else h


def simple_rnn(x, kernel, recurrent, bias, scheme, return_sequences=False):
    """Keras SimpleRNN (tanh), batch-major x [B, T, F]."""
    wx, wh = Matmul(kernel, scheme), Matmul(recurrent, scheme)
    b, t, _ = x.shape
    gx = wx(x.reshape(b * t, -1)).reshape(b, t, -1) + bias
    h = np.zeros((b, recurrent.shape[0]), F32)
    outs = []
    for s in range(t):
        h = _tanh(gx[:, s] + wh(h))
        outs.append(h)
    return np.stack(outs, 1) if return_sequences else h
