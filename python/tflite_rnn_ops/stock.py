"""Converting models built from stock ``keras.layers`` RNNs, unchanged.

``plan(model)`` finds every recurrent layer (including ones nested in sub-models, wrappers and
subclassed models) and decides, per layer, whether our fused op can express it. ``attached(plan)``
then routes those layers' loops through the fused path for the duration of the export trace, by
swapping Keras's RNN methods at class level and restoring them afterwards: the user's model
object is never modified, and layers we cannot fuse keep Keras's own loop.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, Iterator

from tflite_rnn_ops import legacy_keras, time_distributed
from tflite_rnn_ops.layers.fused_loop import FusedBidirectional, FusedLoop, StackedFusedLoop


@dataclasses.dataclass
class LayerEntry:
    """One recurrent layer of the model and what the conversion does with it."""

    path: str  # e.g. "encoder/bidirectional" for nested models
    layer_class: str
    fused: bool
    op: str | None  # custom op name when fused
    reason: str | None  # why not fused
    output_shape: str
    ops: int = 1  # custom ops it becomes (one per cell for StackedRNNCells)

    def line(self) -> str:
        status = f"fused -> {self.op}" if self.fused else f"NOT fused ({self.reason})"
        return f"  {self.path:<32s} {self.layer_class:<16s} {self.output_shape:<22s} {status}"


@dataclasses.dataclass
class Plan:
    entries: list[LayerEntry] = dataclasses.field(default_factory=list)
    loops: dict[int, FusedLoop] = dataclasses.field(default_factory=dict)
    pairs: dict[int, FusedBidirectional] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    time_distributed: list[time_distributed.TimeDistributedEntry] = dataclasses.field(
        default_factory=list)
    reshaped: set[int] = dataclasses.field(default_factory=set)  # ids of TimeDistributed layers

    @property
    def expected_ops(self) -> int:
        return sum(e.ops for e in self.entries if e.fused)

    @property
    def unfused(self) -> list[LayerEntry]:
        return [e for e in self.entries if not e.fused]

    def __str__(self) -> str:
        lines = [f"tflite_rnn_ops conversion report: {self.expected_ops} fused op(s), "
                 f"{len(self.unfused)} recurrent layer(s) left to Keras's conversion"]
        lines += [e.line() for e in self.entries]
        lines += [e.line() for e in self.time_distributed]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _shape(layer: Any) -> str:
    try:
        out = layer.output
    except Exception:  # not in a functional graph, or called several times
        return "?"
    outs = out if isinstance(out, (list, tuple)) else [out]
    return ", ".join(str(tuple(o.shape)) for o in outs)


def _loop_for(layer: Any) -> FusedLoop | StackedFusedLoop:
    import keras

    from tflite_rnn_ops.layers.base import FusedRNNMixin

    if isinstance(layer, FusedRNNMixin):
        return layer._tro_loop
    if isinstance(layer.cell, keras.layers.StackedRNNCells):
        return StackedFusedLoop(layer)
    return FusedLoop(layer)


def _children(layer: Any) -> list:
    children = list(getattr(layer, "_layers", None) or [])
    if hasattr(layer, "layers") and not children:
        children = list(layer.layers)
    if not children:  # tf_keras tracks sub-layers of subclassed layers here
        children = [c for c in getattr(layer, "_self_tracked_trackables", []) if hasattr(c, "weights")]
    return children


def _add_rnn(plan: Plan, layer: Any, path: str) -> None:
    loop = _loop_for(layer)
    plan.loops[id(layer)] = loop
    if isinstance(loop, StackedFusedLoop):
        op, ops = " + ".join(loop.op_names), len(loop.loops)
    else:
        op, ops = (loop.kind.op_name if loop.kind else None), 1
    plan.entries.append(LayerEntry(path, type(layer).__name__, loop.unsupported is None, op,
                                   loop.unsupported, _shape(layer), ops))


def _add_bidirectional(plan: Plan, layer: Any, path: str) -> None:
    import keras

    fw, bw = layer.forward_layer, layer.backward_layer
    rnn_types = (keras.layers.RNN, *legacy_keras.rnn_classes())
    if not (isinstance(fw, rnn_types) and isinstance(bw, rnn_types)):
        _add_unfusable(plan, layer, path, "wraps a layer that is not a Keras RNN")
        return
    if isinstance(layer, legacy_keras.bidirectional_classes()):
        plan.notes.append(f"{path}: tf_keras Bidirectional: each direction is fused separately")
        _add_rnn(plan, fw, f"{path}/forward")
        _add_rnn(plan, bw, f"{path}/backward")
        return
    pair = getattr(layer, "_tro_pair", None) or FusedBidirectional(layer, _loop_for(fw), _loop_for(bw))
    if pair.unsupported is None:
        plan.pairs[id(layer)] = pair
        plan.entries.append(LayerEntry(path, "Bidirectional", True,
                                       f"{pair.forward.kind.op_name} (bidirectional)", None,
                                       _shape(layer)))
        return
    plan.notes.append(f"{path}: directions fused separately: {pair.unsupported}")
    _add_rnn(plan, fw, f"{path}/forward")
    _add_rnn(plan, bw, f"{path}/backward")


def _add_time_distributed(plan: Plan, layer: Any, path: str) -> str | None:
    """Adds the entry; returns why the recurrent layers inside are not fused (None: they can be)."""
    entry = time_distributed.entry(layer, path, _shape(layer))
    plan.time_distributed.append(entry)
    if entry.reshaped:
        plan.reshaped.add(id(layer))
        return None
    # Keras's form calls the layer once per time step, each call carrying a stateful layer's
    # state to the next: Keras's own loops keep that order, copies of our op do not.
    return f"called once per time step by {path!r}, which keeps Keras's per-step form"


def _add_unfusable(plan: Plan, layer: Any, path: str, reason: str) -> None:
    plan.entries.append(LayerEntry(path, type(layer).__name__, False, None, reason, _shape(layer)))


def plan(model: Any) -> Plan:
    """Finds the recurrent layers of `model` and decides how each converts."""
    import keras

    result, seen = Plan(), set()
    # (layer, path prefix, why the recurrent layers below cannot be fused or None)
    stack: list[tuple[Any, str, str | None]] = [(model, "", None)]
    while stack:
        layer, prefix, unfusable = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        path = f"{prefix}{layer.name}" if layer is not model else ""
        recurrent = isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional,
                                       *legacy_keras.rnn_classes(),
                                       *legacy_keras.bidirectional_classes()))
        if recurrent and unfusable:
            _add_unfusable(result, layer, path, unfusable)
        elif isinstance(layer, (keras.layers.Bidirectional, *legacy_keras.bidirectional_classes())):
            _add_bidirectional(result, layer, path)
        elif recurrent:
            _add_rnn(result, layer, path)
        else:
            if isinstance(layer, keras.layers.TimeDistributed):
                unfusable = unfusable or _add_time_distributed(result, layer, path)
            child_prefix = f"{path}/" if path else ""
            stack.extend((c, child_prefix, unfusable) for c in reversed(_children(layer)))
    if not result.entries:
        unchanged = "" if result.reshaped else "; converted unchanged"
        result.notes.append(f"the model has no recurrent layers{unchanged}")
    return result


@contextlib.contextmanager
def attached(plan: Plan) -> Iterator[None]:
    """Routes the planned stock layers through the fused path while the model is traced."""
    import keras

    from tflite_rnn_ops.layers.base import FusedRNNMixin
    from tflite_rnn_ops.layers.bidirectional import Bidirectional as OurBidirectional

    rnn_call = keras.layers.RNN.call
    bidi_call = keras.layers.Bidirectional.call
    inner = {cls: cls.__dict__["inner_loop"] for cls in (keras.layers.RNN, keras.layers.LSTM,
                                                          keras.layers.GRU)
             if "inner_loop" in cls.__dict__}

    def stock_loop(layer):
        return None if isinstance(layer, FusedRNNMixin) else plan.loops.get(id(layer))

    def patched_call(self, sequences, initial_state=None, mask=None, training=False):
        loop = stock_loop(self)
        if loop is not None:
            loop.default_state = initial_state is None and not self.stateful
        try:
            return rnn_call(self, sequences, initial_state=initial_state, mask=mask,
                            training=training)
        finally:
            if loop is not None:
                loop.default_state = False

    def make_inner(original):
        def patched_inner(self, sequences, initial_state, mask, training=False):
            loop = stock_loop(self)
            if loop is not None and loop.available(sequences.dtype, training):
                return loop.run(sequences, initial_state, mask)
            return original(self, sequences, initial_state, mask, training=training)
        return patched_inner

    def patched_bidi(self, sequences, initial_state=None, mask=None, training=None):
        pair = None if isinstance(self, OurBidirectional) else plan.pairs.get(id(self))
        if pair is not None and pair.available(sequences.dtype, training):
            return pair.call(sequences, initial_state, mask)
        return bidi_call(self, sequences, initial_state=initial_state, mask=mask, training=training)

    keras.layers.RNN.call = patched_call
    keras.layers.Bidirectional.call = patched_bidi
    for cls, original in inner.items():
        cls.inner_loop = make_inner(original)
    try:
        with legacy_keras.attached(plan.loops), time_distributed.attached(plan.reshaped):
            yield
    finally:
        keras.layers.RNN.call = rnn_call
        keras.layers.Bidirectional.call = bidi_call
        for cls, original in inner.items():
            cls.inner_loop = original
