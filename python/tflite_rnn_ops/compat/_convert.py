"""``convert_session``: a TF1 session's graph -> .tflite bytes with one fused op per RNN layer.

Mechanism (see docs/compat_v1.md): the graph built with our cells already holds each layer as a
call of a composite function marked ``tfl_fusable_op``. We freeze the needed subgraph (variables
become constants, the function library is kept), write it as a TF1 SavedModel in a fresh graph
and hand that to ``tf.lite.TFLiteConverter.from_saved_model``, whose MLIR import keeps the
composite functions so that each becomes ONE custom op. (``from_session`` / ``from_frozen_graph``
run Grappler's function inlining first, which destroys the composites.)
"""

from __future__ import annotations

import os
import re
import tempfile
from typing import Any, Sequence

import tensorflow as tf

from tflite_rnn_ops import _contract
from tflite_rnn_ops.compat._rnn import _CALL_OPS, FUSED_CALLS
from tflite_rnn_ops.model_info import inspect_model

_SIGNATURE = "serving_default"


def signature_key(tensor: Any) -> str:
    """The signature key ``convert_session`` gives a tensor passed in a list: its name without
    ``:0``, ``:`` spelled ``__`` and every other character that is not a letter, digit or ``_``
    replaced by ``_`` (``"rnn/out:1"`` -> ``"rnn_out__1"``). Pass a dict to choose the keys.

    Example:
        >>> import tensorflow as tf
        >>> from tflite_rnn_ops.compat import v1
        >>> with tf.Graph().as_default():
        ...     v1.signature_key(tf.compat.v1.placeholder(tf.float32, name="inputs/x"))
        'inputs_x'
    """
    name = tensor.name[:-2] if tensor.name.endswith(":0") else tensor.name
    return re.sub(r"[^A-Za-z0-9_]", "_", name.replace(":", "__"))


def _check_tensors(argument: str, tensors: Any, graph: tf.Graph) -> dict[str, tf.Tensor]:
    """``{signature key: tensor}`` from a list (keys from names) or a dict (keys given)."""
    if isinstance(tensors, dict):
        keyed = dict(tensors)
    elif isinstance(tensors, (list, tuple)):
        keyed = {signature_key(t) if isinstance(t, tf.Tensor) else repr(t): t for t in tensors}
        if len(keyed) != len(tensors):
            raise ValueError(f"convert_session: `{argument}` holds tensors whose signature keys "
                             f"collide: {[signature_key(t) for t in tensors]}; pass a dict")
    else:
        keyed = {}
    if not keyed:
        raise TypeError(f"convert_session: `{argument}` must be a non-empty list or dict of "
                        f"tensors of sess.graph; received {tensors!r}")
    for key, t in keyed.items():
        if not isinstance(t, tf.Tensor) or t.graph is not graph:
            raise ValueError(f"convert_session: `{argument}` must hold tensors of sess.graph; "
                             f"received {key}: {t!r}")
    return keyed


def fused_call_count(graph_def: Any) -> int:
    """Calls of our composite functions in a GraphDef (the number of ops conversion must emit)."""
    fused = set()
    for fn in graph_def.library.function:
        implements = fn.attr.get("_implements")
        if implements is not None and implements.func.name.startswith(_contract.OP_PREFIX):
            fused.add(fn.signature.name)
    return sum(node.op in _CALL_OPS and node.attr["f"].func.name in fused
               for node in graph_def.node)


def _restore_composite_calls(graph_def: Any, graph: tf.Graph) -> None:
    """Points call ops that gradient computation rewrote to a "__forward_*" function back at our
    composite function (same leading outputs; the extra ones only fed the gradient)."""
    functions = {fn.signature.name: fn for fn in graph_def.library.function}
    recorded = dict(graph.get_collection(FUSED_CALLS))
    for node in graph_def.node:
        original = recorded.get(node.name)
        if original is None or node.attr["f"].func.name == original or original not in functions:
            continue
        node.attr["f"].func.name = original
        types = [arg.type for arg in functions[original].signature.output_arg]
        del node.attr["Tout"].list.type[:]
        node.attr["Tout"].list.type.extend(types)
        if "_output_shapes" in node.attr:
            del node.attr["_output_shapes"].list.shape[len(types):]


def _write_saved_model(graph_def: Any, inputs: dict, outputs: dict, path: str) -> None:
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
        signature = tf.compat.v1.saved_model.predict_signature_def(
            {key: graph.get_tensor_by_name(t.name) for key, t in inputs.items()},
            {key: graph.get_tensor_by_name(t.name) for key, t in outputs.items()})
        with tf.compat.v1.Session(graph=graph) as sess:
            builder = tf.compat.v1.saved_model.Builder(path)
            builder.add_meta_graph_and_variables(
                sess, [tf.saved_model.SERVING], signature_def_map={_SIGNATURE: signature})
            builder.save()


def _apply_options(converter: Any, options: dict) -> None:
    for key, value in options.items():
        if not hasattr(converter, key):
            raise TypeError(
                f"convert_session: unknown converter option {key!r}; expected an attribute of "
                "tf.lite.TFLiteConverter such as optimizations, target_spec, representative_dataset"
            )
        setattr(converter, key, value)
    converter.allow_custom_ops = True


def convert_session(sess: Any, input_tensors: Sequence | dict, output_tensors: Sequence | dict,
                    **converter_options: Any) -> bytes:
    """Converts the part of ``sess.graph`` from ``input_tensors`` to ``output_tensors`` to .tflite
    bytes in which every RNN layer built with ``tflite_rnn_ops.compat.v1`` is ONE fused op.

    Variables are frozen with their current values in ``sess``. The model has one signature,
    ``"serving_default"``, keyed by the dict keys if you pass dicts ``{key: tensor}``, else by
    ``signature_key(tensor)``. ``converter_options`` are set on
    the ``tf.lite.TFLiteConverter`` (e.g. ``optimizations=[tf.lite.Optimize.DEFAULT]``).
    Raises ``RuntimeError`` if a layer did not become its fused op.

    Example:
        >>> import tensorflow as tf, tflite_rnn_ops as tro
        >>> from tflite_rnn_ops.compat import v1
        >>> with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        ...     x = tf.compat.v1.placeholder(tf.float32, [None, None, 3], name="x")
        ...     out, state = v1.dynamic_rnn(v1.TfLiteLSTMCell(8), x, dtype=tf.float32)
        ...     sess.run(tf.compat.v1.global_variables_initializer())
        ...     tflite = v1.convert_session(sess, [x], [out])
        >>> tro.inspect_model(tflite).count("TFLiteRnnOps>LSTM")
        1
    """
    if not isinstance(sess, tf.compat.v1.Session):
        raise TypeError(f"convert_session: `sess` must be a tf.compat.v1.Session; received {sess!r}")
    inputs = _check_tensors("input_tensors", input_tensors, sess.graph)
    outputs = _check_tensors("output_tensors", output_tensors, sess.graph)
    frozen = tf.compat.v1.graph_util.convert_variables_to_constants(
        sess, sess.graph.as_graph_def(), sorted({t.op.name for t in [*inputs.values(), *outputs.values()]}))
    _restore_composite_calls(frozen, sess.graph)
    expected = fused_call_count(frozen)
    with tempfile.TemporaryDirectory(prefix="tflite_rnn_ops_v1_") as tmp:
        path = os.path.join(tmp, "saved_model")
        _write_saved_model(frozen, inputs, outputs, path)
        converter = tf.lite.TFLiteConverter.from_saved_model(path, signature_keys=[_SIGNATURE])
        _apply_options(converter, converter_options)
        tflite = converter.convert()
    got = len(inspect_model(tflite).our_ops)
    if got != expected:
        names = ", ".join(op.name for op in inspect_model(tflite).ops)
        raise RuntimeError(
            f"convert_session: expected {expected} {_contract.OP_PREFIX}* op(s), one per RNN "
            f"layer (or bidirectional pair), but the converted model has {got}; its ops: {names}"
        )
    return tflite
