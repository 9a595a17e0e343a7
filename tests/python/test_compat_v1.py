"""tflite_rnn_ops.compat.v1 against TensorFlow's own TF1 cells (tf_keras, TF_USE_LEGACY_KERAS=1).

The reference runs once, in a subprocess (tf1_reference.py): it builds every case with
``tf.compat.v1.nn.rnn_cell`` + ``tf.compat.v1.nn``, sets seeded weights and saves a checkpoint and
its outputs. Here the SAME builder code runs with our API; the TF1 checkpoint must restore into
our variables unchanged (same names and shapes), and our TensorFlow outputs (graph and eager) and
the converted model's outputs must match TF1's within 1e-5 (max abs).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
import tf1_reference as ref
from conftest import PARITY_ATOL, assert_parity, run_tflite

import tflite_rnn_ops as tro
from tflite_rnn_ops.compat import v1

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> str:
    out = str(tmp_path_factory.mktemp("tf1_reference"))
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, os.path.join(HERE, "tf1_reference.py"), out],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out


def _build_ours(case: str, ckpt_dir: str):
    """Our graph for `case` with the TF1 checkpoint restored: (graph, session, feeds, outputs)."""
    graph = tf.Graph()
    with graph.as_default():
        feeds, outputs = ref.build(case, ref.our_api(), tf)
        sess = tf.compat.v1.Session(graph=graph)
        # The default Saver restores EVERY variable by name: a missing or misnamed variable, or a
        # different shape, fails here.
        tf.compat.v1.train.Saver().restore(sess, os.path.join(ckpt_dir, "ckpt"))
        ours = sorted(f"{v.op.name} {v.shape.as_list()}" for v in tf.compat.v1.global_variables())
    with open(os.path.join(ckpt_dir, "vars.txt")) as f:
        assert ours == sorted(f.read().splitlines())
    return graph, sess, feeds, outputs


def _check_clipping(case: str, want: list[np.ndarray]) -> None:
    """The clipping cases must actually clip, or they would test nothing."""
    ran = ref.LENGTHS > 0  # a zero-length example keeps its (unclipped) initial state
    if case == "lstm_v2_len_state":
        output, c, h = want
        assert np.max(np.abs(output)) == pytest.approx(ref.PROJ_CLIP)
        assert np.max(np.abs(c[ran])) == pytest.approx(ref.CELL_CLIP)
    if case == "multi_v2_time_major":
        assert np.max(np.abs(want[0])) == pytest.approx(ref.PROJ_CLIP)
        assert np.max(np.abs(want[1])) == pytest.approx(ref.CELL_CLIP)


@pytest.mark.parametrize("case", list(ref.CASES))
def test_graph_mode_and_converted_match_tf1(reference, case):
    ckpt_dir = os.path.join(reference, case)
    values, want = ref.load_values(ckpt_dir)
    _check_clipping(case, want)
    graph, sess, feeds, outputs = _build_ours(case, ckpt_dir)
    with sess:
        got = sess.run(outputs, {feeds[k]: v for k, v in values.items()})
        assert_parity(got, want)
        tflite = v1.convert_session(sess, dict(feeds), {f"o{i}": t for i, t in enumerate(outputs)})
    info = tro.inspect_model(tflite)
    assert info.count("WHILE") == 0, info.summary()
    expected_ops, uses_v2 = ref.CASES[case]
    assert {op.name: info.count(op.name) for op in info.our_ops} == expected_ops, info.summary()
    assert all(op.attributes["version"] == (2 if uses_v2 else 1) for op in info.our_ops)
    if "len" in case:  # sequence_length reached the op as its mask
        assert all(op.attributes["mask"] in ("steps", "lengths") for op in info.our_ops)
    converted = _run_signature(tflite, values)
    assert_parity([converted[f"o{i}"] for i in range(len(want))], want)


def _run_signature(tflite: bytes, values: dict) -> dict:
    runner = tro.Interpreter(model_content=tflite, num_threads=1).get_signature_runner()
    return runner(**values)


@pytest.mark.parametrize("case", ["lstm_state", "multi_len", "bidi_mixed_len", "static_bidi_rnn_len",
                                  "lstm_v2_len_state", "bidi_lstm_v2_len"])
def test_eager_mode_matches_tf1(reference, case):
    ckpt_dir = os.path.join(reference, case)
    values, want = ref.load_values(ckpt_dir)
    reader = tf.train.load_checkpoint(os.path.join(ckpt_dir, "ckpt"))
    created = []

    def from_checkpoint(next_creator, **kwargs):
        # Variables are created with TF1's names; initialise them from the TF1 checkpoint.
        name = kwargs["name"]
        created.append(name)
        kwargs["initial_value"] = reader.get_tensor(name)
        return next_creator(**kwargs)

    assert tf.executing_eagerly()
    with tf.variable_creator_scope(from_checkpoint):
        _, outputs = ref.build(case, ref.our_api(), tf, values=values)
    assert sorted(created) == sorted(reader.get_variable_to_shape_map())
    assert_parity([np.asarray(o) for o in outputs], want)


def _toy_task(rng, batch: int, time: int = 12, features: int = 4):
    """Label: is the sum of feature 0 over the valid steps positive? Padding is random noise."""
    lengths = rng.integers(1, time + 1, batch).astype(np.int32)
    x = rng.normal(size=(batch, time, features)).astype(np.float32)
    valid = np.arange(time)[None, :] < lengths[:, None]
    labels = (np.sum(x[..., 0] * valid, axis=1) > 0).astype(np.int32)
    return x, lengths, labels


def test_classic_tf1_training_script_converts(tmp_path):
    """A TF1 sequence classifier (dynamic_rnn + sequence_length, Session, AdamOptimizer)."""
    rng = np.random.default_rng(0)
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        tf.compat.v1.set_random_seed(0)
        x = tf.compat.v1.placeholder(tf.float32, [None, None, 4], name="x")
        lengths = tf.compat.v1.placeholder(tf.int32, [None], name="lengths")
        labels = tf.compat.v1.placeholder(tf.int32, [None], name="labels")
        cell = v1.MultiRNNCell([v1.TfLiteLSTMCell(16), v1.TfLiteGRUCell(8)])
        _, (_, last) = v1.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
        w = tf.compat.v1.get_variable("logits/kernel", [8, 2])
        b = tf.compat.v1.get_variable("logits/bias", [2], initializer=tf.compat.v1.zeros_initializer())
        logits = tf.matmul(last, w) + b
        probs = tf.nn.softmax(logits, name="probs")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                              logits=logits))
        train_op = tf.compat.v1.train.AdamOptimizer(0.01).minimize(loss)
        sess.run(tf.compat.v1.global_variables_initializer())
        tx, tl, ty = _toy_task(rng, 512)
        first = sess.run(loss, {x: tx, lengths: tl, labels: ty})
        for step in range(300):
            i = rng.integers(0, 512, 32)
            sess.run(train_op, {x: tx[i], lengths: tl[i], labels: ty[i]})
        vx, vl, vy = _toy_task(rng, 256)
        p, last_loss = sess.run([probs, loss], {x: vx, lengths: vl, labels: vy})
        assert last_loss < 0.5 * first, (first, last_loss)
        assert np.mean(np.argmax(p, 1) == vy) >= 0.9
        tflite = v1.convert_session(sess, {"x": x, "lengths": lengths}, {"probs": probs})
    info = tro.inspect_model(tflite)
    assert (info.count("TFLiteRnnOps>LSTM"), info.count("TFLiteRnnOps>GRU"), info.count("WHILE")) \
        == (1, 1, 0), info.summary()
    got = _run_signature(tflite, {"x": vx, "lengths": vl})["probs"]
    assert_parity([got], [p])
    assert np.array_equal(np.argmax(got, 1), np.argmax(p, 1))


def test_eager_training_with_a_keras_optimizer():
    """Eager: gradients reach the TF1-layout variables; any optimizer (here Keras 3's) trains."""
    import keras

    rng = np.random.default_rng(1)
    cell = v1.TfLiteLSTMCell(12, use_peepholes=True, num_proj=6)
    head = tf.Variable(rng.normal(0, 0.4, (6, 2)).astype(np.float32))
    optimizer = keras.optimizers.Adam(0.02)
    tx, tl, ty = _toy_task(rng, 256)

    def loss_fn():
        _, state = v1.dynamic_rnn(cell, tx, sequence_length=tl, dtype=tf.float32)
        logits = tf.matmul(state.h, head)
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(ty, logits))

    first = float(loss_fn())
    variables = [*cell.trainable_variables, head]
    assert len(variables) == 7  # kernel, bias, 3 peepholes, projection (TF1's) + the head
    for _ in range(40):
        with tf.GradientTape() as tape:
            loss = loss_fn()
        grads = tape.gradient(loss, variables)
        assert all(g is not None for g in grads)
        optimizer.apply_gradients(zip(grads, variables))
    assert float(loss_fn()) < 0.7 * first


def test_single_step_call_matches_dynamic_rnn():
    """cell(inputs, state) (TF1's step API) equals one step of dynamic_rnn."""
    x = np.random.default_rng(2).normal(size=(3, 1, 4)).astype(np.float32)
    for cell in (v1.TfLiteLSTMCell(5, use_peepholes=True, num_proj=3, forget_bias=0.3),
                 v1.TfLiteGRUCell(5), v1.MultiRNNCell([v1.TfLiteRNNCell(4), v1.TfLiteGRUCell(3)])):
        out, state = v1.dynamic_rnn(cell, x, dtype=tf.float32)
        step_out, step_state = cell(x[:, 0], cell.zero_state(3, tf.float32))
        assert_parity([np.asarray(step_out)], [np.asarray(out[:, 0])], PARITY_ATOL)
        for a, b in zip(tf.nest.flatten(step_state), tf.nest.flatten(state)):
            assert_parity([np.asarray(a)], [np.asarray(b)], PARITY_ATOL)
