"""tflite-rnn-ops: fused recurrent-network custom ops for TensorFlow Lite / LiteRT.

Example:
    >>> import keras, tflite_rnn_ops as tro
    >>> inp = keras.Input((None, 40))
    >>> model = keras.Model(inp, tro.layers.LSTM(128, return_sequences=True)(inp))
    >>> tfl = tro.convert(model)                    # one TFLiteRnnOps>LSTM op
    >>> it = tro.Interpreter(model_content=tfl)     # LiteRT interpreter with our ops attached
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from tflite_rnn_ops._native import __version__
from tflite_rnn_ops.errors import ConversionError
from tflite_rnn_ops.model_info import inspect_model
from tflite_rnn_ops.registration import registerer
from tflite_rnn_ops.runtime import Interpreter, delegate_library_path, load_delegate

__all__ = [
    "__version__",
    "Interpreter",
    "ConversionError",
    "compat",
    "convert",
    "delegate_library_path",
    "inspect_model",
    "kernel_int8_leaf",
    "kernel_isa",
    "layers",
    "load_delegate",
    "registerer",
    "rewrite",
]


def kernel_isa() -> str:
    """The instruction set our kernels use on this CPU ("avx2", "ref", ...)."""
    from tflite_rnn_ops import _native

    return _native.active_isa()


def kernel_int8_leaf() -> str:
    """The int8-weight product the kernels use on this CPU, within `kernel_isa()`.

    One of "avx512vnni", "avx512", "avxvnni", "avx2sign", "avx2", "neondot", "neon" or "ref".
    Every leaf gives the same bits (integer sums); the choice changes speed only.

    >>> import tflite_rnn_ops as tro
    >>> tro.kernel_int8_leaf() in ("avx512vnni", "avx512", "avxvnni", "avx2sign", "avx2",
    ...                            "neondot", "neon", "ref")
    True
    """
    from tflite_rnn_ops import _native

    return _native.active_q8_leaf()


def __getattr__(name: str) -> Any:
    # Keras and TensorFlow are heavy and optional at run time: import them on first use only.
    if name in ("layers", "compat"):
        return import_module(f"tflite_rnn_ops.{name}")
    if name == "rewrite":  # needs no TensorFlow
        return import_module("tflite_rnn_ops.rewrite_builtins").rewrite
    if name == "convert":
        return import_module("tflite_rnn_ops.converter").convert
    raise AttributeError(f"module 'tflite_rnn_ops' has no attribute {name!r}")
