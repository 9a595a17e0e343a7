"""``convert_frozen_graph``: a frozen TF1 GraphDef (``.pb`` / ``.pbtxt``) -> .tflite bytes, with
every OpHint-annotated RNN region (see ``_ophint.py``) as ONE op of ours.

Mechanism: each region is replaced in the GraphDef by a call of our composite function (built
with the TF1-compatible cells on constant weights, exactly as ``dynamic_rnn`` builds it), fed by
the region's own input hints and feeding its output hints, so everything around the region is
untouched. The region's old nodes are then dead and pruned, and the graph goes through the same
SavedModel route as ``convert_session``. The op starts from the graph's initial state on every
invoke, as a TF session does.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import warnings
from typing import Any, Sequence

import numpy as np
import tensorflow as tf

from tflite_rnn_ops import _contract
from tflite_rnn_ops.compat import _ophint, _rnn
from tflite_rnn_ops.compat._cells import TfLiteLSTMCell, TfLiteRNNCell
from tflite_rnn_ops.compat._convert import _SIGNATURE, _apply_options, _write_saved_model
from tflite_rnn_ops.model_info import inspect_model

_SCOPE = "tro_ophint"


class _ConstLSTM(TfLiteLSTMCell):
    """Our LSTM cell on weights already in the op's layout (no variables)."""

    def __init__(self, config: _ophint.CellConfig) -> None:
        super().__init__(config.units, use_peepholes=config.use_peepholes,
                         cell_clip=config.cell_clip or None, num_proj=config.num_proj or None,
                         proj_clip=config.proj_clip or None, forget_bias=0.0,
                         activation=config.activation)
        self._const = config.weights

    def fused_weights(self) -> list:
        return [tf.constant(w) for w in self._const]


class _ConstRNN(TfLiteRNNCell):
    def __init__(self, config: _ophint.CellConfig) -> None:
        super().__init__(config.units, activation=config.activation)
        self._const = config.weights

    def fused_weights(self) -> list:
        return [tf.constant(w) for w in self._const]


def load_graph_def(graph_def_or_path: Any) -> Any:
    """A GraphDef from a GraphDef, a ``.pb`` (binary) or a ``.pbtxt`` (text) file."""
    from google.protobuf import message, text_format

    if isinstance(graph_def_or_path, tf.compat.v1.GraphDef):
        return graph_def_or_path
    if not isinstance(graph_def_or_path, (str, os.PathLike)):
        raise TypeError("convert_frozen_graph: `graph_def_or_path` must be a GraphDef or the path "
                        f"of a .pb / .pbtxt file; received {type(graph_def_or_path).__name__}")
    path = os.fspath(graph_def_or_path)
    with open(path, "rb") as f:
        data = f.read()
    graph_def = tf.compat.v1.GraphDef()
    try:
        if path.endswith(".pbtxt"):
            text_format.Parse(data.decode("utf-8"), graph_def)
        else:
            graph_def.ParseFromString(data)
    except (message.DecodeError, text_format.ParseError, UnicodeDecodeError) as err:
        kind = "text" if path.endswith(".pbtxt") else "binary"
        raise ValueError(f"convert_frozen_graph: {path!r} is not a {kind} GraphDef: {err}") from err
    return graph_def


def _with_input_shapes(graph_def: Any, input_arrays: Sequence[str],
                       input_shapes: dict | None) -> Any:
    result = tf.compat.v1.GraphDef()
    result.CopyFrom(graph_def)
    nodes = {n.name: n for n in result.node}
    for name in [*input_arrays, *(input_shapes or {})]:
        if name not in nodes or nodes[name].op != "Placeholder":
            raise ValueError(f"convert_frozen_graph: input array {name!r} is not a Placeholder of "
                             "the graph")
    for name, shape in (input_shapes or {}).items():
        dims = nodes[name].attr["shape"].shape
        dims.ClearField("dim")
        dims.unknown_rank = False
        for d in shape:
            dims.dim.add().size = -1 if d is None else int(d)
    return result


def _check_outputs(graph_def: Any, output_arrays: Sequence[str]) -> None:
    names = {n.name for n in graph_def.node}
    for name in output_arrays:
        if name.split(":")[0] not in names:
            raise ValueError(f"convert_frozen_graph: output array {name!r} is not a node of the "
                             "graph")


def _cell(config: _ophint.CellConfig):
    return _ConstRNN(config) if config.op_name == _contract.RNN_OP else _ConstLSTM(config)


def _region_call(k: int, site: _ophint.Site, configs: list, shapes: dict):
    """In the current (scratch) graph: placeholders standing for the site's inputs and our op
    (bidirectional for a pair). Returns ``{scratch placeholder: top-level tensor}``,
    ``{top-level node: scratch tensor}`` (the nodes whose input becomes ours) and
    ``{top-level tensor: scratch tensor}`` (tensors whose readers read ours instead)."""
    def stand_in(tensor: str, name: str):
        return tf.compat.v1.placeholder(tf.float32, shapes[tensor], name=name)

    pair = [site] if site.backward is None else [site, site.backward]
    with tf.name_scope(f"{_SCOPE}_{k}"):
        if site.steps is not None:
            steps = [stand_in(t, f"x_{i}") for i, t in enumerate(site.steps)]
            x, sources = tf.stack(steps), site.steps
        else:
            x = stand_in(site.sequence, "x")
            steps, sources = [x], [site.sequence]
        state_sources = [t for s in pair for t in s.states]
        states = [stand_in(t, f"state_{i}") for i, t in enumerate(state_sources)]
        direction = (_contract.DIRECTION_FORWARD if len(pair) == 1
                     else _contract.DIRECTION_BIDIRECTIONAL)
        outputs = _rnn._fused_call([_cell(c) for c in configs], x, None, states,
                                   time_major=True, direction=direction)
        sequences, finals = outputs[:len(pair)], outputs[len(pair):]
        per_step = [tf.unstack(y, num=len(site.steps), axis=0) if site.steps is not None else []
                    for y in sequences]
    feeds = {p.op.name: t for p, t in zip([*steps, *states], [*sources, *state_sources])}
    nodes, tensors = {}, {}
    for d, s in enumerate(pair):
        first_state = d * len(s.states)
        for node, t in s.step_outputs.items():  # the backward region's step t is time T-1-t
            nodes[node] = per_step[d][t if d == 0 else len(site.steps) - 1 - t].name
        nodes.update({node: finals[first_state + i].name for node, i in s.final_nodes.items()})
        if s.sequence_output is not None:
            nodes[s.sequence_output] = sequences[d].name
        tensors.update({t: finals[first_state + i].name for t, i in s.final_tensors.items()})
    return feeds, nodes, tensors


def _pair_directions(sites: list, configs: list) -> tuple[list, list]:
    """Pairs each static region with a region of the same configuration over its steps in
    reverse (``static_bidirectional_rnn``): the pair becomes ONE bidirectional op."""
    merged, merged_configs, used = [], [], set()
    for i, (site, config) in enumerate(zip(sites, configs)):
        if i in used:
            continue
        for j in range(i + 1, len(sites)):
            if j not in used and site.reverses(sites[j]) and config.same_op(configs[j]):
                site = dataclasses.replace(site, backward=sites[j])
                merged_configs.append([config, configs[j]])
                used.add(j)
                break
        else:
            merged_configs.append([config])
        merged.append(site)
    return merged, merged_configs


def _shapes(graph: tf.Graph, sites: list) -> dict[str, Any]:
    names = {t for s in sites for t in [*(s.steps or []), *([s.sequence] if s.sequence else []),
                                        *s.states, *(s.backward.states if s.backward else [])]}
    return {t: graph.get_tensor_by_name(t).shape for t in names}


def _replace_regions(graph_def: Any, sites: list, configs: list, shapes: dict) -> Any:
    scratch = tf.Graph()
    feeds, nodes, tensors = {}, {}, {}
    with scratch.as_default():
        for k, (site, cell_configs) in enumerate(zip(sites, configs)):
            f, n, t = _region_call(k, site, cell_configs, shapes)
            feeds.update(f)
            nodes.update(n)
            tensors.update(t)
    added = scratch.as_graph_def()
    result = tf.compat.v1.GraphDef()
    result.CopyFrom(graph_def)
    for node in added.node:
        if node.name in feeds:  # the placeholder becomes an Identity of the top-level tensor
            dtype = node.attr["dtype"]
            node.op = "Identity"
            node.ClearField("attr")
            node.attr["T"].CopyFrom(dtype)
            node.input.append(feeds[node.name])
        result.node.append(node)
    result.library.function.extend(added.library.function)
    for node in result.node:
        if node.name in nodes:
            node.input[0] = nodes[node.name]
        for i, name in enumerate(node.input):
            if name in tensors:
                node.input[i] = tensors[name]
    return result


def _constant_inputs(sess: Any, graph_def: Any, node: Any) -> dict[int, np.ndarray]:
    """Values of a While node's float inputs that need no graph input (the frozen weights)."""
    values = {}
    for i, name in enumerate(n for n in node.input if not n.startswith("^")):
        tensor = sess.graph.get_tensor_by_name(_ophint.tensor_name(name))
        upstream = _ophint.nodes_between(graph_def, [tensor.op.name], set())
        if tensor.dtype == tf.float32 and not any(n.op == "Placeholder" for n in upstream):
            values[i] = sess.run(tensor)
    return values


def _dynamic_config(sess: Any, d: _ophint.DynamicRegion) -> _ophint.CellConfig:
    """Measures the cell inside the loop body, whose weights arrive as loop arguments."""
    args = [n.name for n in d.body.node if n.op == "Placeholder"]
    constants = _constant_inputs(sess, sess.graph.as_graph_def(), d.while_node)
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(d.body, name="")
    known = {f"{args[i]}:0": v for i, v in constants.items() if i < len(args)}
    with tf.compat.v1.Session(graph=graph) as body_sess:
        return _ophint.cell_config(body_sess, d.body, d.cell, known)


def _plan(graph_def: Any, sess: Any) -> tuple[list, list, list]:
    """``(sites, configs, kept)`` of every region we convert; warns about the others (`kept`)."""
    sites, configs, kept = [], [], []
    for region in _ophint.find_regions(graph_def):
        site = None
        if region.function == _ophint.DYNAMIC_RNN_FUNCTION:
            dynamic = _ophint.dynamic_region(graph_def, region)
            reason = dynamic if isinstance(dynamic, str) else _ophint.check_region(dynamic.cell)
            if not reason:
                site = _ophint.dynamic_site(graph_def, dynamic)
                reason = site if isinstance(site, str) else None
        else:
            reason = _ophint.check_region(region)
        if reason:
            warnings.warn(f"tflite_rnn_ops.convert_frozen_graph: OpHint region {region.function} "
                          f"(uuid {region.uuid}) stays as TensorFlow ops: {reason}", stacklevel=3)
            kept.append(f"{region.function} {region.uuid}")
            continue
        if site is None:
            sites.append(_ophint.static_site(graph_def, region))
            configs.append(_ophint.cell_config(sess, graph_def, region))
        else:
            sites.append(site)
            configs.append(_dynamic_config(sess, dynamic))
    return sites, configs, kept


def convert_frozen_graph(graph_def_or_path: Any, input_arrays: Sequence[str],
                         output_arrays: Sequence[str], input_shapes: dict | None = None,
                         **converter_options: Any) -> bytes:
    """Converts a frozen TF1 GraphDef (or a ``.pb`` / ``.pbtxt`` file) to .tflite bytes, like
    ``tf.compat.v1.lite.TFLiteConverter.from_frozen_graph``, with every OpHint-annotated RNN
    region (TF 1.x's ``tf.lite.experimental.nn.TFLiteLSTMCell`` / ``TfLiteRNNCell``: static,
    stacked, or inside ``dynamic_rnn``'s loop) as ONE op of ours that computes what the region
    computes; the two regions of a ``static_bidirectional_rnn`` become one bidirectional op.

    ``input_arrays`` / ``output_arrays`` are node names; ``input_shapes`` maps input names to
    shapes (``None`` or -1 for a dynamic dimension). The model's signature keys are the node
    names. The op starts every invoke from the graph's initial state (no state carries across
    invokes, as in a TF session). A region we cannot express stays as its TensorFlow ops, with a
    warning. ``converter_options`` are set on the ``tf.lite.TFLiteConverter``.

    Example:
        >>> from tflite_rnn_ops.compat import v1
        >>> # tfl = v1.convert_frozen_graph("ophint_lstm.pbtxt", ["INPUT"], ["OUTPUT"],
        >>> #                               input_shapes={"INPUT": [1, 3, 3]})
    """
    graph_def = load_graph_def(graph_def_or_path)
    if not input_arrays or not output_arrays:
        raise ValueError("convert_frozen_graph: `input_arrays` and `output_arrays` must name at "
                         f"least one node each; received {input_arrays!r}, {output_arrays!r}")
    graph_def = _with_input_shapes(graph_def, input_arrays, input_shapes)
    _check_outputs(graph_def, output_arrays)
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as sess:
        sites, configs, kept = _plan(graph_def, sess)
    sites, configs = _pair_directions(sites, configs)
    if sites:
        graph_def = _replace_regions(graph_def, sites, configs, _shapes(graph, sites))
    outputs = [name.split(":")[0] for name in output_arrays]
    graph_def = tf.compat.v1.graph_util.extract_sub_graph(graph_def, outputs)
    return _convert(graph_def, input_arrays, output_arrays, len(sites), kept, converter_options)


def _convert(graph_def: Any, input_arrays: Sequence[str], output_arrays: Sequence[str],
             expected: int, kept: list[str], options: dict) -> bytes:
    class _Named:  # what _write_saved_model needs of a tensor: its name
        def __init__(self, name: str) -> None:
            self.name = _ophint.tensor_name(name)

    inputs = {n.split(":")[0]: _Named(n) for n in input_arrays}
    outputs = {n.split(":")[0].replace("/", "_"): _Named(n) for n in output_arrays}
    with tempfile.TemporaryDirectory(prefix="tflite_rnn_ops_frozen_") as tmp:
        path = os.path.join(tmp, "saved_model")
        _write_saved_model(graph_def, inputs, outputs, path)
        converter = tf.lite.TFLiteConverter.from_saved_model(path, signature_keys=[_SIGNATURE])
        _apply_options(converter, options)
        try:
            tflite = converter.convert()
        except Exception as err:  # the converter raises its own error types
            if not kept:
                raise
            raise ValueError(
                "convert_frozen_graph: TensorFlow's own conversion failed on the graph, which "
                f"still holds the OpHint region(s) we could not convert ({', '.join(kept)}; see "
                f"the warnings); its error: {str(err).splitlines()[0][:300]}") from err
    info = inspect_model(tflite)
    if len(info.our_ops) != expected:
        raise RuntimeError(
            f"convert_frozen_graph: expected {expected} {_contract.OP_PREFIX}* op(s), one per "
            f"OpHint region, but the converted model has {len(info.our_ops)}; its ops: "
            f"{', '.join(op.name for op in info.ops)}")
    return tflite
