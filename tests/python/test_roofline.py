"""bench/roofline/roofline.py's per-step bound: the max of compute and memory time, and the
serial bound that adds the input projection's compute to the step instead of overlapping it."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def roofline():
    spec = importlib.util.spec_from_file_location("roofline", ROOT / "bench/roofline/roofline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Round numbers: 100 GFLOP/s = 1e5 FLOPs per microsecond; 100 GB/s = 1e5 bytes per microsecond.
PEAKS = {
    "fma_gflops": 100.0,
    "cache_bytes": {"L1": 32 << 10, "L2": 2 << 20, "L3": 32 << 20},
    "read_gbs": {"L2": 100.0},
    "read_gbs_by_size": [[16 << 10, 100.0], [64 << 20, 100.0]],
}


def result(kind: str, units: int, features: int, ours_us: float, time: int = 100) -> dict:
    return {"kind": kind, "units": units, "features": features, "batch": 1, "time": time,
            "threads": 1, "median_us": {"ours": ours_us, "builtin": 3 * ours_us}}


def test_memory_bound_lstm(roofline):
    row = roofline.case_roofline(result("lstm", 256, 40, ours_us=700.0), PEAKS)
    recurrent_bytes = 4 * 256 * 256 * 4
    projection_bytes = 4 * 40 * 4 * 256 / roofline.CHUNK_STEPS
    memory_us = (recurrent_bytes + projection_bytes) / 1e5
    projection_us = 2 * 40 * 4 * 256 / 1e5
    assert row["level"] == "L2" and row["bound"] == "memory"
    assert row["bound_us_per_step"] == pytest.approx(memory_us)
    # The recurrent FLOPs (2*256*1024 / 1e5 = 5.2 us) stay under the memory time.
    assert row["serial_bound_us_per_step"] == pytest.approx(projection_us + memory_us)
    assert row["fraction"] == pytest.approx(memory_us / 7.0)
    assert row["serial_fraction"] == pytest.approx((projection_us + memory_us) / 7.0)
    assert row["best_baseline_us_per_step"] == pytest.approx(21.0)


def test_compute_bound_keeps_the_serial_bound_equal(roofline):
    # Batch-8 like: FLOPs dominate, so the serial bound is the compute time, as the max is.
    r = result("gru", 64, 40, ours_us=100.0)
    r["batch"] = 64
    row = roofline.case_roofline(r, PEAKS)
    compute_us = 64 * 2.0 * (40 + 64) * 3 * 64 / 1e5
    assert row["bound"] == "compute"
    assert row["bound_us_per_step"] == pytest.approx(compute_us)
    assert row["serial_bound_us_per_step"] == pytest.approx(compute_us)


def test_stream_bound_with_the_invoke_floor(roofline):
    # T=1: the floor (an invoke with no recurrent work) is added whole to the serial bound.
    r = result("lstm", 128, 40, ours_us=3.0, time=1)
    r["stream"], r["invoke_floor_us"] = True, 0.5
    row = roofline.case_roofline(r, PEAKS)
    assert row["floor_bound_us_per_step"] == pytest.approx(row["serial_bound_us_per_step"] + 0.5)
    assert row["floor_fraction"] == pytest.approx(row["floor_bound_us_per_step"] / 3.0)


def test_no_floor_without_a_measured_one(roofline):
    row = roofline.case_roofline(result("lstm", 128, 40, ours_us=200.0), PEAKS)
    assert "floor_fraction" not in row and "invoke_floor_us" not in row


@pytest.mark.parametrize("kind,units,parallel", [("gru", 128, 1), ("gru", 256, 2),
                                                 ("simple_rnn", 256, 1), ("simple_rnn", 384, 2)])
def test_gru_and_simple_rnn_split_only_large_steps(roofline, kind, units, parallel):
    # kMinSplitStepBytes (cc/kernels/thread_pool.h): 512 KiB of float32 recurrent weights.
    r = result(kind, units, 40, ours_us=100.0)
    r["threads"] = 2
    row = roofline.case_roofline(r, PEAKS)
    gates = roofline.GATES[kind]
    weight_bytes = 4 * (units * gates * units + 40 * gates * units / roofline.CHUNK_STEPS)
    assert row["weight_bytes_per_thread"] == pytest.approx(weight_bytes / parallel)
