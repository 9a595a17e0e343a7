"""NaN and Inf in inputs or weights propagate as Keras/TensorFlow propagate them (same NaN and
Inf positions, the finite values within 1e-5), on every kernel path this CPU has; T = 100,000
steps runs and matches a float64 reference.

Every kernel path propagates NaN: the x86 clamps put the data in minps/maxps's second operand
(the one returned when either is NaN), see vec_avx2.h.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from conftest import PARITY_ATOL, keras_outputs, randomize_weights, run_tflite
from kernel_oracles import lstm_oracle, make_lstm_case, require_isa

import tflite_rnn_ops as tro
from tflite_rnn_ops import _native, timing

# The converter stores +-Inf weights as +-FLT_MAX (TensorFlow's own conversion does the same
# for any layer): the reference runs on the weights the .tflite file holds.
FLT_MAX = float(np.finfo(np.float32).max)
LAYERS = {
    "lstm": lambda: tro.layers.LSTM(4, return_sequences=True),
    "gru": lambda: tro.layers.GRU(4, return_sequences=True),
    "rnn": lambda: tro.layers.SimpleRNN(4, return_sequences=True),
    "bidirectional": lambda: tro.layers.Bidirectional(tro.layers.LSTM(4, return_sequences=True)),
}


def assert_same_specials(got: np.ndarray, want: np.ndarray) -> None:
    """Same NaN, +Inf and -Inf positions; the finite values within the parity bound."""
    assert got.shape == want.shape
    for name, test in (("NaN", np.isnan), ("+Inf", np.isposinf), ("-Inf", np.isneginf)):
        assert np.array_equal(test(got), test(want)), (
            f"{name} positions differ: ours {np.argwhere(test(got)).tolist()[:8]}, "
            f"reference {np.argwhere(test(want)).tolist()[:8]}")
    finite = np.isfinite(want)
    err = float(np.max(np.abs(got[finite] - want[finite]))) if finite.any() else 0.0
    assert err <= PARITY_ATOL, f"finite values: max abs error {err:.3e}"


def _model(kind: str) -> keras.Model:
    keras.utils.set_random_seed(0)
    inp = keras.Input((None, 3))
    model = keras.Model(inp, LAYERS[kind]()(inp))
    randomize_weights(model)
    return model


def _special_inputs() -> np.ndarray:
    x = np.random.default_rng(1).normal(size=(3, 8, 3)).astype(np.float32)
    x[0, 2, 1] = np.nan  # row 0: NaN from step 2 on
    x[1, 4, 0] = np.inf  # row 1: +Inf into mixed-sign weights
    x[1, 6, 2] = -np.inf
    return x  # row 2 stays finite: specials must not leak across batch rows


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_nan_and_inf_inputs_propagate_as_keras(kind):
    model = _model(kind)
    x = _special_inputs()
    (ours,) = timing.run(tro.Interpreter(model_content=tro.convert(model, report=False)), [x])
    (want,) = keras_outputs(model, [x])
    assert np.all(np.isfinite(ours[2])), "a special value leaked into another batch row"
    assert_same_specials(ours, want)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("value", [np.nan, np.inf], ids=["nan", "inf"])
def test_nan_and_inf_weights_propagate_as_keras(kind, value):
    model = _model(kind)
    layer = model.layers[1]
    kernel, recurrent, *rest = layer.get_weights()
    kernel[1, 2] = value  # one input weight of one unit's first gate
    recurrent[0, 5] = -value
    layer.set_weights([kernel, recurrent, *rest])
    x = np.random.default_rng(2).normal(size=(2, 6, 3)).astype(np.float32)
    (ours,) = timing.run(tro.Interpreter(model_content=tro.convert(model, report=False)), [x])
    layer.set_weights([np.clip(w, -FLT_MAX, FLT_MAX) for w in layer.get_weights()])
    (want,) = keras_outputs(model, [x])
    assert_same_specials(ours, want)


@pytest.mark.parametrize("isa", ["ref", "avx2", "avx512", "neon"])
def test_kernel_paths_propagate_specials_like_the_oracle(isa):
    # The SIMD activations (min/max clamps, polynomial tanh) must not turn NaN into a number.
    require_isa(isa)
    case = make_lstm_case(4, 3, 7, 5, 9)
    case["x"][0, 1, 2] = np.nan
    case["x"][1, 3, 0] = np.inf
    case["x"][2, 5, 4] = -np.inf
    out, h, c = _native.lstm_forward(isa, case["x"], case["kernel"], case["recurrent_kernel"],
                                     case["bias"], None, None, None, return_sequences=True)
    want, want_h, want_c = lstm_oracle(case["x"], case["kernel"], case["recurrent_kernel"],
                                       case["bias"], return_sequences=True)
    for got, ref in ((out, want), (h, want_h), (c, want_c)):
        assert_same_specials(np.asarray(got), np.asarray(ref, np.float32))


def test_hundred_thousand_steps_match_a_float64_reference():
    steps, features, units = 100_000, 4, 8
    keras.utils.set_random_seed(0)
    inp = keras.Input((None, features))
    model = keras.Model(inp, tro.layers.LSTM(units, return_state=True)(inp))
    randomize_weights(model)
    kernel, recurrent, bias = model.layers[1].get_weights()
    x = np.random.default_rng(5).normal(size=(1, steps, features)).astype(np.float32)
    ours = run_tflite(tro.convert(model, report=False), [x])  # [output, h, c], Keras's order
    want = lstm_oracle(x, kernel, recurrent, bias)
    for name, got, ref in zip(("output", "h", "c"), ours, want):
        err = float(np.max(np.abs(got - ref)))
        assert err <= PARITY_ATOL, f"{name} after {steps} steps: max abs error {err:.3e}"
