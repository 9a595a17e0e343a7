"""CLI ``convert --quantize dynamic|float16|int8 [--calibration FILE]`` and its errors."""

from __future__ import annotations

import functools

import keras
import numpy as np
import pytest
from conftest import randomize_weights
from test_quantize_convert import OurOp

from tflite_rnn_ops.cli import main


@functools.lru_cache(maxsize=None)
def _saved(directory: str) -> str:
    inp = keras.Input((None, 16), name="frames")
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.GRU(24)(inp)))
    randomize_weights(model)
    path = f"{directory}/m.keras"
    model.save(path)
    return path


@pytest.fixture(scope="module")
def keras_file(tmp_path_factory):
    return _saved(str(tmp_path_factory.mktemp("cli")))


@pytest.mark.parametrize("mode,weights", [("dynamic", "INT8"), ("float16", "FLOAT16"),
                                          ("int8", "INT8")])
def test_quantize_modes(keras_file, tmp_path, capsys, mode, weights):
    args = ["convert", keras_file, str(tmp_path / "q.tflite"), "--quantize", mode]
    if mode == "int8":
        np.save(tmp_path / "cal.npy", np.random.default_rng(0).normal(size=(4, 9, 16)))
        args += ["--calibration", str(tmp_path / "cal.npy")]
    assert main(args) == 0
    assert f"store {weights.lower()} weight matrices" in capsys.readouterr().out
    op = OurOp((tmp_path / "q.tflite").read_bytes())
    assert op.type(1) == op.type(2) == weights and op.type(3) == "FLOAT32"


def _error(args: list[str], capsys) -> str:
    assert main(args) == 2
    return capsys.readouterr().err


def test_calibration_errors(keras_file, tmp_path, capsys):
    out = str(tmp_path / "q.tflite")
    base = ["convert", keras_file, out, "--quantize", "int8"]
    assert "--quantize int8 needs --calibration FILE" in _error(base, capsys)
    missing = str(tmp_path / "nope.npy")
    assert f"--calibration: no such file: {missing!r}" in _error(base + ["--calibration", missing],
                                                                 capsys)
    np.save(tmp_path / "bad.npy", np.zeros((4, 9, 5), np.float32))
    err = _error(base + ["--calibration", str(tmp_path / "bad.npy")], capsys)
    assert "input 'frames' expected samples of shape [N, ?, 16]" in err and "got [4, 9, 5]" in err
    np.savez(tmp_path / "names.npz", audio=np.zeros((4, 9, 16), np.float32))
    err = _error(base + ["--calibration", str(tmp_path / "names.npz")], capsys)
    assert "holds arrays ['audio']; the model's inputs are ['frames']" in err
    (tmp_path / "cal.txt").write_text("1 2 3")
    assert "expected a .npy or .npz file" in _error(base + ["--calibration",
                                                           str(tmp_path / "cal.txt")], capsys)
    err = _error(["convert", keras_file, out, "--quantize", "dynamic", "--calibration",
                  str(tmp_path / "bad.npy")], capsys)
    assert "--calibration is for --quantize int8" in err
    assert not (tmp_path / "q.tflite").exists()


def test_npz_by_name_and_by_position(keras_file, tmp_path):
    x = np.random.default_rng(1).normal(size=(3, 5, 16)).astype(np.float32)
    for name, arrays in (("named", {"frames": x}), ("positional", {"arr_0": x})):
        np.savez(tmp_path / f"{name}.npz", **arrays)
        assert main(["convert", keras_file, str(tmp_path / f"{name}.tflite"), "--quantize", "int8",
                     "--calibration", str(tmp_path / f"{name}.npz")]) == 0
