"""Stateful layers: keep recurrent state in TFLite *variable tensors* owned by our op.

The stock converter turns a stateful Keras layer into VAR_HANDLE / READ_VARIABLE -> op ->
ASSIGN_VARIABLE. That keeps state across ``invoke()`` calls, but TFLite's
``reset_all_variables()`` only resets variable tensors, not resource variables. So after
conversion we rewrite each such state into a variable tensor that feeds the op's initial-state
input, and mark the op ``stateful``: it writes its final state back into that tensor. TFLite
zeroes variable tensors on ``allocate_tensors()`` and ``reset_all_variables()``, which is exactly
Keras's ``reset_state()``.
"""

from __future__ import annotations

from typing import Any

from flatbuffers import flexbuffers

from tflite_rnn_ops import _contract
from tflite_rnn_ops.model_info import _builtin_names, _schema

_NUM_STATES = {_contract.LSTM_OP: 2, _contract.GRU_OP: 1, _contract.RNN_OP: 1}


def _op_names(model, schema) -> list[str]:
    names = _builtin_names(schema)
    result = []
    for code in model.operatorCodes:
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        custom = code.customCode.decode() if isinstance(code.customCode, bytes) else code.customCode
        result.append(custom if builtin == schema.BuiltinOperator.CUSTOM else names.get(builtin))
    return result


class _Graph:
    """Index of the main subgraph: who produces and who reads each tensor, by op kind."""

    def __init__(self, model, schema) -> None:
        self.sg = model.subgraphs[0]
        codes = _op_names(model, schema)
        self.kind = [codes[op.opcodeIndex] for op in self.sg.operators]
        self.producer = {int(t): i for i, op in enumerate(self.sg.operators) for t in op.outputs}
        self.readers: dict[int, list[int]] = {}
        for i, op in enumerate(self.sg.operators):
            for t in op.inputs:
                self.readers.setdefault(int(t), []).append(i)

    def variable_key(self, handle_tensor: int) -> Any:
        op = self.sg.operators[self.producer[handle_tensor]]
        return (op.builtinOptions.container, op.builtinOptions.sharedName)

    def read_key(self, tensor: int) -> Any:
        """The variable `tensor` was read from, if it is a READ_VARIABLE output."""
        i = self.producer.get(tensor)
        if i is None or self.kind[i] != "READ_VARIABLE":
            return None
        return self.variable_key(int(self.sg.operators[i].inputs[0]))

    def assign_of(self, key: Any, value: int) -> int | None:
        for i in self.readers.get(value, []):
            op = self.sg.operators[i]
            if self.kind[i] == "ASSIGN_VARIABLE" and self.variable_key(int(op.inputs[0])) == key:
                return i
        return None


def _state_slots(options: dict, op_name: str, n_inputs: int, n_outputs: int):
    if not options.get(_contract.ATTR_INITIAL_STATE):
        return []
    count = _NUM_STATES[op_name] * (2 if options.get(_contract.ATTR_DIRECTION) == "bidirectional" else 1)
    return list(zip(range(n_inputs - count, n_inputs), range(n_outputs - count, n_outputs)))


def _fold_op(model, schema, graph: _Graph, op) -> set[int]:
    """Rewrites one op's states if all of them are read from and assigned to variables; returns
    the indices of the ops that became dead."""
    name = graph.kind[graph.sg.operators.index(op)]
    options = dict(flexbuffers.Loads(bytes(op.customOptions)))
    slots = _state_slots(options, name, len(op.inputs), len(op.outputs))
    plan = []
    for in_pos, out_pos in slots:
        t_in, t_out = int(op.inputs[in_pos]), int(op.outputs[out_pos])
        key = graph.read_key(t_in)
        assign = graph.assign_of(key, t_out) if key is not None else None
        if assign is None or len(graph.readers.get(t_in, [])) != 1:
            return set()
        plan.append((in_pos, t_in, assign))
    dead = set()
    for in_pos, t_in, assign in plan:
        op.inputs[in_pos] = _new_variable_tensor(model, schema, graph.sg.tensors[t_in])
        dead |= {graph.producer[t_in], assign}
    if plan:
        options[_contract.ATTR_STATEFUL] = True
        options[_contract.ATTR_VERSION] = max(int(options.get(_contract.ATTR_VERSION, 1)), 2)
        op.customOptions = list(flexbuffers.Dumps(options))
    return dead


def _new_variable_tensor(model, schema, like) -> int:
    buffer = schema.BufferT()
    model.buffers.append(buffer)
    tensor = schema.TensorT()
    tensor.shape = list(like.shape)
    tensor.type = like.type
    tensor.buffer = len(model.buffers) - 1
    tensor.name = (like.name.decode() if isinstance(like.name, bytes) else like.name) + "/state"
    tensor.isVariable = True
    model.subgraphs[0].tensors.append(tensor)
    return len(model.subgraphs[0].tensors) - 1


def fold_resource_states(tflite: bytes) -> tuple[bytes, int]:
    """Returns the rewritten model and how many ops became stateful."""
    import flatbuffers

    schema = _schema()
    model = schema.ModelT.InitFromPackedBuf(bytearray(tflite), 0)
    graph = _Graph(model, schema)
    ours = [op for op, kind in zip(graph.sg.operators, graph.kind)
            if kind and kind.startswith(_contract.OP_PREFIX) and op.customOptions is not None]
    dead, folded = set(), 0
    for op in ours:
        removed = _fold_op(model, schema, graph, op)
        folded += bool(removed)
        dead |= removed
    if not folded:
        return tflite, 0
    graph.sg.operators = [op for i, op in enumerate(graph.sg.operators) if i not in dead]
    _drop_unused_handles(graph.sg, graph.kind, dead)
    builder = flatbuffers.Builder(len(tflite) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output()), folded


def _drop_unused_handles(sg, kinds: list, dead: set) -> None:
    kept_kinds = [k for i, k in enumerate(kinds) if i not in dead]
    used = {int(t) for op in sg.operators for t in op.inputs}
    sg.operators = [op for op, k in zip(sg.operators, kept_kinds)
                    if not (k == "VAR_HANDLE" and int(op.outputs[0]) not in used)]
