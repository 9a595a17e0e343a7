"""Calibration inputs for full-integer conversion from a .npy / .npz file (CLI ``--calibration``).

A ``.npy`` holds the samples of a one-input model; a ``.npz`` one array per model input, named
like the input (or ``arr_0``, ``arr_1``, ... in input order, as ``np.savez`` names positional
arrays). The first axis counts samples; each sample is fed to the converter as a batch of one.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator

import numpy as np


def representative_dataset(path: str, model_path: str) -> Callable[[], Iterator[list[np.ndarray]]]:
    """A ``representative_dataset`` for the model at `model_path` from the arrays in `path`.

    Raises ``FileNotFoundError`` or ``ValueError`` (naming the file, the input and what was
    expected) when the file is missing or does not match the model's inputs.

    Example:
        >>> import keras, numpy as np, tempfile, os
        >>> from tflite_rnn_ops.calibration import representative_dataset
        >>> d = tempfile.mkdtemp()
        >>> inp = keras.Input((None, 4), name="x")
        >>> keras.Model(inp, keras.layers.LSTM(3)(inp)).save(os.path.join(d, "m.keras"))
        >>> np.save(os.path.join(d, "c.npy"), np.zeros((5, 7, 4), np.float32))
        >>> data = representative_dataset(os.path.join(d, "c.npy"), os.path.join(d, "m.keras"))
        >>> [s[0].shape for s in data()][:2]
        [(1, 7, 4), (1, 7, 4)]
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"--calibration: no such file: {path!r}")
    specs = _input_specs(model_path)
    arrays = _arrays_for(path, specs)
    count = arrays[0].shape[0]

    def samples() -> Iterator[list[np.ndarray]]:
        for i in range(count):
            yield [a[i:i + 1] for a in arrays]

    return samples


def _input_specs(model_path: str) -> list[tuple[str, tuple]]:
    """``(name, shape)`` of the model's inputs, in the order the converter feeds them."""
    from tflite_rnn_ops.converter import _load

    model = _load(model_path)
    if not isinstance(model, str):
        return [(t.name, tuple(t.shape)) for t in model.inputs]
    import tensorflow as tf

    signature = next(iter(tf.saved_model.load(model).signatures.values()))
    specs = signature.structured_input_signature[1]
    if len(specs) != 1:
        raise ValueError(f"--calibration: the SavedModel {model_path!r} has {len(specs)} inputs; "
                         "calibrating a multi-input SavedModel from a file is not supported here "
                         "(convert its .keras file, or call tro.convert with a "
                         "representative_dataset)")
    (name, spec), = specs.items()
    return [(name, tuple(spec.shape))]


def _arrays_for(path: str, specs: list[tuple[str, tuple]]) -> list[np.ndarray]:
    names = [name for name, _ in specs]
    if path.endswith(".npy"):
        if len(specs) != 1:
            raise ValueError(f"--calibration {path!r}: a .npy holds one array, the model has "
                             f"{len(specs)} inputs {names}; use a .npz with one array per input")
        arrays = [np.load(path)]
    elif path.endswith(".npz"):
        with np.load(path) as npz:
            stored = {k: npz[k] for k in npz.files}
        keys = _keys_for(path, list(stored), names)
        arrays = [stored[k] for k in keys]
    else:
        raise ValueError(f"--calibration {path!r}: expected a .npy or .npz file")
    for array, (name, shape) in zip(arrays, specs):
        _check_array(path, name, array, shape)
    counts = {a.shape[0] for a in arrays}
    if len(counts) != 1:
        raise ValueError(f"--calibration {path!r}: the arrays hold different numbers of samples "
                         f"{[a.shape[0] for a in arrays]} (first axis); expected the same")
    return [a.astype(np.float32) if a.dtype == np.float64 else a for a in arrays]


def _keys_for(path: str, stored: list[str], names: list[str]) -> list[str]:
    if sorted(stored) == sorted(names):
        return names
    positional = [f"arr_{i}" for i in range(len(names))]
    if sorted(stored) == positional:
        return positional
    raise ValueError(f"--calibration {path!r} holds arrays {sorted(stored)}; the model's inputs "
                     f"are {names}: name the arrays so, or save them positionally (arr_0, ...) in "
                     "input order")


def _check_array(path: str, name: str, array: np.ndarray, shape: tuple) -> None:
    sample = tuple(array.shape[1:])
    want = tuple(shape[1:])
    ok = array.ndim >= 1 and array.shape[0] > 0 and len(sample) == len(want) and all(
        w is None or w == g for w, g in zip(want, sample))
    if not ok:
        expected = "[N, " + ", ".join("?" if w is None else str(w) for w in want) + "]"
        raise ValueError(f"--calibration {path!r}: input {name!r} expected samples of shape "
                         f"{expected} (N >= 1 samples, then the input's shape without its batch "
                         f"axis), got {list(array.shape)}")
