"""The machine line and the JSON results file every end-to-end benchmark writes."""

from __future__ import annotations

import datetime
import json
import os
import sys


def machine_line() -> str:
    """CPU, cores, the kernels' ISA and our version, as the results files record them."""
    import tflite_rnn_ops as tro
    from tflite_rnn_ops import timing

    return (f"CPU: {timing.cpu_model()}  cores: {os.cpu_count()}  kernel ISA: {tro.kernel_isa()}  "
            f"tflite-rnn-ops {tro.__version__}")


def write(out_dir: str, prefix: str, machine: str, results: list) -> str:
    """Writes ``<out_dir>/<prefix>_<UTC stamp>.json`` with the command line; returns its path."""
    os.makedirs(out_dir, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(out_dir, f"{prefix}_{stamp}.json")
    with open(path, "w") as f:
        json.dump({"command": " ".join(["python"] + sys.argv), "machine": machine,
                   "results": results}, f, indent=2)
    return path
