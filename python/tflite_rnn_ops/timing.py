"""Timing helpers shared by the demo and the benchmarks."""

from __future__ import annotations

import statistics
import time
from typing import Any, Sequence

import numpy as np


def set_inputs(interpreter: Any, inputs: Sequence[np.ndarray]) -> None:
    """Resizes the interpreter's inputs to `inputs`' shapes, allocates, and copies them in."""
    details = interpreter.get_input_details()
    for d, value in zip(details, inputs):
        if list(d["shape"]) != list(value.shape):
            interpreter.resize_tensor_input(d["index"], list(value.shape))
    interpreter.allocate_tensors()
    for d, value in zip(interpreter.get_input_details(), inputs):
        interpreter.set_tensor(d["index"], value.astype(d["dtype"]))


def run(interpreter: Any, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """One invoke on `inputs`; returns every output in the interpreter's output order."""
    set_inputs(interpreter, inputs)
    interpreter.invoke()
    return [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]


def median_invoke_us(interpreter: Any, inputs: Sequence[np.ndarray], runs: int, warmup: int = 3) -> float:
    """Median wall time of `invoke()` in microseconds (inputs set once, outside the timing)."""
    set_inputs(interpreter, inputs)
    for _ in range(warmup):
        interpreter.invoke()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        interpreter.invoke()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()
