"""Errors raised by tflite_rnn_ops; importing them needs no TensorFlow."""

from __future__ import annotations


class ConversionError(ValueError):
    """A recurrent layer (``tro.convert``) or a builtin RNN op (``tro.rewrite``) cannot become one
    of our ops and ``strict=True`` was requested.

    Example:
        >>> import tflite_rnn_ops as tro
        >>> issubclass(tro.ConversionError, ValueError)
        True
    """
