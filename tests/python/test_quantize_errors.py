"""Bad quantized weights (contract versions 3-4): a clear error naming the op, the tensor and what
was expected, at allocate_tensors(), on the delegate and the registerer route; no crash, and the
process goes on running models. The int8 op's scales are its column_scales inputs (4: kernel's,
5: recurrent_kernel's); the affine-quantization form of version 3 is covered natively
(tests/native/quantized_weights_test.cc)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROUTES, run_tflite
from flatbuffers import flexbuffers
from test_quantize_convert import OurOp, converted

import tflite_rnn_ops as tro
from tflite_rnn_ops import tflite_file

OP = "TFLiteRnnOps>LSTM"


def _edited(edit) -> bytes:
    op = OurOp(converted("dynamic")[0])
    edit(op)
    return tflite_file.save(op.model)


def _set_options(op: OurOp, **changes) -> None:
    op.op.customOptions = list(flexbuffers.Dumps({**op.options, **changes}))


def _set_scales(i: int, scales, dtype=None) -> callable:
    """Replaces column_scales input i with scales(old values), as `dtype` (default: the old)."""
    def edit(op: OurOp) -> None:
        old = op.value(i)
        value = np.asarray(scales(old.astype(np.float32)), dtype or old.dtype)
        op.op.inputs[i] = tflite_file.add_constant(op.model, op.schema, op.sg, f"scales{i}", value)
    return edit


def _int8_bias(op: OurOp) -> None:
    bias = op.value(3)
    q = np.clip(np.round(bias / 0.01), -127, 127).astype(np.int8)
    op.op.inputs[3] = tflite_file.add_constant(op.model, op.schema, op.sg, "int8_bias", q,
                                               np.array([0.01], np.float32))


def _make_interpreter(tflite: bytes, route: str):
    if route == "registerer":
        from tensorflow.lite.python.interpreter import InterpreterWithCustomOps

        return InterpreterWithCustomOps(model_content=tflite, custom_op_registerers=[tro.registerer])
    return tro.Interpreter(model_content=tflite)


def _allocate_error(tflite: bytes, route: str) -> str:
    it = _make_interpreter(tflite, route)
    messages = []
    for _ in range(2):  # failing again, the same way, is part of "no crash"
        with pytest.raises(RuntimeError) as err:
            it.allocate_tensors()
        messages.append(str(err.value))
    assert OP in messages[1]
    return messages[0]


CASES = {
    "scales of the wrong length": (
        _set_scales(4, lambda s: s[:-1]),
        "input 'kernel_scales' expected shape [G*U] = [256], got [255]"),
    "zero scale": (
        _set_scales(5, lambda s: np.where(np.arange(s.size) == 7, 0, s)),
        "input 'recurrent_kernel_scales' expected every scale finite and > 0, got scale[7] = "
        "0.000000"),
    "negative float32 scale": (
        _set_scales(4, lambda s: -s, np.float32),
        "input 'kernel_scales' expected every scale finite and > 0, got scale[0] = -"),
    "int8 scales": (
        _set_scales(4, lambda s: np.ones_like(s), np.int8),
        "input 'kernel_scales' expected float16 or float32 scales of input 'kernel', got int8"),
    "scales missing": (
        lambda op: setattr(op.op, "inputs", list(op.op.inputs)[:4]),
        "expected 6 inputs and 3 outputs (per its direction/merge_mode/mask/initial_state/"
        "column_scales options), got 4 and 3"),
    "int8 bias": (_int8_bias, "input 'bias' expected float32, got int8"),
    "column scales on a version-3 op": (
        lambda op: _set_options(op, version=3),
        "option 'column_scales' needs option 'version' >= 4, the op says 3 (a damaged or "
        "hand-edited model; convert it again)"),
    "int8 weights without their scales on a version-2 op": (
        lambda op: (_set_options(op, version=2, column_scales=False),
                    setattr(op.op, "inputs", list(op.op.inputs)[:4])),
        "input 'kernel' is int8: float16 and int8 weights need option 'version' >= 3, the op "
        "says 2"),
    "a version larger than supported": (
        lambda op: _set_options(op, version=5),
        "option 'version' is 5, this runtime supports 1..4 (upgrade tflite-rnn-ops)"),
}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_quantized_weights_are_clear_errors(case, route):
    edit, expected = CASES[case]
    message = _allocate_error(_edited(edit), route)
    assert f"{OP}: {expected}" in message, message


def test_the_process_runs_models_after_the_errors():
    for edit, _ in CASES.values():
        with pytest.raises(RuntimeError):
            tro.Interpreter(model_content=_edited(edit)).allocate_tensors()
    tflite, model = converted("float32")
    x = np.random.default_rng(0).normal(size=(2, 5, 20)).astype(np.float32)
    np.testing.assert_allclose(run_tflite(tflite, [x])[0], model(x).numpy(), atol=1e-5)

