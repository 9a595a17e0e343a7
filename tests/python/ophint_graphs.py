"""Frozen TF1 graphs annotated with OpHint the way TF 1.x's ``tf.lite.experimental.nn`` cells
annotated them (``TfLiteRNNCell``, ``TFLiteLSTMCell``), for the OpHint conversion tests.

The cells below are written from the hint layout in ``shared/reference/ophint.md``: the same
function names, slot indices, tags, aggregates and per-gate variable layout, and the same
computation inside the region (including the older cell's ``forget_bias`` added inside it, and
clipping after the cell state and the projection). They run on ``tf.compat.v1.lite.OpHint``,
which TF 2.21 still ships. Weights are seeded random values; graphs are frozen with
``convert_variables_to_constants``.
"""

from __future__ import annotations

import os
import subprocess

import numpy as np
import tensorflow as tf

BATCH, TIME, FEATURES = 2, 4, 3


def shared_ophint_dir(repo_root: str) -> str:
    """``<repo>/../shared/data/ophint`` (a CI clone has shared/ beside it); from a git worktree,
    beside the main checkout."""
    candidates = [os.path.join(repo_root, "..", "shared")]
    try:
        common = subprocess.run(["git", "-C", repo_root, "rev-parse", "--git-common-dir"],
                                capture_output=True, text=True, check=True).stdout.strip()
        candidates.append(os.path.join(repo_root, common, "..", "..", "shared"))
    except (OSError, subprocess.CalledProcessError):
        pass
    for shared in candidates:
        path = os.path.join(shared, "data", "ophint")
        if os.path.isdir(path):
            return os.path.normpath(path)
    raise FileNotFoundError(f"OpHint test data not found in any of {candidates} (expected "
                            "shared/data/ophint/ beside the repository)")


class _Weights:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def variable(self, name: str, shape: list[int], scale: float = 1.0):
        std = scale / np.sqrt(shape[-1]) if len(shape) == 2 else 0.5 * scale
        value = self.rng.normal(0, std, shape).astype(np.float32)
        return tf.compat.v1.get_variable(name, initializer=value)


class HintedRNNCell:
    """``TfLiteRNNCell``: function ``UnidirectionalSequenceRnn``, weights [U, F] / [U, U] / [U]."""

    def __init__(self, units: int, activation=tf.tanh, name: str = "rnn_cell", seed: int = 0):
        self.units, self.activation, self.name = units, activation, name
        self.hint = tf.compat.v1.lite.OpHint("UnidirectionalSequenceRnn")
        self.weights = _Weights(seed)
        self.built = False

    def build(self, depth: int) -> None:
        with tf.compat.v1.variable_scope(self.name):
            specs = [("input_weights", [self.units, depth], 1), ("recurrent_weights",
                     [self.units, self.units], 2), ("bias", [self.units], 3)]
            self.w = [self.hint.add_input(self.weights.variable(n, s), name=n, index_override=i)
                      for n, s, i in specs]
        self.built = True

    def __call__(self, x, h):
        if not self.built:
            self.build(int(x.shape[-1]))
        x = self.hint.add_input(x, tag="input", name="input", aggregate="stack", index_override=0)
        h = self.hint.add_input(h, tag="hidden_state", name="hidden_state", aggregate="first",
                                index_override=4)
        w_in, w_rec, b = self.w
        kernel = tf.transpose(tf.concat([w_in, w_rec], 1))
        out = self.activation(tf.nn.bias_add(tf.matmul(tf.concat([x, h], 1), kernel), b))
        out = self.hint.add_output(out, tag="output", name="output", aggregate="stack",
                                   index_override=1)
        return out, out

    def zero_state(self, batch):
        return tf.zeros(tf.stack([batch, self.units]))


class HintedLSTMCell:
    """``TFLiteLSTMCell`` (the older version: ``forget_bias`` added inside the region)."""

    def __init__(self, units: int, use_peepholes: bool = False, cell_clip: float | None = None,
                 num_proj: int | None = None, proj_clip: float | None = None,
                 forget_bias: float = 0.0, name: str = "lstm_cell", seed: int = 0,
                 scale: float = 1.0):
        self.units, self.peepholes, self.cell_clip = units, use_peepholes, cell_clip
        self.num_proj, self.proj_clip, self.forget_bias = num_proj, proj_clip, forget_bias
        self.out_units = num_proj or units
        self.name, self.scale = name, scale
        self.hint = tf.compat.v1.lite.OpHint("UnidirectionalSequenceLstm")
        self.weights = _Weights(seed)
        self.built = False

    def _add(self, name: str, shape: list[int], index: int):
        var = self.weights.variable(name, shape, self.scale)
        return self.hint.add_input(var, name=name, index_override=index)

    def build(self, depth: int) -> None:
        u, p = self.units, self.out_units
        with tf.compat.v1.variable_scope(self.name):
            gates = ("input", "forget", "cell", "output")
            self.wx = {g: self._add(f"input_to_{g}_w", [u, depth], 1 + k) for k, g in enumerate(gates)}
            self.wh = {g: self._add(f"cell_to_{g}_w", [u, p], 5 + k) for k, g in enumerate(gates)}
            self.b = {g: self._add(f"{g}_bias", [u], 12 + k) for k, g in enumerate(gates)}
            if self.peepholes:
                self.diag = {g: self._add(f"w_{g}_diag", [u], i) for g, i in (("f", 10), ("i", 9),
                                                                               ("o", 11))}
            if self.num_proj:
                self.proj = self._add("projection/kernel", [self.num_proj, u], 16)
        self.built = True

    def __call__(self, x, state):
        if not self.built:
            self.build(int(x.shape[-1]))
        c_prev, m_prev = state
        x = self.hint.add_input(x, tag="input", name="input", aggregate="stack", index_override=0)
        c_prev = self.hint.add_input(c_prev, tag="c_prev", name="c_prev", aggregate="first",
                                     index_override=19)
        m_prev = self.hint.add_input(m_prev, tag="m_prev", name="m_prev", aggregate="first",
                                     index_override=18)
        xm = tf.concat([x, m_prev], 1)

        def gate(g):
            weights = tf.concat([self.wx[g], self.wh[g]], 1)
            return tf.nn.bias_add(tf.matmul(xm, weights, transpose_b=True), self.b[g])

        i, f, j, o = gate("input"), gate("forget"), gate("cell"), gate("output")
        if self.peepholes:
            c = (tf.sigmoid(f + self.forget_bias + self.diag["f"] * c_prev) * c_prev
                 + tf.sigmoid(i + self.diag["i"] * c_prev) * tf.tanh(j))
        else:
            c = tf.sigmoid(f + self.forget_bias) * c_prev + tf.sigmoid(i) * tf.tanh(j)
        if self.cell_clip:
            c = tf.clip_by_value(c, -self.cell_clip, self.cell_clip)
        o_gate = o + self.diag["o"] * c if self.peepholes else o
        m = tf.sigmoid(o_gate) * tf.tanh(c)
        if self.num_proj:
            m = tf.matmul(m, tf.transpose(self.proj))
            if self.proj_clip:
                m = tf.clip_by_value(m, -self.proj_clip, self.proj_clip)
        c = self.hint.add_output(c, tag="c", name="c", aggregate="last", index_override=1)
        m = self.hint.add_output(m, tag="m", name="m", aggregate="stack", index_override=2)
        return m, (c, m)

    def zero_state(self, batch):
        return (tf.zeros(tf.stack([batch, self.units])), tf.zeros(tf.stack([batch, self.out_units])))


def static_unroll(cell, steps: list, state):
    """``tf.compat.v1.nn.static_rnn``'s loop: one cell call per step."""
    outputs = []
    for x in steps:
        out, state = cell(x, state)
        outputs.append(out)
    return outputs, state


_CHILD_MAPPINGS = {  # what TF 1.x's lite.experimental.nn.dynamic_rnn gives its level-2 hint
    "parent_first_child_input": [{"parent_ophint_input_index": 0,
                                  "first_child_ophint_input_index": 0}],
    "parent_last_child_output": [{"parent_output_index": 0, "child_output_index": -1}],
    "internal_children_input_output": [{"child_input_index": 0, "child_output_index": -1}],
}


def dynamic_rnn(cell, x, lengths=None):
    """``tf.lite.experimental.nn.dynamic_rnn`` (time-major): a level-2 ``TfLiteDynamicRnn`` hint
    around a control-flow-v2 While loop whose body calls the cell (so the cell's hints, weights
    included, live inside the body function). With `lengths`, the loop copies the state through
    past each length, as TF's ``_dynamic_rnn_loop`` does with ``sequence_length``."""
    parent = tf.compat.v1.lite.OpHint("TfLiteDynamicRnn", level=2,
                                      children_inputs_mappings=_CHILD_MAPPINGS)
    x = parent.add_input(x, name="input", index_override=0)
    steps = x.shape[0]
    state = cell.zero_state(tf.shape(x)[1])

    def body(t, outputs, *state):
        out, new_state = cell(x[t], state[0] if len(state) == 1 else tuple(state))
        new_state = list(tf.nest.flatten(new_state))
        if lengths is not None:
            keep = tf.expand_dims(t < lengths, 1)
            new_state = [tf.where(keep, n, o) for n, o in zip(new_state, state)]
        return (t + 1, outputs.write(t, out), *new_state)

    loop_vars = [tf.constant(0), tf.TensorArray(tf.float32, size=steps), *tf.nest.flatten(state)]
    _, outputs, *final = tf.while_loop(lambda t, *_: t < steps, body, loop_vars)
    return parent.add_output(outputs.stack(), name="outputs", index_override=0), final


def _frozen(build) -> tuple[tf.compat.v1.GraphDef, list[str]]:
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        x = tf.compat.v1.placeholder(tf.float32, [None, TIME, FEATURES], name="INPUT")
        outputs = build(x)
        names = [tf.identity(t, name=f"OUTPUT_{k}").op.name for k, t in enumerate(outputs)]
        sess.run(tf.compat.v1.global_variables_initializer())
        frozen = tf.compat.v1.graph_util.convert_variables_to_constants(
            sess, graph.as_graph_def(), names)
    return frozen, names


def _steps(x):
    return tf.unstack(x, TIME, axis=1)


def rnn_graph(activation):
    def build(x):
        cell = HintedRNNCell(5, activation, seed=1)
        outs, _ = static_unroll(cell, _steps(x), cell.zero_state(tf.shape(x)[0]))
        return [tf.stack(outs, axis=1)]
    return _frozen(build)


def lstm_v2_graph():
    """Peepholes, projection, both clips, forget bias inside the region; the graph reads the
    final c (which TF's own stub route cannot convert) and the last m."""
    def build(x):
        cell = HintedLSTMCell(6, use_peepholes=True, cell_clip=0.7, num_proj=4, proj_clip=0.3,
                              forget_bias=1.0, seed=2, scale=2.5)
        outs, (c, m) = static_unroll(cell, _steps(x), cell.zero_state(tf.shape(x)[0]))
        return [tf.stack(outs, axis=1), c, m]
    return _frozen(build)


def stacked_graph():
    """An LSTM region feeding an RNN region (relu), with a dense layer after them."""
    def build(x):
        lstm = HintedLSTMCell(5, seed=3, name="layer1")
        rnn = HintedRNNCell(4, tf.nn.relu, seed=4, name="layer2")
        batch = tf.shape(x)[0]
        outs, _ = static_unroll(lstm, _steps(x), lstm.zero_state(batch))
        outs, _ = static_unroll(rnn, outs, rnn.zero_state(batch))
        dense = tf.constant(np.random.default_rng(5).normal(size=(4, 2)).astype(np.float32))
        return [tf.matmul(outs[-1], dense)]
    return _frozen(build)


def bidirectional_graph():
    """``static_bidirectional_rnn``: a forward and a backward region (the backward one reads
    the steps reversed), outputs concatenated per step."""
    def build(x):
        fw = HintedLSTMCell(4, seed=6, name="fw")
        bw = HintedLSTMCell(4, seed=7, name="bw", forget_bias=1.0)
        batch, steps = tf.shape(x)[0], _steps(x)
        out_fw, _ = static_unroll(fw, steps, fw.zero_state(batch))
        out_bw, _ = static_unroll(bw, steps[::-1], bw.zero_state(batch))
        return [tf.stack([tf.concat([f, b], 1) for f, b in zip(out_fw, out_bw[::-1])], axis=1)]
    return _frozen(build)


def _time_major_frozen(build, lengths: bool = False):
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        x = tf.compat.v1.placeholder(tf.float32, [TIME, None, FEATURES], name="INPUT")
        n = tf.compat.v1.placeholder(tf.int32, [None], name="LENGTHS") if lengths else None
        outputs = build(x, n) if lengths else build(x)
        names = [tf.identity(t, name=f"OUTPUT_{k}").op.name for k, t in enumerate(outputs)]
        sess.run(tf.compat.v1.global_variables_initializer())
        frozen = tf.compat.v1.graph_util.convert_variables_to_constants(
            sess, graph.as_graph_def(), names)
    return frozen, names


def dynamic_lstm_graph():
    """dynamic_rnn over a TFLiteLSTMCell with peepholes and a cell clip; the graph reads the
    outputs and the final (c, m)."""
    def build(x):
        cell = HintedLSTMCell(5, use_peepholes=True, cell_clip=0.8, seed=9, scale=2.0)
        y, (c, m) = dynamic_rnn(cell, x)
        return [y, c, m]
    return _time_major_frozen(build)


def dynamic_rnn_graph():
    def build(x):
        y, (h,) = dynamic_rnn(HintedRNNCell(4, tf.nn.relu, seed=10), x)
        return [y, h]
    return _time_major_frozen(build)


def dynamic_bidirectional_graph():
    """bidirectional_dynamic_rnn: two dynamic_rnn calls, the backward one on the time-reversed
    input, its outputs reversed back (TF adds no hint of its own)."""
    def build(x):
        y_fw, _ = dynamic_rnn(HintedLSTMCell(4, seed=11, name="fw"), x)
        with tf.compat.v1.variable_scope("bw"):
            y_bw, _ = dynamic_rnn(HintedLSTMCell(4, seed=12, name="bw"), tf.reverse(x, [0]))
        return [tf.concat([y_fw, tf.reverse(y_bw, [0])], -1)]
    return _time_major_frozen(build)


def dynamic_lengths_graph():
    """dynamic_rnn with sequence_length: the loop does more than the cell (copy-through)."""
    def build(x, n):
        y, (h,) = dynamic_rnn(HintedRNNCell(4, seed=13), x, n)
        return [y, h]
    return _time_major_frozen(build, lengths=True)


def initial_state_graph():
    """The initial state is a graph input (fed on every run)."""
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        x = tf.compat.v1.placeholder(tf.float32, [None, TIME, FEATURES], name="INPUT")
        h0 = tf.compat.v1.placeholder(tf.float32, [None, 5], name="H0")
        cell = HintedRNNCell(5, seed=8)
        outs, h = static_unroll(cell, _steps(x), h0)
        names = [tf.identity(t, name=f"OUTPUT_{k}").op.name
                 for k, t in enumerate([tf.stack(outs, 1), h])]
        sess.run(tf.compat.v1.global_variables_initializer())
        frozen = tf.compat.v1.graph_util.convert_variables_to_constants(
            sess, graph.as_graph_def(), names)
    return frozen, names


def run_frozen(graph_def, feeds: dict[str, np.ndarray], outputs: list[str]) -> list[np.ndarray]:
    """The frozen graph run in a TF1 session: the reference."""
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as sess:
        return sess.run([f"{n}:0" for n in outputs], {f"{k}:0": v for k, v in feeds.items()})
