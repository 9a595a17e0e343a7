"""tro.compat.v1.convert_frozen_graph on OpHint-annotated TF1 graphs: TensorFlow's own test graph
(shared/data/ophint/ophint_lstm.pbtxt, read where it lies) and graphs annotated like TF 1.x's
cells (ophint_graphs.py). Each hinted region must become ONE op of ours, and the model must
compute what the frozen graph computes in a TF session, within 1e-5 (max abs), on every invoke
(no state carried across invokes)."""

from __future__ import annotations

import os

import numpy as np
import ophint_graphs as og
import pytest
from conftest import PARITY_ATOL

import tflite_rnn_ops as tro
from tflite_rnn_ops.compat import _ophint, v1
from tflite_rnn_ops.compat._frozen_graph import load_graph_def

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run_tflite_twice(tflite: bytes, feeds: dict[str, np.ndarray]) -> list[list[np.ndarray]]:
    runner = tro.Interpreter(model_content=tflite, num_threads=1).get_signature_runner()
    runs = []
    for _ in range(2):
        result = runner(**feeds)
        runs.append([result[k] for k in sorted(result)])
    return runs


def _assert_matches_tf(graph_def, tflite: bytes, feeds: dict, outputs: list[str]) -> None:
    want = og.run_frozen(graph_def, feeds, outputs)
    order = sorted(range(len(outputs)), key=lambda k: outputs[k].replace("/", "_"))
    want = [want[k] for k in order]
    for run in _run_tflite_twice(tflite, feeds):
        assert len(run) == len(want)
        for got, ref in zip(run, want):
            assert got.shape == ref.shape
            assert float(np.max(np.abs(got - ref))) <= PARITY_ATOL


def _our_ops(tflite: bytes) -> list[str]:
    info = tro.inspect_model(tflite)
    assert info.count("WHILE") == 0 and info.count("UNIDIRECTIONAL_SEQUENCE_LSTM") == 0, \
        info.summary()
    return [op.name for op in info.our_ops]


def test_tensorflow_test_graph():
    path = os.path.join(og.shared_ophint_dir(ROOT), "ophint_lstm.pbtxt")
    graph_def = load_graph_def(path)
    regions = _ophint.find_regions(graph_def)
    assert [r.function for r in regions] == ["UnidirectionalSequenceLstm"] * 2
    tflite = v1.convert_frozen_graph(path, ["INPUT"], ["OUTPUT"], input_shapes={"INPUT": [1, 3, 3]})
    ops = tro.inspect_model(tflite).our_ops
    assert [op.name for op in ops] == ["TFLiteRnnOps>LSTM"] * 2
    # rnn/rnn1 has peepholes, rnn/rnn2 has none; both run time-major over the 3 unstacked steps.
    assert [bool(op.attributes.get("use_peepholes")) for op in ops] == [True, False]
    assert all(op.attributes["time_major"] and "stateful" not in op.attributes for op in ops)
    x = np.random.default_rng(0).normal(size=(1, 3, 3)).astype(np.float32)
    _assert_matches_tf(graph_def, tflite, {"INPUT": x}, ["OUTPUT"])


def test_tensorflow_test_graph_dynamic_batch():
    path = os.path.join(og.shared_ophint_dir(ROOT), "ophint_lstm.pbtxt")
    tflite = v1.convert_frozen_graph(path, ["INPUT"], ["OUTPUT"])
    graph_def = load_graph_def(path)
    x = np.random.default_rng(1).normal(size=(1, 3, 3)).astype(np.float32)
    _assert_matches_tf(graph_def, tflite, {"INPUT": x}, ["OUTPUT"])


GRAPHS = {
    "rnn_tanh": (lambda: og.rnn_graph(og.tf.tanh), ["TFLiteRnnOps>RNN"]),
    "rnn_relu": (lambda: og.rnn_graph(og.tf.nn.relu), ["TFLiteRnnOps>RNN"]),
    "lstm_peepholes_projection_clips_forget_bias": (og.lstm_v2_graph, ["TFLiteRnnOps>LSTM"]),
    "stacked_lstm_rnn": (og.stacked_graph, ["TFLiteRnnOps>LSTM", "TFLiteRnnOps>RNN"]),
    "static_bidirectional": (og.bidirectional_graph, ["TFLiteRnnOps>LSTM"]),
}


@pytest.mark.parametrize("case", list(GRAPHS))
def test_generated_graphs(case, tmp_path):
    build, expected = GRAPHS[case]
    graph_def, outputs = build()
    assert len(_ophint.find_regions(graph_def)) == len(expected) + (case == "static_bidirectional")
    path = str(tmp_path / "frozen.pb")  # the binary form, by path
    with open(path, "wb") as f:
        f.write(graph_def.SerializeToString())
    tflite = v1.convert_frozen_graph(path, ["INPUT"], outputs)
    assert _our_ops(tflite) == expected
    x = np.random.default_rng(2).normal(0, 2.0, size=(og.BATCH, og.TIME, og.FEATURES)).astype(np.float32)
    _assert_matches_tf(graph_def, tflite, {"INPUT": x}, outputs)


DYNAMIC = {
    "dynamic_lstm_peepholes_clip_final_state": (og.dynamic_lstm_graph, ["TFLiteRnnOps>LSTM"]),
    "dynamic_rnn_relu": (og.dynamic_rnn_graph, ["TFLiteRnnOps>RNN"]),
    "bidirectional_dynamic_rnn": (og.dynamic_bidirectional_graph, ["TFLiteRnnOps>LSTM"] * 2),
}


@pytest.mark.parametrize("case", list(DYNAMIC))
def test_dynamic_rnn_graphs(case):
    """Level-2 TfLiteDynamicRnn hints: the While loop (cell hints inside its body) becomes one
    op; readers of the loop's final state read the op's final state."""
    build, expected = DYNAMIC[case]
    graph_def, outputs = build()
    assert any(n.op == "While" for n in graph_def.node)
    tflite = v1.convert_frozen_graph(graph_def, ["INPUT"], outputs)
    assert _our_ops(tflite) == expected
    x = np.random.default_rng(5).normal(0, 2.0, size=(og.TIME, og.BATCH, og.FEATURES)).astype(np.float32)
    _assert_matches_tf(graph_def, tflite, {"INPUT": x}, outputs)


def test_dynamic_rnn_with_sequence_length_is_refused_clearly():
    """The loop copies state through past each length, outside the cell's hints: one op of ours
    would not compute that, so the region stays TensorFlow's, whose own conversion of that
    loop then fails; the error must say so."""
    graph_def, outputs = og.dynamic_lengths_graph()
    with pytest.warns(UserWarning, match="does more than run the cell"), \
            pytest.raises(ValueError, match="TensorFlow's own conversion failed .* still holds "
                                            "the OpHint region"):
        v1.convert_frozen_graph(graph_def, ["INPUT", "LENGTHS"], outputs,
                                input_shapes={"INPUT": [og.TIME, og.BATCH, og.FEATURES],
                                              "LENGTHS": [og.BATCH]})


def test_static_bidirectional_pair_is_one_op():
    graph_def, outputs = og.bidirectional_graph()
    (op,) = tro.inspect_model(v1.convert_frozen_graph(graph_def, ["INPUT"], outputs)).our_ops
    assert op.attributes["direction"] == "bidirectional" and op.attributes["merge_mode"] == "none"


def test_measured_configuration_of_the_v2_cell():
    graph_def, outputs = og.lstm_v2_graph()
    (op,) = tro.inspect_model(v1.convert_frozen_graph(graph_def, ["INPUT"], outputs)).our_ops
    attrs = op.attributes
    assert attrs["use_peepholes"] and attrs["num_proj"] == 4
    assert attrs["cell_clip"] == pytest.approx(0.7) and attrs["proj_clip"] == pytest.approx(0.3)
    # The clips are reached in the reference, so the comparison above tests them.
    x = np.random.default_rng(2).normal(0, 2.0, size=(og.BATCH, og.TIME, og.FEATURES)).astype(np.float32)
    _, c, m = og.run_frozen(graph_def, {"INPUT": x}, outputs)
    assert np.max(np.abs(c)) == pytest.approx(0.7) and np.max(np.abs(m)) == pytest.approx(0.3)


def test_initial_state_fed_as_graph_input():
    graph_def, outputs = og.initial_state_graph()
    tflite = v1.convert_frozen_graph(graph_def, ["INPUT", "H0"], outputs)
    assert _our_ops(tflite) == ["TFLiteRnnOps>RNN"]
    rng = np.random.default_rng(3)
    feeds = {"INPUT": rng.normal(size=(og.BATCH, og.TIME, og.FEATURES)).astype(np.float32),
             "H0": rng.normal(size=(og.BATCH, 5)).astype(np.float32)}
    _assert_matches_tf(graph_def, tflite, feeds, outputs)


def test_pbtxt_path_and_graph_def_give_the_same_model(tmp_path):
    from google.protobuf import text_format

    graph_def, outputs = og.rnn_graph(og.tf.tanh)
    path = tmp_path / "g.pbtxt"
    path.write_text(text_format.MessageToString(graph_def))
    assert v1.convert_frozen_graph(str(path), ["INPUT"], outputs) == \
        v1.convert_frozen_graph(graph_def, ["INPUT"], outputs)


def test_unknown_hint_function_stays_as_tensorflow_ops():
    graph_def, outputs = og.rnn_graph(og.tf.tanh)
    for node in graph_def.node:
        if "_tflite_function_name" in node.attr:
            node.attr["_tflite_function_name"].s = b"MyOwnStub"
    with pytest.warns(UserWarning, match="'MyOwnStub' has no op of ours"):
        tflite = v1.convert_frozen_graph(graph_def, ["INPUT"], outputs)
    assert _our_ops(tflite) == []
    x = np.random.default_rng(4).normal(size=(og.BATCH, og.TIME, og.FEATURES)).astype(np.float32)
    _assert_matches_tf(graph_def, tflite, {"INPUT": x}, outputs)


def test_region_our_op_cannot_express_is_an_error():
    graph_def, outputs = og.rnn_graph(og.tf.tanh)
    for node in graph_def.node:  # tanh -> softsign: no activation candidate reproduces it
        if node.op == "Tanh":
            node.op = "Softsign"
    with pytest.raises(ValueError, match="does not compute an RNN cell .*within 1e-5 per unit"):
        v1.convert_frozen_graph(graph_def, ["INPUT"], outputs)


@pytest.mark.parametrize("bad, match", [
    (lambda p: p.write_bytes(b"\xff\xfe garbage"), "is not a binary GraphDef"),
])
def test_bad_graph_files(tmp_path, bad, match):
    path = tmp_path / "bad.pb"
    bad(path)
    with pytest.raises(ValueError, match=match):
        v1.convert_frozen_graph(str(path), ["INPUT"], ["OUTPUT"])


def test_bad_arguments(tmp_path):
    graph_def, outputs = og.rnn_graph(og.tf.tanh)
    with pytest.raises(TypeError, match="must be a GraphDef or the path"):
        v1.convert_frozen_graph(42, ["INPUT"], outputs)
    with pytest.raises(ValueError, match="input array 'NOPE' is not a Placeholder"):
        v1.convert_frozen_graph(graph_def, ["NOPE"], outputs)
    with pytest.raises(ValueError, match="output array 'NOPE' is not a node"):
        v1.convert_frozen_graph(graph_def, ["INPUT"], ["NOPE"])
    (tmp_path / "bad.pbtxt").write_text("node { this is not text format")
    with pytest.raises(ValueError, match="is not a text GraphDef"):
        v1.convert_frozen_graph(str(tmp_path / "bad.pbtxt"), ["INPUT"], outputs)


def test_cli_convert_frozen_graph(tmp_path):
    from tflite_rnn_ops import cli

    path = os.path.join(og.shared_ophint_dir(ROOT), "ophint_lstm.pbtxt")
    out = str(tmp_path / "ophint.tflite")
    assert cli.main(["convert", path, out, "--inputs", "INPUT", "--outputs", "OUTPUT",
                     "--input-shapes", "1,3,3"]) == 0
    with open(out, "rb") as f:
        assert _our_ops(f.read()) == ["TFLiteRnnOps>LSTM"] * 2
    assert cli.main(["convert", path, out, "--inputs", "INPUT"]) == 2  # no --outputs
    assert cli.main(["convert", path, out, "--inputs", "INPUT", "--outputs", "OUTPUT",
                     "--input-shapes", "1,3,3:1,3"]) == 2  # two shapes for one input
