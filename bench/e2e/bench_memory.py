"""Peak memory of our fused op vs TFLite's builtin LSTM for the same model.

    python bench/e2e/bench_memory.py [--units 128 256 512] [--time 100]

For each model, a fresh Python process (importing only the LiteRT interpreter and our runtime)
loads it from a file, allocates, invokes 10 times, and reports the growth of its peak resident
set (VmHWM) over the moment before the interpreter was built. Also printed: the model file size
and the bytes of our packed weight copy (made once in Prepare: the packed layout differs from
the model's [K, G*U], so the kernel cannot read the model's buffers in place).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_rnn  # noqa: E402

CHILD = r"""
import sys
import numpy as np
def status(key):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(key)) * 1024
import tflite_rnn_ops as tro
from ai_edge_litert.interpreter import Interpreter
path, ours, time = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3])
before = status("VmRSS:")
it = (tro.Interpreter if ours else Interpreter)(model_path=path, num_threads=1)
it.allocate_tensors()
it.set_tensor(it.get_input_details()[0]["index"], np.ones((1, time, 40), np.float32))
for _ in range(10):
    it.invoke()
print(status("VmHWM:") - before)
"""


def peak_growth(path: str, ours: bool, time: int) -> int:
    out = subprocess.run([sys.executable, "-c", CHILD, path, "1" if ours else "0", str(time)],
                         check=True, capture_output=True, text=True)
    return int(out.stdout.split()[-1])


def packed_bytes(units: int, features: int = bench_rnn.FEATURES, gates: int = 4) -> int:
    """Our packed copy for AVX2/AVX-512 without padding (units a multiple of the width)."""
    return 4 * (features * gates * units + units * gates * units + gates * units)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[128, 256, 512])
    parser.add_argument("--time", type=int, default=100)
    args = parser.parse_args()
    import tflite_rnn_ops as tro

    print(f"{'units':>5} | {'file KiB':>8} {'packed KiB':>10} | {'ours peak +KiB':>14} "
          f"{'builtin peak +KiB':>17} | {'ours - builtin':>14}")
    with tempfile.TemporaryDirectory() as workdir:
        for units in args.units:
            c = bench_rnn._case("lstm", args.time, units)
            ours_model, _ = bench_rnn._models(c)
            paths = {}
            for name, content in (("ours", tro.convert(ours_model, report=False)),
                                  ("builtin", bench_rnn._builtin_tflite(
                                      ours_model.get_weights(), c, workdir))):
                paths[name] = os.path.join(workdir, f"{name}_{units}.tflite")
                with open(paths[name], "wb") as fh:
                    fh.write(content)
            ours = peak_growth(paths["ours"], True, args.time)
            builtin = peak_growth(paths["builtin"], False, args.time)
            print(f"{units:>5} | {os.path.getsize(paths['ours']) / 1024:>8.0f} "
                  f"{packed_bytes(units) / 1024:>10.0f} | {ours / 1024:>14.0f} "
                  f"{builtin / 1024:>17.0f} | {(ours - builtin) / 1024:>14.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
