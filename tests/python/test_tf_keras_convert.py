"""tf_keras (Keras 2) models, as users run them with TF_USE_LEGACY_KERAS=1, convert to our ops.

tf_keras and Keras 3 cannot both be tf.keras in one process, so the models live in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "scripts", "tf_keras_convert.py")


def test_tf_keras_models_convert_to_fused_ops():
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run([sys.executable, SCRIPT], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    results = {r["model"]: r for r in map(json.loads, filter(None, run.stdout.splitlines()))
               if isinstance(r, dict)}
    stack = results["masked_stack"]
    assert stack["our_ops"] == ["TFLiteRnnOps>LSTM", "TFLiteRnnOps>GRU", "TFLiteRnnOps>RNN"]
    assert stack["while"] == 0 and stack["max_abs_error"] <= 1e-5
    bidi = results["bidirectional"]
    assert bidi["our_ops"] == ["TFLiteRnnOps>LSTM", "TFLiteRnnOps>LSTM"]
    assert bidi["while"] == 0 and bidi["max_abs_error"] <= 1e-5
    # tf_keras's hard_sigmoid is Keras 2's (0.2x + 0.5), not the kernels' Keras 3 one
    odd = results["unfusable"]
    assert odd["our_ops"] == [] and "recurrent_activation" in odd["unfused"][0]
    assert odd["max_abs_error"] <= 1e-5
