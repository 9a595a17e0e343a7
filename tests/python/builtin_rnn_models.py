"""Single-op .tflite models with TFLite's builtin RNN ops, built directly with the schema.

The TFLite converter only emits some variants (tf_keras gives unidirectional LSTMs with tanh and
cell_clip 10), so the others (peepholes, projection, clipping, activations, time-major, the
bidirectional and RNN ops, and the variants our ops cannot express) are written here with the
layout TFLite's own kernels read: the original file run by TFLite is the reference.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from tflite_rnn_ops import tflite_file
from tflite_rnn_ops.model_info import _schema

S = _schema()
BATCH, TIME, FEATURES = 2, 5, 3


@dataclasses.dataclass
class Spec:
    units: int = 4
    num_proj: int = 0
    peepholes: bool = False
    cell_clip: float = 0.0
    proj_clip: float = 0.0
    activation: int = 4  # TANH
    time_major: bool = False
    merge_outputs: bool = True
    cifg: bool = False
    layer_norm: bool = False
    proj_bias: bool = False
    weight_type: str = "float32"  # "int8": a hybrid op
    batch: int = BATCH
    scale: float = 1.0  # weight scale: larger values reach the clips


class _Builder:
    def __init__(self, seed: int) -> None:
        self.model = S.ModelT()
        self.model.version = 3
        self.model.buffers = [S.BufferT()]
        self.model.operatorCodes = []
        self.sg = S.SubGraphT()
        self.sg.tensors, self.sg.operators = [], []
        self.model.subgraphs = [self.sg]
        self.rng = np.random.default_rng(seed)

    def tensor(self, name: str, shape: list[int], *, data: np.ndarray | None = None,
               variable: bool = False, dtype: int = 0) -> int:
        t = S.TensorT()
        t.name, t.shape, t.type, t.isVariable = name, list(shape), dtype, variable
        if data is not None:
            b = S.BufferT()
            b.data = np.frombuffer(data.tobytes(), np.uint8)
            self.model.buffers.append(b)
            t.buffer = len(self.model.buffers) - 1
            if dtype == S.TensorType.INT8:
                t.quantization = S.QuantizationParametersT()
                t.quantization.scale, t.quantization.zeroPoint = [0.02], [0]
        self.sg.tensors.append(t)
        return len(self.sg.tensors) - 1

    def weight(self, name: str, shape: list[int], spec: Spec, scale: float = 1.0) -> int:
        value = self.rng.normal(0, spec.scale * scale / np.sqrt(shape[-1]), shape)
        if spec.weight_type == "int8" and len(shape) == 2:
            return self.tensor(name, shape, data=np.clip(np.round(value / 0.02), -127, 127)
                               .astype(np.int8), dtype=S.TensorType.INT8)
        return self.tensor(name, shape, data=value.astype(np.float32))

    def diagonal(self, name: str, n: int, spec: Spec) -> int:
        """A peephole: int8 too in a hybrid op (TFLite's hybrid kernel wants them so)."""
        if spec.weight_type != "int8":
            return self.vector(name, n)
        value = self.rng.normal(0, 0.5, [n])
        return self.tensor(name, [n], data=np.clip(np.round(value / 0.02), -127, 127)
                           .astype(np.int8), dtype=S.TensorType.INT8)

    def vector(self, name: str, n: int, scale: float = 0.5) -> int:
        return self.tensor(name, [n], data=self.rng.normal(0, scale, [n]).astype(np.float32))

    def finish(self, builtin: int, options_type: str, options, inputs, outputs, x, ys) -> bytes:
        code = S.OperatorCodeT()
        code.builtinCode, code.deprecatedBuiltinCode, code.version = builtin, min(builtin, 127), 1
        self.model.operatorCodes = [code]
        op = S.OperatorT()
        op.opcodeIndex, op.inputs, op.outputs = 0, inputs, outputs
        op.builtinOptionsType = getattr(S.BuiltinOptions, options_type)
        op.builtinOptions = options
        self.sg.operators = [op]
        self.sg.inputs, self.sg.outputs = [x], ys
        return tflite_file.save(self.model)


def _x(b: _Builder, spec: Spec) -> int:
    shape = [TIME, spec.batch, FEATURES] if spec.time_major else [spec.batch, TIME, FEATURES]
    return b.tensor("x", shape)


def _y(b: _Builder, spec: Spec, name: str, width: int) -> int:
    shape = [TIME, spec.batch, width] if spec.time_major else [spec.batch, TIME, width]
    return b.tensor(name, shape)


def _lstm_weights(b: _Builder, spec: Spec, prefix: str) -> list[int]:
    u, p = spec.units, spec.num_proj or spec.units
    none = -1
    gates = "ifco"
    inputs = [none if (g == "i" and spec.cifg) else b.weight(f"{prefix}input_to_{g}", [u, FEATURES], spec)
              for g in gates]
    inputs += [none if (g == "i" and spec.cifg) else b.weight(f"{prefix}recurrent_to_{g}", [u, p], spec)
               for g in gates]
    inputs += [b.diagonal(f"{prefix}cell_to_{g}", u, spec) if spec.peepholes and not (g == "i" and spec.cifg)
               else none for g in "ifo"]
    inputs += [none if (g == "i" and spec.cifg) else b.vector(f"{prefix}{g}_bias", u) for g in gates]
    inputs.append(b.weight(f"{prefix}projection", [p, u], spec) if spec.num_proj else none)
    inputs.append(b.vector(f"{prefix}projection_bias", p, 0.3) if spec.proj_bias else none)
    return inputs


def _states(b: _Builder, spec: Spec, prefix: str, widths: list[int]) -> list[int]:
    return [b.tensor(f"{prefix}state_{k}", [spec.batch, w], variable=True)
            for k, w in enumerate(widths)]


def lstm(spec: Spec, seed: int = 0) -> bytes:
    """A model of one UNIDIRECTIONAL_SEQUENCE_LSTM."""
    b = _Builder(seed)
    x = _x(b, spec)
    p = spec.num_proj or spec.units
    inputs = [x, *_lstm_weights(b, spec, ""), *_states(b, spec, "", [p, spec.units])]
    if spec.layer_norm:
        inputs += [b.vector(f"layer_norm_{g}", spec.units, 1.0) for g in "ifco"]
    y = _y(b, spec, "y", p)
    options = S.UnidirectionalSequenceLSTMOptionsT()
    options.fusedActivationFunction, options.cellClip = spec.activation, spec.cell_clip
    options.projClip, options.timeMajor = spec.proj_clip, spec.time_major
    return b.finish(S.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM,
                    "UnidirectionalSequenceLSTMOptions", options, inputs, [y], x, [y])


def _bidirectional_outputs(b: _Builder, spec: Spec, width: int) -> list[int]:
    if spec.merge_outputs:
        return [_y(b, spec, "y", 2 * width)]
    return [_y(b, spec, "y_fw", width), _y(b, spec, "y_bw", width)]


def bidirectional_lstm(spec: Spec, seed: int = 0) -> bytes:
    """A model of one BIDIRECTIONAL_SEQUENCE_LSTM (48 inputs, no auxiliary input)."""
    b = _Builder(seed)
    x = _x(b, spec)
    p = spec.num_proj or spec.units
    fw, bw = _lstm_weights(b, spec, "fw_"), _lstm_weights(b, spec, "bw_")
    states = _states(b, spec, "fw_", [p, spec.units]) + _states(b, spec, "bw_", [p, spec.units])
    inputs = [x, *fw, *bw, *states, *([-1] * 9)]
    ys = _bidirectional_outputs(b, spec, p)
    options = S.BidirectionalSequenceLSTMOptionsT()
    options.fusedActivationFunction, options.cellClip = spec.activation, spec.cell_clip
    options.projClip, options.timeMajor = spec.proj_clip, spec.time_major
    options.mergeOutputs = spec.merge_outputs
    return b.finish(S.BuiltinOperator.BIDIRECTIONAL_SEQUENCE_LSTM,
                    "BidirectionalSequenceLSTMOptions", options, inputs, ys, x, ys)


def _rnn_weights(b: _Builder, spec: Spec, prefix: str) -> list[int]:
    u = spec.units
    return [b.weight(f"{prefix}input_weights", [u, FEATURES], spec),
            b.weight(f"{prefix}recurrent_weights", [u, u], spec), b.vector(f"{prefix}bias", u)]


def rnn(spec: Spec, seed: int = 0) -> bytes:
    """A model of one UNIDIRECTIONAL_SEQUENCE_RNN."""
    b = _Builder(seed)
    x = _x(b, spec)
    inputs = [x, *_rnn_weights(b, spec, ""), *_states(b, spec, "", [spec.units])]
    y = _y(b, spec, "y", spec.units)
    options = S.SequenceRNNOptionsT()
    options.fusedActivationFunction, options.timeMajor = spec.activation, spec.time_major
    return b.finish(S.BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_RNN, "SequenceRNNOptions", options,
                    inputs, [y], x, [y])


def bidirectional_rnn(spec: Spec, seed: int = 0) -> bytes:
    """A model of one BIDIRECTIONAL_SEQUENCE_RNN (12 inputs, no auxiliary input)."""
    b = _Builder(seed)
    x = _x(b, spec)
    fw = [*_rnn_weights(b, spec, "fw_"), *_states(b, spec, "fw_", [spec.units])]
    bw = [*_rnn_weights(b, spec, "bw_"), *_states(b, spec, "bw_", [spec.units])]
    ys = _bidirectional_outputs(b, spec, spec.units)
    options = S.BidirectionalSequenceRNNOptionsT()
    options.fusedActivationFunction, options.timeMajor = spec.activation, spec.time_major
    options.mergeOutputs = spec.merge_outputs
    return b.finish(S.BuiltinOperator.BIDIRECTIONAL_SEQUENCE_RNN,
                    "BidirectionalSequenceRNNOptions", options, [x, *fw, *bw, -1, -1, -1], ys, x, ys)
