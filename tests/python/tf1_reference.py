"""TF1 reference for tflite_rnn_ops.compat.v1: the same graphs built with TensorFlow's own TF1 cells.

Each case is ONE builder, ``build(case, api)``, written against the TF1 API; ``api`` is either
TensorFlow's (``tf.compat.v1.nn`` + ``tf.compat.v1.nn.rnn_cell``, which need tf_keras, hence
``TF_USE_LEGACY_KERAS=1`` in a subprocess) or ours (``tflite_rnn_ops.compat.v1``). That the same
code builds both is itself the drop-in check.

Run as a script (``TF_USE_LEGACY_KERAS=1 python tf1_reference.py OUT_DIR [CASE ...]``) it builds
every case with TensorFlow's cells, gives the variables seeded random values, saves a checkpoint
``OUT_DIR/<case>/ckpt`` and ``OUT_DIR/<case>/io.npz`` (feeds ``in_*`` and outputs ``out_<i>``,
the flattened ``(outputs, state)``) and ``OUT_DIR/<case>/vars.txt`` (variable names and shapes).

Weight scale: 2-D weights ~ N(0, 1.2 / sqrt(rows)), 1-D (biases, peepholes) ~ N(0, 0.5), inputs
~ N(0, 1). Pre-activations are then O(1): gates reach saturation sometimes, but values stay
O(1), so float32 rounding in either implementation stays ~1e-7, far below the 1e-5 bound.
"""

from __future__ import annotations

import os
import sys
import zlib
from types import SimpleNamespace
from typing import Any

import numpy as np

BATCH, TIME, FEATURES = 4, 7, 5
LENGTHS = np.array([7, 4, 1, 0], np.int32)
CELL_CLIP, PROJ_CLIP = 0.6, 0.35


def tf1_api(tf) -> SimpleNamespace:
    cells, nn = tf.compat.v1.nn.rnn_cell, tf.compat.v1.nn
    return SimpleNamespace(
        LSTMCell=cells.LSTMCell, BasicLSTMCell=cells.BasicLSTMCell, GRUCell=cells.GRUCell,
        BasicRNNCell=cells.BasicRNNCell, MultiRNNCell=cells.MultiRNNCell,
        LSTMStateTuple=cells.LSTMStateTuple, dynamic_rnn=nn.dynamic_rnn,
        bidirectional_dynamic_rnn=nn.bidirectional_dynamic_rnn, static_rnn=nn.static_rnn,
        static_bidirectional_rnn=nn.static_bidirectional_rnn)


def our_api() -> SimpleNamespace:
    from tflite_rnn_ops.compat import v1

    return SimpleNamespace(
        LSTMCell=v1.TfLiteLSTMCell, BasicLSTMCell=v1.TfLiteBasicLSTMCell,
        GRUCell=v1.TfLiteGRUCell, BasicRNNCell=v1.TfLiteRNNCell, MultiRNNCell=v1.MultiRNNCell,
        LSTMStateTuple=v1.LSTMStateTuple, dynamic_rnn=v1.dynamic_rnn,
        bidirectional_dynamic_rnn=v1.bidirectional_dynamic_rnn, static_rnn=v1.static_rnn,
        static_bidirectional_rnn=v1.static_bidirectional_rnn)


# case -> (fused ops expected after conversion {op: count}, needs the version-2 runtime)
CASES: dict[str, tuple[dict[str, int], bool]] = {
    "lstm_state": ({"TFLiteRnnOps>LSTM": 1}, False),
    "lstm_len": ({"TFLiteRnnOps>LSTM": 1}, False),
    "gru_len_time_major": ({"TFLiteRnnOps>GRU": 1}, False),
    "rnn_len_state": ({"TFLiteRnnOps>RNN": 1}, False),
    "multi_len": ({"TFLiteRnnOps>LSTM": 1, "TFLiteRnnOps>GRU": 1}, False),
    "bidi_gru_len": ({"TFLiteRnnOps>GRU": 1}, False),
    "bidi_mixed_len": ({"TFLiteRnnOps>LSTM": 1, "TFLiteRnnOps>RNN": 1}, False),
    "static_lstm_len": ({"TFLiteRnnOps>LSTM": 1}, False),
    "static_bidi_rnn_len": ({"TFLiteRnnOps>RNN": 1}, False),
    "lstm_v2_len_state": ({"TFLiteRnnOps>LSTM": 1}, True),
    "bidi_lstm_v2_len": ({"TFLiteRnnOps>LSTM": 1}, True),
    "multi_v2_time_major": ({"TFLiteRnnOps>LSTM": 2}, True),
}


class _Feeds(dict):
    """Named inputs: placeholders in graph mode, or constants from ``values`` (eager mode)."""

    def __init__(self, tf, values: dict | None) -> None:
        super().__init__()
        self.tf, self.values = tf, values

    def add(self, name: str, shape: list, dtype: Any = None):
        tf = self.tf
        dtype = dtype or tf.float32
        if self.values is not None:
            self[name] = tf.constant(self.values[name])
        else:
            self[name] = tf.compat.v1.placeholder(dtype, shape, name=name)
        return self[name]


def _state(tf, feeds: _Feeds, name: str, size: int):
    return feeds.add(name, [None, size])


def build(case: str, api: SimpleNamespace, tf, values: dict | None = None) -> tuple[dict, list]:
    """Builds `case`: ``(feeds {name: placeholder or constant}, flat output tensors)``.

    In graph mode the feeds are placeholders; pass ``values`` (from ``feed_values``) to build it
    eagerly on constants instead.
    """
    f = _Feeds(tf, values)
    x = f.add("x", [None, None, FEATURES])
    n = f.add("len", [None], tf.int32)
    if case == "lstm_state":
        init = api.LSTMStateTuple(_state(tf, f, "c0", 8), _state(tf, f, "h0", 8))
        result = api.dynamic_rnn(api.LSTMCell(8, forget_bias=0.7), x, initial_state=init)
    elif case == "lstm_len":
        result = api.dynamic_rnn(api.LSTMCell(8), x, sequence_length=n, dtype=tf.float32)
    elif case == "gru_len_time_major":
        result = api.dynamic_rnn(api.GRUCell(7), tf.transpose(x, [1, 0, 2]), sequence_length=n,
                                 dtype=tf.float32, time_major=True)
    elif case == "rnn_len_state":
        result = api.dynamic_rnn(api.BasicRNNCell(6, activation=tf.nn.relu), x,
                                 sequence_length=n, initial_state=_state(tf, f, "h0", 6))
    elif case == "multi_len":
        cell = api.MultiRNNCell([api.BasicLSTMCell(8, forget_bias=0.5), api.GRUCell(5)])
        result = api.dynamic_rnn(cell, x, sequence_length=n, dtype=tf.float32, scope="encoder")
    elif case == "bidi_gru_len":
        result = api.bidirectional_dynamic_rnn(api.GRUCell(6), api.GRUCell(6), x,
                                               sequence_length=n, dtype=tf.float32)
    elif case == "bidi_mixed_len":
        result = api.bidirectional_dynamic_rnn(api.LSTMCell(5), api.BasicRNNCell(4), x,
                                               sequence_length=n, dtype=tf.float32)
    elif case == "static_lstm_len":
        result = api.static_rnn(api.LSTMCell(6), tf.unstack(x, TIME, axis=1), dtype=tf.float32,
                                sequence_length=n)
    elif case == "static_bidi_rnn_len":
        result = api.static_bidirectional_rnn(api.BasicRNNCell(5), api.BasicRNNCell(5),
                                              tf.unstack(x, TIME, axis=1), dtype=tf.float32,
                                              sequence_length=n)
    else:
        result = _build_v2(case, api, tf, f)
    return f, tf.nest.flatten(result)


def _build_v2(case: str, api: SimpleNamespace, tf, f: _Feeds):
    x, n = f["x"], f["len"]
    if case == "lstm_v2_len_state":
        cell = api.LSTMCell(8, use_peepholes=True, cell_clip=CELL_CLIP, num_proj=5,
                            proj_clip=PROJ_CLIP, forget_bias=0.8)
        init = api.LSTMStateTuple(_state(tf, f, "c0", 8), _state(tf, f, "h0", 5))
        return api.dynamic_rnn(cell, x, sequence_length=n, initial_state=init)
    if case == "bidi_lstm_v2_len":
        def cell():
            return api.LSTMCell(6, use_peepholes=True, num_proj=4, cell_clip=CELL_CLIP)
        return api.bidirectional_dynamic_rnn(cell(), cell(), x, sequence_length=n,
                                             dtype=tf.float32)
    if case == "multi_v2_time_major":
        cell = api.MultiRNNCell([api.LSTMCell(8, use_peepholes=True, cell_clip=CELL_CLIP),
                                 api.LSTMCell(6, num_proj=3, proj_clip=PROJ_CLIP)])
        return api.dynamic_rnn(cell, tf.transpose(x, [1, 0, 2]), sequence_length=n,
                               dtype=tf.float32, time_major=True)
    raise KeyError(case)


def feed_values(case: str, feeds: dict) -> dict[str, np.ndarray]:
    """Seeded inputs; the padding past each length is NOT zero, so a leak would show."""
    rng = np.random.default_rng(zlib.crc32(case.encode()))
    values = {}
    for name, ph in feeds.items():
        if name == "x":
            values[name] = rng.normal(size=(BATCH, TIME, FEATURES)).astype(np.float32)
        elif name == "len":
            values[name] = LENGTHS
        else:
            values[name] = rng.normal(0, 0.5, (BATCH, int(ph.shape[-1]))).astype(np.float32)
    return values


def load_values(path: str) -> tuple[dict[str, np.ndarray], list[np.ndarray]]:
    """``(feed values, reference outputs)`` written by ``main`` for one case."""
    data = np.load(os.path.join(path, "io.npz"))
    feeds = {k[3:]: data[k] for k in data.files if k.startswith("in_")}
    outs = [data[f"out_{i}"] for i in range(sum(k.startswith("out_") for k in data.files))]
    return feeds, outs


def random_weights(variables, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 1.2 / np.sqrt(v.shape[0]) if len(v.shape) == 2 else 0.5,
                       v.shape).astype(np.float32) for v in variables]


def main(out_dir: str, cases: list[str]) -> None:
    import tensorflow as tf

    api = tf1_api(tf)
    for i, case in enumerate(cases):
        graph = tf.Graph()
        with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
            feeds, outputs = build(case, api, tf)
            variables = tf.compat.v1.global_variables()
            for var, value in zip(variables, random_weights(variables, seed=1000 + i)):
                var.load(value, sess)
            values = feed_values(case, feeds)
            got = sess.run(outputs, {feeds[k]: v for k, v in values.items()})
            path = os.path.join(out_dir, case)
            os.makedirs(path, exist_ok=True)
            tf.compat.v1.train.Saver().save(sess, os.path.join(path, "ckpt"))
            np.savez(os.path.join(path, "io.npz"), **{f"in_{k}": v for k, v in values.items()},
                     **{f"out_{j}": v for j, v in enumerate(got)})
            with open(os.path.join(path, "vars.txt"), "w") as f:
                f.writelines(f"{v.op.name} {v.shape.as_list()}\n" for v in variables)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if os.environ.get("TF_USE_LEGACY_KERAS") != "1":
        sys.exit("tf1_reference.py needs TF_USE_LEGACY_KERAS=1 (TF1 cells live in tf_keras)")
    main(sys.argv[1], sys.argv[2:] or list(CASES))
