"""Registering our ops with TensorFlow's interpreter and converter: ``tro.registerer``.

``custom_op_registerers`` hands a registerer the address of the interpreter's C++
``tflite::MutableOpResolver``; registering means calling ``MutableOpResolver::AddCustom`` of the
TFLite build that made that resolver. TensorFlow's wheel exports it from
``libtensorflow_cc.so.2`` (built from the same sources as its interpreter); LiteRT's wheel exports
no ``AddCustom`` at all, so on LiteRT our delegate (``tro.load_delegate()``) stays the route.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os

# tflite::MutableOpResolver::AddCustom(const char*, const TfLiteRegistration*, int)
_ADD_CUSTOM = "_ZN6tflite17MutableOpResolver9AddCustomEPKcPK18TfLiteRegistrationi"
_OPS_LIBRARY = "libtflite_rnn_ops.so"


class _DlInfo(ctypes.Structure):
    _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p),
                ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]


def registerer(resolver_address: int) -> None:
    """Adds our ops to the op resolver of TensorFlow's interpreter (or its calibrator).

    Pass it, uncalled, as a custom op registerer. Raises RuntimeError for a resolver of any other
    TFLite build (LiteRT's interpreter): use ``tro.Interpreter`` / ``tro.load_delegate()`` there.

    Example:
        >>> import tflite_rnn_ops as tro
        >>> from tensorflow.lite.python.interpreter import InterpreterWithCustomOps
        >>> # it = InterpreterWithCustomOps(model_content=tfl, custom_op_registerers=[tro.registerer])
        >>> # converter.target_spec._experimental_custom_op_registerers = [tro.registerer]
    """
    add_custom = _add_custom_for(resolver_address)
    ops = ctypes.CDLL(_ops_library_path())
    ops.TfLiteRnnOpsRegisterWith.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    ops.TfLiteRnnOpsRegisterWith.restype = None
    ops.TfLiteRnnOpsRegisterWith(resolver_address, add_custom)


def _ops_library_path() -> str:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), _OPS_LIBRARY)
    if not os.path.exists(path):
        raise FileNotFoundError(f"tflite_rnn_ops: {_OPS_LIBRARY} is missing from {os.path.dirname(path)}; "
                                "reinstall the package so the native part is built")
    return path


def _library_of(address: int) -> str:
    """The shared object whose code or data holds `address`."""
    info = _DlInfo()
    libc = ctypes.CDLL(None)
    libc.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)]
    if not libc.dladdr(address, ctypes.byref(info)) or not info.fname:
        return "<unknown>"
    return os.path.realpath(info.fname.decode())


def _add_custom_for(resolver_address: int) -> int:
    """Address of AddCustom of the TFLite build that made the resolver (its vtable's library)."""
    if not resolver_address:
        raise ValueError("tro.registerer: expected the address of a tflite::MutableOpResolver, got 0")
    vtable = ctypes.c_void_p.from_address(resolver_address).value or 0
    library = _library_of(vtable)
    spec = importlib.util.find_spec("tensorflow")
    tf_dir = os.path.realpath(os.path.dirname(spec.origin)) if spec and spec.origin else None
    if tf_dir is None or not library.startswith(tf_dir + os.sep):
        raise RuntimeError(
            f"tro.registerer: this interpreter's op resolver comes from {library}, a TFLite build "
            "that exports no tflite::MutableOpResolver::AddCustom (LiteRT's wheel has none); "
            "registerers work with TensorFlow's interpreter and converter only. For LiteRT use "
            "tro.Interpreter(...) or experimental_delegates=[tro.load_delegate()]"
        )
    tf_cc = ctypes.CDLL(os.path.join(tf_dir, "libtensorflow_cc.so.2"))
    return ctypes.cast(tf_cc[_ADD_CUSTOM], ctypes.c_void_p).value
