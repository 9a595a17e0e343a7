"""Keras model -> .tflite bytes in which each of our recurrent layers is one fused custom op."""

from __future__ import annotations

import contextlib
import functools
import io
import tempfile
from typing import Any

from tflite_rnn_ops import _contract
from tflite_rnn_ops.model_info import inspect_model


def expected_fused_ops(layer) -> int:
    """How many of our custom ops `layer` should convert to, searching nested models."""
    from tflite_rnn_ops.layers.base import FusedRNNMixin
    from tflite_rnn_ops.layers.bidirectional import Bidirectional

    count, seen, stack = 0, set(), [layer]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, Bidirectional) and current.fuses_both_directions:
            count += 1
            continue
        if isinstance(current, FusedRNNMixin):
            count += 1
            continue
        stack.extend(getattr(current, "_layers", []) or [])
        for attr in ("layer", "forward_layer", "backward_layer"):
            child = getattr(current, attr, None)
            if child is not None and hasattr(child, "weights"):
                stack.append(child)
    return count


def convert(model: Any, **converter_options: Any) -> bytes:
    """Converts a Keras model to .tflite bytes with one ``TFLiteRnnOps>*`` op per fused layer.

    ``converter_options`` are set as attributes of the ``tf.lite.TFLiteConverter`` (for example
    ``optimizations=[tf.lite.Optimize.DEFAULT]``). Custom ops are always allowed.

    Raises ``RuntimeError`` if a fused layer did not become its custom op (the model would
    otherwise silently carry a slow WHILE loop).

    Example:
        >>> import keras, tflite_rnn_ops as tro
        >>> inp = keras.Input((None, 4))
        >>> model = keras.Model(inp, tro.layers.LSTM(8)(inp))
        >>> tfl = tro.convert(model)
        >>> tro.inspect_model(tfl).count("TFLiteRnnOps>LSTM")
        1
    """
    with tempfile.TemporaryDirectory(prefix="tflite_rnn_ops_") as tmp:
        converter = _converter_for(model, tmp)
        return _convert(converter, model, converter_options)


def _converter_for(model: Any, tmp: str):
    """A TFLiteConverter for `model`.

    For functional and sequential Keras 3 models we export the inference SavedModel ourselves, as
    the stock ``from_keras_model`` does, but without its blanket ``except`` that turns any export
    error into an unrelated one from a legacy fallback path.
    """
    import keras
    import tensorflow as tf

    if not isinstance(model, (keras.src.models.Functional, keras.src.models.Sequential)):
        return tf.lite.TFLiteConverter.from_keras_model(model)
    archive = keras.export.ExportArchive()
    archive.track(model)
    signature = [tf.TensorSpec(t.shape, dtype=t.dtype, name=t.name) for t in model.inputs]
    if len(signature) > 1:
        signature = [signature]
    archive.add_endpoint("serve", functools.partial(model.__call__, training=False), signature)
    with contextlib.redirect_stdout(io.StringIO()):  # export prints its endpoint summary
        archive.write_out(tmp)
    return tf.lite.TFLiteConverter.from_saved_model(tmp, signature_keys=["serve"])


def _convert(converter, model: Any, converter_options: dict) -> bytes:
    for key, value in converter_options.items():
        if not hasattr(converter, key):
            raise TypeError(
                f"convert(): unknown converter option {key!r}; expected an attribute of "
                "tf.lite.TFLiteConverter such as optimizations, target_spec, representative_dataset"
            )
        setattr(converter, key, value)
    converter.allow_custom_ops = True
    tflite = converter.convert()
    _check_fused(model, tflite)
    return tflite


def _check_fused(model: Any, tflite: bytes) -> None:
    expected = expected_fused_ops(model)
    info = inspect_model(tflite)
    got = len(info.our_ops)
    if got != expected:
        names = ", ".join(op.name for op in info.ops)
        raise RuntimeError(
            f"convert(): expected {expected} {_contract.OP_PREFIX}* op(s), one per fused layer, "
            f"but the converted model has {got}; its ops are: {names}"
        )
