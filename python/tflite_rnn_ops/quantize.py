"""Quantized weights for our ops in a converted .tflite file (contract versions 3-4, docs/ops.md).

TensorFlow's converter does not know our custom ops: with ``Optimize.DEFAULT`` it leaves their
weights float32, and with ``supported_types=[tf.float16]`` it stores them float16 behind a
DEQUANTIZE op, which would make our op repack float32 weights on every invoke.
``store_weights`` rewrites the file so that each op of ours reads its weight matrices (kernel,
recurrent_kernel, LSTM projection) directly in the chosen storage:

- ``"int8"``: symmetric per output column, ``w[k][n] = q[k][n] * s[n]`` with
  ``s[n] = max_k |w[k][n]| / 127`` (1.0 for an all-zero column) rounded up to the next float16
  value when every scale of the matrix is in float16's normal range, and
  ``q = round-half-even(w / s)`` in [-127, 127]. The scales go to the op as a float16 ``[N]``
  input (float32 if one is outside that range) after all its other inputs, option
  ``"column_scales"`` (version 4, which also centres the activation rows before quantizing
  them): 2 bytes a column, where TFLite's affine quantization would cost 12 (a float32 scale and
  an int64 zero point each);
- ``"float16"``: IEEE binary16, read without a DEQUANTIZE.

Biases and peephole diagonals stay float32 (restored from float16 if the converter stored them
so). Ops whose weights are float16 get option "version" 3, int8 ones version 4. Works on the flatbuffer
alone (no TensorFlow). The rest of the model is left as the converter made it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from flatbuffers import flexbuffers

from tflite_rnn_ops import _contract, tflite_file

WEIGHT_TYPES = ("int8", "float16")
# TFLite's dynamic-range quantization leaves weights of fewer elements float32
# (min_elements_for_weights). An op of ours stores all its matrices one way, so it is quantized
# only when every one of them reaches it: it never quantizes a weight TFLite would keep float.
DYNAMIC_RANGE_MIN_ELEMENTS = 1024
# float16's normal range: a scale in it rounds up to a float16 value within 2^-11 of itself.
_F16_NORMAL_MIN = float(np.finfo(np.float16).tiny)
_F16_MAX = float(np.finfo(np.float16).max)


def _round_up_to_float16(s: np.ndarray) -> np.ndarray:
    """The smallest float16 value >= each float32 scale (all in float16's normal range)."""
    h = s.astype(np.float16)
    below = h.astype(np.float32) < s
    h[below] = np.nextafter(h[below], np.float16(np.inf))
    return h.astype(np.float32)


def quantize_columns(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-column int8 quantization of a [K, N] matrix: ``(q int8 [K, N], s [N])``.

    ``s`` is float32; when every ``max|w| / 127`` is in float16's normal range each is rounded
    up to a float16 value (the file then carries them at 2 bytes; rounding up keeps ``|q| <= 127``
    and costs at most 2^-11 of a column's range).

    Example:
        >>> import numpy as np
        >>> from tflite_rnn_ops.quantize import quantize_columns
        >>> q, s = quantize_columns(np.array([[1.0, 0.0], [-0.5, 0.0]], np.float32))
        >>> q.tolist(), s.tolist()
        ([[127, 0], [-63, 0]], [0.00788116455078125, 1.0])
    """
    w = np.asarray(w, np.float32)
    peak = np.max(np.abs(w), axis=0) if w.shape[0] else np.zeros(w.shape[1], np.float32)
    scales = np.where(peak > 0, peak / np.float32(127), np.float32(1)).astype(np.float32)
    if np.all((scales >= _F16_NORMAL_MIN) & (scales <= _F16_MAX)):
        scales = _round_up_to_float16(scales)
    q = np.clip(np.round(w / scales), -127, 127).astype(np.int8)
    return q, scales


def scales_constant(scales: np.ndarray) -> np.ndarray:
    """The array a column_scales input stores: float16 when that is exact, else float32.

    Example:
        >>> import numpy as np
        >>> from tflite_rnn_ops.quantize import scales_constant
        >>> scales_constant(np.array([0.5, 0.25], np.float32)).dtype, scales_constant(
        ...     np.array([1e-9], np.float32)).dtype
        (dtype('float16'), dtype('float32'))
    """
    s = np.asarray(scales, np.float32)
    h = s.astype(np.float16)
    return h if np.array_equal(h.astype(np.float32), s) and np.all(np.isfinite(h)) else s


def weight_inputs(op_name: str, options: dict[str, Any]) -> list[tuple[int, bool]]:
    """``(input position, is a weight matrix)`` for every weight input of one of our ops.

    Example:
        >>> from tflite_rnn_ops.quantize import weight_inputs
        >>> weight_inputs("TFLiteRnnOps>GRU", {"direction": "forward"})
        [(1, True), (2, True), (3, False)]
    """
    per_direction = 3
    projection = False
    if op_name == _contract.LSTM_OP:  # the TF1 extras follow kernel, recurrent_kernel, bias
        per_direction += 3 if options.get(_contract.ATTR_USE_PEEPHOLES) else 0
        projection = int(options.get(_contract.ATTR_NUM_PROJ, 0) or 0) > 0
        per_direction += int(projection)
    directions = 2 if options.get(_contract.ATTR_DIRECTION) == _contract.DIRECTION_BIDIRECTIONAL else 1
    roles = []
    for d in range(directions):
        first = 1 + d * per_direction
        for k in range(per_direction):
            matrix = k < 2 or (projection and k == per_direction - 1)
            roles.append((first + k, matrix))
    return roles


class _Editor:
    """One subgraph being edited: reads float weights (constants, or float16 constants behind a
    DEQUANTIZE) and adds their replacements, once per source tensor."""

    def __init__(self, model: Any, schema: Any, s: int, weight_type: str,
                 min_elements: int) -> None:
        self.model, self.schema, self.weight_type = model, schema, weight_type
        self.min_elements = min_elements
        self.sg = model.subgraphs[s]
        self.names = tflite_file.op_names(model, schema)
        self.producers = tflite_file.producers(self.sg)
        self.replaced: set[int] = set()  # tensors no longer read by the op (dropped if unused)
        self.sources: set[int] = set()  # float16 constants whose DEQUANTIZE may become dead
        self.made: dict[tuple[int, bool], int] = {}
        self.scales: dict[int, int] = {}  # int8 matrix tensor -> its column_scales tensor

    def float_value(self, t: int) -> np.ndarray | None:
        tensor = self.sg.tensors[t]
        if tensor.type != self.schema.TensorType.FLOAT32:
            return None
        value = tflite_file.constant(self.model, tensor)
        if value is not None:
            return value
        op = self.producers.get(t)
        if op is None or self.names[op.opcodeIndex] != "DEQUANTIZE" or len(op.inputs) != 1:
            return None
        source = self.sg.tensors[int(op.inputs[0])]
        value = tflite_file.constant(self.model, source)
        if source.type != self.schema.TensorType.FLOAT16 or value is None:
            return None
        self.sources.add(int(op.inputs[0]))
        return value.astype(np.float32)

    def replacement(self, t: int, value: np.ndarray, matrix: bool) -> int:
        """The tensor our op reads instead of `t`: the matrix in the chosen storage, a float32
        constant for the rest; `t` itself when it is a float32 constant already."""
        if not matrix and tflite_file.constant(self.model, self.sg.tensors[t]) is not None:
            return t
        if (t, matrix) not in self.made:
            name = tflite_file.tensor_name(self.sg.tensors[t])
            if not matrix:
                new = tflite_file.add_constant(self.model, self.schema, self.sg, name, value)
            elif self.weight_type == "int8":
                q, scales = quantize_columns(value)
                new = tflite_file.add_constant(self.model, self.schema, self.sg, f"{name}/int8", q)
                self.scales[new] = tflite_file.add_constant(
                    self.model, self.schema, self.sg, f"{name}/scales", scales_constant(scales))
            else:
                new = tflite_file.add_constant(self.model, self.schema, self.sg,
                                               f"{name}/float16", value.astype(np.float16))
            self.made[(t, matrix)] = new
            self.replaced.add(t)
        return self.made[(t, matrix)]

    def edit(self, op: Any) -> bool:
        """Rewires one op of ours; False (op untouched) when a weight is not a float constant or
        a weight matrix is smaller than `min_elements`."""
        name = self.names[op.opcodeIndex]
        options = dict(flexbuffers.Loads(bytes(op.customOptions)))
        roles = weight_inputs(name, options)
        values = [self.float_value(int(op.inputs[p])) for p, _ in roles]
        if any(v is None for v in values):
            return False
        if min(v.size for v, (_, matrix) in zip(values, roles) if matrix) < self.min_elements:
            return False
        for (position, matrix), value in zip(roles, values):
            op.inputs[position] = self.replacement(int(op.inputs[position]), value, matrix)
        version = _contract.QUANTIZED_WEIGHTS_VERSION
        if self.weight_type == "int8":  # the scales follow every other input, matrix by matrix
            matrices = [int(op.inputs[p]) for p, matrix in roles if matrix]
            op.inputs = [int(i) for i in op.inputs] + [self.scales[t] for t in matrices]
            options[_contract.ATTR_COLUMN_SCALES] = True
            version = _contract.COLUMN_SCALES_VERSION
        options[_contract.ATTR_VERSION] = max(int(options.get(_contract.ATTR_VERSION, 1)), version)
        op.customOptions = list(flexbuffers.Dumps(options))
        return True


def store_weights(tflite: bytes, weight_type: str,
                  min_elements: int = 0) -> tuple[bytes, int, int]:
    """The model with our ops' weight matrices stored as `weight_type` ("int8" or "float16").

    Returns ``(tflite_bytes, ops_changed, ops_left_float32)``. An op is left float32 when its
    weights are not constants (computed at run time) or when one of its weight matrices has fewer
    than `min_elements` elements (dynamic-range quantization passes
    ``DYNAMIC_RANGE_MIN_ELEMENTS``, as TFLite does for its own ops).

    Example:
        >>> import keras, tflite_rnn_ops as tro
        >>> from tflite_rnn_ops import quantize
        >>> inp = keras.Input((None, 4))
        >>> tfl = tro.convert(keras.Model(inp, keras.layers.LSTM(8)(inp)), report=False)
        >>> small, changed, left = quantize.store_weights(tfl, "int8")
        >>> changed, left, len(small) < len(tfl)
        (1, 0, True)
    """
    if weight_type not in WEIGHT_TYPES:
        raise ValueError(f"store_weights(): weight_type must be one of {WEIGHT_TYPES}, got "
                         f"{weight_type!r}")
    schema, model = tflite_file.load(tflite, "store_weights()")
    changed = left = 0
    for s, _ in enumerate(model.subgraphs):
        editor = _Editor(model, schema, s, weight_type, min_elements)
        for op in editor.sg.operators or []:
            if not editor.names[op.opcodeIndex].startswith(_contract.OP_PREFIX):
                continue
            if editor.edit(op):
                changed += 1
            else:
                left += 1
        dequantized = tflite_file.drop_dead_dequantize(editor.sg, editor.names, editor.sources)
        tflite_file.drop_tensors(model, s, editor.replaced | dequantized | editor.sources)
    if not changed:
        return tflite, 0, left
    return tflite_file.save(model), changed, left
