"""The command line: info, convert (with --strict and --quantize), inspect."""

from __future__ import annotations

import keras
import numpy as np

import tflite_rnn_ops as tro
from tflite_rnn_ops.cli import main


def test_info(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"tflite-rnn-ops {tro.__version__}" in out
    assert f"kernel ISA: {tro.kernel_isa()} (int8 weights: {tro.kernel_int8_leaf()})" in out
    assert "interpreter backend 'litert': importable" in out


def test_convert_and_inspect(tmp_path, capsys):
    inp = keras.Input((None, 4))
    x = keras.layers.Bidirectional(keras.layers.GRU(5, return_sequences=True))(inp)
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.LSTM(3)(x)))
    model.save(tmp_path / "m.keras")
    out_path = tmp_path / "m.tflite"
    assert main(["convert", str(tmp_path / "m.keras"), str(out_path), "--quantize", "dynamic"]) == 0
    out = capsys.readouterr().out
    assert "2 fused op(s)" in out and "fused -> TFLiteRnnOps>GRU (bidirectional)" in out
    info = tro.inspect_model(str(out_path))
    assert info.count("TFLiteRnnOps>GRU") == 1 and info.count("TFLiteRnnOps>LSTM") == 1
    from tflite_rnn_ops import timing

    x_val = np.random.default_rng(0).normal(size=(2, 6, 4)).astype(np.float32)
    got = timing.run(tro.Interpreter(model_path=str(out_path)), [x_val])[0]
    np.testing.assert_allclose(got, model(x_val).numpy(), atol=5e-2)  # Dense is int8-weighted

    assert main(["inspect", str(out_path)]) == 0
    out = capsys.readouterr().out
    assert "needs tflite_rnn_ops runtime: True" in out
    assert "direction=bidirectional" in out and "merge_mode=concat" in out


def test_convert_strict_fails_with_exit_code(tmp_path, capsys):
    inp = keras.Input((5, 2), batch_size=1)
    model = keras.Model(inp, keras.layers.LSTM(3, dtype="mixed_float16")(inp))  # ops are float32
    model.save(tmp_path / "odd.keras")
    code = main(["convert", str(tmp_path / "odd.keras"), str(tmp_path / "o.tflite"), "--strict"])
    assert code == 2
    assert "cannot be fused" in capsys.readouterr().err
    assert not (tmp_path / "o.tflite").exists()
