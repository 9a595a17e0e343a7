"""ISA dispatch (built variants, the active ISA, the TFLITE_RNN_OPS_ISA override) and argument
validation of the kernel bindings."""

import os
import platform
import subprocess
import sys

import numpy as np
import pytest

from kernel_oracles import (SIMD_ISAS, make_case, make_lengths, make_lstm_case, require_isa,
                            run_kernel, run_lstm)
import tflite_rnn_ops as tro
from tflite_rnn_ops import _native


# ---------------------------------------------------------------------------------------------
# CPU capabilities


def x86_cpu_flags():
    """The CPU's feature flags from /proc/cpuinfo (x86 Linux), None when they cannot be read."""
    try:
        with open("/proc/cpuinfo") as f:
            return next((line.split(":", 1)[1].split() for line in f
                         if line.startswith("flags")), [])
    except OSError:
        return None


def cpu_supported_isas():
    """ISAs this CPU can run, from the OS's view; None when it cannot be determined."""
    machine = platform.machine().lower()
    if machine in ("aarch64", "arm64"):
        return {"neon"}
    if machine not in ("x86_64", "amd64"):
        return set()
    flags = x86_cpu_flags()
    if flags is None:
        return None
    isas = set()
    if "avx2" in flags and "fma" in flags:
        isas.add("avx2")
    if "avx512f" in flags and "avx2" in isas:
        isas.add("avx512")
    return isas


def test_supported_isas_are_built():
    supported = cpu_supported_isas()
    if supported is None:
        pytest.skip("cannot read the CPU's feature flags on this OS")
    missing = sorted(isa for isa in supported if not _native.isa_available(isa))
    assert not missing, f"CPU supports {missing} but the build does not provide them"
    assert _native.isa_available("ref")


def test_int8_leaf_follows_the_cpu():
    """The int8 product leaf is the best one this CPU runs (dispatch.h, Q8Leaf)."""
    isa, leaf = tro.kernel_isa(), tro.kernel_int8_leaf()
    flags = x86_cpu_flags() if platform.machine().lower() in ("x86_64", "amd64") else None
    if isa == "ref":
        assert leaf == "ref"
    elif isa == "neon":
        assert leaf in ("neondot", "neon")
    elif flags is None:
        pytest.skip("cannot read the CPU's feature flags on this OS")
    elif isa == "avx512" and "avx512bw" in flags:
        assert leaf == ("avx512vnni" if "avx512_vnni" in flags else "avx512")
    elif "avx_vnni" in flags:
        assert leaf == "avxvnni"
    else:
        assert leaf in ("avx2sign", "avx2")


def test_active_isa_is_best_available():
    env = {k: v for k, v in os.environ.items() if k != "TFLITE_RNN_OPS_ISA"}
    best = next(i for i in ("avx512", "avx2", "neon", "ref") if _native.isa_available(i))
    assert active_isa_in_subprocess(env) == best


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
        run_lstm("ref", case, activation="softmax")
    with pytest.raises(ValueError, match="isa"):
        run_lstm("sse9", case)


def test_lengths_errors_name_the_argument():
    case = make_lstm_case(1, 3, 4, 2, 5)
    with pytest.raises(ValueError, match=r"'lengths' must be in \[0, 4\], got 5 at index 1"):
        run_lstm("ref", case, lengths=np.array([1, 5, 0], np.int32))
    with pytest.raises(ValueError, match=r"'lengths' must be in \[0, 4\], got -1"):
        run_lstm("ref", case, lengths=np.array([-1, 1, 0], np.int32))
    with pytest.raises(ValueError, match=r"'lengths'.*\(3,\).*\(2,\)"):
        run_kernel("gru", "ref", make_case("gru", 1, 3, 4, 2, 5), lengths=np.ones(2, np.int32))
    masked = make_case("rnn", 1, 3, 4, 2, 5, with_mask=True)
    with pytest.raises(ValueError, match="'mask' and 'lengths' are exclusive"):
        run_kernel("rnn", "ref", masked, lengths=make_lengths(0, 3, 4))


def test_lstm_extras_errors_name_the_argument():
    case = make_lstm_case(1, 2, 3, 4, 5, peepholes=True, num_proj=3)
    bad = dict(case, w_o_diag=None)
    with pytest.raises(ValueError, match="'w_i_diag', 'w_f_diag' and 'w_o_diag', got 2"):
        run_lstm("ref", bad)
    bad = dict(case, w_f_diag=np.zeros(4, np.float32))
    with pytest.raises(ValueError, match=r"'w_f_diag'.*\(5,\).*\(4,\)"):
        run_lstm("ref", bad)
    # The projection fixes P = 3, so the recurrent kernel must be [P, 4U] and h0 [B, P].
    bad = dict(case, recurrent_kernel=np.zeros((5, 20), np.float32))
    with pytest.raises(ValueError, match=r"'recurrent_kernel'.*\(3, 20\).*\(5, 20\)"):
        run_lstm("ref", bad)
    bad = dict(case, h0=np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"'h0'.*\(2, 3\).*\(2, 5\)"):
        run_lstm("ref", bad)
    with pytest.raises(ValueError, match="'cell_clip' and 'proj_clip' must be >= 0"):
        run_lstm("ref", case, cell_clip=-1.0)
