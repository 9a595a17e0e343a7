"""Interpreter + delegate lifetime: create/invoke/destroy cycles keep RSS flat, and the delegate
may be destroyed before or after its interpreter (each order in a fresh process, so a crash is
a failed test and not a dead pytest)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[2]
CYCLES_SCRIPT = ROOT / "bench" / "reliability" / "lifetime_cycles.py"


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=600)


def test_create_invoke_destroy_cycles_keep_rss_flat():
    # 1,500 measured cycles: a leak of 1 KiB per cycle (one partition's bookkeeping, say) would
    # grow RSS by ~1.5 MiB; allocator noise stays well below the bound measured here (docs).
    done = subprocess.run([sys.executable, str(CYCLES_SCRIPT), "--cycles", "2000", "--warmup",
                           "500"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["growth_kib"] < 768, result


SCENARIO = """
    import numpy as np, keras
    import tflite_rnn_ops as tro
    from ai_edge_litert.interpreter import Interpreter

    inp = keras.Input((None, 4))
    tflite = tro.convert(keras.Model(inp, tro.layers.LSTM(8)(inp)), report=False)
    x = np.ones((1, 5, 4), np.float32)

    def make():
        delegate = tro.load_delegate()
        it = Interpreter(model_content=tflite, experimental_delegates=[delegate])
        it.resize_tensor_input(it.get_input_details()[0]["index"], list(x.shape))
        it.allocate_tensors()
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
        return delegate, it, it.get_tensor(it.get_output_details()[0]["index"]).copy()

    delegate, it, first = make()
    {order}
    print("ok", float(np.abs(first).sum()) > 0)
"""

DELEGATE_FIRST = """
    delegate.__del__()  # the native delegate is gone; the interpreter still runs its nodes
    it.invoke()
    again = it.get_tensor(it.get_output_details()[0]["index"])
    assert np.array_equal(again, first)
    del delegate, it
"""
INTERPRETER_FIRST = """
    del it
    import gc; gc.collect()
    del delegate
    gc.collect()
"""


def _run_order(order: str) -> None:
    body = textwrap.indent(textwrap.dedent(order).strip(), "    ")
    done = _python(SCENARIO.replace("    {order}", body))
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-3000:]}"
    assert "ok True" in done.stdout, done.stdout


def test_delegate_destroyed_before_its_interpreter():
    _run_order(DELEGATE_FIRST)


def test_interpreter_destroyed_before_its_delegate():
    _run_order(INTERPRETER_FIRST)
