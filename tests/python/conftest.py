"""Shared helpers: convert a Keras model with our converter and compare the interpreter with Keras."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

PARITY_ATOL = 1e-5  # the project's float32 parity bound (max abs)


ROUTES = ("delegate", "registerer")


def run_tflite(tflite: bytes, inputs, backend: str = "litert", route: str = "delegate") -> list[np.ndarray]:
    """Runs our model through its signature runner; outputs in Keras's output order.

    `inputs` is a dict keyed by Keras input name, or a list of one array for one-input models.
    `route` "delegate" attaches our delegate to the `backend` interpreter; "registerer" registers
    the ops with TensorFlow's interpreter through `tro.registerer` (LiteRT has no such route).
    """
    import tflite_rnn_ops as tro

    if route == "registerer":
        from tensorflow.lite.python.interpreter import InterpreterWithCustomOps

        it = InterpreterWithCustomOps(model_content=tflite, custom_op_registerers=[tro.registerer],
                                      num_threads=1)
    else:
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


def assert_parity_on_routes(tflite: bytes, inputs, want: list[np.ndarray]) -> None:
    """Parity on every route (one conversion, each route's interpreter in turn)."""
    for route in ROUTES:
        try:
            assert_parity(run_tflite(tflite, inputs, route=route), want)
        except AssertionError as e:
            raise AssertionError(f"route {route!r}: {e}") from e


def randomize_weights(model, gain: float = 1.5, seed: int = 0) -> None:
    """Weights giving pre-activations of std ~gain, so gates saturate too.

    Keras's initialisers keep gates near 0.5. Much larger weights push Keras's own float32 error
    (against a float64 oracle) towards 1e-5, and then a comparison measures Keras, not us.
    """
    rng = np.random.default_rng(seed)
    model.set_weights([
        rng.normal(0, gain / np.sqrt(w.shape[0]) if w.ndim == 2 else 0.5, w.shape).astype(np.float32)
        for w in model.get_weights()
    ])


def assert_fused(tflite: bytes, op: str, count: int = 1):
    import tflite_rnn_ops as tro

    info = tro.inspect_model(tflite)
    assert info.count(op) == count, info.summary()
    assert info.count("WHILE") == 0, info.summary()
    return info


def padded_batch(rng, batch: int, time: int, features: int, lengths) -> np.ndarray:
    """Random sequences zero-padded at the end to `lengths` (for keras.layers.Masking)."""
    x = rng.normal(size=(batch, time, features)).astype(np.float32)
    for b, length in enumerate(lengths):
        x[b, length:] = 0.0
    return x


@pytest.fixture(autouse=True)
def _seed():
    import keras

    keras.utils.set_random_seed(1234)
