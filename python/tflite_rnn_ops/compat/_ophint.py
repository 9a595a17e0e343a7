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
_NP_ACTIVATIONS = {
    "tanh": np.tanh, "relu": lambda v: np.maximum(v, 0.0), "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
    "relu6": lambda v: np.clip(v, 0.0, 6.0), "linear": lambda v: v,
}
_PROBE_SCALES = (0.5, 3.0, 12.0)  # the largest reaches any clip a trained cell would use
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
        slots.setdefault(slot, []).append(Hint(node.name, _attr(node, "_tflite_function_sort_index")))
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

    @property
    def state_sizes(self) -> list[int]:
        if self.op_name == _contract.RNN_OP:
            return [self.units]
        return [self.num_proj or self.units, self.units]


def _region_body(graph_def: Any, region: Region) -> list[Any]:
    """The nodes computing the region's outputs from its inputs."""
    nodes = {n.name: n for n in graph_def.node}
    stop = {h.node for hints in region.inputs.values() for h in hints}
    todo = [h.node for hints in region.outputs.values() for h in hints]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name in stop or name not in nodes:
            continue
        seen.add(name)
        todo.extend(i.split(":")[0].lstrip("^") for i in nodes[name].input)
    return [nodes[n] for n in seen]


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


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-v))


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
                 fetches: list[int]) -> None:
        self.sess, self.region, self.feeds, self.fetches = sess, region, feeds, fetches

    def samples(self) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
        # A static batch (from `input_shapes`) must be fed as it is; any other is free.
        batch = self.sess.graph.get_tensor_by_name(self.region.tensor(0)).shape[0] or 3
        rng = np.random.default_rng(7)
        result = []
        for scale in _PROBE_SCALES:
            values = [rng.normal(0, scale, (batch, width)).astype(np.float32)
                      for _, width in self.feeds]
            feed = {self.region.tensor(slot): v for (slot, _), v in zip(self.feeds, values)}
            got = self.sess.run([self.region.tensor(s, output=True) for s in self.fetches], feed)
            result.append(([v.astype(np.float64) for v in values], got))
        return result


def _matches(got: list[np.ndarray], want: list[np.ndarray]) -> bool:
    return all(g.shape == w.shape and float(np.max(np.abs(g - w))) <= _PROBE_ATOL
               for g, w in zip(got, want))


def _run(sess: Any, region: Region, slots: list[int]) -> dict[int, np.ndarray]:
    values = sess.run({s: region.tensor(s) for s in slots})
    return {s: np.asarray(v, np.float32) for s, v in values.items()}


def _lstm_config(sess: Any, graph_def: Any, region: Region) -> CellConfig:
    slots = [s for s in (*range(1, 17),) if s in region.inputs]
    raw = _run(sess, region, slots)
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
    probe = _Probe(sess, region, [(0, features), (18, out_units), (19, units)], [2, 1])
    samples = probe.samples()
    activations, scalars = _candidates(graph_def, region)
    wd = {k: v.astype(np.float64) for k, v in w.items()}
    proj_clips = scalars if "proj" in w else [0.0]
    for act, fb, cc, pc in itertools.product(activations, scalars, scalars, proj_clips):
        fn = _NP_ACTIVATIONS[act]
        if all(_matches(got, _lstm_step(wd, fn, fb, cc, pc, *values)) for values, got in samples):
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


def _rnn_config(sess: Any, graph_def: Any, region: Region) -> CellConfig:
    raw = _run(sess, region, [1, 2, 3])
    units, features = raw[1].shape
    samples = _Probe(sess, region, [(0, features), (4, units)], [1]).samples()
    activations, scalars = _candidates(graph_def, region)
    for act in activations:
        fn = _NP_ACTIVATIONS[act]
        if all(_matches(got, [fn(x @ raw[1].T + h @ raw[2].T + raw[3])]) for (x, h), got in samples):
            weights = [raw[1].T.copy(), raw[2].T.copy(), raw[3]]
            return CellConfig(_contract.RNN_OP, units, act, weights)
    raise ValueError(_mismatch(region, "an RNN cell (TfLiteRNNCell)", activations, []))


def _mismatch(region: Region, what: str, activations: list[str], scalars: list[float]) -> str:
    return (f"convert_frozen_graph: OpHint region {region.function} (uuid {region.uuid}) does not "
            f"compute {what} our op can express: no activation among {activations} (and no "
            f"clipping / forget bias among the region's constants {scalars}) reproduces its first "
            "step within 1e-5")


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
    if region.function == LSTM_FUNCTION and 0 < len([s for s in (9, 10, 11) if s in region.inputs]) < 3:
        return "peepholes on only some gates"
    return None


def cell_config(sess: Any, graph_def: Any, region: Region) -> CellConfig:
    """Our op's configuration for a region that ``check_region`` accepts."""
    if region.function == LSTM_FUNCTION:
        return _lstm_config(sess, graph_def, region)
    return _rnn_config(sess, graph_def, region)
