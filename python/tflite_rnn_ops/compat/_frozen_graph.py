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

import os
import tempfile
import warnings
from typing import Any, Sequence

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
            raise ValueError(f"convert_frozen_graph: output array {name!r} is not a node of the graph")


def _region_call(k: int, region: _ophint.Region, config: _ophint.CellConfig, dtype_shapes: dict):
    """In the current (scratch) graph: placeholders standing for the region's inputs, our op,
    and one Identity per output hint. Returns {scratch placeholder: original tensor} and
    {original output hint node: scratch tensor name}."""
    with tf.name_scope(f"{_SCOPE}_{k}"):
        steps = [tf.compat.v1.placeholder(tf.float32, dtype_shapes[h.node], name=f"x_{t}")
                 for t, h in enumerate(region.inputs[0])]
        state_slots = [4] if config.op_name == _contract.RNN_OP else [18, 19]
        states = [tf.compat.v1.placeholder(tf.float32, dtype_shapes[region.inputs[s][0].node],
                                           name=f"state_{s}") for s in state_slots]
        cell = _ConstRNN(config) if config.op_name == _contract.RNN_OP else _ConstLSTM(config)
        y, *finals = _rnn._fused_call([cell], tf.stack(steps), None, states, time_major=True,
                                      direction=_contract.DIRECTION_FORWARD)
        outputs = tf.unstack(y, num=len(steps), axis=0)
    feeds = {p.op.name: region.tensor(0, which=t) for t, p in enumerate(steps)}
    feeds.update({p.op.name: region.tensor(s) for p, s in zip(states, state_slots)})
    sequence_slot = 1 if config.op_name == _contract.RNN_OP else 2
    rewired = {h.node: outputs[t].name for t, h in enumerate(region.outputs[sequence_slot])}
    if config.op_name == _contract.LSTM_OP:  # the final c ("last" aggregate)
        rewired[region.outputs[1][-1].node] = finals[1].name
    return feeds, rewired


def _shapes(graph: tf.Graph, regions: list) -> dict[str, Any]:
    return {h.node: graph.get_tensor_by_name(f"{h.node}:0").shape
            for r in regions for hints in r.inputs.values() for h in hints}


def _replace_regions(graph_def: Any, regions: list, configs: list, shapes: dict) -> Any:
    scratch = tf.Graph()
    feeds, rewired = {}, {}
    with scratch.as_default():
        for k, (region, config) in enumerate(zip(regions, configs)):
            f, r = _region_call(k, region, config, shapes)
            feeds.update(f)
            rewired.update(r)
    added = scratch.as_graph_def()
    result = tf.compat.v1.GraphDef()
    result.CopyFrom(graph_def)
    for node in added.node:
        if node.name in feeds:  # the placeholder becomes an Identity of the region's input
            dtype = node.attr["dtype"]
            node.op = "Identity"
            node.ClearField("attr")
            node.attr["T"].CopyFrom(dtype)
            node.input.append(feeds[node.name])
        result.node.append(node)
    result.library.function.extend(added.library.function)
    for node in result.node:
        if node.name in rewired:
            node.input[0] = rewired[node.name]
    return result


def convert_frozen_graph(graph_def_or_path: Any, input_arrays: Sequence[str],
                         output_arrays: Sequence[str], input_shapes: dict | None = None,
                         **converter_options: Any) -> bytes:
    """Converts a frozen TF1 GraphDef (or a ``.pb`` / ``.pbtxt`` file) to .tflite bytes, like
    ``tf.compat.v1.lite.TFLiteConverter.from_frozen_graph``, with every OpHint-annotated RNN
    region (TF 1.x's ``tf.lite.experimental.nn.TFLiteLSTMCell`` / ``TfLiteRNNCell``, static or
    stacked) as ONE op of ours that computes what the region computes.

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
    regions = []
    for region in _ophint.find_regions(graph_def):
        reason = _ophint.check_region(region)
        if reason:
            warnings.warn(f"tflite_rnn_ops.convert_frozen_graph: OpHint region {region.function} "
                          f"(uuid {region.uuid}) stays as TensorFlow ops: {reason}", stacklevel=2)
        else:
            regions.append(region)
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as sess:
        configs = [_ophint.cell_config(sess, graph_def, r) for r in regions]
    if regions:
        graph_def = _replace_regions(graph_def, regions, configs, _shapes(graph, regions))
    outputs = [name.split(":")[0] for name in output_arrays]
    graph_def = tf.compat.v1.graph_util.extract_sub_graph(graph_def, outputs)
    return _convert(graph_def, input_arrays, output_arrays, len(regions), converter_options)


def _tensor_name(name: str) -> str:
    return name if ":" in name else f"{name}:0"


def _convert(graph_def: Any, input_arrays: Sequence[str], output_arrays: Sequence[str],
             expected: int, options: dict) -> bytes:
    class _Named:  # what _write_saved_model needs of a tensor: its name
        def __init__(self, name: str) -> None:
            self.name = _tensor_name(name)

    inputs = {n.split(":")[0]: _Named(n) for n in input_arrays}
    outputs = {n.split(":")[0].replace("/", "_"): _Named(n) for n in output_arrays}
    with tempfile.TemporaryDirectory(prefix="tflite_rnn_ops_frozen_") as tmp:
        path = os.path.join(tmp, "saved_model")
        _write_saved_model(graph_def, inputs, outputs, path)
        converter = tf.lite.TFLiteConverter.from_saved_model(path, signature_keys=[_SIGNATURE])
        _apply_options(converter, options)
        tflite = converter.convert()
    info = inspect_model(tflite)
    if len(info.our_ops) != expected:
        raise RuntimeError(
            f"convert_frozen_graph: expected {expected} {_contract.OP_PREFIX}* op(s), one per "
            f"OpHint region, but the converted model has {len(info.our_ops)}; its ops: "
            f"{', '.join(op.name for op in info.ops)}")
    return tflite
