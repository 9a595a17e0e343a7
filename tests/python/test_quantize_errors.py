"""Bad quantized weights (contract version 3): a clear error naming the op, the tensor and what was
expected, at allocate_tensors(), on the delegate and the registerer route; no crash, and the
process goes on running models."""

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


def _set_scales(i: int, scales) -> callable:
    def edit(op: OurOp) -> None:
        q = op.tensor(i).quantization
        q.scale = [float(s) for s in scales(np.asarray(q.scale, np.float32))]
        q.zeroPoint = [0] * len(q.scale)
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


@pytest.mark.parametrize("route", ROUTES)
def test_scales_of_the_wrong_length(route):
    # TFLite checks the scale count against the tensor's shape when it loads the file; our
    # glue's own check (tests/native/quantized_weights_test.cc) covers runtimes that do not.
    with pytest.raises(ValueError, match="num_scales must be 1 for per-layer quantization, or "
                                         "256 for per-axis quantization, but got 255"):
        _make_interpreter(_edited(_set_scales(1, lambda s: s[:-1])), route)


CASES = {
    "zero scale": (
        _set_scales(2, lambda s: np.where(np.arange(s.size) == 7, 0, s)),
        "input 'recurrent_kernel' (int8) expected every scale finite and > 0, got scale[7] = "
        "0.000000"),
    "negative scale": (
        _set_scales(1, lambda s: -s),
        "input 'kernel' (int8) expected every scale finite and > 0, got scale[0] = -"),
    "int8 bias": (_int8_bias, "input 'bias' expected float32, got int8"),
    "int8 weights on a version-2 op": (
        lambda op: _set_options(op, version=2),
        "input 'kernel' is int8: float16 and int8 weights need option 'version' >= 3, the op "
        "says 2"),
    "a version larger than supported": (
        lambda op: _set_options(op, version=4),
        "option 'version' is 4, this runtime supports 1..3 (upgrade tflite-rnn-ops)"),
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

