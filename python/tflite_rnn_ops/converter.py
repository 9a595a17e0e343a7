"""Keras model (or .keras file, or SavedModel) -> .tflite bytes with one fused op per RNN layer."""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import os
import tempfile
import warnings
from typing import Any

from tflite_rnn_ops import _contract, quantize, stock, tflite_file
from tflite_rnn_ops.errors import ConversionError
from tflite_rnn_ops.model_info import inspect_model
from tflite_rnn_ops.stateful import fold_resource_states


def convert(
    model_or_path: Any,
    *,
    strict: bool = False,
    report: bool = True,
    return_report: bool = False,
    **converter_options: Any,
) -> bytes | tuple[bytes, stock.Plan]:
    """Converts a Keras model to .tflite bytes with one ``TFLiteRnnOps>*`` op per recurrent layer.

    Accepts a Keras 3 model (Sequential, functional, subclassed, nested), a ``.keras`` file or a
    SavedModel directory. Stock ``keras.layers.LSTM/GRU/SimpleRNN/Bidirectional`` and
    ``keras.layers.RNN`` over their cells are converted to our fused ops with the same weights;
    the model object itself is not modified. A layer the ops cannot express is left as Keras
    converts it (a WHILE loop), with a warning naming the layer and the reason; ``strict=True``
    raises ``ConversionError`` instead.

    ``converter_options`` are set as attributes of the ``tf.lite.TFLiteConverter`` (for example
    ``optimizations=[tf.lite.Optimize.DEFAULT]``). With ``Optimize.DEFAULT`` our ops' weight
    matrices are stored int8 (per-column symmetric scales; float activations inside, as TFLite's
    hybrid kernels), or float16 with ``target_spec.supported_types=[tf.float16]``; with a
    ``representative_dataset`` the calibration runs our ops through ``tro.registerer`` and the
    rest of the model becomes integer (docs/quantization.md). ``report`` prints the per-layer report;
    ``return_report=True`` returns ``(tflite_bytes, report)``. Every constant buffer of the result
    starts at a 64-byte boundary of the file, as LiteRT's ``CompiledModel`` needs for custom ops.

    Example:
        >>> import keras, tflite_rnn_ops as tro
        >>> inp = keras.Input((None, 4))
        >>> model = keras.Model(inp, keras.layers.LSTM(8)(inp))
        >>> tfl = tro.convert(model, report=False)
        >>> tro.inspect_model(tfl).count("TFLiteRnnOps>LSTM")
        1
    """
    model = _load(model_or_path)
    weight_type = _weight_type(converter_options)
    with tempfile.TemporaryDirectory(prefix="tflite_rnn_ops_") as tmp:
        if isinstance(model, str):  # a SavedModel directory: its graph is fixed already
            try:
                tflite = _convert(_saved_model_converter(model), converter_options)
            except Exception as err:
                if "TensorList" not in str(err):
                    raise
                raise ConversionError(
                    "convert(): the SavedModel holds Keras loops (recurrent layers, or "
                    "TimeDistributed over a dynamic time axis) that TFLite cannot lower with a "
                    "dynamic batch size or time axis, and a saved graph's loops cannot be swapped "
                    "for our ops; convert the Keras model or its .keras file instead"
                ) from err
            plan = _saved_model_plan(tflite, strict)
        else:
            plan = stock.plan(model)
            _enforce(plan, strict)
            with stock.attached(plan), _explain_unfused_failure(plan):
                tflite = _convert(_converter_for(model, tmp), converter_options)
            tflite, stateful_ops = fold_resource_states(tflite)
            if stateful_ops:
                plan.notes.append(f"{stateful_ops} stateful op(s): state persists across invoke() "
                                  "calls; interpreter.reset_all_variables() resets it to zeros")
            _check_fused(plan, tflite)
        if weight_type is not None:
            # Full-integer conversion quantizes every weight; dynamic range only large ones.
            dynamic = weight_type == "int8" and not converter_options.get("representative_dataset")
            tflite = _store_weights(tflite, weight_type, plan,
                                    quantize.DYNAMIC_RANGE_MIN_ELEMENTS if dynamic else 0)
    # LiteRT's CompiledModel refuses constant inputs of custom ops that are not 64-byte aligned.
    tflite = tflite_file.align_buffers(tflite, "convert()")
    if report:
        print(plan)
    return (tflite, plan) if return_report else tflite


def _load(model_or_path: Any) -> Any:
    if not isinstance(model_or_path, (str, os.PathLike)):
        return model_or_path
    path = os.fspath(model_or_path)
    if os.path.isdir(path) and os.path.exists(os.path.join(path, "saved_model.pb")):
        return path
    if path.endswith(".keras") and os.path.isfile(path):
        import keras

        # Importing our layers registers them, so .keras files that use them load too.
        import tflite_rnn_ops.layers  # noqa: F401

        return keras.models.load_model(path)
    raise ValueError(
        f"convert(): `model_or_path` must be a Keras model, a .keras file or a SavedModel "
        f"directory; received {path!r}, which is neither"
    )


def _enforce(plan: stock.Plan, strict: bool) -> None:
    for entry in plan.unfused:
        message = (f"layer {entry.path!r} ({entry.layer_class}) cannot be fused: {entry.reason}; "
                   "it is left as Keras converts it (a WHILE loop)")
        if strict:
            raise ConversionError(f"convert(strict=True): {message}")
        warnings.warn(f"tflite_rnn_ops.convert: {message}", stacklevel=3)


@contextlib.contextmanager
def _explain_unfused_failure(plan: stock.Plan):
    """TFLite cannot lower some loops of Keras's own conversion: say what the user can change."""
    try:
        yield
    except Exception as err:
        advice = _advice_for_keras_loops(plan)
        if not advice or "TensorList" not in str(err):
            raise
        raise ConversionError("convert(): TensorFlow's own conversion failed: " + "; ".join(advice)
                              ) from err


def _advice_for_keras_loops(plan: stock.Plan) -> list[str]:
    kept = [e for e in plan.time_distributed if not e.reshaped]
    unfused = [e for e in plan.unfused if not any(e.path.startswith(f"{k.path}/") for k in kept)]
    advice = []
    if unfused:
        layers = ", ".join(f"{e.path!r}: {e.reason}" for e in unfused)
        advice.append(
            f"TFLite lowers the WHILE loop of a recurrent layer we could not fuse ({layers}) only "
            "with a static batch size: give the model's input one (keras.Input(shape, "
            "batch_size=N); the time axis may stay dynamic), or change what keeps the layer from "
            "fusing")
    if kept:
        layers = ", ".join(f"{e.path!r}: {e.reason}" for e in kept)
        advice.append(
            f"TimeDistributed layer(s) keep Keras's per-step form ({layers}), which over a dynamic "
            "time axis maps the layer with vectorized_map, whose TensorList ops TFLite cannot "
            "lower: give the model's input a static time dimension")
    return advice


def _weight_type(converter_options: dict) -> str | None:
    """The storage of our ops' weight matrices the converter options ask for: "int8" (dynamic
    range or full integer), "float16", or None (float32)."""
    optimizations = set(converter_options.get("optimizations") or [])
    if not optimizations:
        return None
    import tensorflow as tf

    quantizing = {tf.lite.Optimize.DEFAULT, tf.lite.Optimize.OPTIMIZE_FOR_SIZE,
                  tf.lite.Optimize.OPTIMIZE_FOR_LATENCY}
    if not optimizations & quantizing:
        return None
    spec = converter_options.get("target_spec")
    types = list(getattr(spec, "supported_types", None) or [])
    if types == [tf.float16] and converter_options.get("representative_dataset") is None:
        return "float16"
    return "int8"


def _store_weights(tflite: bytes, weight_type: str, plan: stock.Plan, min_elements: int) -> bytes:
    tflite, changed, left = quantize.store_weights(tflite, weight_type, min_elements)
    if changed:
        plan.notes.append(f"{changed} op(s) store {weight_type} weight matrices (contract "
                          f"version {_contract.QUANTIZED_WEIGHTS_VERSION})")
    if left:
        why = (f"a weight matrix has fewer than {min_elements} elements (TFLite's "
               "dynamic-range threshold) or " if min_elements else "")
        plan.notes.append(f"{left} op(s) keep float32 weights: {why}their weights are computed "
                          "at run time, not constants")
    return tflite


def _saved_model_plan(tflite: bytes, strict: bool) -> stock.Plan:
    info = inspect_model(tflite)
    plan = stock.Plan()
    plan.notes.append(f"SavedModel input: {len(info.our_ops)} fused op(s) found in the graph")
    loops = info.count("WHILE")
    if loops:
        message = (f"the SavedModel graph holds {loops} WHILE loop(s): recurrent layers saved as "
                   "Keras loops cannot be fused after the fact; convert the Keras model or its "
                   ".keras file instead")
        if strict:
            raise ConversionError(f"convert(strict=True): {message}")
        warnings.warn(f"tflite_rnn_ops.convert: {message}", stacklevel=3)
        plan.notes.append(message)
    return plan


def _saved_model_converter(path: str):
    import tensorflow as tf

    return tf.lite.TFLiteConverter.from_saved_model(path)


def _converter_for(model: Any, tmp: str):
    """A TFLiteConverter for `model`.

    For functional and sequential Keras 3 models we export the inference SavedModel ourselves, as
    the stock ``from_keras_model`` does, but without its blanket ``except`` that turns any export
    error into an unrelated one from a legacy fallback path.
    """
    import keras
    import tensorflow as tf

    if not isinstance(model, keras.layers.Layer):
        return _legacy_converter(model, tmp)
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


def _legacy_converter(model: Any, tmp: str):
    """tf_keras models: save only the inference function and the variables.

    tf_keras's own SavedModel serialization retraces every layer call separately and, when that
    fails, the converter falls back to a path that inlines our fused functions.
    """
    import tensorflow as tf

    specs = [tf.TensorSpec(t.shape, t.dtype, name=t.name.split(":")[0]) for t in model.inputs]

    @tf.function(input_signature=specs)
    def serve(*args):
        return model(list(args) if len(args) > 1 else args[0], training=False)

    module = tf.Module()
    module.variables_to_keep = list(model.variables)
    module.serve = serve
    tf.saved_model.save(module, tmp, signatures={"serving_default": serve})
    return tf.lite.TFLiteConverter.from_saved_model(tmp)


def _convert(converter, converter_options: dict) -> bytes:
    for key, value in converter_options.items():
        if not hasattr(converter, key):
            raise TypeError(
                f"convert(): unknown converter option {key!r}; expected an attribute of "
                "tf.lite.TFLiteConverter such as optimizations, target_spec, representative_dataset"
            )
        setattr(converter, key, value)
    converter.allow_custom_ops = True
    if getattr(converter, "representative_dataset", None) is not None:
        _calibrate_through_registerer(converter)
    with contextlib.redirect_stdout(io.StringIO()):
        return converter.convert()


def _calibrate_through_registerer(converter) -> None:
    """Full-integer calibration runs the model in TensorFlow's interpreter: give it our ops."""
    from tflite_rnn_ops.registration import registerer

    spec = copy.copy(converter.target_spec)  # the caller's TargetSpec stays as it was
    registerers = list(getattr(spec, "_experimental_custom_op_registerers", None) or [])
    if registerer not in registerers:
        spec._experimental_custom_op_registerers = [*registerers, registerer]
    converter.target_spec = spec


def _check_fused(plan: stock.Plan, tflite: bytes) -> None:
    info = inspect_model(tflite)
    got = len(info.our_ops)
    if got != plan.expected_ops:
        names = ", ".join(op.name for op in info.ops)
        raise RuntimeError(
            f"convert(): expected {plan.expected_ops} {_contract.OP_PREFIX}* op(s), one per fused "
            f"layer, but the converted model has {got}; its ops are: {names}"
        )
