"""Validation through the real interpreters (test_errors.py has the per-tensor cases): unknown and
NaN options, sizes that overflow, every error naming the node, and the interpreter usable after
a failed allocate_tensors()."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from test_errors import OP, _allocate_error, _dumps, _model, _with_options

import tflite_rnn_ops as tro
from tflite_rnn_ops import timing


def _our_node(tflite: bytes) -> int:
    (op,) = tro.inspect_model(tflite).our_ops
    return op.index


@pytest.mark.parametrize(
    "make_options,expected",
    [
        (lambda o: _dumps({**o, "unit": 4}), "unknown option 'unit'"),
        (lambda o: _dumps({**o, "reset_after": True}), "unknown option 'reset_after'"),
        (lambda o: _dumps({**o, "cell_clip": float("nan")}), "'cell_clip' and 'proj_clip' expected >= 0"),
        (lambda o: _dumps([1, 2, 3]), "options are not a flexbuffer map"),
    ],
    ids=["typo", "other-cells-key", "nan-clip", "a-vector"],
)
def test_bad_options_name_op_and_node(make_options, expected):
    tflite = _with_options(_model(), make_options)
    message = _allocate_error(tflite)
    assert f"{OP}: " in message and expected in message, message
    assert f"TFLiteRnnOpsDelegate: node {_our_node(tflite)} ({OP}) failed to prepare" in message


def test_sizes_that_overflow_fail_and_the_interpreter_recovers():
    tflite = _model()
    it = tro.Interpreter(model_content=tflite)
    index = it.get_input_details()[0]["index"]
    # 2^28 steps of LSTM(4): the input projection of all steps is beyond 2^31 elements.
    it.resize_tensor_input(index, [1, 1 << 28, 6])
    with pytest.raises(RuntimeError) as err:
        it.allocate_tensors()
    assert f"{OP}: sizes too large: input projection of all steps" in str(err.value)
    assert f"node {_our_node(tflite)} ({OP}) failed to prepare" in str(err.value)
    x = np.random.default_rng(0).normal(size=(2, 5, 6)).astype(np.float32)
    (after,) = timing.run(it, [x])
    (fresh,) = timing.run(tro.Interpreter(model_content=tflite), [x])
    assert np.array_equal(after, fresh)


CORPUS = pathlib.Path(__file__).resolve().parents[1] / "fuzz" / "corpus" / "models"


def _damaged_files() -> list[bytes]:
    good = (CORPUS / "lstm-inspect").read_bytes()[1:]
    # The files model_readers_fuzzer found (align_buffers raised flatbuffers' TypeError,
    # misaligned_buffers a struct.error, rewrite a KeyError for a subgraph output beyond the
    # tensors and a TypeError for absent vectors), truncations and a flipped offset of a valid
    # file.
    found = [(CORPUS / name).read_bytes()[1:]
             for name in ("regression-align-typeerror", "regression-offsets-struct-error",
                          "regression-rewrite-subgraph-output", "regression-rewrite-absent-vectors")]
    flipped = bytearray(good)
    flipped[12:16] = b"\xff\xff\xff\x7f"
    return [*found, good[: len(good) // 2], good[:40], bytes(flipped)]


@pytest.mark.parametrize("reader", ["inspect_model", "rewrite", "align_buffers",
                                    "misaligned_buffers"])
def test_damaged_model_files_raise_value_error(reader):
    from tflite_rnn_ops import tflite_file

    read = {"inspect_model": lambda d: tro.inspect_model(d).summary(),
            "rewrite": lambda d: tro.rewrite(d, report=False),
            "align_buffers": tflite_file.align_buffers,
            "misaligned_buffers": tflite_file.misaligned_buffers}[reader]
    for data in _damaged_files():
        try:
            read(data)
        except ValueError as err:
            assert "damaged .tflite model" in str(err) or "not a .tflite model" in str(err), err
