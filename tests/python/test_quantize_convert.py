"""tro.convert with quantization options: what the file holds (issue 10 Part 1, docs/ops.md v3-v4).

int8 (dynamic range and full integer; their scales as column_scales inputs, version 4) and
float16 (version 3) weight matrices read directly by our ops, biases float32, file sizes; a
float32 model stays float32.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import randomize_weights
from flatbuffers import flexbuffers

import tflite_rnn_ops as tro
from tflite_rnn_ops import _contract, tflite_file
from tflite_rnn_ops.quantize import quantize_columns


def lstm_model(units=64, features=20) -> keras.Model:
    inp = keras.Input((None, features), name="x")
    model = keras.Model(inp, keras.layers.LSTM(units, return_sequences=True)(inp))
    randomize_weights(model)
    return model


def float16_spec() -> tf.lite.TargetSpec:
    spec = tf.lite.TargetSpec()
    spec.supported_types = [tf.float16]
    return spec


def calibration(features=20, n=4):
    rng = np.random.default_rng(1)
    return lambda: ([rng.normal(size=(1, 6, features)).astype(np.float32)] for _ in range(n))


MODES = {
    "float32": {},
    "dynamic": {"optimizations": [tf.lite.Optimize.DEFAULT]},
    "float16": {"optimizations": [tf.lite.Optimize.DEFAULT], "target_spec": float16_spec()},
    "int8": {"optimizations": [tf.lite.Optimize.DEFAULT], "representative_dataset": calibration()},
}


@functools.lru_cache(maxsize=None)
def converted(mode: str) -> tuple[bytes, keras.Model]:
    model = lstm_model()
    return tro.convert(model, report=False, **MODES[mode]), model


class OurOp:
    """Our single op of a converted model: its input tensors and options."""

    def __init__(self, tflite: bytes) -> None:
        self.schema, self.model = tflite_file.load(tflite, "test")
        self.sg = self.model.subgraphs[0]
        names = tflite_file.op_names(self.model, self.schema)
        self.names = [names[op.opcodeIndex] for op in self.sg.operators]
        (self.op,) = [op for op, n in zip(self.sg.operators, self.names) if n.startswith("TFLite")]
        self.options = flexbuffers.Loads(bytes(self.op.customOptions))

    def tensor(self, i: int):
        return self.sg.tensors[int(self.op.inputs[i])]

    def type(self, i: int) -> str:
        return tflite_file.type_name(self.schema, self.tensor(i).type)

    def value(self, i: int) -> np.ndarray:
        return tflite_file.constant(self.model, self.tensor(i))

    def producer(self, i: int) -> str | None:
        t = int(self.op.inputs[i])
        for op, name in zip(self.sg.operators, self.names):
            if t in [int(o) for o in op.outputs]:
                return name
        return None


def test_float32_model_stays_float32():
    op = OurOp(converted("float32")[0])
    assert [op.type(i) for i in range(4)] == ["FLOAT32"] * 4
    assert op.options[_contract.ATTR_VERSION] == 1


@pytest.mark.parametrize("mode", ["dynamic", "int8"])
def test_int8_weights_per_column_symmetric_with_float32_bias(mode):
    tflite, model = converted(mode)
    op = OurOp(tflite)
    kernel, recurrent, bias = model.layers[1].get_weights()
    assert [op.type(i) for i in range(4)] == ["FLOAT32", "INT8", "INT8", "FLOAT32"]
    assert op.options[_contract.ATTR_VERSION] == 4 and op.options[_contract.ATTR_COLUMN_SCALES]
    # x, kernel, recurrent_kernel, bias, then the two matrices' scales, float16
    assert len(op.op.inputs) == 6 and [op.type(i) for i in (4, 5)] == ["FLOAT16", "FLOAT16"]
    for i, w, scales in ((1, kernel, 4), (2, recurrent, 5)):
        assert op.tensor(i).quantization is None or not op.tensor(i).quantization.scale
        want_q, want_s = quantize_columns(w)
        np.testing.assert_array_equal(op.value(scales).astype(np.float32), want_s)
        np.testing.assert_array_equal(op.value(i), want_q)
        # the float16 scales round max|w| / 127 up, by at most one float16 step
        exact = np.max(np.abs(w), axis=0) / np.float32(127)
        assert np.all(want_s >= exact) and np.all(want_s <= exact * (1 + 2.0 ** -10))
        # every column uses the full range: its largest |q| is 127
        assert np.all(np.max(np.abs(op.value(i).astype(int)), axis=0) == 127)
    np.testing.assert_array_equal(op.value(3), bias)


def test_float16_weights_read_directly_without_dequantize():
    tflite, model = converted("float16")
    op = OurOp(tflite)
    kernel, recurrent, bias = model.layers[1].get_weights()
    assert [op.type(i) for i in range(4)] == ["FLOAT32", "FLOAT16", "FLOAT16", "FLOAT32"]
    assert op.options[_contract.ATTR_VERSION] == 3
    assert all(op.producer(i) is None for i in range(1, 4))  # constants, no DEQUANTIZE
    assert "DEQUANTIZE" not in op.names  # nothing else used them: dropped with their tensors
    np.testing.assert_array_equal(op.value(1), kernel.astype(np.float16))
    np.testing.assert_array_equal(op.value(2), recurrent.astype(np.float16))
    # float32 as the contract wants; TF's float16 pass rounded its values before we see the file
    np.testing.assert_array_equal(op.value(3), bias.astype(np.float16).astype(np.float32))


def test_full_integer_model_surrounds_our_op_with_dequantize_and_quantize():
    inp = keras.Input((None, 20), name="x")
    x = keras.layers.Dense(32)(inp)
    x = keras.layers.LSTM(48, return_sequences=True)(x)
    model = keras.Model(inp, keras.layers.Dense(8)(x))
    randomize_weights(model)
    tflite = tro.convert(model, report=False, optimizations=[tf.lite.Optimize.DEFAULT],
                         representative_dataset=calibration())
    op = OurOp(tflite)
    assert op.type(1) == op.type(2) == "INT8" and op.type(3) == "FLOAT32"
    assert op.producer(0) == "DEQUANTIZE"  # the int8 Dense output, widened for our op
    readers = [n for o, n in zip(op.sg.operators, op.names)
               if int(op.op.outputs[0]) in [int(t) for t in o.inputs]]
    assert readers == ["QUANTIZE"]  # our float32 output, narrowed for the next int8 op
    fcs = [o for o, n in zip(op.sg.operators, op.names) if n == "FULLY_CONNECTED"]
    assert fcs and all(op.sg.tensors[int(o.inputs[1])].type == op.schema.TensorType.INT8
                       for o in fcs)


def test_file_sizes():
    sizes = {mode: len(converted(mode)[0]) for mode in MODES}
    weights = 4 * (20 * 256 + 64 * 256)  # float32 kernel + recurrent kernel
    assert sizes["float32"] > weights
    # int8: a byte per weight and a float16 scale per column of each matrix (column_scales, v4;
    # TFLite's affine quantization would add 12 bytes a column: this bound excludes it)
    int8 = weights / 4 + 2 * 256 * 2
    assert sizes["float32"] - sizes["dynamic"] >= 0.98 * (weights - int8)
    assert sizes["float32"] - sizes["float16"] >= 0.49 * weights
    assert abs(sizes["int8"] - sizes["dynamic"]) < 0.1 * sizes["dynamic"]


def test_bidirectional_gru_and_stateful_lstm_quantize_every_direction():
    inp = keras.Input((None, 16))
    x = keras.layers.Bidirectional(keras.layers.GRU(24, return_sequences=True))(inp)  # 16 x 72
    model = keras.Model(inp, x)
    op = OurOp(tro.convert(model, report=False, optimizations=[tf.lite.Optimize.DEFAULT]))
    # x, then kernel, recurrent_kernel, bias per direction
    assert [op.type(i) for i in range(7)] == ["FLOAT32", "INT8", "INT8", "FLOAT32", "INT8",
                                              "INT8", "FLOAT32"]
    # then the scales of forward kernel, recurrent_kernel, backward kernel, recurrent_kernel
    assert len(op.op.inputs) == 11 and [op.type(i) for i in range(7, 11)] == ["FLOAT16"] * 4
    assert [op.value(i).shape for i in range(7, 11)] == [(72,)] * 4

    stateful_in = keras.Input(batch_shape=(1, 1, 6))
    stateful = keras.Model(stateful_in, keras.layers.LSTM(8, stateful=True)(stateful_in))
    op = OurOp(tro.convert(stateful, report=False, optimizations=[tf.lite.Optimize.DEFAULT],
                           target_spec=float16_spec()))
    assert op.options[_contract.ATTR_STATEFUL] and op.options[_contract.ATTR_VERSION] == 3
    assert op.type(1) == op.type(2) == "FLOAT16" and op.type(3) == "FLOAT32"


def test_report_says_what_was_stored(capsys):
    tro.convert(lstm_model(16, 16), optimizations=[tf.lite.Optimize.DEFAULT])
    assert "1 op(s) store int8 weight matrices (contract version 3)" in capsys.readouterr().out


def test_dynamic_range_leaves_small_ops_float32_as_tflite_does(capsys):
    # LSTM(16) on 4 features: the recurrent kernel has 16 * 64 = 1024 elements, the kernel only
    # 4 * 64 = 256, which TFLite would keep float32: the op stays float32.
    model = lstm_model(16, 4)
    op = OurOp(tro.convert(model, optimizations=[tf.lite.Optimize.DEFAULT]))
    assert op.type(1) == op.type(2) == "FLOAT32" and op.options[_contract.ATTR_VERSION] == 1
    assert "a weight matrix has fewer than 1024 elements" in capsys.readouterr().out
    full = OurOp(tro.convert(model, report=False, optimizations=[tf.lite.Optimize.DEFAULT],
                             representative_dataset=calibration(features=4)))
    assert full.type(1) == full.type(2) == "INT8"  # full integer quantizes every weight


def test_the_callers_target_spec_is_left_as_it_was():
    spec = tf.lite.TargetSpec()
    tro.convert(lstm_model(8, 20), report=False, optimizations=[tf.lite.Optimize.DEFAULT],
                representative_dataset=calibration(), target_spec=spec)
    assert not spec._experimental_custom_op_registerers
