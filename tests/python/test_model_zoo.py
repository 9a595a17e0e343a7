"""Architectures built around RNNs (tests/python/model_zoo.py), trained a few steps, converted over
dynamic batch and time axes: every recurrent layer fused, outputs within 1e-5 of Keras."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import assert_parity, keras_outputs, run_tflite
from model_zoo import ZOO, train_briefly

import tflite_rnn_ops as tro

HERE = os.path.dirname(os.path.abspath(__file__))


def _feed(model, inputs: list[np.ndarray]):
    return inputs if len(inputs) == 1 else {t.name: x for t, x in zip(model.inputs, inputs)}


def _assert_converts_fused(tflite: bytes, report, expected_ops: dict[str, int]) -> None:
    info = tro.inspect_model(tflite)
    assert info.count("WHILE") == 0, info.summary()
    for op, count in expected_ops.items():
        assert info.count(op) == count, info.summary()
    assert len(info.our_ops) == sum(expected_ops.values()) and not report.unfused


@pytest.mark.parametrize("name", sorted(set(ZOO) - {"tagger"}))
def test_zoo_model(name):
    zoo = ZOO[name]
    model = zoo.build(None, None)
    rng = np.random.default_rng(0)
    train_briefly(zoo, model, rng, time=12)
    tflite, report = tro.convert(model, return_report=True, report=False)
    _assert_converts_fused(tflite, report, zoo.ops)
    for time in (12, 5):  # the converted model keeps the dynamic time axis
        inputs, _ = zoo.data(rng, 3, time)
        assert_parity(run_tflite(tflite, _feed(model, inputs)), keras_outputs(model, inputs))


def test_model_trained_on_jax_and_saved_as_keras_file(tmp_path):
    import keras

    assert importlib.util.find_spec("jax"), "jax is in the `test` extra: pip install '.[test]'"

    env = dict(os.environ, KERAS_BACKEND="jax", PYTHONPATH=HERE)
    out = subprocess.run([sys.executable, os.path.join(HERE, "scripts", "jax_train_save.py"),
                          str(tmp_path)], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    saved = json.loads(out.stdout.strip().splitlines()[-1])
    assert saved["backend"] == "jax" and saved["steps"] > 0

    tflite, report = tro.convert(saved["path"], return_report=True, report=False)
    _assert_converts_fused(tflite, report, ZOO["tagger"].ops)
    assert report.time_distributed[0].reshaped
    sample = np.load(saved["sample"])
    got = run_tflite(tflite, [sample["x"]])
    assert_parity(got, keras_outputs(keras.models.load_model(saved["path"]), [sample["x"]]))
    assert_parity(got, [sample["jax_prediction"]])  # what the model computed where it was trained
