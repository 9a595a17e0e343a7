"""atheris target: the Python code that reads untrusted .tflite files.

``tro.inspect`` (``model_info.inspect_model`` and its ``summary()``), ``tro.rewrite`` with its
report, and the file helpers under them (``tflite_file``). The first byte picks the reader, the
rest is the file. A damaged file must end in ``ValueError`` (``tro.ConversionError`` is one);
any other exception is a finding.

Run (seeds: tests/fuzz/corpus/models, made by make_model_seeds.py)::

    python tests/fuzz/model_readers_fuzzer.py -max_total_time=60 /tmp/models tests/fuzz/corpus/models

A crash file reproduces with ``python tests/fuzz/model_readers_fuzzer.py CRASH_FILE``.
"""

from __future__ import annotations

import sys
import warnings

import atheris

with atheris.instrument_imports(include=["tflite_rnn_ops", "flatbuffers"]):
    from tflite_rnn_ops import model_info, rewrite_builtins, tflite_file

READERS = ("inspect", "rewrite", "align")


def read(data: bytes) -> None:
    """Runs one reader on `data[1:]`; only ValueError may escape."""
    if not data:
        return
    reader, model = READERS[data[0] % len(READERS)], data[1:]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rewrite() warns for every op it keeps builtin
            if reader == "inspect":
                model_info.inspect_model(model).summary()
            elif reader == "rewrite":
                _, report = rewrite_builtins.rewrite(model, report=False, return_report=True)
                str(report)
            else:
                tflite_file.misaligned_buffers(tflite_file.align_buffers(model))
    except ValueError:
        pass


def main() -> None:
    atheris.Setup(sys.argv, read)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
