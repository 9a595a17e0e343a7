"""Running models that contain our custom ops in the pip interpreters.

LiteRT's wheel exports no way to register a C++ custom op (TensorFlow's does, see
``tro.registerer``), so the ops also ship inside an external-delegate plugin that claims their
nodes in either interpreter. Everything else in the model still runs on the interpreter's own
kernels (XNNPACK included).
"""

from __future__ import annotations

import os
from typing import Any, Sequence

BACKENDS = ("litert", "tensorflow")
_LIBRARY = "libtflite_rnn_ops_delegate.so"


def delegate_library_path() -> str:
    """Absolute path of the delegate plugin, e.g. for ``benchmark_model --external_delegate_path``.

    Example:
        >>> import tflite_rnn_ops as tro
        >>> tro.delegate_library_path().endswith(".so")
        True
    """
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), _LIBRARY)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"tflite_rnn_ops: the delegate plugin {_LIBRARY} is missing from {os.path.dirname(path)}; "
            "reinstall the package (pip install tflite-rnn-ops) so the native part is built"
        )
    return path


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"`backend` must be one of {BACKENDS}; received backend={backend!r}")


def load_delegate(backend: str = "litert") -> Any:
    """Loads the plugin as a delegate for ``experimental_delegates=[...]`` of that backend.

    Example:
        >>> import tflite_rnn_ops as tro
        >>> from ai_edge_litert.interpreter import Interpreter
        >>> # Interpreter(model_path="model.tflite", experimental_delegates=[tro.load_delegate()])
    """
    _check_backend(backend)
    if backend == "litert":
        from ai_edge_litert.interpreter import load_delegate as _load
    else:
        import tensorflow as tf

        _load = tf.lite.experimental.load_delegate
    return _load(delegate_library_path())


def Interpreter(  # noqa: N802 - reads like the class it builds
    model_path: str | None = None,
    model_content: bytes | None = None,
    num_threads: int | None = None,
    backend: str = "litert",
    experimental_delegates: Sequence[Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Builds a LiteRT (or ``tf.lite``) interpreter with our ops attached.

    Returns the backend's own ``Interpreter`` object, so all of its methods are available. Our
    delegate comes first; any ``experimental_delegates`` you pass follow it, and XNNPACK still
    handles the rest of the model.

    Example:
        >>> import tflite_rnn_ops as tro
        >>> # it = tro.Interpreter(model_path="model.tflite", num_threads=1)
        >>> # it.allocate_tensors(); it.invoke()
    """
    _check_backend(backend)
    if backend == "litert":
        from ai_edge_litert.interpreter import Interpreter as _Interpreter
    else:
        import tensorflow as tf

        _Interpreter = tf.lite.Interpreter
    delegates = [load_delegate(backend), *(experimental_delegates or [])]
    return _Interpreter(
        model_path=model_path,
        model_content=model_content,
        num_threads=num_threads,
        experimental_delegates=delegates,
        **kwargs,
    )
