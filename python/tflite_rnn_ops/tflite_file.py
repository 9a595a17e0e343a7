"""Reading, checking and editing a .tflite flatbuffer with the schema's object API.

The schema module is the one the ``ai_edge_litert`` wheel ships (``schema_py_generated``, the
same file TensorFlow ships), so editing a model needs ``flatbuffers`` and LiteRT, not TensorFlow.
Only the parts of a model an edit touches change; operators, tensors, buffers, signatures and
metadata it does not touch are written back as they were read.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from tflite_rnn_ops.model_info import _schema
from tflite_rnn_ops.stateful import _op_names

_IDENTIFIER = b"TFL3"
# TensorType -> numpy dtype, for the tensor types a constant of interest can have.
_DTYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 6: np.bool_,
           7: np.int16, 9: np.int8, 10: np.float64}


def type_name(schema: Any, tensor_type: int) -> str:
    """"FLOAT32", "INT8", ... for a TensorType value."""
    names = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
    return names.get(tensor_type, str(tensor_type))


def read_bytes(model: bytes | bytearray | memoryview | str | os.PathLike, caller: str) -> bytes:
    if isinstance(model, (str, os.PathLike)):
        with open(model, "rb") as f:
            return f.read()
    if isinstance(model, (bytes, bytearray, memoryview)):
        return bytes(model)
    raise TypeError(f"{caller}: `model` must be .tflite bytes or a file path; received "
                    f"{type(model).__name__}")


def load(data: bytes, caller: str) -> tuple[Any, Any]:
    """``(schema, ModelT)`` of a .tflite file, or ValueError saying what is wrong with it."""
    schema = _schema()
    if len(data) < 8 or data[4:8] != _IDENTIFIER:
        raise ValueError(f"{caller}: not a .tflite model: expected the flatbuffer file identifier "
                         f"{_IDENTIFIER!r} at bytes 4..8, got {data[4:8]!r} ({len(data)} bytes)")
    try:
        model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    except Exception as err:  # flatbuffers reports a damaged file as whatever read went wrong
        raise ValueError(f"{caller}: damaged .tflite model (truncated or corrupt flatbuffer, "
                         f"{len(data)} bytes): {type(err).__name__}: {err}") from err
    _check_structure(model, caller)
    return schema, model


def _check_structure(model: Any, caller: str) -> None:
    if not model.subgraphs:
        raise ValueError(f"{caller}: damaged .tflite model: it has no subgraph")
    n_codes, n_buffers = len(model.operatorCodes or []), len(model.buffers or [])
    if any(b.offset > 1 for b in model.buffers or []):
        raise ValueError(f"{caller}: models whose buffers are stored outside the flatbuffer "
                         "(files over 2 GB) are not supported")
    for s, sg in enumerate(model.subgraphs):
        n_tensors = len(sg.tensors or [])
        for t, tensor in enumerate(sg.tensors or []):
            if not 0 <= tensor.buffer < max(n_buffers, 1):
                raise ValueError(f"{caller}: damaged .tflite model: subgraph {s} tensor {t} "
                                 f"points at buffer {tensor.buffer}, the model has {n_buffers}")
        for i, op in enumerate(sg.operators or []):
            if not 0 <= op.opcodeIndex < n_codes:
                raise ValueError(f"{caller}: damaged .tflite model: subgraph {s} operator {i} has "
                                 f"opcode index {op.opcodeIndex}, the model has {n_codes} codes")
            for t in [*_indices(op.inputs), *_indices(op.outputs)]:
                if not -1 <= t < n_tensors:
                    raise ValueError(f"{caller}: damaged .tflite model: subgraph {s} operator "
                                     f"{i} uses tensor {t}, the subgraph has {n_tensors}")


def save(model: Any) -> bytes:
    import flatbuffers

    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=_IDENTIFIER)
    return bytes(builder.Output())


def _indices(values: Any) -> list[int]:
    return [] if values is None else [int(v) for v in values]


def op_names(model: Any, schema: Any) -> list[str]:
    """Per operator code: the builtin name ("UNIDIRECTIONAL_SEQUENCE_LSTM") or the custom code."""
    return _op_names(model, schema)


def custom_opcode(model: Any, schema: Any, custom_code: str) -> int:
    """Index of the operator code of custom op `custom_code`, added if the model has none."""
    for i, name in enumerate(op_names(model, schema)):
        if name == custom_code:
            return i
    code = schema.OperatorCodeT()
    code.builtinCode = schema.BuiltinOperator.CUSTOM
    code.deprecatedBuiltinCode = schema.BuiltinOperator.CUSTOM
    code.customCode = custom_code
    code.version = 1
    model.operatorCodes.append(code)
    return len(model.operatorCodes) - 1


def constant(model: Any, tensor: Any) -> np.ndarray | None:
    """The tensor's value if the file holds it (a constant), else None."""
    data = model.buffers[tensor.buffer].data
    if data is None or len(data) == 0 or tensor.type not in _DTYPES:
        return None
    shape = [int(d) for d in (tensor.shape if tensor.shape is not None else [])]
    array = np.frombuffer(np.asarray(data, np.uint8).tobytes(), _DTYPES[tensor.type])
    if array.size != int(np.prod(shape)):
        raise ValueError(f"damaged .tflite model: constant tensor {tensor_name(tensor)!r} has "
                         f"shape {shape} but its buffer holds {array.size} values")
    return array.reshape(shape)


def tensor_name(tensor: Any) -> str:
    return tensor.name.decode() if isinstance(tensor.name, bytes) else str(tensor.name)


def add_tensor(sg: Any, schema: Any, name: str, shape: list[int], signature: list[int] | None,
               buffer: int = 0) -> int:
    """Appends a float32 tensor to the subgraph; returns its index."""
    tensor = schema.TensorT()
    tensor.name = name
    tensor.shape = [int(d) for d in shape]
    if signature is not None:
        tensor.shapeSignature = [int(d) for d in signature]
    tensor.type = schema.TensorType.FLOAT32
    tensor.buffer = buffer
    sg.tensors.append(tensor)
    return len(sg.tensors) - 1


def add_constant(model: Any, schema: Any, sg: Any, name: str, value: np.ndarray) -> int:
    """Appends a float32 constant (a new buffer and tensor); returns the tensor index."""
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(np.ascontiguousarray(value, np.float32).tobytes(), np.uint8)
    model.buffers.append(buffer)
    return add_tensor(sg, schema, name, list(value.shape), None, len(model.buffers) - 1)


def drop_tensors(model: Any, s: int, candidates: set[int]) -> None:
    """Removes the `candidates` of subgraph `s` that nothing references any more (renumbering the
    rest everywhere they are named), and empties buffers that only they used."""
    sg = model.subgraphs[s]
    used = set(_indices(sg.inputs)) | set(_indices(sg.outputs))
    for op in sg.operators:
        used |= {*_indices(op.inputs), *_indices(op.outputs), *_indices(op.intermediates)}
    for sig in model.signatureDefs or []:
        if sig.subgraphIndex == s:
            used |= {m.tensorIndex for m in [*(sig.inputs or []), *(sig.outputs or [])]}
    dead = sorted(candidates - used)
    if not dead:
        return
    freed = {sg.tensors[t].buffer for t in dead} - {0}
    keep = [t for t in range(len(sg.tensors)) if t not in set(dead)]
    new_index = {old: new for new, old in enumerate(keep)}
    sg.tensors = [sg.tensors[t] for t in keep]
    _renumber(model, s, new_index)
    _free_buffers(model, freed)


def _renumber(model: Any, s: int, new_index: dict[int, int]) -> None:
    def remap(values):
        return None if values is None else [new_index[int(v)] if v >= 0 else -1 for v in values]

    sg = model.subgraphs[s]
    sg.inputs, sg.outputs = remap(sg.inputs), remap(sg.outputs)
    for op in sg.operators:
        op.inputs, op.outputs = remap(op.inputs), remap(op.outputs)
        if op.intermediates is not None:
            op.intermediates = remap(op.intermediates)
    for sig in model.signatureDefs or []:
        if sig.subgraphIndex == s:
            for m in [*(sig.inputs or []), *(sig.outputs or [])]:
                m.tensorIndex = new_index[m.tensorIndex]


def _free_buffers(model: Any, candidates: set[int]) -> None:
    still = {t.buffer for sg in model.subgraphs for t in sg.tensors}
    still |= {m.buffer for m in model.metadata or []}
    still |= set(_indices(model.metadataBuffer))
    for b in candidates - still:
        model.buffers[b].data = None
