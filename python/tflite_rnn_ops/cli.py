"""Command line: ``tflite-rnn-ops demo|info|convert|rewrite|inspect``."""

from __future__ import annotations

import argparse
import sys


def _info(_: argparse.Namespace) -> int:
    import importlib.util
    import platform

    import tflite_rnn_ops as tro

    print(f"tflite-rnn-ops {tro.__version__}")
    print(f"python {platform.python_version()} on {platform.machine()}")
    print(f"kernel ISA: {tro.kernel_isa()} (int8 weights: {tro.kernel_int8_leaf()})")
    print(f"delegate plugin: {tro.delegate_library_path()}")
    for module, label in (("ai_edge_litert", "litert"), ("tensorflow", "tensorflow")):
        found = importlib.util.find_spec(module) is not None
        print(f"interpreter backend {label!r}: {'importable' if found else 'not installed'}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from tflite_rnn_ops.demo import DemoConfig, run_demo

    result = run_demo(DemoConfig(units=args.units, time=args.time, epochs=args.epochs, runs=args.runs))
    return 0 if result["max_abs_error"] <= 1e-5 else 1


def _convert(args: argparse.Namespace) -> int:
    from tflite_rnn_ops.converter import ConversionError, convert

    try:
        frozen = args.model.endswith((".pb", ".pbtxt"))
        options = _quantization_options(args, frozen)
        if frozen:
            tflite = _convert_frozen_graph(args, options)
        else:
            tflite = convert(args.model, strict=args.strict, report=True, **options)
    except (ConversionError, ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return _write(args.output, tflite)


def _quantization_options(args: argparse.Namespace, frozen: bool) -> dict:
    """Converter options for --quantize (docs/quantization.md)."""
    if args.calibration and args.quantize != "int8":
        raise ValueError("--calibration is for --quantize int8 (full-integer calibration)")
    if args.quantize == "none":
        return {}
    import tensorflow as tf

    options = {"optimizations": [tf.lite.Optimize.DEFAULT]}
    if args.quantize == "float16":
        spec = tf.lite.TargetSpec()
        spec.supported_types = [tf.float16]
        options["target_spec"] = spec
    elif args.quantize == "int8":
        if frozen:
            raise ValueError("--quantize int8 (full-integer calibration) takes a .keras file or a "
                             "SavedModel; use --quantize dynamic for a frozen graph")
        if not args.calibration:
            raise ValueError("--quantize int8 needs --calibration FILE (.npy or .npz with "
                             "representative inputs, first axis = samples)")
        from tflite_rnn_ops.calibration import representative_dataset

        options["representative_dataset"] = representative_dataset(args.calibration, args.model)
    return options


def _write(path: str, tflite: bytes) -> int:
    with open(path, "wb") as f:
        f.write(tflite)
    print(f"wrote {path} ({len(tflite)} bytes)")
    return 0


def _rewrite(args: argparse.Namespace) -> int:
    from tflite_rnn_ops.rewrite_builtins import rewrite

    try:
        tflite = rewrite(args.model, strict=args.strict, report=True)
    except ValueError as err:  # a damaged file, or ConversionError (a ValueError) with --strict
        print(f"error: {err}", file=sys.stderr)
        return 2
    return _write(args.output, tflite)


def _convert_frozen_graph(args: argparse.Namespace, options: dict) -> bytes:
    from tflite_rnn_ops import quantize
    from tflite_rnn_ops.compat.v1 import convert_frozen_graph

    if not args.inputs or not args.outputs:
        raise ValueError("a frozen graph (.pb/.pbtxt) needs --inputs and --outputs (node names)")
    shapes = None
    if args.input_shapes:
        groups = args.input_shapes.split(":")
        if len(groups) != len(args.inputs):
            raise ValueError(f"--input-shapes has {len(groups)} shape(s) for {len(args.inputs)} "
                             "input(s); separate shapes with ':' (e.g. 1,100,40:1,128)")
        shapes = {name: [int(d) for d in g.split(",")] for name, g in zip(args.inputs, groups)}
    tflite = convert_frozen_graph(args.model, args.inputs, args.outputs, shapes, **options)
    if args.quantize == "none":
        return tflite
    if args.quantize == "float16":
        return quantize.store_weights(tflite, "float16")[0]
    return quantize.store_weights(tflite, "int8", quantize.DYNAMIC_RANGE_MIN_ELEMENTS)[0]


def _inspect(args: argparse.Namespace) -> int:
    from tflite_rnn_ops.model_info import inspect_model

    print(inspect_model(args.model).summary())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tflite-rnn-ops", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="version, kernel ISA on this CPU, importable interpreters").set_defaults(fn=_info)
    demo = sub.add_parser("demo", help="train, convert and run a small LSTM model; print parity and speed")
    demo.add_argument("--units", type=int, default=128)
    demo.add_argument("--time", type=int, default=100, help="sequence length for parity and timing")
    demo.add_argument("--epochs", type=int, default=2)
    demo.add_argument("--runs", type=int, default=50, help="timed invokes per model")
    demo.set_defaults(fn=_demo)
    conv = sub.add_parser("convert", help="convert a .keras file or SavedModel; print the report")
    conv.add_argument("model", help="a .keras file, a SavedModel directory or a frozen TF1 graph "
                      "(.pb / .pbtxt, OpHint-annotated RNNs become our ops)")
    conv.add_argument("output", help="where to write the .tflite model")
    conv.add_argument("--strict", action="store_true", help="fail if a recurrent layer cannot be fused")
    conv.add_argument("--quantize", choices=["none", "dynamic", "float16", "int8"], default="none",
                      help="dynamic: int8 weights (our ops' too), float activations; float16: "
                      "float16 weights; int8: full-integer model calibrated on --calibration "
                      "(our ops keep int8 weights and float activations inside it)")
    conv.add_argument("--calibration", metavar="FILE",
                      help="--quantize int8: representative inputs, a .npy (one-input models) or "
                      ".npz (one array per input, by input name or in input order); first axis = "
                      "samples, each fed as a batch of one")
    for flag, what in (("--inputs", "input"), ("--outputs", "output")):
        conv.add_argument(flag, type=lambda v: v.split(","),
                          help=f"frozen graph: {what} node names, comma-separated")
    conv.add_argument("--input-shapes",
                      help="frozen graph: one shape per input, e.g. 1,3,3:1,5 (-1 = dynamic)")
    conv.set_defaults(fn=_convert)
    rew = sub.add_parser("rewrite", help="rewrite a .tflite file's builtin RNN ops into our ops")
    rew.add_argument("model", help="a .tflite file")
    rew.add_argument("output", help="where to write the rewritten .tflite model")
    rew.add_argument("--strict", action="store_true", help="fail if a builtin RNN op must stay")
    rew.set_defaults(fn=_rewrite)
    insp = sub.add_parser("inspect", help="list a .tflite model's ops and our ops' attributes")
    insp.add_argument("model")
    insp.set_defaults(fn=_inspect)
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
