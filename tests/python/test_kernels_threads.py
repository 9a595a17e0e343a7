"""Threaded sequence kernels (the `threads` argument of tflite_rnn_ops._native): every thread
count gives the one-thread result bit for bit (threads own whole unit blocks, so no sum is
reordered), and stays within the float64 oracle's tolerance.
"""

import numpy as np
import pytest

from kernel_oracles import (ALL_ISAS, ORACLES, SEQ_ATOL, assert_close, bidirectional_call,
                            make_case, make_lengths, options_for, require_isa, run_kernel)

THREADS = (2, 3, 4)

CASES = [
    # (batch, steps, features, units, case kwargs, options)
    (1, 30, 40, 256, {}, {"return_sequences": True}),
    (8, 12, 40, 128, {"with_state": True}, {"return_sequences": True}),
    (3, 10, 7, 37, {"with_mask": True}, {"return_sequences": True, "go_backwards": True}),
    (5, 9, 6, 70, {"time_major": True, "with_state": True},
     {"time_major": True, "zero_output_for_mask": True}),
    # Fewer unit blocks (one) than threads: falls back to one slice.
    (2, 6, 5, 8, {}, {"return_sequences": True}),
]


def _assert_identical(got, want, what):
    assert len(got) == len(want), what
    for index, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape, f"{what}: output {index} shape {g.shape} != {w.shape}"
        differ = int(np.count_nonzero(g.view(np.uint32) != w.view(np.uint32)))
        assert differ == 0, f"{what}: output {index} differs in {differ} of {g.size} values"


@pytest.mark.parametrize("isa", ALL_ISAS)
@pytest.mark.parametrize("kind", ("lstm", "gru", "rnn"))
@pytest.mark.parametrize("batch,steps,features,units,case_kw,options", CASES)
def test_threads_bit_identical_and_accurate(isa, kind, batch, steps, features, units, case_kw,
                                            options):
    require_isa(isa)
    options = options_for(kind, options)
    case = make_case(kind, units * 7 + batch, batch, steps, features, units, **case_kw)
    one = run_kernel(kind, isa, case, **options)
    want = ORACLES[kind](**case, **options)
    assert_close(one, want, SEQ_ATOL, f"{kind} {isa} 1 thread vs oracle")
    for threads in THREADS:
        got = run_kernel(kind, isa, case, threads=threads, **options)
        _assert_identical(got, one, f"{kind} {isa} {threads} threads vs 1")
        assert_close(got, want, SEQ_ATOL, f"{kind} {isa} {threads} threads vs oracle")


@pytest.mark.parametrize("isa", ALL_ISAS)
def test_threads_with_lengths(isa):
    require_isa(isa)
    case = make_case("lstm", 5, 4, 11, 6, 48, with_state=True)
    lengths = make_lengths(5, 4, 11)
    for go_backwards in (False, True):
        opts = {"return_sequences": True, "go_backwards": go_backwards, "lengths": lengths}
        one = run_kernel("lstm", isa, case, **opts)
        for threads in THREADS:
            _assert_identical(run_kernel("lstm", isa, case, threads=threads, **opts), one,
                              f"lstm {isa} lengths backwards={go_backwards} {threads} threads")


@pytest.mark.parametrize("isa", ALL_ISAS)
@pytest.mark.parametrize("extras", [{"peepholes": True}, {"num_proj": 24}])
def test_threads_tf1_extras(isa, extras):
    require_isa(isa)
    case = make_case("lstm", 9, 3, 10, 6, 40, with_state=True, **extras)
    opts = {"return_sequences": True, "cell_clip": 1.5}
    one = run_kernel("lstm", isa, case, **opts)
    for threads in THREADS:
        _assert_identical(run_kernel("lstm", isa, case, threads=threads, **opts), one,
                          f"lstm {isa} {extras} {threads} threads")


@pytest.mark.parametrize("isa", ALL_ISAS)
@pytest.mark.parametrize("kind", ("lstm", "gru", "rnn"))
def test_bidirectional_directions_on_their_own_threads(isa, kind):
    require_isa(isa)
    fw = make_case(kind, 21, 2, 15, 8, 64, with_mask=True, with_state=True)
    bw = make_case(kind, 22, 2, 15, 8, 64, with_state=True)
    bw["mask"] = fw["mask"]
    opts = options_for(kind, {"return_sequences": True})
    one = bidirectional_call(isa, kind, fw, bw, **opts)
    for threads in THREADS:
        _assert_identical(bidirectional_call(isa, kind, fw, bw, threads=threads, **opts), one,
                          f"bidirectional {kind} {isa} {threads} threads")


def test_threads_must_be_positive():
    case = make_case("lstm", 1, 1, 2, 3, 4)
    with pytest.raises(ValueError, match="lstm_forward: argument 'threads' must be >= 1, got 0"):
        run_kernel("lstm", "ref", case, threads=0)


@pytest.mark.parametrize("isa", ALL_ISAS)
@pytest.mark.parametrize("units", (96, 384))
def test_threads_gru_reset_before(isa, units):
    # reset_after=False needs r for every unit before the candidate: all threads finish the
    # gates before any starts the candidate. 96 units stay below kMinSplitStepBytes
    # (thread_pool.h: one thread for the step), 384 split it.
    require_isa(isa)
    case = make_case("gru", 31, 3, 12, 40, units, with_state=True, reset_after=False)
    opts = {"return_sequences": True, "reset_after": False}
    one = run_kernel("gru", isa, case, **opts)
    assert_close(one, ORACLES["gru"](**case, **opts), SEQ_ATOL, f"gru {isa} reset_after=False")
    for threads in THREADS:
        _assert_identical(run_kernel("gru", isa, case, threads=threads, **opts), one,
                          f"gru {isa} reset_after=False {threads} threads")


@pytest.mark.parametrize("isa", ALL_ISAS)
@pytest.mark.parametrize("kind", ("gru", "rnn"))
def test_threads_split_a_large_step(isa, kind):
    # 384 units: 576 KiB of SimpleRNN and 1.7 MiB of GRU recurrent weights, above
    # kMinSplitStepBytes (thread_pool.h), so each thread computes its own unit blocks of every
    # step; lengths and go_backwards reverse the block order of alternate steps within a slice.
    require_isa(isa)
    case = make_case(kind, 41, 2, 7, 9, 384, with_state=True)
    opts = options_for(kind, {"return_sequences": True, "go_backwards": True,
                              "lengths": make_lengths(41, 2, 7)})
    one = run_kernel(kind, isa, case, **opts)
    assert_close(one, ORACLES[kind](**case, **opts), SEQ_ATOL, f"{kind} {isa} 1 thread")
    for threads in THREADS:
        _assert_identical(run_kernel(kind, isa, case, threads=threads, **opts), one,
                          f"{kind} {isa} {threads} threads")
