"""Reading, checking and editing a .tflite flatbuffer with the schema's object API.

The schema module is the one the ``ai_edge_litert`` wheel ships (``schema_py_generated``, the
same file TensorFlow ships), so editing a model needs ``flatbuffers`` and LiteRT, not TensorFlow.
Only the parts of a model an edit touches change; operators, tensors, buffers, signatures and
metadata it does not touch are written back as they were read. Every buffer's data is written at a
``BUFFER_ALIGNMENT``-byte boundary of the file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from tflite_rnn_ops.model_info import _schema
from tflite_rnn_ops.stateful import _op_names

_IDENTIFIER = b"TFL3"
# LiteRT's CompiledModel hands a custom op its constant inputs in host tensor buffers, which refuse
# addresses that are not 64-byte aligned; TF 2.21's converter aligns buffer data to 4 only.
BUFFER_ALIGNMENT = 64
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


@contextlib.contextmanager
def reading(data: bytes, caller: str) -> Iterator[None]:
    """Turns whatever a read of a damaged flatbuffer raises into ValueError naming `caller`.

    Example:
        >>> from tflite_rnn_ops import tflite_file
        >>> try:
        ...     with tflite_file.reading(b"12345678", "inspect()"):
        ...         raise IndexError("offset out of range")
        ... except ValueError as err:
        ...     print(err)
        inspect(): damaged .tflite model (truncated or corrupt flatbuffer, 8 bytes): IndexError: offset out of range
    """
    try:
        yield
    except ValueError:
        raise
    except Exception as err:  # flatbuffers reports a damaged file as whatever read went wrong
        raise ValueError(f"{caller}: damaged .tflite model (truncated or corrupt flatbuffer, "
                         f"{len(data)} bytes): {type(err).__name__}: {err}") from err


def load(data: bytes, caller: str) -> tuple[Any, Any]:
    """``(schema, ModelT)`` of a .tflite file, or ValueError saying what is wrong with it."""
    schema = _schema()
    check_identifier(data, caller)
    with reading(data, caller):
        model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    _check_structure(model, caller)
    _fill_absent_vectors(model)
    return schema, model


def _fill_absent_vectors(model: Any) -> None:
    """Absent index vectors (a damaged or minimal file) become empty ones, as the runtime reads
    them, so that no edit meets a None where a list belongs."""
    for sg in model.subgraphs:
        sg.tensors, sg.operators = sg.tensors or [], sg.operators or []
        sg.inputs, sg.outputs = _indices(sg.inputs), _indices(sg.outputs)
        for op in sg.operators:
            op.inputs, op.outputs = _indices(op.inputs), _indices(op.outputs)


def check_identifier(data: bytes, caller: str) -> None:
    """ValueError unless `data` carries the .tflite file identifier."""
    if len(data) < 8 or data[4:8] != _IDENTIFIER:
        raise ValueError(f"{caller}: not a .tflite model: expected the flatbuffer file identifier "
                         f"{_IDENTIFIER!r} at bytes 4..8, got {data[4:8]!r} ({len(data)} bytes)")


def _check_structure(model: Any, caller: str) -> None:
    if not model.subgraphs:
        raise ValueError(f"{caller}: damaged .tflite model: it has no subgraph")
    n_codes, n_buffers = len(model.operatorCodes or []), len(model.buffers or [])
    if any(b.offset > 1 for b in model.buffers or []):
        raise ValueError(f"{caller}: models whose buffers are stored outside the flatbuffer "
                         "(files over 2 GB) are not supported")
    for s, sg in enumerate(model.subgraphs):
        n_tensors = len(sg.tensors or [])
        for t in [*_indices(sg.inputs), *_indices(sg.outputs)]:
            if not 0 <= t < n_tensors:
                raise ValueError(f"{caller}: damaged .tflite model: subgraph {s} has input or "
                                 f"output tensor {t}, the subgraph has {n_tensors}")
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
    """The .tflite bytes of `model`, each buffer's data at a ``BUFFER_ALIGNMENT`` boundary."""
    import flatbuffers

    builder = flatbuffers.Builder(1024)
    buffers = model.buffers
    if buffers is not None:
        model.buffers = [_AlignedBuffer(b) for b in buffers]
    try:
        root = model.Pack(builder)
    finally:
        model.buffers = buffers
    builder.Finish(root, file_identifier=_IDENTIFIER)
    return bytes(builder.Output())


class _AlignedBuffer:
    """Packs a ``BufferT`` with its data starting at a ``BUFFER_ALIGNMENT`` boundary of the file.

    ``BufferT.Pack`` writes the data vector before anything else and aligns it to 4 only. Padding
    the builder first, so that the data will end (flatbuffers build backwards) at a multiple of
    the alignment from the end of the file, puts its start there too; the builder then pads the
    whole file to a multiple of its largest alignment, so offsets from the end and from the start
    agree modulo it.
    """

    def __init__(self, buffer: Any) -> None:
        self.buffer = buffer

    def Pack(self, builder: Any) -> int:  # noqa: N802 - the object API's name
        if self.buffer.data is not None and len(self.buffer.data):
            builder.Prep(BUFFER_ALIGNMENT, len(self.buffer.data))
        return self.buffer.Pack(builder)


def buffer_offsets(data: bytes, caller: str = "buffer_offsets()") -> dict[int, int]:
    """File offset of the data of every non-empty buffer stored in the flatbuffer, by index.

    A damaged file raises ValueError naming `caller`.

    Example:
        >>> import keras, tflite_rnn_ops as tro
        >>> from tflite_rnn_ops import tflite_file
        >>> inp = keras.Input((None, 4))
        >>> tfl = tro.convert(keras.Model(inp, keras.layers.LSTM(8)(inp)), report=False)
        >>> all(o % 64 == 0 for o in tflite_file.buffer_offsets(tfl).values())
        True
    """
    whole = np.frombuffer(data, np.uint8)
    offsets = {}
    with reading(data, caller):
        root = _schema().Model.GetRootAs(data, 0)
        for i in range(root.BuffersLength()):
            view = root.Buffers(i).DataAsNumpy()
            if isinstance(view, np.ndarray) and view.size:
                offsets[i] = view.ctypes.data - whole.ctypes.data
    return offsets


def align_buffers(model: bytes | bytearray | memoryview | str | os.PathLike,
                  caller: str = "align_buffers()") -> bytes:
    """The model with every buffer's data at a ``BUFFER_ALIGNMENT``-byte boundary of the file.

    LiteRT's ``CompiledModel`` runs custom ops on constant weights only when they are 64-byte
    aligned in memory; a file LiteRT maps (page aligned) keeps the file's alignment. A model whose
    buffers are aligned already is returned as it is; otherwise it is written again through the
    object API, unchanged but for the padding. Files over 2 GB (buffers after the flatbuffer) are
    returned as they are.

    Example:
        >>> import keras, tflite_rnn_ops as tro
        >>> from tflite_rnn_ops import tflite_file
        >>> inp = keras.Input((None, 4))
        >>> tfl = tro.convert(keras.Model(inp, keras.layers.LSTM(8)(inp)), report=False)
        >>> tflite_file.misaligned_buffers(tfl), tflite_file.align_buffers(tfl) == tfl
        ([], True)
    """
    data = read_bytes(model, caller)
    check_identifier(data, caller)
    with reading(data, caller):
        if _has_external_buffers(data) or not misaligned_buffers(data, caller):
            return data
    _, parsed = load(data, caller)
    return save(parsed)


def misaligned_buffers(data: bytes, caller: str = "misaligned_buffers()") -> list[int]:
    """Indices of the buffers whose data does not start at a ``BUFFER_ALIGNMENT`` boundary."""
    return [i for i, offset in buffer_offsets(data, caller).items() if offset % BUFFER_ALIGNMENT]


def _has_external_buffers(data: bytes) -> bool:
    root = _schema().Model.GetRootAs(data, 0)
    return any(root.Buffers(i).Offset() > 1 for i in range(root.BuffersLength()))


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
    buffers = model.buffers or []
    if tensor.buffer == 0 and not buffers:  # buffer 0 is the empty one; a file may omit it
        return None
    if not 0 <= tensor.buffer < len(buffers):
        raise ValueError(f"damaged .tflite model: tensor {tensor_name(tensor)!r} refers to buffer "
                         f"{tensor.buffer}, but the file has {len(buffers)} buffers")
    data = buffers[tensor.buffer].data
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
               buffer: int = 0, tensor_type: int | None = None) -> int:
    """Appends a tensor (float32 unless `tensor_type` says otherwise) to the subgraph; returns its
    index."""
    tensor = schema.TensorT()
    tensor.name = name
    tensor.shape = [int(d) for d in shape]
    if signature is not None:
        tensor.shapeSignature = [int(d) for d in signature]
    tensor.type = schema.TensorType.FLOAT32 if tensor_type is None else tensor_type
    tensor.buffer = buffer
    sg.tensors.append(tensor)
    return len(sg.tensors) - 1


# numpy dtypes a new constant may have -> TensorType name; anything else is stored as float32.
_CONSTANT_TYPES = {np.dtype(np.float16): "FLOAT16", np.dtype(np.int8): "INT8"}


def add_constant(model: Any, schema: Any, sg: Any, name: str, value: np.ndarray,
                 scales: np.ndarray | None = None) -> int:
    """Appends a constant (a new buffer and tensor); returns the tensor index.

    float16 and int8 arrays keep their type, anything else is stored as float32. An int8 constant
    takes `scales`, its symmetric per-column scales (zero_point 0, quantized_dimension 1; one
    scale = per tensor, quantized_dimension 0).

    Example:
        >>> import keras, numpy as np, tflite_rnn_ops as tro
        >>> from tflite_rnn_ops import tflite_file
        >>> inp = keras.Input((None, 4))
        >>> tfl = tro.convert(keras.Model(inp, keras.layers.LSTM(8)(inp)), report=False)
        >>> schema, model = tflite_file.load(tfl, "example")
        >>> t = tflite_file.add_constant(model, schema, model.subgraphs[0], "w",
        ...                              np.ones((2, 3), np.int8), np.full(3, 0.5, np.float32))
        >>> tflite_file.type_name(schema, model.subgraphs[0].tensors[t].type)
        'INT8'
    """
    type_name = _CONSTANT_TYPES.get(np.asarray(value).dtype, "FLOAT32")
    value = np.ascontiguousarray(value, None if type_name != "FLOAT32" else np.float32)
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(value.tobytes(), np.uint8)
    model.buffers.append(buffer)
    index = add_tensor(sg, schema, name, list(value.shape), None, len(model.buffers) - 1,
                       getattr(schema.TensorType, type_name))
    if scales is not None:
        q = schema.QuantizationParametersT()
        q.scale = [float(v) for v in np.ravel(scales)]
        q.zeroPoint = [0] * len(q.scale)
        q.quantizedDimension = 1 if len(q.scale) > 1 else 0  # TFLite checks it against the rank
        sg.tensors[index].quantization = q
    return index


def producers(sg: Any) -> dict[int, Any]:
    """Tensor index -> the operator of the subgraph that writes it."""
    return {int(t): op for op in sg.operators or [] for t in _indices(op.outputs)}


def drop_dead_dequantize(sg: Any, names: list[str], sources: set[int]) -> set[int]:
    """Removes the DEQUANTIZE ops reading one of `sources` whose outputs nothing reads any more;
    returns those outputs (to pass to ``drop_tensors`` with the sources)."""
    read = {int(t) for op in sg.operators for t in _indices(op.inputs)} | set(_indices(sg.outputs))
    dead = [op for op in sg.operators if names[op.opcodeIndex] == "DEQUANTIZE"
            and _indices(op.inputs)[:1] and int(_indices(op.inputs)[0]) in sources
            and not set(_indices(op.outputs)) & read]
    sg.operators = [op for op in sg.operators if all(op is not d for d in dead)]
    return {int(t) for op in dead for t in op.outputs}


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
