"""tro.convert writes every constant buffer at a 64-byte boundary of the file (LiteRT's
CompiledModel needs that for custom ops) and changes nothing else."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import tflite_rnn_ops as tro
from conftest import assert_parity, keras_outputs, randomize_weights, run_tflite
from tflite_rnn_ops import tflite_file


@pytest.fixture(scope="module")
def converted():
    """A two-input model (our LSTM and GRU ops, builtin ops) as the TF converter writes it, and as
    tro.convert returns it."""
    frames = keras.Input((None, 5), name="frames")
    aux = keras.Input((3,), name="aux")
    h = tro.layers.LSTM(6, return_sequences=True)(frames)
    h = tro.layers.GRU(4)(h)
    out = keras.layers.Dense(2, name="head")(keras.layers.Concatenate()([h, aux]))
    model = keras.Model([frames, aux], out)
    randomize_weights(model)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tflite_file, "align_buffers", lambda data, caller: data)
        raw = tro.convert(model, report=False)
    return model, raw, tro.convert(model, report=False)


def _inputs():
    rng = np.random.default_rng(1)
    return {"frames": rng.normal(size=(2, 7, 5)).astype(np.float32),
            "aux": rng.normal(size=(2, 3)).astype(np.float32)}


def test_convert_aligns_the_buffers_the_tf_converter_leaves_unaligned(converted):
    _, raw, aligned = converted
    # TF 2.21 writes buffer data at 4-byte boundaries only (this model's sit at 4, 8, 12 mod 16).
    assert tflite_file.misaligned_buffers(raw), "the TF converter now aligns to 64: step not needed"
    offsets = tflite_file.buffer_offsets(aligned)
    assert offsets.keys() == tflite_file.buffer_offsets(raw).keys()
    assert [i for i, offset in offsets.items() if offset % 64] == []


def test_alignment_changes_nothing_but_the_padding(converted):
    _, raw, aligned = converted
    # Written again through the object API, both files give the same bytes: same ops, tensors,
    # buffer contents, signatures and metadata.
    assert tflite_file.save(tflite_file.load(aligned, "test")[1]) == \
        tflite_file.save(tflite_file.load(raw, "test")[1])
    before, after = tro.Interpreter(model_content=raw), tro.Interpreter(model_content=aligned)
    assert after.get_signature_list() == before.get_signature_list()
    assert [(op["op_name"], list(op["inputs"]), list(op["outputs"]))
            for op in after._get_ops_details()] == \
        [(op["op_name"], list(op["inputs"]), list(op["outputs"])) for op in before._get_ops_details()]
    assert [(t["name"], list(t["shape_signature"]), t["dtype"]) for t in after.get_tensor_details()] == \
        [(t["name"], list(t["shape_signature"]), t["dtype"]) for t in before.get_tensor_details()]


@pytest.mark.parametrize("route", ["delegate", "registerer"])
def test_aligned_model_gives_identical_results(converted, route):
    model, raw, aligned = converted
    x = _inputs()
    got = run_tflite(aligned, x, route=route)
    for g, w in zip(got, run_tflite(raw, x, route=route)):
        np.testing.assert_array_equal(g, w)
    assert_parity(got, keras_outputs(model, [x["frames"], x["aux"]]))


def test_an_aligned_model_is_returned_as_it_is(converted):
    _, raw, aligned = converted
    assert tflite_file.align_buffers(aligned) == aligned
    # tro.rewrite writes through the same save(): its output is aligned too.
    assert tflite_file.misaligned_buffers(tflite_file.save(tflite_file.load(raw, "test")[1])) == []


def test_align_buffers_refuses_what_is_not_a_model():
    with pytest.raises(ValueError, match=r"align_buffers\(\): not a \.tflite model"):
        tflite_file.align_buffers(b"\0" * 64)
