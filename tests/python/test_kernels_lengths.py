"""Per-example sequence lengths (TF1 dynamic_rnn's sequence_length) for LSTM, GRU and SimpleRNN,
both directions, vs an oracle that literally runs dynamic_rnn's copy-through loop and
tf.reverse_sequence (kernel_oracles.lengths_oracle), and SIMD vs ref.

Tolerance: SEQ_ATOL (1e-5 absolute). Zeros past a row's length must be exact zeros.
"""

import numpy as np
import pytest

from kernel_oracles import (ALL_ISAS, KINDS, ORACLES, SEQ_ATOL, SIMD_ISAS, assert_close,
                            bidirectional_call, make_case, make_lengths, require_isa, run_kernel)

# (batch, steps, features, units): lengths always include T, 0 and 1 (make_lengths).
SHAPES = [(3, 1, 2, 3), (3, 6, 3, 5), (5, 9, 4, 8), (4, 13, 6, 17), (9, 20, 5, 33)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("batch,steps,features,units", SHAPES)
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("time_major", [False, True])
def test_ref_lengths_match_dynamic_rnn(kind, batch, steps, features, units, go_backwards,
                                       return_sequences, time_major):
    seed = batch * 100 + steps + units
    case = make_case(kind, seed, batch, steps, features, units, with_state=units % 2 == 1,
                     time_major=time_major)
    lengths = make_lengths(seed, batch, steps)
    options = dict(go_backwards=go_backwards, return_sequences=return_sequences,
                   time_major=time_major)
    got = run_kernel(kind, "ref", case, lengths=lengths, **options)
    want = ORACLES[kind](**case, lengths=lengths, **options)
    assert_close(got, want, SEQ_ATOL, f"{kind} ref vs dynamic_rnn {options} lengths={lengths}")
    if return_sequences:
        seq = got[0].transpose(1, 0, 2) if time_major else got[0]
        for b, n in enumerate(lengths):
            assert np.all(seq[b, n:] == 0.0), f"{kind}: outputs past len[{b}]={n} not zero"


def test_empty_rows_keep_the_initial_state_and_output_zeros():
    case = make_case("lstm", 4, 3, 5, 2, 4, with_state=True)
    lengths = np.array([0, 5, 0], np.int32)
    for go_backwards in (False, True):
        out, h, c = run_kernel("lstm", "ref", case, lengths=lengths, go_backwards=go_backwards)
        np.testing.assert_array_equal(h[[0, 2]], case["h0"][[0, 2]])
        np.testing.assert_array_equal(c[[0, 2]], case["c0"][[0, 2]])
        assert np.all(out[[0, 2]] == 0.0)
        np.testing.assert_array_equal(out[1], h[1])


def test_full_lengths_equal_no_lengths():
    for kind in KINDS:
        case = make_case(kind, 8, 4, 7, 3, 6, with_state=True)
        full = np.full(4, 7, np.int32)
        for go_backwards in (False, True):
            options = dict(go_backwards=go_backwards, return_sequences=True)
            plain = run_kernel(kind, "ref", case, **options)
            lengths = run_kernel(kind, "ref", case, lengths=full, **options)
            for p, q in zip(plain, lengths):
                np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("isa", SIMD_ISAS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("batch,steps,features,units", SHAPES + [(8, 40, 16, 64), (2, 11, 9, 130)])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_simd_lengths_match_ref(isa, kind, batch, steps, features, units, go_backwards):
    require_isa(isa)
    seed = batch * 7 + steps + units
    case = make_case(kind, seed, batch, steps, features, units, with_state=True,
                     reset_after=units % 2 == 0, time_major=units % 3 == 0)
    options = dict(go_backwards=go_backwards, return_sequences=units % 4 != 1,
                   time_major=units % 3 == 0, lengths=make_lengths(seed, batch, steps))
    if kind == "gru":
        options["reset_after"] = units % 2 == 0
    want = run_kernel(kind, "ref", case, **options)
    got = run_kernel(kind, isa, case, **options)
    assert_close(got, [w.astype(np.float64) for w in want], SEQ_ATOL, f"{kind} {isa} vs ref")


@pytest.mark.parametrize("isa", ALL_ISAS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("time_major", [False, True])
def test_bidirectional_lengths_match_bidirectional_dynamic_rnn(isa, kind, return_sequences,
                                                               time_major):
    """Backward half: reverse_sequence, dynamic_rnn, reverse_sequence back (time order)."""
    require_isa(isa)
    batch, steps, features, units = 5, 11, 4, 7
    fw = make_case(kind, 31, batch, steps, features, units, with_state=True,
                   time_major=time_major)
    bw = make_case(kind, 32, batch, steps, features, units, time_major=time_major)
    bw["x"] = fw["x"]
    lengths = make_lengths(33, batch, steps)
    options = dict(return_sequences=return_sequences, time_major=time_major)
    got = bidirectional_call(isa, kind, fw, bw, lengths=lengths, **options)
    f = ORACLES[kind](**fw, lengths=lengths, **options)
    b = ORACLES[kind](**bw, lengths=lengths, go_backwards=True, time_order=True, **options)
    want = (np.concatenate([f[0], b[0]], axis=-1),) + f[1:] + b[1:]
    assert len(got) == len(want)
    for index, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape, f"result {index}: shape {g.shape} != {w.shape}"
        err = float(np.max(np.abs(g - w)))
        assert err <= SEQ_ATOL, f"{kind} {isa} bidirectional result {index}: error {err:.3g}"
