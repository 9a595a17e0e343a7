"""Routes other than the delegate: tro.registerer (TensorFlow's interpreter and converter) and the
LiteRT 2.x CompiledModel C API (a C++ program compiled here against the wheel's libLiteRt.so)."""

from __future__ import annotations

import os
import shutil
import subprocess

import keras
import numpy as np
import pytest
import tensorflow as tf

import tflite_rnn_ops as tro
from conftest import assert_parity, keras_outputs, randomize_weights, run_tflite

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LITERT_DIR = os.path.dirname(__import__("ai_edge_litert").__file__)


def _lstm_model(batch=None, time=None):
    inp = keras.Input((time, 5), batch_size=batch)
    model = keras.Model(inp, tro.layers.LSTM(6, return_sequences=True)(inp))
    randomize_weights(model)
    return model


def test_full_integer_calibration_runs_our_op_through_the_registerer():
    model = _lstm_model()
    rng = np.random.default_rng(0)

    def representative_dataset():
        return ([rng.normal(size=(1, 4, 5)).astype(np.float32)] for _ in range(3))

    # tro.convert hands the calibrator tro.registerer itself (TF alone fails with "There are
    # unresolved custom ops: [TFLiteRnnOps>LSTM]"); a spec that already has it works the same.
    spec = tf.lite.TargetSpec()
    spec._experimental_custom_op_registerers = [tro.registerer]
    for options in ({}, {"target_spec": spec}):
        tflite = tro.convert(model, report=False, optimizations=[tf.lite.Optimize.DEFAULT],
                             representative_dataset=representative_dataset, **options)
        assert tro.inspect_model(tflite).count("TFLiteRnnOps>LSTM") == 1


def test_registerer_refuses_litert_with_a_clear_error():
    from ai_edge_litert.interpreter import InterpreterWithCustomOps

    tflite = tro.convert(_lstm_model(), report=False)
    with pytest.raises(RuntimeError, match="exports no tflite::MutableOpResolver::AddCustom.*load_delegate"):
        InterpreterWithCustomOps(model_content=tflite, custom_op_registerers=[tro.registerer])


def test_shared_library_exports_only_the_public_api():
    lib = os.path.join(os.path.dirname(tro.__file__), "libtflite_rnn_ops.so")
    out = subprocess.run(["nm", "-D", "--defined-only", "-C", lib], check=True, capture_output=True,
                         text=True).stdout
    names = sorted(line.split(" ", 2)[2] for line in out.splitlines() if line.strip())
    assert names == ["TfLiteRnnOpsRegisterWith", "tflite_rnn_ops::Register_GRU()",
                     "tflite_rnn_ops::Register_LSTM()", "tflite_rnn_ops::Register_RNN()"]


@pytest.fixture(scope="module")
def litert_runner(tmp_path_factory) -> str:
    """tests/python/scripts/litert_run_model.cc and our LiteRT adapter, built as an app would be:
    against the package's libtflite_rnn_ops.so and the wheel's libLiteRt.so."""
    if shutil.which("g++") is None:
        pytest.fail("g++ is needed to build the CompiledModel test program")
    exe = str(tmp_path_factory.mktemp("litert") / "litert_run_model")
    package = os.path.dirname(tro.__file__)
    sources = [os.path.join(REPO, "tests", "python", "scripts", "litert_run_model.cc"),
               os.path.join(REPO, "cc", "tflite", "litert_registration.cc"),
               os.path.join(REPO, "cc", "tflite", "mirror_node.cc")]
    subprocess.run(["g++", "-O2", "-std=c++17", f"-I{REPO}", f"-I{REPO}/cc/include", *sources,
                    "-o", exe, f"-L{package}", "-l:libtflite_rnn_ops.so", f"-Wl,-rpath,{package}",
                    f"-L{LITERT_DIR}", "-l:libLiteRt.so", f"-Wl,-rpath,{LITERT_DIR}"], check=True)
    return exe


def _run_compiled_model(exe: str, tflite: bytes, inputs: list[np.ndarray], outputs, tmp_path):
    model = tmp_path / "model.tflite"
    model.write_bytes(tflite)
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    for i, x in enumerate(inputs):
        x.tofile(tmp_path / "in" / f"{i}.bin")
    proc = subprocess.run([exe, str(model), str(tmp_path / "in"), str(tmp_path / "out")],
                          capture_output=True, text=True)
    got = [np.fromfile(tmp_path / "out" / f"{i}.bin", np.float32).reshape(o.shape)
           for i, o in enumerate(outputs)] if proc.returncode == 0 else None
    return proc, got


def _fp16_exact(model) -> None:
    model.set_weights([w.astype(np.float16).astype(np.float32) for w in model.get_weights()])


@pytest.mark.parametrize("layer_cls", [tro.layers.LSTM, tro.layers.GRU, tro.layers.SimpleRNN])
def test_compiled_model_c_api_runs_our_ops(litert_runner, layer_cls, tmp_path):
    # Plain float32: the weights are read where tro.convert put them, 64-byte aligned in the file,
    # and LiteRT maps the file, so they are 64-byte aligned in memory too.
    inp = keras.Input((9, 5), batch_size=3)
    model = keras.Model(inp, tro.layers.Bidirectional(layer_cls(6, return_sequences=True))(inp))
    randomize_weights(model)
    tflite = tro.convert(model, report=False)
    assert tro.inspect_model(tflite).count("DEQUANTIZE") == 0
    x = np.random.default_rng(3).normal(size=(3, 9, 5)).astype(np.float32)
    want = keras_outputs(model, [x])
    proc, got = _run_compiled_model(litert_runner, tflite, [x], want, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert_parity(got, want)


def test_compiled_model_runs_float16_weight_storage(litert_runner, tmp_path):
    # Our op reads the float16 weights directly (contract v3); exact for weights exact in float16.
    model = _lstm_model(batch=2, time=7)
    _fp16_exact(model)
    tflite = tro.convert(model, report=False, optimizations=[tf.lite.Optimize.DEFAULT],
                         target_spec=tf.lite.TargetSpec(supported_types=[tf.float16]))
    assert tro.inspect_model(tflite).count("DEQUANTIZE") == 0
    x = np.random.default_rng(4).normal(size=(2, 7, 5)).astype(np.float32)
    want = keras_outputs(model, [x])
    proc, got = _run_compiled_model(litert_runner, tflite, [x], want, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert_parity(got, want)


def test_compiled_model_runs_int8_weights_with_their_column_scales(litert_runner, tmp_path,
                                                                   capsys):
    # LiteRT's tensor buffers carry no quantization parameters; contract version 4 hands the
    # int8 scales over as ordinary float16 inputs (column_scales), which it does pass. The same
    # kernels run as on the delegate, so the outputs agree with the delegate's.
    # 16 features and units: both weight matrices reach dynamic range's 1024 elements.
    inp = keras.Input((7, 16), batch_size=2)
    model = keras.Model(inp, tro.layers.LSTM(16, return_sequences=True)(inp))
    randomize_weights(model)
    tflite = tro.convert(model, optimizations=[tf.lite.Optimize.DEFAULT])
    assert "1 op(s) store int8 weight matrices" in capsys.readouterr().out
    x = np.random.default_rng(8).normal(size=(2, 7, 16)).astype(np.float32)
    want = run_tflite(tflite, [x])
    proc, got = _run_compiled_model(litert_runner, tflite, [x], want, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    np.testing.assert_allclose(got[0], want[0], atol=1e-6)
    assert np.max(np.abs(got[0] - keras_outputs(model, [x])[0])) < 0.1  # int8's documented error


def test_compiled_model_refuses_the_tf_converter_output_unaligned(litert_runner, tmp_path,
                                                                   monkeypatch):
    # Why tro.convert aligns: without that step (the TF converter's own layout, 4-byte aligned
    # weights), LiteRT's dispatcher refuses the weights. If a LiteRT release lifts it, this says so.
    from tflite_rnn_ops import tflite_file

    monkeypatch.setattr(tflite_file, "align_buffers", lambda data, caller: data)
    model = _lstm_model(batch=2, time=7)
    tflite = tro.convert(model, report=False)
    assert tflite_file.misaligned_buffers(tflite)
    x = np.zeros((2, 7, 5), np.float32)
    proc, _ = _run_compiled_model(litert_runner, tflite, [x], keras_outputs(model, [x]), tmp_path)
    assert proc.returncode != 0
    assert "Unaligned host memory pointer" in proc.stderr


def test_compiled_model_refuses_a_second_node_of_one_op(litert_runner, tmp_path):
    inp = keras.Input((7, 5), batch_size=2)
    x = tro.layers.LSTM(6, return_sequences=True)(inp)
    model = keras.Model(inp, tro.layers.LSTM(4)(x))
    randomize_weights(model)
    _fp16_exact(model)
    tflite = tro.convert(model, report=False, optimizations=[tf.lite.Optimize.DEFAULT],
                         target_spec=tf.lite.TargetSpec(supported_types=[tf.float16]))
    x = np.ones((2, 7, 5), np.float32)
    proc, _ = _run_compiled_model(litert_runner, tflite, [x], keras_outputs(model, [x]), tmp_path)
    assert "TFLiteRnnOps>LSTM: this model has more than one such node" in proc.stderr
    # LiteRT ignores our statuses; the impossible output size we ask for fails the model instead.
    assert proc.returncode != 0
    assert "(TFLiteRnnOps>LSTM) failed to prepare" in proc.stderr


def test_registerer_route_reports_our_errors():
    from tensorflow.lite.python.interpreter import InterpreterWithCustomOps

    it = InterpreterWithCustomOps(model_content=tro.convert(_lstm_model(), report=False),
                                  custom_op_registerers=[tro.registerer])
    it.resize_tensor_input(0, [1, 5, 4])
    with pytest.raises(RuntimeError, match=r"TFLiteRnnOps>LSTM: input 'kernel' expected shape "
                                           r"\[F, 4\*units\] = \[4, 24\], got \[5, 24\]"):
        it.allocate_tensors()
