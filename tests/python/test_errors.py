"""Bad input gets a clear error naming the op, the tensor and what was expected; never a crash."""

from __future__ import annotations

import functools

import keras
import numpy as np
import pytest
from flatbuffers import flexbuffers

import tflite_rnn_ops as tro
from tflite_rnn_ops import timing

OP = "TFLiteRnnOps>LSTM"


@functools.lru_cache(maxsize=None)
def _model(features: int = 6, units: int = 4, with_mask_and_state: bool = False) -> bytes:
    keras.utils.set_random_seed(0)
    x_in = keras.Input((None, features), name="x")
    if not with_mask_and_state:
        return tro.convert(keras.Model(x_in, tro.layers.LSTM(units)(x_in)))
    m_in = keras.Input((None,), dtype="bool", name="m")
    h_in, c_in = keras.Input((units,), name="h0"), keras.Input((units,), name="c0")
    out = tro.layers.LSTM(units)(x_in, mask=m_in, initial_state=[h_in, c_in])
    return tro.convert(keras.Model([x_in, m_in, h_in, c_in], out))


def _schema():
    from ai_edge_litert import schema_py_generated as schema

    return schema


def _patched(tflite: bytes, edit) -> bytes:
    import flatbuffers

    schema = _schema()
    model = schema.ModelT.InitFromPackedBuf(bytearray(tflite), 0)
    edit(model, model.subgraphs[0])
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _our_op(subgraph):
    (op,) = [o for o in subgraph.operators if o.customOptions is not None]
    return op


def _with_options(tflite: bytes, make_options) -> bytes:
    def edit(model, sg):
        op = _our_op(sg)
        old = flexbuffers.Loads(bytes(op.customOptions))
        op.customOptions = list(make_options(dict(old)))
    return _patched(tflite, edit)


def _allocate_error(tflite: bytes, shapes: dict[int, list[int]] | None = None) -> str:
    it = tro.Interpreter(model_content=tflite)
    for index, shape in (shapes or {}).items():
        it.resize_tensor_input(it.get_input_details()[index]["index"], shape)
    with pytest.raises(RuntimeError) as err:
        it.allocate_tensors()
    return str(err.value)


def _dumps(d: dict) -> bytes:
    return bytes(flexbuffers.Dumps(d))


@pytest.mark.parametrize(
    "make_options,expected",
    [
        (lambda o: _dumps({k: v for k, v in o.items() if k != "units"}), "option 'units' is missing"),
        (lambda o: _dumps({**o, "units": "four"}), "option 'units' expected an int"),
        (lambda o: _dumps({**o, "units": 5}), "input 'kernel' expected shape"),
        (lambda o: _dumps({**o, "activation": "softmax"}), "option 'activation' expected an elementwise"),
        (lambda o: _dumps({**o, "version": 99}), "option 'version' is 99"),
        (lambda o: _dumps({**o, "mask": "ragged"}), "option 'mask' expected"),
        (lambda o: _dumps({**o, "initial_state": True}), "expected 6 inputs"),
        (lambda o: b"", "options are missing"),
        (lambda o: b"\x01\x02\x03\x04", "not a flexbuffer map"),
        (lambda o: _dumps(o)[-8:], "malformed"),
    ],
    ids=["no-units", "units-type", "units-value", "activation", "version", "mask", "n-inputs",
         "empty", "garbage", "truncated"],
)
def test_malformed_options(make_options, expected):
    message = _allocate_error(_with_options(_model(), make_options))
    assert OP in message and expected in message, message


def test_wrong_input_dtype():
    def edit(model, sg):
        sg.tensors[_our_op(sg).inputs[0]].type = _schema().TensorType.INT32
    message = _allocate_error(_patched(_model(), edit))
    assert f"{OP}: input 'x' expected float32, got int32" in message


@pytest.mark.parametrize(
    "shape,expected",
    [
        ([2, 5], "input 'x' expected shape [B, T, F]"),
        ([1, 5, 5], "input 'kernel' expected shape [F, 4*units] = [5, 16], got [6, 16]"),
        ([1, 0, 6], "expected at least one time step"),
    ],
)
def test_wrong_x_shape(shape, expected):
    message = _allocate_error(_model(), {0: shape})
    assert OP in message and expected in message, message


def _input_position(tflite: bytes, name: str) -> int:
    it = tro.Interpreter(model_content=tflite)
    return [i for i, d in enumerate(it.get_input_details()) if name in d["name"]][0]


def test_mask_and_state_shapes_and_dtype():
    tflite = _model(with_mask_and_state=True)
    x, m, h = (_input_position(tflite, n) for n in ("x", "m", "h0"))
    ok = {x: [2, 5, 6], m: [2, 5]}
    message = _allocate_error(tflite, {**ok, m: [2, 6]})
    assert f"{OP}: input 'mask' expected shape [B, T] = [2, 5], got [2, 6]" in message
    message = _allocate_error(tflite, {**ok, h: [2, 5]})
    assert "input 'initial_h' expected shape [B, units] = [2, 4], got [2, 5]" in message

    def edit(model, sg):
        sg.tensors[_our_op(sg).inputs[4]].type = _schema().TensorType.FLOAT32
    message = _allocate_error(_patched(tflite, edit))
    assert f"{OP}: input 'mask' expected bool, got float32" in message


def test_valid_model_still_runs_after_errors():
    # The error paths above must not poison later interpreters (no global state).
    x = np.ones((1, 3, 6), np.float32)
    out = timing.run(tro.Interpreter(model_content=_model()), [x])
    assert out[0].shape == (1, 4) and np.all(np.isfinite(out[0]))


def test_delegate_rejects_unknown_option():
    from ai_edge_litert.interpreter import load_delegate

    with pytest.raises(ValueError, match="TFLiteRnnOpsDelegate: unknown option 'foo'"):
        load_delegate(tro.delegate_library_path(), options={"foo": "bar"})


def test_python_argument_errors():
    with pytest.raises(ValueError, match=r"`activation` must be one of .*received activation="):
        tro.layers.LSTM(4, activation="softmax")
    with pytest.raises(ValueError, match=r"`backend` must be one of"):
        tro.Interpreter(model_content=_model(), backend="onnx")
    inp = keras.Input((None, 3))
    with pytest.raises(TypeError, match="unknown converter option 'bogus'"):
        tro.convert(keras.Model(inp, tro.layers.LSTM(2)(inp)), bogus=True)
