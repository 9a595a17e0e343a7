"""Reading a .tflite model: its ops, our custom ops with their attributes, tensor shapes."""

from __future__ import annotations

import dataclasses
from typing import Any

from tflite_rnn_ops import _contract


def _schema():
    try:
        from ai_edge_litert import schema_py_generated as schema
    except ImportError:  # pragma: no cover - litert is a dependency; TF ships the same schema
        from tensorflow.lite.python import schema_py_generated as schema
    return schema


@dataclasses.dataclass
class OpInfo:
    """One operator of the main subgraph."""

    index: int
    name: str  # builtin name (e.g. "FULLY_CONNECTED") or custom code (e.g. "TFLiteRnnOps>LSTM")
    custom: bool
    attributes: dict[str, Any]  # decoded custom options of our ops; empty otherwise
    input_shapes: list[list[int] | None]
    output_shapes: list[list[int]]

    @property
    def ours(self) -> bool:
        return self.custom and self.name.startswith(_contract.OP_PREFIX)


@dataclasses.dataclass
class ModelInfo:
    ops: list[OpInfo]

    def count(self, name: str) -> int:
        return sum(op.name == name for op in self.ops)

    @property
    def our_ops(self) -> list[OpInfo]:
        return [op for op in self.ops if op.ours]

    @property
    def needs_runtime(self) -> bool:
        """True when the model cannot run without our delegate (or registered ops)."""
        return bool(self.our_ops)

    def summary(self) -> str:
        lines = [f"{len(self.ops)} ops; needs tflite_rnn_ops runtime: {self.needs_runtime}"]
        for op in self.ops:
            lines.append(f"  #{op.index:<3d} {op.name}")
            if op.ours:
                attrs = ", ".join(f"{k}={v}" for k, v in sorted(op.attributes.items()))
                lines.append(f"        {attrs}")
                lines.append(f"        inputs {op.input_shapes} -> outputs {op.output_shapes}")
        return "\n".join(lines)


def _builtin_names(schema) -> dict[int, str]:
    ops = schema.BuiltinOperator
    return {v: k for k, v in vars(ops).items() if not k.startswith("_") and isinstance(v, int)}


def _shape(tensor) -> list[int]:
    sig = tensor.ShapeSignatureAsNumpy()
    if not isinstance(sig, int) and len(sig):
        return [int(d) for d in sig]
    shape = tensor.ShapeAsNumpy()
    return [] if isinstance(shape, int) else [int(d) for d in shape]


def _decode_options(raw) -> dict[str, Any]:
    from flatbuffers import flexbuffers

    if isinstance(raw, int) or len(raw) == 0:
        return {}
    try:
        value = flexbuffers.Loads(bytes(raw))
    except Exception as err:  # the runtime rejects such options; inspecting shows them
        return {"_undecodable": f"{len(raw)} bytes ({type(err).__name__})"}
    return dict(value) if isinstance(value, dict) else {"_raw": value}


def inspect_model(model: bytes | str) -> ModelInfo:
    """Lists the ops of a .tflite model (bytes or a file path); a damaged file raises ValueError.

    Example:
        >>> from tflite_rnn_ops.model_info import inspect_model
        >>> # print(inspect_model("model.tflite").summary())
    """
    from tflite_rnn_ops import tflite_file

    data = tflite_file.read_bytes(model, "inspect_model()")
    tflite_file.check_identifier(data, "inspect_model()")
    with tflite_file.reading(data, "inspect_model()"):
        return _read_ops(data)


def _read_ops(model: bytes) -> ModelInfo:
    schema = _schema()
    m = schema.Model.GetRootAs(model, 0)
    if m.SubgraphsLength() == 0:
        raise ValueError("inspect_model(): damaged .tflite model: it has no subgraph")
    names = _builtin_names(schema)
    sg = m.Subgraphs(0)
    ops = []
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        code = m.OperatorCodes(op.OpcodeIndex())
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        custom = builtin == schema.BuiltinOperator.CUSTOM
        name = code.CustomCode().decode() if custom else names.get(builtin, str(builtin))
        attributes = _decode_options(op.CustomOptionsAsNumpy()) if custom and name.startswith(
            _contract.OP_PREFIX) else {}
        inputs = [
            _shape(sg.Tensors(t)) if t >= 0 else None for t in op.InputsAsNumpy().tolist()
        ]
        outputs = [_shape(sg.Tensors(t)) for t in op.OutputsAsNumpy().tolist()]
        ops.append(OpInfo(i, name, custom, attributes, inputs, outputs))
    return ModelInfo(ops)
