"""tro.rewrite on malformed input: a clear ValueError / TypeError naming what is wrong, never a
crash or a silently mangled model."""

from __future__ import annotations

import builtin_rnn_models as bm
import pytest

import tflite_rnn_ops as tro
from tflite_rnn_ops import tflite_file


def _edit(tflite: bytes, change) -> bytes:
    schema, model = tflite_file.load(tflite, "test")
    change(schema, model, model.subgraphs[0].operators[0])
    return tflite_file.save(model)


def test_not_bytes_or_path():
    with pytest.raises(TypeError, match=r"rewrite\(\): `model` must be .tflite bytes or a file path"):
        tro.rewrite(12345, report=False)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        tro.rewrite(str(tmp_path / "nope.tflite"), report=False)


@pytest.mark.parametrize("data", [b"", b"hello world", b"\x00" * 64, b"PK\x03\x04" + b"\x00" * 60])
def test_bad_bytes(data):
    with pytest.raises(ValueError, match=r"rewrite\(\): not a .tflite model: expected the "
                                         r"flatbuffer file identifier b'TFL3'"):
        tro.rewrite(data, report=False)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated_file(keep):
    data = bm.lstm(bm.Spec())
    with pytest.raises(ValueError, match=r"rewrite\(\): damaged .tflite model"):
        tro.rewrite(data[: int(len(data) * keep)], report=False)


def test_corrupt_offsets():
    data = bytearray(bm.lstm(bm.Spec()))
    data[0:4] = (len(data) + 1000).to_bytes(4, "little")  # root table past the end of the file
    with pytest.raises(ValueError, match=r"rewrite\(\): damaged .tflite model"):
        tro.rewrite(bytes(data), report=False)


def test_wrong_options_type():
    def change(schema, model, op):
        op.builtinOptionsType = schema.BuiltinOptions.SequenceRNNOptions
        op.builtinOptions = schema.SequenceRNNOptionsT()

    bad = _edit(bm.lstm(bm.Spec()), change)
    with pytest.raises(ValueError, match=r"malformed .tflite model: subgraph 0 operator #0 "
                                         r"\(UNIDIRECTIONAL_SEQUENCE_LSTM\): expected builtin "
                                         r"options UnidirectionalSequenceLSTMOptions"):
        tro.rewrite(bad, report=False)


def test_missing_options():
    def change(schema, model, op):
        op.builtinOptionsType, op.builtinOptions = 0, None

    with pytest.raises(ValueError, match="expected builtin options SequenceRNNOptions"):
        tro.rewrite(_edit(bm.rnn(bm.Spec()), change), report=False)


def test_negative_clip():
    def change(schema, model, op):
        op.builtinOptions.cellClip = -1.0

    with pytest.raises(ValueError, match=r"cell_clip -1.0 .* expected >= 0"):
        tro.rewrite(_edit(bm.lstm(bm.Spec()), change), report=False)


def test_wrong_arity():
    def change(schema, model, op):
        op.inputs = list(op.inputs)[:7]

    with pytest.raises(ValueError, match=r"\(UNIDIRECTIONAL_SEQUENCE_LSTM\): expected 20 or 24 "
                                         r"inputs, got 7"):
        tro.rewrite(_edit(bm.lstm(bm.Spec()), change), report=False)


def test_weight_of_wrong_shape():
    def change(schema, model, op):
        sg = model.subgraphs[0]
        tensor = sg.tensors[op.inputs[3]]  # input_to_cell_weights [4, 3] -> [3, 4]
        tensor.shape = [3, 4]

    with pytest.raises(ValueError, match=r"input 3 \(input_to_c_weights\) expected shape \[4, 3\], "
                                         r"got \[3, 4\]"):
        tro.rewrite(_edit(bm.lstm(bm.Spec()), change), report=False)


def test_constant_whose_buffer_does_not_fit_its_shape():
    def change(schema, model, op):
        model.subgraphs[0].tensors[op.inputs[1]].shape = [40, 3]

    with pytest.raises(ValueError, match=r"constant tensor 'input_weights' has shape \[40, 3\] but "
                                         r"its buffer holds 12 values"):
        tro.rewrite(_edit(bm.rnn(bm.Spec()), change), report=False)


def test_tensor_index_out_of_range():
    def change(schema, model, op):
        op.inputs = [*list(op.inputs)[:4], 999]

    with pytest.raises(ValueError, match=r"subgraph 0 operator 0 uses tensor 999"):
        tro.rewrite(_edit(bm.rnn(bm.Spec()), change), report=False)


def test_state_that_is_not_a_variable_stays_builtin():
    def change(schema, model, op):
        model.subgraphs[0].tensors[op.inputs[4]].isVariable = False

    with pytest.warns(UserWarning, match=r"input 4 \(hidden state\) is not a variable tensor"):
        tro.rewrite(_edit(bm.rnn(bm.Spec()), change), report=False)


def test_weights_computed_at_run_time_stay_builtin():
    def change(schema, model, op):
        sg = model.subgraphs[0]
        sg.inputs = [*sg.inputs, op.inputs[2]]  # recurrent weights fed by the caller
        model.buffers[sg.tensors[op.inputs[2]].buffer].data = None

    with pytest.warns(UserWarning, match=r"input 2 \(recurrent_weights\) is computed at run time"):
        out = tro.rewrite(_edit(bm.rnn(bm.Spec()), change), report=False)
    assert tro.inspect_model(out).count("UNIDIRECTIONAL_SEQUENCE_RNN") == 1


def test_missing_sequence_input():
    def change(schema, model, op):
        op.inputs = [-1, *list(op.inputs)[1:]]

    with pytest.raises(ValueError, match=r"input 0 \(the sequence\) is missing"):
        tro.rewrite(_edit(bm.rnn(bm.Spec()), change), report=False)


def test_weight_of_wrong_rank():
    def change(schema, model, op):
        model.subgraphs[0].tensors[op.inputs[1]].shape = [12]

    with pytest.raises(ValueError, match=r"input 1 \(input_to_input_weights\) expected \[units, "
                                         r"features\], got \[12\]"):
        tro.rewrite(_edit(bm.lstm(bm.Spec()), change), report=False)


def test_state_tensor_without_a_shape():
    # Found by tests/fuzz/model_readers_fuzzer.py: a variable state tensor with no shape vector
    # raised TypeError from inside the reader.
    def change(schema, model, op):
        model.subgraphs[0].tensors[int(op.inputs[18])].shape = None

    with pytest.raises(ValueError, match=r"malformed .tflite model: .*input 18 \(output state\) "
                                         r"expected shape \[batch, \d+\], got None"):
        tro.rewrite(_edit(bm.lstm(bm.Spec()), change), report=False)



def test_no_buffers_at_all():
    # Buffer 0 is the empty sentinel, so a file without a buffers vector passes the index
    # checks; its weights are then not constants, which rewrite must say, not crash on (the
    # model-readers fuzzer found an IndexError here).
    def change(schema, model, op):
        model.buffers = []
        for tensor in model.subgraphs[0].tensors:
            tensor.buffer = 0

    bad = _edit(bm.lstm(bm.Spec()), change)
    with pytest.warns(UserWarning, match=r"cannot be rewritten: .* is computed at run time"):
        tro.rewrite(bad, report=False)


def test_constant_reads_buffers_or_says_the_file_is_damaged():
    # tflite_file.constant on its own: rewrite's index checks refuse these files first, so this
    # is the only place its own refusals are exercised.
    schema, model = tflite_file.load(bm.lstm(bm.Spec()), "test")
    weights = next(t for t in model.subgraphs[0].tensors
                   if tflite_file.constant(model, t) is not None and len(t.shape) == 2)
    assert tflite_file.constant(model, weights).shape == tuple(weights.shape)
    weights.buffer = len(model.buffers)
    with pytest.raises(ValueError, match=r"damaged \.tflite model: tensor .* refers to buffer "
                                         rf"{len(model.buffers)}, but the file has "
                                         rf"{len(model.buffers)} buffers"):
        tflite_file.constant(model, weights)
    weights.buffer = -1
    with pytest.raises(ValueError, match=r"refers to buffer -1"):
        tflite_file.constant(model, weights)
    model.buffers = []
    weights.buffer = 0
    assert tflite_file.constant(model, weights) is None
