"""Sequence kernels (LSTM, GRU, SimpleRNN, Bidirectional) through tflite_rnn_ops._native, Keras 3
semantics:
  * the float64 NumPy oracle (kernel_oracles.py) vs the portable 'ref' kernels,
  * every SIMD variant the CPU supports vs 'ref' (the ref path is the SIMD oracle).
Tolerances are absolute and stated next to each comparison.
"""

import numpy as np
import pytest

from kernel_oracles import (ORACLES, SEQ_ATOL, SIMD_ISAS, KINDS, assert_close,
                            bidirectional_call, gru_oracle, make_case, make_lstm_case,
                            options_for, require_isa, run_kernel, run_lstm)


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
    require_isa(isa)
    batch, steps, features, units = 3, 13, 5, 10
    fw = make_case(kind, 11, batch, steps, features, units, **case_kw)
    bw = make_case(kind, 12, batch, steps, features, units, **case_kw)
    bw["x"], bw["mask"] = fw["x"], fw["mask"]
    got = bidirectional_call(isa, kind, fw, bw, **options)
    strip = lambda c: {k: v for k, v in c.items() if k != "mask"}  # noqa: E731
    want = bidirectional_oracle(kind, strip(fw), strip(bw), fw["mask"], options)
    assert_close(got[:1], want[:1], SEQ_ATOL, f"{kind} bidirectional output")
    for g, w in zip(got[1:], want[1:]):
        assert np.max(np.abs(g - w)) <= SEQ_ATOL, f"{kind} bidirectional final state"

