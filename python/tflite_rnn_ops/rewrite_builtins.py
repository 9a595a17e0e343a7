"""Existing .tflite files: TFLite's builtin RNN ops rewritten into our ops, nothing else touched.

``rewrite(model)`` turns every builtin ``UNIDIRECTIONAL_SEQUENCE_LSTM``,
``BIDIRECTIONAL_SEQUENCE_LSTM``, ``UNIDIRECTIONAL_SEQUENCE_RNN`` and
``BIDIRECTIONAL_SEQUENCE_RNN`` into the matching ``TFLiteRnnOps>*`` op: TFLite's per-gate weight
tensors become one kernel / recurrent kernel / bias per direction in our layout, its options
become our attributes. The builtin ops keep their state in variable tensors across invokes; our
op reads the same variable tensors as its initial state and, being ``stateful``, writes its final
state back, so the model carries state exactly as before and ``reset_all_variables()`` resets it.
Works on the flatbuffer alone (see ``tflite_file.py``): no TensorFlow needed.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from typing import Any

import numpy as np
from flatbuffers import flexbuffers

from tflite_rnn_ops import _contract, tflite_file
from tflite_rnn_ops.errors import ConversionError

UINT8_REASON = "uint8 weights (legacy asymmetric quantization): our ops take symmetric int8"
_HYBRID_NOTE = ("hybrid int8 weights kept as they are (each per-tensor scale becomes the scale of "
                "its gate's columns); activations are quantized per row, symmetrically, where "
                "TFLite's hybrid kernel quantizes them its own way: results agree within the int8 "
                "error (docs/quantization.md), not bit for bit")
_REWRITTEN = ("UNIDIRECTIONAL_SEQUENCE_LSTM", "BIDIRECTIONAL_SEQUENCE_LSTM",
              "UNIDIRECTIONAL_SEQUENCE_RNN", "BIDIRECTIONAL_SEQUENCE_RNN")
# TFLite's fused activation (ActivationFunctionType) -> our activation; SIGN_BIT has none.
_ACTIVATIONS = {0: "linear", 1: "relu", 2: "hard_tanh", 3: "relu6", 4: "tanh"}
_GATES = "ifco"  # TFLite's per-gate tensors, in our kernel's gate order
_FLOAT16_NOTE = ("float16 weights (behind DEQUANTIZE ops) are stored as float32 in our layout, "
                 "which our kernels read directly; those weights take twice the bytes")
_MERGED_BATCH_MAJOR_NOTE = (
    "TFLite's own kernel misplaces the forward half of a merged batch-major output for batch > 1 "
    "(batch 1 is right); ours gives what the same op with merge_outputs=false gives")


@dataclasses.dataclass
class RewriteEntry:
    """One builtin RNN op of the file and what the rewrite did with it."""

    subgraph: int
    index: int  # operator index in its subgraph (in the original file)
    builtin: str
    op: str | None  # our op when rewritten
    reason: str | None  # why it stays builtin
    note: str | None = None

    def line(self) -> str:
        status = f"rewritten -> {self.op}" if self.op else f"KEPT builtin ({self.reason})"
        note = f"\n      note: {self.note}" if self.note else ""
        return f"  subgraph {self.subgraph} op #{self.index:<4d} {self.builtin:<30s} {status}{note}"


@dataclasses.dataclass
class RewriteReport:
    entries: list[RewriteEntry] = dataclasses.field(default_factory=list)

    @property
    def rewritten(self) -> list[RewriteEntry]:
        return [e for e in self.entries if e.op]

    @property
    def kept(self) -> list[RewriteEntry]:
        return [e for e in self.entries if not e.op]

    def __str__(self) -> str:
        lines = [f"tflite_rnn_ops rewrite report: {len(self.rewritten)} builtin RNN op(s) "
                 f"rewritten, {len(self.kept)} kept"]
        lines += [e.line() for e in self.entries]
        if not self.entries:
            lines.append("  the model has no builtin RNN ops; written back unchanged")
        return "\n".join(lines)


class _Unsupported(Exception):
    """The op is valid but our ops cannot express it: it stays builtin."""


@dataclasses.dataclass
class _Int8:
    """A builtin hybrid op's int8 weight: values [rows, cols] and one scale per row (zero point 0)."""

    q: np.ndarray
    row_scales: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.q.shape

    @property
    def ndim(self) -> int:
        return self.q.ndim


@dataclasses.dataclass
class _Plan:
    """What replaces one builtin op."""

    op_name: str
    attrs: dict[str, Any]
    inputs: list  # tensor index, or (name, array[, int8 column scales]) for a new constant
    outputs: list[int]  # the builtin's sequence output(s), kept as they are
    states: list[int]  # the builtin's state variable tensors, in our op's state order
    weights: set[int]  # the builtin's weight tensors (dropped if nothing else reads them)
    note: str | None = None


class _Op:
    """One builtin op being read: its tensors, with checks that name the op and the input."""

    def __init__(self, model: Any, schema: Any, s: int, index: int, names: list[str]) -> None:
        self.model, self.schema, self.names = model, schema, names
        self.sg = model.subgraphs[s]
        self.op = self.sg.operators[index]
        self.name = names[self.op.opcodeIndex]
        self.inputs = [int(t) for t in self.op.inputs]
        self.where = f"subgraph {s} operator #{index} ({self.name})"
        self.used: set[int] = set()
        self.float16 = False  # some weights were float16 constants behind a DEQUANTIZE
        self.matrix_types: set[str] = set()  # "int8" / "float32" of the weight matrices

    def malformed(self, message: str) -> ValueError:
        return ValueError(f"rewrite(): malformed .tflite model: {self.where}: {message}")

    def options(self, options_type: str) -> Any:
        expected = getattr(self.schema.BuiltinOptions, options_type)
        if self.op.builtinOptionsType != expected or self.op.builtinOptions is None:
            raise self.malformed(f"expected builtin options {options_type}, got options type "
                                 f"{self.op.builtinOptionsType}")
        return self.op.builtinOptions

    def check_arity(self, allowed: tuple[int, ...]) -> None:
        if len(self.inputs) not in allowed:
            raise self.malformed(f"expected {' or '.join(map(str, allowed))} inputs, got "
                                 f"{len(self.inputs)}")

    def present(self, i: int) -> bool:
        return i < len(self.inputs) and self.inputs[i] >= 0

    def weight(self, i: int, label: str, shape: tuple[int, ...] | None = None, *,
               int8: bool = False) -> np.ndarray | _Int8:
        """Input `i` as a float32 constant of that shape, or why it cannot be one. A hybrid op's
        int8 weight stays int8 when `int8` (a weight matrix), else is dequantized."""
        if not self.present(i):
            raise self.malformed(f"input {i} ({label}) is missing")
        tensor = self.sg.tensors[self.inputs[i]]
        if tensor.type == self.schema.TensorType.UINT8:
            raise _Unsupported(UINT8_REASON)
        if tensor.type == self.schema.TensorType.INT8:
            value = self._int8(i, label, tensor, shape)
            return value if int8 else (value.q * value.row_scales.reshape(
                [-1] + [1] * (value.ndim - 1))).astype(np.float32)
        if tensor.type != self.schema.TensorType.FLOAT32:
            raise _Unsupported(f"input {i} ({label}) is "
                               f"{tflite_file.type_name(self.schema, tensor.type)}, not float32")
        value = tflite_file.constant(self.model, tensor)
        if value is None:
            value = self._dequantized_float16(self.inputs[i])
        if value is None:
            raise _Unsupported(f"input {i} ({label}) is computed at run time; our ops need "
                               "constant weights to repack them")
        if shape is not None and tuple(value.shape) != shape:
            raise self.malformed(f"input {i} ({label}) expected shape {list(shape)}, got "
                                 f"{list(value.shape)}")
        self.used.add(self.inputs[i])
        return value

    def _int8(self, i: int, label: str, tensor: Any, shape: tuple[int, ...] | None) -> _Int8:
        q = tflite_file.constant(self.model, tensor)
        quant = tensor.quantization
        scales = np.asarray(quant.scale if quant is not None and quant.scale is not None else [],
                            np.float32)
        zero = np.asarray(quant.zeroPoint if quant is not None and quant.zeroPoint is not None
                          else [], np.int64)
        if q is None:
            raise _Unsupported(f"input {i} ({label}) is int8 but not a constant")
        if shape is not None and tuple(q.shape) != shape:
            raise self.malformed(f"input {i} ({label}) expected shape {list(shape)}, got "
                                 f"{list(q.shape)}")
        rows = q.shape[0]
        if scales.size not in (1, rows) or (scales.size > 1 and quant.quantizedDimension != 0):
            raise self.malformed(f"input {i} ({label}) is int8 with {scales.size} scale(s) along "
                                 f"dimension {quant.quantizedDimension if quant else None}; "
                                 f"expected 1 or {rows} along dimension 0")
        if np.any(zero != 0):
            raise _Unsupported(f"input {i} ({label}) is int8 with a nonzero zero_point "
                               "(asymmetric weights; our ops take symmetric int8)")
        if not np.all(np.isfinite(scales) & (scales > 0)):
            raise self.malformed(f"input {i} ({label}) has a scale that is not finite and > 0")
        self.used.add(self.inputs[i])
        return _Int8(q, np.broadcast_to(scales, (rows,)).astype(np.float32))

    def stacked(self, name: str, parts: list) -> tuple:
        """Our [K, N] matrix from builtin [rows, K] parts side by side (each transposed): a
        float32 constant, or int8 with the parts' row scales as column scales."""
        int8 = [isinstance(p, _Int8) for p in parts]
        if any(int8) != all(int8):
            raise _Unsupported(f"{name}: int8 and float32 gate weights mixed")
        self.matrix_types.add("int8" if all(int8) else "float32")
        if len(self.matrix_types) > 1:
            raise _Unsupported("int8 and float32 weight matrices mixed in one op; our ops store "
                               "all of an op's matrices one way")
        if not all(int8):
            return (name, np.concatenate([p.T for p in parts], 1))
        return (name, np.concatenate([p.q.T for p in parts], 1),
                np.concatenate([p.row_scales for p in parts]))

    def _dequantized_float16(self, tensor: int) -> np.ndarray | None:
        """The value of `tensor` if a DEQUANTIZE makes it from a float16 constant (TFLite's
        float16 quantization); it is exact in float32."""
        for op in self.sg.operators:
            if tensor in [int(t) for t in op.outputs]:
                if self.names[op.opcodeIndex] != "DEQUANTIZE" or len(op.inputs) != 1:
                    return None
                source = self.sg.tensors[int(op.inputs[0])]
                if source.type in (self.schema.TensorType.INT8, self.schema.TensorType.UINT8):
                    raise _Unsupported("weights computed by a DEQUANTIZE of integer constants")
                value = tflite_file.constant(self.model, source)
                if source.type != self.schema.TensorType.FLOAT16 or value is None:
                    return None
                self.used.add(int(op.inputs[0]))
                self.float16 = True
                return value.astype(np.float32)
        return None

    def state(self, i: int, label: str, width: int) -> int:
        if not self.present(i):
            raise self.malformed(f"input {i} ({label} state) is missing")
        tensor = self.sg.tensors[self.inputs[i]]
        if not tensor.isVariable:
            raise _Unsupported(f"input {i} ({label} state) is not a variable tensor")
        shape = [int(d) for d in tensor.shape] if tensor.shape is not None else None
        if shape is None or len(shape) != 2 or shape[1] != width:
            raise self.malformed(f"input {i} ({label} state) expected shape [batch, {width}], got "
                                 f"{shape}")
        return self.inputs[i]

    def absent(self, indices: range, reason: str) -> None:
        if any(self.present(i) for i in indices):
            raise _Unsupported(reason)

    def activation(self, code: int) -> str:
        if code not in _ACTIVATIONS:
            raise _Unsupported(f"fused activation {code} (SIGN_BIT or unknown) has no kernel")
        return _ACTIVATIONS[code]


def _lstm_direction(r: _Op, first: int, label: str) -> tuple[list, dict[str, Any]]:
    """Weights of one LSTM direction whose per-gate tensors start at input `first` (1 for the
    unidirectional op and the forward half, 18 for the backward half), and its LSTM attributes."""
    if not (r.present(first) and r.present(first + 4)):
        raise _Unsupported("coupled input-forget gate (CIFG: no input gate weights)")
    w = r.weight(first, "input_to_input_weights", int8=True)
    if w.ndim != 2:
        raise r.malformed(f"input {first} (input_to_input_weights) expected [units, features], "
                          f"got {list(w.shape)}")
    units, features = (int(d) for d in w.shape)
    recurrent = r.weight(first + 4, "recurrent_to_input_weights", int8=True)
    if recurrent.ndim != 2 or recurrent.shape[0] != units:
        raise r.malformed(f"recurrent_to_input_weights expected shape [{units}, P], got "
                          f"{list(recurrent.shape)}")
    out_units = int(recurrent.shape[1])
    kernel = [r.weight(first + g, f"input_to_{n}_weights", (units, features), int8=True)
              for g, n in enumerate(_GATES)]
    rec = [r.weight(first + 4 + g, f"recurrent_to_{n}_weights", (units, out_units), int8=True)
           for g, n in enumerate(_GATES)]
    bias = [r.weight(first + 11 + g, f"{n}_gate_bias", (units,)) for g, n in enumerate(_GATES)]
    weights = [r.stacked(f"{label}kernel", kernel),
               r.stacked(f"{label}recurrent_kernel", rec),
               (f"{label}bias", np.concatenate(bias))]
    attrs: dict[str, Any] = {_contract.ATTR_UNITS: units}
    peepholes = [r.present(first + 8 + k) for k in range(3)]
    if any(peepholes):
        if not all(peepholes):
            raise _Unsupported("peepholes on only some gates")
        weights += [(f"{label}w_{n}_diag",
                     r.weight(first + 8 + k, f"cell_to_{n}_weights", (units,)))
                    for k, n in enumerate("ifo")]
        attrs[_contract.ATTR_USE_PEEPHOLES] = True
    if r.present(first + 15):
        projection = r.weight(first + 15, "projection_weights", (out_units, units), int8=True)
        if r.present(first + 16) and np.any(r.weight(first + 16, "projection_bias", (out_units,))):
            raise _Unsupported("projection bias (our projection has none)")
        weights.append(r.stacked(f"{label}projection", [projection]))
        attrs[_contract.ATTR_NUM_PROJ] = out_units
    elif out_units != units:
        raise r.malformed(f"recurrent weights are [{units}, {out_units}] without a projection")
    return weights, attrs


def _lstm_common(r: _Op, options: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    if options.fusedActivationFunction == 0:
        raise _Unsupported("fused activation NONE: TFLite's LSTM kernel does not apply it as the "
                           "identity (measured), so our 'linear' would give other results")
    attrs[_contract.ATTR_ACTIVATION] = r.activation(options.fusedActivationFunction)
    attrs[_contract.ATTR_RECURRENT_ACTIVATION] = "sigmoid"
    if options.cellClip < 0 or options.projClip < 0:
        raise r.malformed(f"cell_clip {options.cellClip} / proj_clip {options.projClip} expected "
                          ">= 0")
    if options.cellClip > 0:
        attrs[_contract.ATTR_CELL_CLIP] = float(options.cellClip)
    if options.projClip > 0 and _contract.ATTR_NUM_PROJ in attrs:
        attrs[_contract.ATTR_PROJ_CLIP] = float(options.projClip)
    attrs[_contract.ATTR_TIME_MAJOR] = bool(options.timeMajor)
    return attrs


def _plan_lstm(r: _Op) -> _Plan:
    r.check_arity((20, 24))
    options = r.options("UnidirectionalSequenceLSTMOptions")
    r.absent(range(20, 24), "layer normalisation")
    if getattr(options, "diagonalRecurrentTensors", False):
        raise _Unsupported("diagonal recurrent weights")
    weights, attrs = _lstm_direction(r, 1, "")
    _lstm_common(r, options, attrs)
    units = attrs[_contract.ATTR_UNITS]
    states = [r.state(18, "output", attrs.get(_contract.ATTR_NUM_PROJ, units)),
              r.state(19, "cell", units)]
    return _plan(r, _contract.LSTM_OP, attrs, weights, states, _sequence_outputs(r, 1))


def _plan_bidirectional_lstm(r: _Op) -> _Plan:
    r.check_arity((39, 48))
    options = r.options("BidirectionalSequenceLSTMOptions")
    r.absent(range(39, 48), "auxiliary input")
    fw, fw_attrs = _lstm_direction(r, 1, "")
    bw, bw_attrs = _lstm_direction(r, 18, "backward_")
    if fw_attrs != bw_attrs:
        raise _Unsupported(f"the directions differ ({fw_attrs} vs {bw_attrs}); our bidirectional "
                           "op has one configuration")
    attrs = _lstm_common(r, options, fw_attrs)
    widths = [attrs.get(_contract.ATTR_NUM_PROJ, attrs[_contract.ATTR_UNITS]),
              attrs[_contract.ATTR_UNITS]]
    states = [r.state(35 + k, f"{d} {n}", widths[k % 2])
              for k, (d, n) in enumerate([("fw", "output"), ("fw", "cell"), ("bw", "output"),
                                          ("bw", "cell")])]
    plan = _bidirectional(r, _contract.LSTM_OP, attrs, fw + bw, states, options.mergeOutputs)
    if options.mergeOutputs and not options.timeMajor:
        plan.note = "; ".join(n for n in (plan.note, _MERGED_BATCH_MAJOR_NOTE) if n)
    return plan


def _rnn_direction(r: _Op, first: int, label: str) -> list:
    w = r.weight(first, "input_weights", int8=True)
    if w.ndim != 2:
        raise r.malformed(f"input {first} (input_weights) expected [units, features], got "
                          f"{list(w.shape)}")
    units = int(w.shape[0])
    rec = r.weight(first + 1, "recurrent_weights", (units, units), int8=True)
    bias = r.weight(first + 2, "bias", (units,))
    return [r.stacked(f"{label}kernel", [w]), r.stacked(f"{label}recurrent_kernel", [rec]),
            (f"{label}bias", bias)]


def _rnn_attrs(r: _Op, options: Any, units: int) -> dict[str, Any]:
    return {_contract.ATTR_UNITS: units,
            _contract.ATTR_ACTIVATION: r.activation(options.fusedActivationFunction),
            _contract.ATTR_TIME_MAJOR: bool(options.timeMajor)}


def _plan_rnn(r: _Op) -> _Plan:
    r.check_arity((5,))
    options = r.options("SequenceRNNOptions")
    weights = _rnn_direction(r, 1, "")
    units = int(weights[2][1].shape[0])
    attrs = _rnn_attrs(r, options, units)
    return _plan(r, _contract.RNN_OP, attrs, weights, [r.state(4, "hidden", units)],
                 _sequence_outputs(r, 1))


def _plan_bidirectional_rnn(r: _Op) -> _Plan:
    r.check_arity((9, 12))
    options = r.options("BidirectionalSequenceRNNOptions")
    r.absent(range(9, 12), "auxiliary input")
    fw, bw = _rnn_direction(r, 1, ""), _rnn_direction(r, 5, "backward_")
    units = int(fw[2][1].shape[0])
    if int(bw[2][1].shape[0]) != units:
        raise _Unsupported("the directions have different units; our bidirectional op has one")
    attrs = _rnn_attrs(r, options, units)
    states = [r.state(4, "fw hidden", units), r.state(8, "bw hidden", units)]
    return _bidirectional(r, _contract.RNN_OP, attrs, fw + bw, states, options.mergeOutputs)


def _sequence_outputs(r: _Op, count: int) -> list[int]:
    outputs = [int(t) for t in r.op.outputs]
    if len(outputs) < count or any(t < 0 for t in outputs[:count]):
        raise r.malformed(f"expected {count} output tensor(s), got {outputs}")
    extra = [t for t in outputs[count:] if t >= 0]
    if any(_is_read(r, t) for t in extra):
        raise _Unsupported("a merged op's second output is read by another op")
    return outputs[:count]


def _is_read(r: _Op, tensor: int) -> bool:
    return (tensor in [int(t) for t in r.sg.outputs]
            or any(tensor in [int(t) for t in op.inputs] for op in r.sg.operators))


def _bidirectional(r: _Op, op_name: str, attrs: dict, weights: list, states: list[int],
                   merge: bool) -> _Plan:
    attrs[_contract.ATTR_DIRECTION] = _contract.DIRECTION_BIDIRECTIONAL
    attrs[_contract.ATTR_MERGE_MODE] = "concat" if merge else "none"
    return _plan(r, op_name, attrs, weights, states, _sequence_outputs(r, 1 if merge else 2))


def _plan(r: _Op, op_name: str, attrs: dict, weights: list, states: list[int],
          outputs: list[int]) -> _Plan:
    int8 = "int8" in r.matrix_types
    attrs.update({
        # "stateful" is a version-2 attribute, int8 weights version 3.
        _contract.ATTR_VERSION: _contract.QUANTIZED_WEIGHTS_VERSION if int8 else 2,
        _contract.ATTR_GO_BACKWARDS: False,
        _contract.ATTR_RETURN_SEQUENCES: True,
        _contract.ATTR_MASK: _contract.MASK_NONE,
        _contract.ATTR_INITIAL_STATE: True,
        _contract.ATTR_STATEFUL: True,
    })
    attrs.setdefault(_contract.ATTR_DIRECTION, _contract.DIRECTION_FORWARD)
    if not r.present(0):
        raise r.malformed("input 0 (the sequence) is missing")
    note = "; ".join(n for n, on in ((_FLOAT16_NOTE, r.float16), (_HYBRID_NOTE, int8)) if on) or None
    return _Plan(op_name, attrs, [r.inputs[0], *weights, *states], outputs, states, r.used, note)


_PLANNERS = {
    "UNIDIRECTIONAL_SEQUENCE_LSTM": _plan_lstm,
    "BIDIRECTIONAL_SEQUENCE_LSTM": _plan_bidirectional_lstm,
    "UNIDIRECTIONAL_SEQUENCE_RNN": _plan_rnn,
    "BIDIRECTIONAL_SEQUENCE_RNN": _plan_bidirectional_rnn,
}


def _apply(model: Any, schema: Any, s: int, op: Any, plan: _Plan) -> None:
    sg = model.subgraphs[s]
    base = tflite_file.tensor_name(sg.tensors[plan.outputs[0]])
    inputs = []
    for item in plan.inputs:
        if isinstance(item, tuple):
            name, value, *scales = item
            item = tflite_file.add_constant(model, schema, sg, f"{base}/tro_{name}", value,
                                            *scales)
        inputs.append(item)
    finals = []
    for k, state in enumerate(plan.states):
        like = sg.tensors[state]
        signature = None if like.shapeSignature is None else list(like.shapeSignature)
        finals.append(tflite_file.add_tensor(sg, schema, f"{base}/tro_final_state_{k}",
                                             list(like.shape), signature))
    op.opcodeIndex = tflite_file.custom_opcode(model, schema, plan.op_name)
    op.inputs, op.outputs = inputs, [*plan.outputs, *finals]
    op.builtinOptionsType, op.builtinOptions = 0, None
    op.customOptions = list(flexbuffers.Dumps(plan.attrs))
    op.customOptionsFormat = schema.CustomOptionsFormat.FLEXBUFFERS
    op.mutatingVariableInputs, op.intermediates = None, None


def _rewrite_model(model: Any, schema: Any) -> RewriteReport:
    report = RewriteReport()
    names = tflite_file.op_names(model, schema)
    for s, sg in enumerate(model.subgraphs):
        replaced: set[int] = set()
        for index, op in enumerate(list(sg.operators or [])):
            name = names[op.opcodeIndex]
            if name not in _PLANNERS:
                continue
            try:
                plan = _PLANNERS[name](_Op(model, schema, s, index, names))
            except _Unsupported as why:
                report.entries.append(RewriteEntry(s, index, name, None, str(why)))
                continue
            _apply(model, schema, s, op, plan)
            names = tflite_file.op_names(model, schema)  # _apply may add our op's code
            replaced |= plan.weights
            report.entries.append(RewriteEntry(s, index, name, plan.op_name, None, plan.note))
        replaced |= tflite_file.drop_dead_dequantize(sg, names, replaced)
        tflite_file.drop_tensors(model, s, replaced)
    return report


def rewrite(model: bytes | str | os.PathLike, *, strict: bool = False, report: bool = True,
            return_report: bool = False) -> bytes | tuple[bytes, RewriteReport]:
    """Rewrites the builtin RNN ops of a .tflite model (bytes or a path) into our ops.

    Every ``UNIDIRECTIONAL_SEQUENCE_LSTM``, ``BIDIRECTIONAL_SEQUENCE_LSTM``,
    ``UNIDIRECTIONAL_SEQUENCE_RNN`` and ``BIDIRECTIONAL_SEQUENCE_RNN`` becomes the matching
    ``TFLiteRnnOps>*`` op with the same results and the same state carried across invokes (reset
    by ``reset_all_variables()``). Hybrid ops (int8 weights) keep their int8 weights. An op our
    ops cannot express (layer normalisation, coupled input-forget gates, uint8 weights, ...)
    stays builtin, with a warning naming it and the reason;
    ``strict=True`` raises ``tro.ConversionError`` instead. Everything else in the file is written
    back unchanged. ``report`` prints the per-op report; ``return_report=True`` returns
    ``(tflite_bytes, report)``. A file that is not a valid .tflite model raises ``ValueError``.

    Example:
        >>> import tflite_rnn_ops as tro
        >>> # fast = tro.rewrite("old_tf_keras_lstm.tflite")
        >>> # it = tro.Interpreter(model_content=fast)
    """
    data = tflite_file.read_bytes(model, "rewrite()")
    schema, parsed = tflite_file.load(data, "rewrite()")
    result = _rewrite_model(parsed, schema)
    for entry in result.kept:
        message = (f"{entry.builtin} (subgraph {entry.subgraph} op #{entry.index}) cannot be "
                   f"rewritten: {entry.reason}")
        if strict:
            raise ConversionError(f"rewrite(strict=True): {message}")
        warnings.warn(f"tflite_rnn_ops.rewrite: {message}", stacklevel=2)
    out = tflite_file.save(parsed) if result.rewritten else data
    if report:
        print(result)
    return (out, result) if return_report else out
