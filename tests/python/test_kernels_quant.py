"""int8 and float16 weight matrices through tflite_rnn_ops._native (the kernels' weight_type):

  * the NumPy model of the scheme (quant_oracles.py on the float64 oracles of kernel_oracles.py)
    vs the 'ref' kernels, <= SEQ_ATOL (1e-5): the same activation rounding, integer sums, only
    the float summation order differs;
  * every SIMD variant the CPU supports vs 'ref', <= SEQ_ATOL;
  * threads give the one-thread bits;
  * bad weight arguments raise a ValueError naming the argument.
"""

import numpy as np
import pytest

from kernel_oracles import (ORACLES, SEQ_ATOL, SIMD_ISAS, assert_close, bidirectional_call,
                            make_case, make_lengths, options_for, require_isa, run_kernel)
from quant_oracles import quantize_columns, quantize_rows, store
from tflite_rnn_ops import _native

WEIGHTS = ("int8", "float16")

CASES = [
    # (kind, batch, steps, features, units, case kwargs, options)
    ("lstm", 1, 8, 5, 9, {}, {"return_sequences": True}),
    ("lstm", 3, 10, 7, 17, {"with_mask": True, "with_state": True},
     {"return_sequences": True, "go_backwards": True}),
    ("lstm", 4, 6, 3, 11, {"time_major": True, "with_mask": True},
     {"time_major": True, "zero_output_for_mask": True}),
    ("lstm", 2, 7, 6, 10, {"peepholes": True, "with_state": True},
     {"return_sequences": True, "cell_clip": 0.6}),
    ("lstm", 3, 7, 6, 13, {"num_proj": 5, "peepholes": True, "with_mask": True},
     {"return_sequences": True, "proj_clip": 0.5}),
    ("lstm", 2, 5, 4, 12, {"num_proj": 9}, {}),
    ("gru", 3, 9, 5, 11, {"with_mask": True, "with_state": True}, {"return_sequences": True}),
    ("gru", 3, 9, 5, 11, {"reset_after": False, "with_mask": True},
     {"return_sequences": True, "reset_after": False}),
    ("gru", 2, 6, 7, 20, {"reset_after": False, "time_major": True},
     {"time_major": True, "reset_after": False, "go_backwards": True}),
    ("rnn", 3, 12, 4, 9, {"with_mask": True}, {"return_sequences": True}),
    ("rnn", 2, 6, 5, 33, {"with_bias": False, "with_state": True}, {"go_backwards": True}),
]


def _ids(case):
    kind, b, t, f, u, kw, _ = case
    return f"{kind}-b{b}t{t}f{f}u{u}-" + "-".join(sorted(kw)) if kw else f"{kind}-b{b}t{t}f{f}u{u}"


def _cases(kind, b, t, f, u, kw, weights, seed=3):
    case = make_case(kind, seed, b, t, f, u, **kw)
    return store(case, weights)


def _oracle(kind, oracle_case, options, lengths=None):
    extras = {k: oracle_case[k] for k in ("w_i_diag", "w_f_diag", "w_o_diag", "projection")
              if oracle_case.get(k) is not None}
    states = ((oracle_case["h0"], oracle_case["c0"]) if kind == "lstm"
              else (oracle_case["h0"],))
    return ORACLES[kind](oracle_case["x"], oracle_case["kernel"],
                         oracle_case["recurrent_kernel"], oracle_case["bias"],
                         oracle_case["mask"], *states, lengths=lengths, **extras, **options)


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_ref_matches_the_model_of_the_scheme(weights, case):
    kind, b, t, f, u, kw, options = case
    kernel_case, oracle_case = _cases(kind, b, t, f, u, kw, weights)
    options = options_for(kind, options)
    got = run_kernel(kind, "ref", kernel_case, **options)
    assert_close(got, _oracle(kind, oracle_case, options), SEQ_ATOL, f"{weights} {kind} ref")


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("kind", ("lstm", "gru", "rnn"))
def test_lengths_match_the_model(weights, kind):
    kernel_case, oracle_case = _cases(kind, 4, 9, 5, 10, {"with_state": True}, weights)
    lengths = make_lengths(5, 4, 9)
    options = {"return_sequences": True, "go_backwards": True}
    got = run_kernel(kind, "ref", kernel_case, lengths=lengths, **options)
    want = _oracle(kind, oracle_case, dict(options, time_order=False), lengths=lengths)
    assert_close(got, want, SEQ_ATOL, f"{weights} {kind} lengths")


@pytest.mark.parametrize("isa", SIMD_ISAS)
@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_simd_matches_ref(isa, weights, case):
    require_isa(isa)
    kind, b, t, f, u, kw, options = case
    kernel_case, _ = _cases(kind, b, t, f, u, kw, weights)
    options = options_for(kind, options)
    want = run_kernel(kind, "ref", kernel_case, **options)
    got = run_kernel(kind, isa, kernel_case, **options)
    assert_close(got, [w.astype(np.float64) for w in want], SEQ_ATOL, f"{weights} {kind} {isa}")


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("kind", ("lstm", "gru", "rnn"))
def test_bidirectional_matches_the_model(weights, kind):
    kw = {"with_mask": True, "with_state": True}
    if kind == "gru":
        kw["reset_after"] = False
    fw_k, fw_o = _cases(kind, 3, 8, 5, 12, kw, weights, seed=11)
    bw_k, bw_o = _cases(kind, 3, 8, 5, 12, kw, weights, seed=12)
    for key in ("x", "mask"):  # one input sequence for both directions
        bw_k[key], bw_o[key] = fw_k[key], fw_o[key]
    options = options_for(kind, {"return_sequences": True, "reset_after": False})
    for isa in ("ref",) + tuple(i for i in SIMD_ISAS if _native.isa_available(i)):
        got = bidirectional_call(isa, kind, fw_k, bw_k, **options)
        fwd = _oracle(kind, fw_o, options)
        bwd = _oracle(kind, bw_o, dict(options, go_backwards=True))
        n_states = 2 if kind == "lstm" else 1
        want_out = np.concatenate([fwd[0], bwd[0][:, ::-1]], axis=-1)
        assert_close((got[0],), (want_out,), SEQ_ATOL, f"{weights} {kind} {isa} output")
        assert_close(got[1:1 + n_states], fwd[1:], SEQ_ATOL, f"{weights} {kind} {isa} forward")
        assert_close(got[1 + n_states:], bwd[1:], SEQ_ATOL, f"{weights} {kind} {isa} backward")
        # Each direction on its own thread: the same bits.
        threaded = bidirectional_call(isa, kind, fw_k, bw_k, threads=2, **options)
        for g, w in zip(threaded, got):
            assert np.array_equal(g.view(np.uint32), w.view(np.uint32)), f"{isa} threads 2"


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("kind", ("lstm", "gru", "rnn"))
def test_threads_are_bit_identical(weights, kind):
    kw = {"with_mask": True}
    if kind == "gru":
        kw["reset_after"] = False
    kernel_case, _ = _cases(kind, 3, 7, 9, 70, kw, weights)
    options = options_for(kind, {"return_sequences": True, "reset_after": False})
    isa = _native.active_isa()
    one = run_kernel(kind, isa, kernel_case, **options)
    for threads in (2, 3):
        got = run_kernel(kind, isa, kernel_case, threads=threads, **options)
        for g, w in zip(got, one):
            assert np.array_equal(g.view(np.uint32), w.view(np.uint32)), f"threads {threads}"


def test_quantize_rows_model_rounds_half_to_even():
    x = np.array([[127.0, 0.5, 1.5, 2.5, -2.5, -0.5], [0.0] * 6,
                  [np.nan, 1, 1, 1, 1, 1], [np.inf, 1, 1, 1, 1, 1]], np.float32)
    q, scale = quantize_rows(x)
    assert q[0].tolist() == [127, 0, 2, 2, -2, 0] and scale[0] == 1.0
    assert q[1:].tolist() == [[0] * 6] * 3
    assert scale[1] == 0.0 and np.isnan(scale[2]) and np.isinf(scale[3])


def test_nan_input_propagates_as_nan():
    case = make_case("lstm", 1, 1, 4, 3, 5)
    kernel_case, _ = store(case, "int8")
    kernel_case["x"] = kernel_case["x"].copy()
    kernel_case["x"][0, 0, 0] = np.nan
    out, h, c = run_kernel("lstm", "ref", kernel_case)
    assert np.isnan(h).all() and np.isnan(c).all()


# ---------------------------------------------------------------------------------------------
# Bad weight arguments


def _int8_case():
    case = make_case("lstm", 1, 2, 3, 4, 5)
    return store(case, "int8")[0]


def test_int8_without_scale_is_rejected():
    case = _int8_case()
    del case["recurrent_kernel_scale"]
    with pytest.raises(ValueError, match="recurrent_kernel_scale.*needs float32 scales"):
        run_kernel("lstm", "ref", case)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf, np.nan])
def test_bad_scale_is_rejected(bad):
    case = _int8_case()
    case["kernel_scale"] = case["kernel_scale"].copy()
    case["kernel_scale"][3] = bad
    with pytest.raises(ValueError, match="kernel_scale.*finite and > 0.*index 3"):
        run_kernel("lstm", "ref", case)


def test_wrong_scale_length_is_rejected():
    case = _int8_case()
    case["kernel_scale"] = case["kernel_scale"][:-1]
    with pytest.raises(ValueError, match=r"kernel_scale.*shape \(20,\) or \(1,\), got \(19,\)"):
        run_kernel("lstm", "ref", case)


def test_per_tensor_scale_broadcasts():
    case = make_case("lstm", 1, 3, 3, 4, 5)
    kernel_case, oracle_case = store(case, "int8")
    for key in ("kernel", "recurrent_kernel"):
        q, s = quantize_columns(case[key])
        scale = np.float32(s.max())
        kernel_case[key + "_scale"] = np.array([scale], np.float32)
        oracle_case[key].scales = np.full_like(s, scale)
    got = run_kernel("lstm", "ref", kernel_case)
    assert_close(got, _oracle("lstm", oracle_case, {}), SEQ_ATOL, "per-tensor scale")


def test_mixed_weight_types_are_rejected():
    case = _int8_case()
    case["recurrent_kernel"] = np.zeros((5, 20), np.float16)
    del case["recurrent_kernel_scale"]
    with pytest.raises(ValueError, match="'recurrent_kernel' is float16 but 'kernel' is int8"):
        run_kernel("lstm", "ref", case)


def test_scale_for_float_weights_is_rejected():
    case = make_case("lstm", 1, 2, 3, 4, 5)
    case["kernel_scale"] = np.ones(20, np.float32)
    with pytest.raises(ValueError, match="'kernel_scale' is only for int8 'kernel'"):
        run_kernel("lstm", "ref", case)
