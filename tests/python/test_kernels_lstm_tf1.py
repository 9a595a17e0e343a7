"""TF1 LSTMCell extras in the LSTM kernel: peepholes, cell_clip, projection (num_proj) and
proj_clip, vs the float64 oracle (kernel_oracles.lstm_oracle) and SIMD vs ref.

Tolerance: SEQ_ATOL (1e-5 absolute), as for the plain kernels.
"""

import numpy as np
import pytest

from kernel_oracles import (ALL_ISAS, SEQ_ATOL, SIMD_ISAS, assert_close, bidirectional_call,
                            lstm_oracle, make_lengths, make_lstm_case, require_isa, run_lstm)

# (units, num_proj): P == U, P < U, P > U, sizes off and on the 8/16-lane vector widths.
PROJ_SIZES = [(5, 3), (7, 7), (9, 13), (16, 8), (17, 33), (33, 16), (8, 1), (1, 4)]

# (case kwargs, options): each extra alone and together, with the sequence options around them.
EXTRA_CASES = [
    ({"peepholes": True}, {"return_sequences": True}),
    ({}, {"cell_clip": 0.4, "return_sequences": True}),
    ({"peepholes": True, "with_state": True}, {"cell_clip": 0.6}),
    ({"peepholes": True, "with_mask": True}, {"cell_clip": 0.5, "return_sequences": True}),
    ({"peepholes": True, "with_state": True}, {"go_backwards": True, "return_sequences": True}),
    ({"peepholes": True, "time_major": True, "with_mask": True},
     {"time_major": True, "zero_output_for_mask": True, "return_sequences": True}),
    ({"peepholes": True}, {"activation": "relu", "recurrent_activation": "hard_sigmoid",
                           "cell_clip": 1.0, "return_sequences": True}),
]


@pytest.mark.parametrize("case_kw,options", EXTRA_CASES)
@pytest.mark.parametrize("units,num_proj", PROJ_SIZES)
@pytest.mark.parametrize("proj_clip", [0.0, 0.25])
def test_ref_extras_match_oracle(case_kw, options, units, num_proj, proj_clip):
    case = make_lstm_case(units * 31 + num_proj, 3, 9, 4, units, num_proj=num_proj, **case_kw)
    options = dict(options, proj_clip=proj_clip)
    got = run_lstm("ref", case, **options)
    want = lstm_oracle(**case, **options)
    assert_close(got, want, SEQ_ATOL, f"ref vs oracle U={units} P={num_proj} {options}")
    assert got[1].shape == (3, num_proj) and got[2].shape == (3, units)


@pytest.mark.parametrize("case_kw,options", EXTRA_CASES)
def test_ref_peepholes_and_clip_without_projection_match_oracle(case_kw, options):
    case = make_lstm_case(77, 4, 11, 5, 10, **case_kw)
    got = run_lstm("ref", case, **options)
    assert_close(got, lstm_oracle(**case, **options), SEQ_ATOL, f"ref vs oracle {options}")


def test_clips_are_active_in_the_tests():
    """The clip values above really clip (otherwise the clip paths would go untested)."""
    case = make_lstm_case(3, 3, 9, 4, 7, peepholes=True, num_proj=5)
    _, _, c = lstm_oracle(**case)
    assert np.max(np.abs(c)) > 0.6
    out, _, _ = lstm_oracle(**case, return_sequences=True)
    assert np.max(np.abs(out)) > 0.25
    clipped, _, c = run_lstm("ref", case, cell_clip=0.4, proj_clip=0.25, return_sequences=True)
    assert np.max(np.abs(c)) <= 0.4 and np.max(np.abs(clipped)) <= 0.25


@pytest.mark.parametrize("isa", ALL_ISAS)
def test_neutral_extras_equal_the_plain_cell(isa):
    """Zero peephole diagonals select the extras cell but must give the plain results."""
    require_isa(isa)
    case = make_lstm_case(5, 5, 12, 6, 19, with_mask=True, with_state=True)
    plain = run_lstm(isa, case, return_sequences=True)
    zeros = np.zeros(19, np.float32)
    extras = run_lstm(isa, dict(case, w_i_diag=zeros, w_f_diag=zeros, w_o_diag=zeros),
                      return_sequences=True)
    for p, e in zip(plain, extras):
        np.testing.assert_array_equal(p, e)


# (batch, steps, features, units, num_proj): tiles of 1/2/4 rows with remainders, units and
# projection sizes below/at/above both vector widths, P < U and P > U.
SIMD_EXTRA_SHAPES = [
    (1, 5, 3, 5, 3), (2, 7, 4, 8, 8), (3, 6, 9, 9, 17), (4, 9, 5, 16, 7), (5, 4, 17, 31, 16),
    (7, 3, 8, 33, 40), (8, 12, 16, 64, 24), (2, 30, 40, 128, 64), (6, 5, 33, 47, 95),
    (3, 20, 16, 100, 0), (9, 8, 7, 15, 0),
]


@pytest.mark.parametrize("isa", SIMD_ISAS)
@pytest.mark.parametrize("batch,steps,features,units,num_proj", SIMD_EXTRA_SHAPES)
@pytest.mark.parametrize("case_kw,options", EXTRA_CASES[::2] + [({"peepholes": True}, {
    "cell_clip": 0.5, "proj_clip": 0.2, "lengths": True, "return_sequences": True})])
def test_simd_extras_match_ref(isa, batch, steps, features, units, num_proj, case_kw, options):
    require_isa(isa)
    seed = batch * 7919 + steps * 31 + units + num_proj
    case = make_lstm_case(seed, batch, steps, features, units, num_proj=num_proj, **case_kw)
    options = dict(options)
    if options.pop("lengths", False):
        options["lengths"] = make_lengths(seed, batch, steps)
    if not num_proj:
        options.pop("proj_clip", None)
    want = run_lstm("ref", case, **options)
    got = run_lstm(isa, case, **options)
    assert_close(got, [w.astype(np.float64) for w in want], SEQ_ATOL,
                 f"{isa} vs ref U={units} P={num_proj} {options}")


@pytest.mark.parametrize("isa", ALL_ISAS)
@pytest.mark.parametrize("with_lengths", [False, True])
def test_bidirectional_extras_match_oracle(isa, with_lengths):
    require_isa(isa)
    batch, steps, features, units, num_proj = 4, 10, 5, 9, 6
    fw = make_lstm_case(21, batch, steps, features, units, peepholes=True, num_proj=num_proj,
                        with_state=True)
    bw = make_lstm_case(22, batch, steps, features, units, peepholes=True, num_proj=num_proj)
    bw["x"] = fw["x"]
    lengths = make_lengths(23, batch, steps) if with_lengths else None
    options = dict(return_sequences=True, cell_clip=0.5, proj_clip=0.3)
    got = bidirectional_call(isa, "lstm", fw, bw, lengths=lengths, **options)
    f = lstm_oracle(**fw, lengths=lengths, **options)
    b = lstm_oracle(**bw, lengths=lengths, go_backwards=True, time_order=True, **options)
    if lengths is None:
        b = (np.flip(b[0], axis=1),) + b[1:]  # Keras: the backward sequence reversed back
    want = (np.concatenate([f[0], b[0]], axis=-1),) + f[1:] + b[1:]
    assert got[0].shape == (batch, steps, 2 * num_proj)
    for index, (g, w) in enumerate(zip(got, want)):
        err = float(np.max(np.abs(g - w)))
        assert err <= SEQ_ATOL, f"{isa} bidirectional result {index}: error {err:.3g}"
