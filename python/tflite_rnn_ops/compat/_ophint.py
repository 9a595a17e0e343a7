"""Reading the OpHint annotations that TF 1.x's ``tf.lite.experimental.nn`` cells left in graphs.

Each hinted region (one ``OpHint`` uuid: ``UnidirectionalSequenceLstm`` from ``TFLiteLSTMCell``,
``UnidirectionalSequenceRnn`` from ``TfLiteRNNCell``) is found from its ``InputHint-*`` /
``OutputHint-*`` Identity nodes. The hints name the weights but not the activation, the clipping
or (in the older cell) the forget bias, which run inside the region: those are measured. We run
the region's first step in TensorFlow on random values and keep the configuration of our op
whose step gives the same numbers (candidates: the graph's activations, and the scalar constants
inside the region for the clips and the forget bias). A region no candidate reproduces is an
error, never a guess. See ``docs/existing_models.md``.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np

from tflite_rnn_ops import _contract

LSTM_FUNCTION = "UnidirectionalSequenceLstm"
RNN_FUNCTION = "UnidirectionalSequenceRnn"
DYNAMIC_RNN_FUNCTION = "TfLiteDynamicRnn"
_ACTIVATIONS = {"Tanh": "tanh", "Relu": "relu", "Sigmoid": "sigmoid", "Relu6": "relu6",
                "Identity": "linear"}


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-v))


_NP_ACTIVATIONS = {
    "tanh": np.tanh, "relu": lambda v: np.maximum(v, 0.0), "sigmoid": _sigmoid,
    "relu6": lambda v: np.clip(v, 0.0, 6.0), "linear": lambda v: v,
}
_PROBE_SCALES = (0.5, 3.0, 12.0)  # the largest reaches any clip a trained cell would use
# float32 rounding grows with the values: 1e-5 per unit of input scale. A wrong activation, clip
# or forget bias is off by O(0.1) or more.
_PROBE_ATOL = 1e-5


@dataclasses.dataclass
class Hint:
    node: str
    sort: int | None


@dataclasses.dataclass
class Region:
    """One OpHint instance: its function (stub op) name and its hinted tensors per slot."""

    uuid: str
    function: str
    level: int
    inputs: dict[int, list[Hint]] = dataclasses.field(default_factory=dict)
    outputs: dict[int, list[Hint]] = dataclasses.field(default_factory=dict)

    def tensor(self, slot: int, output: bool = False, which: int = 0) -> str:
        hints = (self.outputs if output else self.inputs)[slot]
        return f"{hints[which].node}:0"

    def steps(self) -> int:
        return len(self.inputs[0])


def _attr(node: Any, key: str) -> Any:
    value = node.attr.get(key)
    if value is None:
        return None
    return value.s.decode() if value.WhichOneof("value") == "s" else int(value.i)


def find_regions(graph_def: Any) -> list[Region]:
    """The hinted regions of the graph's top level, in the order their hints appear."""
    regions: dict[str, Region] = {}
    for node in graph_def.node:
        uuid = _attr(node, "_tflite_function_uuid")
        if uuid is None:
            continue
        region = regions.setdefault(uuid, Region(uuid, _attr(node, "_tflite_function_name"),
                                                 _attr(node, "_tflite_ophint_level") or 1))
        is_input = "_tflite_function_input_index" in node.attr
        slot = _attr(node, "_tflite_function_input_index" if is_input else
                     "_tflite_function_output_index")
        slots = region.inputs if is_input else region.outputs
        sort = _attr(node, "_tflite_function_sort_index")
        slots.setdefault(slot, []).append(Hint(node.name, sort))
    for region in regions.values():
        for hints in [*region.inputs.values(), *region.outputs.values()]:
            hints.sort(key=lambda h: -1 if h.sort is None else h.sort)
    return list(regions.values())


@dataclasses.dataclass
class CellConfig:
    """What one region becomes: our op's cell attributes and weights in our layout."""

    op_name: str
    units: int
    activation: str
    weights: list[np.ndarray]  # kernel, recurrent_kernel, bias[, w_i, w_f, w_o][, projection]
    use_peepholes: bool = False
    cell_clip: float = 0.0
    num_proj: int = 0
    proj_clip: float = 0.0

    def same_op(self, other: CellConfig) -> bool:
        """Whether the two differ only in their weights (so they can share a bidirectional op)."""
        fields = ("op_name", "units", "activation", "use_peepholes", "cell_clip", "num_proj",
                  "proj_clip")
        return all(getattr(self, f) == getattr(other, f) for f in fields)


def tensor_name(name: str) -> str:
    """``"node"`` -> ``"node:0"``; ``"node:1"`` stays."""
    return name if ":" in name else f"{name}:0"


def _region_body(graph_def: Any, region: Region) -> list[Any]:
    """The nodes computing the region's outputs from its inputs."""
    stop = {h.node for hints in region.inputs.values() for h in hints}
    return nodes_between(graph_def, [h.node for hints in region.outputs.values() for h in hints],
                         stop)


def _candidates(graph_def: Any, region: Region) -> tuple[list[str], list[float]]:
    """Activations the region uses, and the magnitudes of its scalar float constants."""
    import tensorflow as tf

    body = _region_body(graph_def, region)
    activations = sorted({_ACTIVATIONS[n.op] for n in body if n.op in _ACTIVATIONS} | {"tanh"})
    scalars = {0.0}
    for n in body:
        if n.op == "Const" and n.attr["dtype"].type == tf.float32.as_datatype_enum:
            value = tf.make_ndarray(n.attr["value"].tensor)
            if value.size == 1:
                scalars.add(abs(float(value.reshape(()))))
    return activations, sorted(scalars)


def _lstm_step(w: dict, act: Any, forget_bias: float, cell_clip: float, proj_clip: float,
               x: np.ndarray, m: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TFLiteLSTMCell's step on its own per-gate weights (float64)."""
    z = {g: x @ w[f"x{g}"].T + m @ w[f"h{g}"].T + w[f"b{g}"] for g in "ifco"}
    peep = {g: w.get(f"p{g}", 0.0) for g in "ifo"}
    i = _sigmoid(z["i"] + peep["i"] * c)
    f = _sigmoid(z["f"] + forget_bias + peep["f"] * c)
    c_new = f * c + i * act(z["c"])
    if cell_clip:
        c_new = np.clip(c_new, -cell_clip, cell_clip)
    m_new = _sigmoid(z["o"] + peep["o"] * c_new) * act(c_new)
    if "proj" in w:
        m_new = m_new @ w["proj"].T
        if proj_clip:
            m_new = np.clip(m_new, -proj_clip, proj_clip)
    return m_new, c_new


class _Probe:
    """Runs the region's first step in TensorFlow on random inputs and states."""

    def __init__(self, sess: Any, region: Region, feeds: list[tuple[int, int]],
                 fetches: list[int], known: dict) -> None:
        self.sess, self.region, self.feeds, self.fetches = sess, region, feeds, fetches
        self.known = known

    def samples(self) -> list[tuple[list[np.ndarray], list[np.ndarray], float]]:
        """``(inputs as float64, TensorFlow's outputs, tolerance)`` per probe scale."""
        # A static batch (from `input_shapes`) must be fed as it is; any other is free.
        batch = self.sess.graph.get_tensor_by_name(self.region.tensor(0)).shape[0] or 3
        rng = np.random.default_rng(7)
        result = []
        for scale in _PROBE_SCALES:
            values = [rng.normal(0, scale, (batch, width)).astype(np.float32)
                      for _, width in self.feeds]
            feed = {**self.known,
                    **{self.region.tensor(slot): v for (slot, _), v in zip(self.feeds, values)}}
            got = self.sess.run([self.region.tensor(s, output=True) for s in self.fetches], feed)
            result.append(([v.astype(np.float64) for v in values], got,
                           _PROBE_ATOL * max(1.0, scale)))
        return result


def _matches(got: list[np.ndarray], want: list[np.ndarray], atol: float) -> bool:
    return all(g.shape == w.shape and float(np.max(np.abs(g - w))) <= atol
               for g, w in zip(got, want))


def _run(sess: Any, region: Region, slots: list[int], known: dict) -> dict[int, np.ndarray]:
    values = sess.run({s: region.tensor(s) for s in slots}, known)
    return {s: np.asarray(v, np.float32) for s, v in values.items()}


def _lstm_config(sess: Any, graph_def: Any, region: Region, known: dict) -> CellConfig:
    slots = [s for s in range(1, 17) if s in region.inputs]
    raw = _run(sess, region, slots, known)
    w = {**{f"x{g}": raw[1 + k] for k, g in enumerate("ifco")},
         **{f"h{g}": raw[5 + k] for k, g in enumerate("ifco")},
         **{f"b{g}": raw[12 + k] for k, g in enumerate("ifco")}}
    peepholes = all(s in raw for s in (9, 10, 11))
    if peepholes:
        w.update({f"p{g}": raw[9 + k] for k, g in enumerate("ifo")})
    if 16 in raw:
        w["proj"] = raw[16]
    units, features = raw[1].shape
    out_units = raw[5].shape[1]
    probe = _Probe(sess, region, [(0, features), (18, out_units), (19, units)], [2, 1], known)
    samples = probe.samples()
    activations, scalars = _candidates(graph_def, region)
    wd = {k: v.astype(np.float64) for k, v in w.items()}
    proj_clips = scalars if "proj" in w else [0.0]
    for act, fb, cc, pc in itertools.product(activations, scalars, scalars, proj_clips):
        fn = _NP_ACTIVATIONS[act]
        if all(_matches(got, _lstm_step(wd, fn, fb, cc, pc, *values), atol)
               for values, got, atol in samples):
            return _lstm_weights(w, act, fb, cc, pc, peepholes)
    raise ValueError(_mismatch(region, "an LSTM cell (TFLiteLSTMCell)", activations, scalars))


def _lstm_weights(w: dict, act: str, forget_bias: float, cell_clip: float, proj_clip: float,
                  peepholes: bool) -> CellConfig:
    units = w["xi"].shape[0]
    bias = [w["bi"], w["bf"] + np.float32(forget_bias), w["bc"], w["bo"]]
    weights = [np.concatenate([w[f"x{g}"].T for g in "ifco"], 1),
               np.concatenate([w[f"h{g}"].T for g in "ifco"], 1), np.concatenate(bias)]
    if peepholes:
        weights += [w[f"p{g}"] for g in "ifo"]
    num_proj = 0
    if "proj" in w:
        weights.append(w["proj"].T)
        num_proj = w["proj"].shape[0]
    return CellConfig(_contract.LSTM_OP, units, act, [np.ascontiguousarray(v) for v in weights],
                      peepholes, cell_clip, num_proj, proj_clip if num_proj else 0.0)


def _rnn_config(sess: Any, graph_def: Any, region: Region, known: dict) -> CellConfig:
    raw = _run(sess, region, [1, 2, 3], known)
    units, features = raw[1].shape
    samples = _Probe(sess, region, [(0, features), (4, units)], [1], known).samples()
    activations, scalars = _candidates(graph_def, region)
    for act in activations:
        fn = _NP_ACTIVATIONS[act]
        if all(_matches(got, [fn(x @ raw[1].T + h @ raw[2].T + raw[3])], atol)
               for (x, h), got, atol in samples):
            weights = [raw[1].T.copy(), raw[2].T.copy(), raw[3]]
            return CellConfig(_contract.RNN_OP, units, act, weights)
    raise ValueError(_mismatch(region, "an RNN cell (TfLiteRNNCell)", activations, []))


def _mismatch(region: Region, what: str, activations: list[str], scalars: list[float]) -> str:
    return (f"convert_frozen_graph: OpHint region {region.function} (uuid {region.uuid}) does not "
            f"compute {what} our op can express: no activation among {activations} (and no "
            f"clipping / forget bias among the region's constants {scalars}) reproduces its first "
            "step (within 1e-5 per unit of input scale)")


_REQUIRED = {LSTM_FUNCTION: ((0, *range(1, 9), *range(12, 16), 18, 19), (1, 2)),
             RNN_FUNCTION: ((0, 1, 2, 3, 4), (1,))}


def check_region(region: Region) -> str | None:
    """Why the region cannot become one of our ops (None when it can)."""
    if region.function not in _REQUIRED:
        return f"OpHint function {region.function!r} has no op of ours"
    inputs, outputs = _REQUIRED[region.function]
    missing = [f"input {s}" for s in inputs if s not in region.inputs]
    missing += [f"output {s}" for s in outputs if s not in region.outputs]
    if missing:
        return f"hints missing: {', '.join(missing)}"
    peepholes = [s for s in (9, 10, 11) if s in region.inputs]
    if region.function == LSTM_FUNCTION and 0 < len(peepholes) < 3:
        return "peepholes on only some gates"
    return None


def cell_config(sess: Any, graph_def: Any, region: Region, known: dict | None = None) -> CellConfig:
    """Our op's configuration for a region that ``check_region`` accepts. `known`: feeds the
    region's weights need (the arguments of a While body)."""
    if region.function == LSTM_FUNCTION:
        return _lstm_config(sess, graph_def, region, known or {})
    return _rnn_config(sess, graph_def, region, known or {})


# --- where a region's op goes in the top-level graph --------------------------------------
@dataclasses.dataclass
class Site:
    """The top-level tensors our op reads and the nodes / tensors it replaces."""

    states: list[str]  # initial state tensors, in our op's state order (h[, c])
    steps: list[str] | None = None  # static: one input tensor per step
    sequence: str | None = None  # dynamic_rnn: the time-major [T, B, F] input
    step_outputs: dict[str, int] = dataclasses.field(default_factory=dict)  # hint node -> step
    sequence_output: str | None = None  # dynamic_rnn: the parent's output hint node
    final_nodes: dict[str, int] = dataclasses.field(default_factory=dict)  # hint node -> state
    final_tensors: dict[str, int] = dataclasses.field(default_factory=dict)  # tensor -> state
    backward: Site | None = None  # a static bidirectional pair: the region over reversed steps
    step_sources: list[str] | None = None  # static: what each step's input hint wraps

    def reverses(self, other: Site) -> bool:
        """Whether `other` is a static region over this one's steps in reverse order."""
        mine, theirs = self.step_sources, other.step_sources
        return (mine is not None and theirs is not None and len(mine) > 1
                and theirs == mine[::-1] and self.backward is None)


def _state_slots(function: str) -> list[int]:
    return [4] if function == RNN_FUNCTION else [18, 19]


def static_site(graph_def: Any, region: Region) -> Site:
    """A region unrolled in the top-level graph (static_rnn, or steps written out by hand)."""
    nodes = {n.name: n for n in graph_def.node}
    site = Site([region.tensor(s) for s in _state_slots(region.function)],
                steps=[region.tensor(0, which=t) for t in range(region.steps())],
                step_sources=[tensor_name(nodes[h.node].input[0]) for h in region.inputs[0]])
    sequence_slot = 1 if region.function == RNN_FUNCTION else 2
    site.step_outputs = {h.node: t for t, h in enumerate(region.outputs[sequence_slot])}
    if region.function == LSTM_FUNCTION:  # the final c ("last" aggregate)
        site.final_nodes = {region.outputs[1][-1].node: 1}
    return site


@dataclasses.dataclass
class DynamicRegion:
    """A level-2 ``TfLiteDynamicRnn`` hint around a While loop whose body holds the cell's hints."""

    parent: Region
    while_node: Any
    body: Any  # the body as a GraphDef (arguments become Placeholders)
    cell: Region


def nodes_between(graph_def: Any, outputs: list[str], stop: set[str]) -> list[Any]:
    """The nodes `outputs` depend on, not looking past the `stop` nodes."""
    nodes = {n.name: n for n in graph_def.node}
    todo, seen = list(outputs), set()
    while todo:
        name = todo.pop()
        if name in seen or name in stop or name not in nodes:
            continue
        seen.add(name)
        todo.extend(i.split(":")[0].lstrip("^") for i in nodes[name].input)
    return [nodes[n] for n in seen]


def dynamic_region(graph_def: Any, parent: Region) -> DynamicRegion | str:
    """The loop inside a ``TfLiteDynamicRnn`` hint, or why it cannot become one op."""
    from tensorflow.python.framework.function_def_to_graph import function_def_to_graph_def

    if 0 not in parent.inputs or 0 not in parent.outputs:
        return "the TfLiteDynamicRnn hint lacks its input 0 or output 0"
    stop = {h.node for h in parent.inputs[0]}
    loops = [n for n in nodes_between(graph_def, [parent.outputs[0][0].node], stop)
             if n.op in ("While", "StatelessWhile")]
    if len(loops) != 1:
        return f"expected one While loop inside the TfLiteDynamicRnn hint, found {len(loops)}"
    functions = {f.signature.name: f for f in graph_def.library.function}
    body_name = loops[0].attr["body"].func.name
    if body_name not in functions:
        return f"the While body {body_name!r} is not in the graph's function library"
    body, _ = function_def_to_graph_def(functions[body_name])
    cells = [r for r in find_regions(body) if r.level == 1]
    if len(cells) != 1:
        return f"expected one cell hint inside the While body, found {len(cells)}"
    return DynamicRegion(parent, loops[0], body, cells[0])


def _argument(body: Any, tensor: str) -> int | None:
    """Index of the body argument `tensor` is (through Identity nodes), else None."""
    nodes = {n.name: n for n in body.node}
    args = [n.name for n in body.node if n.op == "Placeholder"]
    name = tensor.split(":")[0]
    while name in nodes and nodes[name].op == "Identity":
        name = nodes[name].input[0].split(":")[0]
    return args.index(name) if name in args else None


def _loop_output(function: Any, arg: int) -> str:
    """The body node returned as loop variable `arg`."""
    return function.ret[function.signature.output_arg[arg].name].split(":")[0]


def dynamic_site(graph_def: Any, d: DynamicRegion) -> Site | str:
    """Our op in place of the loop: reads the parent's input and the loop's initial states,
    feeds the parent's output hint and every reader of the loop's final states."""
    functions = {f.signature.name: f for f in graph_def.library.function}
    body_fn = functions[d.while_node.attr["body"].func.name]
    loop_inputs = [i for i in d.while_node.input if not i.startswith("^")]
    states, finals = [], {}
    for k, slot in enumerate(_state_slots(d.cell.function)):
        hint = d.cell.inputs[slot][0].node
        nodes = {n.name: n for n in d.body.node}
        arg = _argument(d.body, nodes[hint].input[0])
        if arg is None:
            return f"the cell's state input {slot} is not a loop variable"
        returned = _loop_output(body_fn, arg)
        expected = {h.node for h in d.cell.outputs[1 if d.cell.function == RNN_FUNCTION else
                                                   (2 if slot == 18 else 1)]}
        if _through_identities(d.body, returned) not in expected:
            return ("the loop does more than run the cell (e.g. a sequence_length copy-through): "
                    f"loop variable {arg} is not the cell's new state")
        states.append(tensor_name(loop_inputs[arg]))
        finals[f"{d.while_node.name}:{arg}"] = k
    return Site(states, sequence=d.parent.tensor(0), sequence_output=d.parent.outputs[0][0].node,
                final_tensors=finals)


def _through_identities(body: Any, name: str) -> str:
    nodes = {n.name: n for n in body.node}
    while (name in nodes and nodes[name].op == "Identity"
           and "_tflite_function_uuid" not in nodes[name].attr):
        name = nodes[name].input[0].split(":")[0]
    return name
