"""Writes the seed corpus of model_readers_fuzzer.py: small .tflite files of every kind the
readers meet (builtin LSTM/RNN ops in both directions, a hybrid int8 LSTM, TF1 extras, and our
own fused op), each prefixed with the byte that picks each reader.

Run from the repository root (needs the test venv; the fused-op seed needs TensorFlow)::

    python tests/fuzz/make_model_seeds.py tests/fuzz/corpus/models
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))

import builtin_rnn_models as m  # noqa: E402  (tests/python helper)


def models() -> dict[str, bytes]:
    """Name -> .tflite bytes, the smallest shapes that still exercise each reader path."""
    import keras

    import tflite_rnn_ops as tro

    small = m.Spec(units=2, batch=1)
    out = {
        "lstm": m.lstm(small),
        "lstm_tf1_extras": m.lstm(m.Spec(units=2, batch=1, num_proj=1, peepholes=True,
                                         cell_clip=1.0)),
        "lstm_int8": m.lstm(m.Spec(units=2, batch=1, weight_type="int8")),
        "bidirectional_lstm": m.bidirectional_lstm(small),
        "rnn": m.rnn(small),
        "bidirectional_rnn": m.bidirectional_rnn(small),
    }
    inp = keras.Input((None, 2))
    out["fused_gru"] = tro.convert(keras.Model(inp, tro.layers.GRU(2)(inp)), report=False)
    return out


def main(directory: str) -> None:
    target = pathlib.Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    for name, data in models().items():
        for selector, reader in enumerate(("inspect", "rewrite", "align")):
            (target / f"{name}-{reader}").write_bytes(bytes([selector]) + data)


if __name__ == "__main__":
    main(sys.argv[1])
