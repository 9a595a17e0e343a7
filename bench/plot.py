"""Draws the benchmark figures of docs/benchmarks.md from bench/results/.

    python bench/plot.py [--results bench/results/rnn_X.json] [--out docs]

Reads a bench_rnn.py result (default: the latest) and the roofline_*.json that
bench/roofline/roofline.py wrote for it, and writes
  docs/speedup_vs_units.png   speed-up vs the best baseline against units per cell, T=100,
                              batch 1, at 1 and 2 threads
  docs/roofline.png           our time per step next to the roofline bound, every case
Needs matplotlib (pip install 'tflite-rnn-ops[bench]'), which the package itself does not.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
DOCS = os.path.join(os.path.dirname(HERE), "docs")


def _load(results: str | None) -> tuple[dict, dict]:
    path = results or sorted(glob.glob(os.path.join(RESULTS, "rnn_*.json")))[-1]
    roofline = os.path.join(os.path.dirname(path),
                            os.path.basename(path).replace("rnn_", "roofline_"))
    if not os.path.exists(roofline):
        sys.exit(f"{roofline} is missing: run python bench/roofline/roofline.py --results {path}")
    with open(path) as fh, open(roofline) as fr:
        return json.load(fh), json.load(fr)


def _label(r: dict) -> str:
    kind = {"lstm": "LSTM", "bilstm": "BiLSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}[r["kind"]]
    extra = [f"b{r['batch']}"] if r["batch"] > 1 else []
    extra += [f"{r['threads']}thr"] if r["threads"] > 1 else []
    extra += ["stream"] if r.get("stream") else []
    return " ".join([f"{kind} {r['units']}", f"T{r['time']}"] + extra)


def plot_speedup(bench: dict, out: str, plt) -> None:
    series = {}
    for r in bench["results"]:
        # Quantized cases (--only quant) compare against the builtin hybrid: docs/quantization.md.
        if r["time"] != 100 or r["batch"] != 1 or r.get("stream") or "vs_best" not in r:
            continue
        name = f"{_label(r).split()[0]}, {r['threads']} thread{'s' if r['threads'] > 1 else ''}"
        series.setdefault(name, []).append((r["units"], r["vs_best"]))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, points in sorted(series.items()):
        points.sort()
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                linestyle="--" if "2 threads" in name else "-", label=name)
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set_xscale("log", base=2)
    ax.set_xticks(sorted({u for pts in series.values() for u, _ in pts}))
    ax.get_xaxis().set_major_formatter(plt.matplotlib.ticker.ScalarFormatter())
    ax.set_xlabel("units per cell")
    ax.set_ylabel("speed-up vs best baseline (×)")
    ax.set_title("T=100, batch 1, input 40: ours vs the faster of builtin / Keras 3 WHILE",
                 fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.text(0.01, 0.01, bench["machine"], fontsize=6)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_roofline(roof: dict, out: str, plt) -> None:
    rows = roof["rows"]
    labels = [_label(r) for r in rows]
    x = range(len(rows))
    fig, ax = plt.subplots(figsize=(10, 4.8))
    ax.bar([i - 0.27 for i in x], [r["us_per_step"] for r in rows], width=0.27, label="ours")
    ax.bar(list(x), [r["bound_us_per_step"] for r in rows], width=0.27, label="roofline bound")
    if all("serial_bound_us_per_step" in r for r in rows):  # roofline json of 2026-12-02 on
        ax.scatter(list(x), [r["serial_bound_us_per_step"] for r in rows], marker="_", s=120,
                   color="black", zorder=3, label="serial bound (projection not overlapped)")
    ax.bar([i + 0.27 for i in x], [r["best_baseline_us_per_step"] for r in rows], width=0.27,
           label="best baseline", color="lightgrey")
    for i, r in enumerate(rows):
        ax.text(i - 0.27, r["us_per_step"] * 1.1, f"{r['fraction']:.0%}", ha="center",
                fontsize=6, rotation=90)
    ax.set_yscale("log")
    ax.set_xticks(list(x))
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("µs per step (log)")
    ax.set_title("time per step vs max(FLOPs / FMA peak, weight bytes / bandwidth); "
                 "% = fraction of the bound reached", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.text(0.01, 0.01, roof["machine"], fontsize=6)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=None, help="a bench_rnn.py JSON (default: latest)")
    parser.add_argument("--out", default=DOCS)
    args = parser.parse_args()
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("bench/plot.py needs matplotlib: pip install 'tflite-rnn-ops[bench]'")
    plt.matplotlib = matplotlib
    bench, roof = _load(args.results)
    os.makedirs(args.out, exist_ok=True)
    for name, draw, data in (("speedup_vs_units.png", plot_speedup, bench),
                             ("roofline.png", plot_roofline, roof)):
        path = os.path.join(args.out, name)
        draw(data, path, plt)
        print(f"wrote {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
