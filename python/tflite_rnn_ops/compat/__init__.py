"""Compatibility APIs. ``tflite_rnn_ops.compat.v1``: TF1-style cells and ``dynamic_rnn`` & co.

Imported lazily: ``import tflite_rnn_ops.compat`` is cheap, ``compat.v1`` imports TensorFlow.

Example:
    >>> import tflite_rnn_ops.compat as compat
    >>> compat.v1.dynamic_rnn.__name__
    'dynamic_rnn'
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["v1"]


def __getattr__(name: str) -> Any:
    if name == "v1":
        return import_module("tflite_rnn_ops.compat.v1")
    raise AttributeError(f"module 'tflite_rnn_ops.compat' has no attribute {name!r}")
