"""The op contract: C++ header and Python mirror agree; options the converter writes are the
documented ones; the time-major layout works through the converter and the runtime."""

from __future__ import annotations

import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import assert_parity, run_tflite

import tflite_rnn_ops as tro
from tflite_rnn_ops import _contract
from tflite_rnn_ops.layers import base
from tflite_rnn_ops.layers import cells

HEADER = os.path.join(os.path.dirname(__file__), "..", "..", "cc", "include", "tflite_rnn_ops", "ops.h")


def _header_constants() -> dict[str, str]:
    with open(HEADER) as f:
        text = f.read()
    found = dict(re.findall(r'inline constexpr char (k\w+)\[\] = "([^"]*)";', text))
    found.update(re.findall(r"inline constexpr int (k\w+) = (\d+);", text))
    return found


def test_header_and_python_mirror_agree():
    c = _header_constants()
    assert c["kOpPrefix"] == _contract.OP_PREFIX
    assert c["kLstmOpName"] == _contract.LSTM_OP
    assert c["kGruOpName"] == _contract.GRU_OP
    assert c["kRnnOpName"] == _contract.RNN_OP
    assert int(c["kContractVersion"]) == _contract.CONTRACT_VERSION
    python_attrs = {k: v for k, v in vars(_contract).items() if k.startswith("ATTR_")}
    header_attrs = {k: v for k, v in c.items()
                    if k not in ("kOpPrefix", "kLstmOpName", "kGruOpName", "kRnnOpName", "kContractVersion")}
    assert sorted(python_attrs.values()) == sorted(header_attrs.values())


def test_converter_writes_documented_attributes():
    inp = keras.Input((None, 3))
    tflite = tro.convert(keras.Model(inp, tro.layers.LSTM(5, go_backwards=True)(inp)))
    (op,) = tro.inspect_model(tflite).our_ops
    assert op.name == _contract.LSTM_OP
    assert op.attributes == {
        "activation": "tanh", "go_backwards": -1, "initial_state": 0, "mask": "none",
        "recurrent_activation": "sigmoid", "return_sequences": 0, "time_major": 0, "units": 5,
        "version": _contract.BASE_VERSION, "zero_output_for_mask": 0,
    }
    assert op.input_shapes == [[-1, -1, 3], [3, 20], [5, 20], [20]]
    assert op.output_shapes == [[-1, 5], [-1, 5], [-1, 5]]


class TimeMajorLSTM(keras.layers.Layer):
    """Test-only: the op with time_major=True, as the TF1 entry points will emit it."""

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.cell = keras.layers.LSTMCell(units)
        self.units = units

    def build(self, input_shape):
        self.cell.build((None, input_shape[-1]))

    def call(self, x):
        attrs = {"units": self.units, "activation": "tanh", "recurrent_activation": "sigmoid",
                 "time_major": True, "go_backwards": False, "return_sequences": True,
                 "zero_output_for_mask": False, "mask": "none", "initial_state": False}
        body = base.sequence_body(cells.lstm_step("tanh", "sigmoid"), units=self.units,
                                  num_weights=3, num_states=2, go_backwards=False,
                                  return_sequences=True, zero_output_for_mask=False,
                                  time_major=True, has_mask=False, has_state=False)
        fn = base.fused_function(_contract.LSTM_OP, attrs, body)
        out, _, _ = fn(x, tf.convert_to_tensor(self.cell.kernel),
                       tf.convert_to_tensor(self.cell.recurrent_kernel), tf.convert_to_tensor(self.cell.bias))
        return out


@pytest.mark.parametrize("batch", [None, 3])  # a static batch once made Keras's loop run B steps
def test_time_major_layout(batch):
    inp = keras.Input((batch, 4))  # read as [T, B, F]
    layer = TimeMajorLSTM(6)
    model = keras.Model(inp, layer(inp))
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.allow_custom_ops = True
    tflite = converter.convert()
    (op,) = tro.inspect_model(tflite).our_ops
    assert op.attributes["time_major"] != 0
    x_tbf = np.random.default_rng(0).normal(size=(7, 3, 4)).astype(np.float32)
    stock = keras.layers.LSTM(6, return_sequences=True)
    stock.build((None, None, 4))
    stock.set_weights(layer.cell.get_weights())
    want = np.transpose(stock(np.transpose(x_tbf, (1, 0, 2))).numpy(), (1, 0, 2))
    assert_parity(run_tflite(tflite, [x_tbf]), [want])


class ScaledKernelLSTM(keras.layers.Layer):
    """Test-only: the op's kernel is computed at run time (kernel * a model input), so the
    runtime cannot pack it in Prepare and must repack it on every invoke."""

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.cell = keras.layers.LSTMCell(units)
        self.units = units

    def build(self, input_shapes):
        self.cell.build((None, input_shapes[0][-1]))

    def call(self, inputs):
        x, scale = inputs
        attrs = {"units": self.units, "return_sequences": True}
        body = base.sequence_body(cells.lstm_step("tanh", "sigmoid"), units=self.units,
                                  num_weights=3, num_states=2, go_backwards=False,
                                  return_sequences=True, zero_output_for_mask=False,
                                  time_major=False, has_mask=False, has_state=False)
        fn = base.fused_function(_contract.LSTM_OP, attrs, body)
        kernel = tf.convert_to_tensor(self.cell.kernel) * scale[0, 0]
        out, _, _ = fn(x, kernel, tf.convert_to_tensor(self.cell.recurrent_kernel),
                       tf.convert_to_tensor(self.cell.bias))
        return out


def test_weights_computed_at_run_time_are_repacked_every_invoke():
    x_in, s_in = keras.Input((None, 3), name="x"), keras.Input((1,), name="s")
    model = keras.Model([x_in, s_in], ScaledKernelLSTM(5)([x_in, s_in]))
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.allow_custom_ops = True
    tflite = converter.convert()
    assert len(tro.inspect_model(tflite).our_ops) == 1
    x = np.random.default_rng(1).normal(size=(2, 4, 3)).astype(np.float32)
    runner = tro.Interpreter(model_content=tflite).get_signature_runner()
    outputs = []
    for scale in (1.0, -2.0, 0.5):  # a stale packing would repeat the first result
        s = np.full((1, 1), scale, np.float32)
        got = list(runner(x=x, s=s).values())[0]
        assert_parity([got], [model([x, s]).numpy()])
        outputs.append(got)
    assert not np.allclose(outputs[0], outputs[1])
