"""8 interpreters on one model, invoked from 8 threads at once with our kernel threads on too
(num_threads=2), give results bit-identical to a single-threaded run."""

from __future__ import annotations

import threading

import keras
import numpy as np
from conftest import randomize_weights

import tflite_rnn_ops as tro
from tflite_rnn_ops import timing

THREADS = 8
INVOKES = 12


def _model() -> bytes:
    keras.utils.set_random_seed(0)
    inp = keras.Input((None, 16))
    x = tro.layers.LSTM(64, return_sequences=True)(inp)
    x = tro.layers.Bidirectional(tro.layers.GRU(32, return_sequences=True))(x)
    out = tro.layers.SimpleRNN(32)(x)
    model = keras.Model(inp, out)
    randomize_weights(model)
    return tro.convert(model, report=False)


def _inputs(worker: int) -> list[np.ndarray]:
    # Different data (and two batch sizes) per worker and invoke: a wrong buffer shared between
    # interpreters would show as someone else's result.
    rng = np.random.default_rng(worker)
    return [rng.normal(size=(1 + (worker + i) % 2, 10, 16)).astype(np.float32)
            for i in range(INVOKES)]


def test_eight_interpreters_in_eight_threads_match_a_single_threaded_run():
    tflite = _model()
    inputs = [_inputs(w) for w in range(THREADS)]
    single = tro.Interpreter(model_content=tflite, num_threads=1)
    expected = [[timing.run(single, [x])[0] for x in xs] for xs in inputs]

    interpreters = [tro.Interpreter(model_content=tflite, num_threads=2) for _ in range(THREADS)]
    results: list[list[np.ndarray]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(w: int) -> None:
        try:
            start.wait()
            for x in inputs[w]:
                results[w].append(timing.run(interpreters[w], [x])[0].copy())
        except BaseException as err:  # reported below, a thread cannot fail the test itself
            errors.append(err)

    workers = [threading.Thread(target=work, args=(w,)) for w in range(THREADS)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in workers), "a worker hung"
    assert not errors, errors
    for w in range(THREADS):
        assert len(results[w]) == INVOKES
        for i, (got, want) in enumerate(zip(results[w], expected[w])):
            assert np.array_equal(got.view(np.uint32), want.view(np.uint32)), (
                f"worker {w} invoke {i}: differs from the single-threaded run")
