"""Shared helpers: convert a Keras model with our converter and compare the interpreter with Keras."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

PARITY_ATOL = 1e-5  # the project's float32 parity bound (max abs)


def run_tflite(tflite: bytes, inputs, backend: str = "litert") -> list[np.ndarray]:
    """Runs our model through its signature runner; outputs in Keras's output order.

    `inputs` is a dict keyed by Keras input name, or a list of one array for one-input models.
    """
    import tflite_rnn_ops as tro

    it = tro.Interpreter(model_content=tflite, backend=backend, num_threads=1)
    runner = it.get_signature_runner()
    if not isinstance(inputs, dict):
        (name,) = runner.get_input_details()
        inputs = {name: inputs[0]}
    result = runner(**inputs)
    return [result[k] for k in sorted(result, key=_order)]


def _order(name: str):
    # Signature tensors are named "<something>_<index>" or by Keras input name; keep both stable.
    tail = name.rsplit("_", 1)[-1]
    return (0, int(tail), name) if tail.isdigit() else (1, 0, name)


def keras_outputs(model, inputs: list[np.ndarray]) -> list[np.ndarray]:
    out = model(inputs if len(inputs) > 1 else inputs[0], training=False)
    out = out if isinstance(out, (list, tuple)) else [out]
    return [np.asarray(o) for o in out]


def assert_parity(got: list[np.ndarray], want: list[np.ndarray], atol: float = PARITY_ATOL) -> None:
    assert len(got) == len(want), f"{len(got)} outputs, Keras has {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape, f"output {i}: shape {g.shape}, Keras {w.shape}"
        err = float(np.max(np.abs(g - w))) if g.size else 0.0
        assert err <= atol, f"output {i}: max abs error {err:.3e} > {atol:.0e}"


@pytest.fixture(autouse=True)
def _seed():
    import keras

    keras.utils.set_random_seed(1234)
