"""Architectures users build around RNNs, for the zoo tests and bench/e2e/bench_zoo.py.

Each entry builds its model for a given batch and time axis (None: dynamic) from backend-neutral
Keras only, so the same builder also runs under KERAS_BACKEND=jax, and makes small synthetic
training data for it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import keras
import numpy as np

VOCAB = 40


@dataclasses.dataclass(frozen=True)
class ZooModel:
    name: str
    build: Callable[[int | None, int | None], keras.Model]  # (batch, time) -> model
    data: Callable[[np.random.Generator, int, int], tuple[list[np.ndarray], Any]]  # (rng, n, time)
    loss: Any
    ops: dict[str, int]  # our ops the conversion must contain
    bench_time: int = 50  # the static time axis the benchmark uses


def _tokens(rng: np.random.Generator, n: int, time: int) -> np.ndarray:
    """Token ids in [1, VOCAB), zero-padded at the end of each row (for mask_zero=True)."""
    tokens = rng.integers(1, VOCAB, (n, time)).astype(np.int32)
    for row, length in zip(tokens, rng.integers(max(1, time // 3), time + 1, n)):
        row[length:] = 0
    return tokens


def attention_classifier(batch=None, time=None) -> keras.Model:
    """Embedding (masked) -> Bidirectional GRU -> self-attention over its outputs -> pooling."""
    inp = keras.Input((time,), batch_size=batch, dtype="int32", name="tokens")
    x = keras.layers.Embedding(VOCAB, 16, mask_zero=True)(inp)
    x = keras.layers.Bidirectional(keras.layers.GRU(16, return_sequences=True))(x)
    x = keras.layers.MultiHeadAttention(num_heads=2, key_dim=8)(x, x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    return keras.Model(inp, keras.layers.Dense(3, activation="softmax")(x), name="attention")


def _attention_data(rng, n, time):
    return [_tokens(rng, n, time)], rng.integers(0, 3, n)


def seq2seq_with_attention(batch=None, time=None) -> keras.Model:
    """Encoder LSTM whose final states start the decoder LSTM; Luong attention; per-step head."""
    enc_in = keras.Input((time,), batch_size=batch, dtype="int32", name="source")
    dec_in = keras.Input((time,), batch_size=batch, dtype="int32", name="target_in")
    enc = keras.layers.Embedding(VOCAB, 16)(enc_in)
    enc_seq, h, c = keras.layers.LSTM(24, return_sequences=True, return_state=True)(enc)
    dec = keras.layers.Embedding(VOCAB, 16)(dec_in)
    dec_seq = keras.layers.LSTM(24, return_sequences=True)(dec, initial_state=[h, c])
    context = keras.layers.Attention()([dec_seq, enc_seq])
    x = keras.layers.Concatenate()([dec_seq, context])
    logits = keras.layers.TimeDistributed(keras.layers.Dense(VOCAB))(x)
    return keras.Model([enc_in, dec_in], logits, name="seq2seq")


def _seq2seq_data(rng, n, time):
    source = rng.integers(1, VOCAB, (n, time)).astype(np.int32)
    target = source[:, ::-1]  # learn to reverse
    target_in = np.concatenate([np.ones((n, 1), np.int32), target[:, :-1]], axis=1)
    return [source, target_in], target


def crnn_ctc(batch=None, time=None) -> keras.Model:
    """Text-line recognizer: convolutions, image width as the time axis, BiGRU, CTC logits."""
    inp = keras.Input((16, time, 1), batch_size=batch, name="image")
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = keras.layers.MaxPooling2D((2, 1))(x)                 # (4, W/2, 16)
    x = keras.layers.Permute((2, 1, 3))(x)                   # width first: it is time
    x = keras.layers.Reshape((-1, 4 * 16))(x)
    x = keras.layers.Bidirectional(keras.layers.GRU(24, return_sequences=True))(x)
    return keras.Model(inp, keras.layers.Dense(11)(x), name="crnn_ctc")  # 10 symbols + blank 0


def _crnn_data(rng, n, width):
    labels = rng.integers(1, 11, (n, 4)).astype(np.int32)
    labels[:, 3][rng.random(n) < 0.5] = 0  # labels of 3 or 4 symbols, 0-padded
    return [rng.random((n, 16, width, 1)).astype(np.float32)], labels


def video_classifier(batch=None, time=None) -> keras.Model:
    """A small CNN applied to every frame (TimeDistributed), then a GRU over the frames."""
    inp = keras.Input((time, 16, 16, 1), batch_size=batch, name="frames")
    x = keras.layers.TimeDistributed(keras.layers.Conv2D(8, 3, activation="relu"))(inp)
    x = keras.layers.TimeDistributed(keras.layers.MaxPooling2D(2))(x)
    x = keras.layers.TimeDistributed(keras.layers.Conv2D(16, 3, activation="relu"))(x)
    x = keras.layers.TimeDistributed(keras.layers.GlobalAveragePooling2D())(x)
    x = keras.layers.GRU(32)(x)
    return keras.Model(inp, keras.layers.Dense(4, activation="softmax")(x), name="video")


def _video_data(rng, n, time):
    return [rng.random((n, time, 16, 16, 1)).astype(np.float32)], rng.integers(0, 4, n)


def two_branch(batch=None, time=None) -> keras.Model:
    """Audio features (Conv1D -> LSTM) and a transcript (masked Embedding -> GRU), fused late."""
    audio_in = keras.Input((time, 20), batch_size=batch, name="audio")
    text_in = keras.Input((time,), batch_size=batch, dtype="int32", name="text")
    audio = keras.layers.Conv1D(16, 3, padding="same", activation="relu")(audio_in)
    audio = keras.layers.LSTM(24)(audio)
    text = keras.layers.Embedding(VOCAB, 12, mask_zero=True)(text_in)
    text = keras.layers.GRU(24, go_backwards=True)(text)
    x = keras.layers.Concatenate()([audio, text])
    x = keras.layers.Dense(16, activation="relu")(x)
    return keras.Model([audio_in, text_in], keras.layers.Dense(1, activation="sigmoid")(x),
                       name="two_branch")


def _two_branch_data(rng, n, time):
    audio = rng.normal(size=(n, time, 20)).astype(np.float32)
    return [audio, _tokens(rng, n, time)], (audio.mean(axis=(1, 2)) > 0).astype(np.float32)


def masked_tagger(batch=None, time=None) -> keras.Model:
    """Sequence tagger: Masking -> LSTM -> Bidirectional GRU -> per-step Dense head."""
    inp = keras.Input((time, 8), batch_size=batch, name="features")
    x = keras.layers.Masking(0.0)(inp)
    x = keras.layers.LSTM(16, return_sequences=True)(x)
    x = keras.layers.Bidirectional(keras.layers.GRU(12, return_sequences=True))(x)
    return keras.Model(inp, keras.layers.TimeDistributed(keras.layers.Dense(3))(x), name="tagger")


def _tagger_data(rng, n, time):
    x = rng.normal(size=(n, time, 8)).astype(np.float32)
    for row, length in zip(x, rng.integers(max(1, time // 3), time + 1, n)):
        row[length:] = 0.0
    return [x], rng.integers(0, 3, (n, time))


SPARSE_CE = "sparse_categorical_crossentropy"
LOGITS_CE = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
ZOO = {
    z.name: z for z in [
        ZooModel("attention", attention_classifier, _attention_data, SPARSE_CE,
                 {"TFLiteRnnOps>GRU": 1}),
        ZooModel("seq2seq", seq2seq_with_attention, _seq2seq_data, LOGITS_CE,
                 {"TFLiteRnnOps>LSTM": 2}),
        ZooModel("crnn_ctc", crnn_ctc, _crnn_data, keras.losses.CTC(), {"TFLiteRnnOps>GRU": 1},
                 bench_time=128),
        ZooModel("video", video_classifier, _video_data, SPARSE_CE, {"TFLiteRnnOps>GRU": 1},
                 bench_time=16),
        ZooModel("two_branch", two_branch, _two_branch_data, "binary_crossentropy",
                 {"TFLiteRnnOps>LSTM": 1, "TFLiteRnnOps>GRU": 1}),
        ZooModel("tagger", masked_tagger, _tagger_data, LOGITS_CE,
                 {"TFLiteRnnOps>LSTM": 1, "TFLiteRnnOps>GRU": 1}),
    ]
}


def train_briefly(zoo: ZooModel, model: keras.Model, rng: np.random.Generator, time: int) -> None:
    """A few optimizer steps on synthetic data, after making the recurrent gates saturate too."""
    from conftest import randomize_weights

    layers = model._flatten_layers(include_self=False, recursive=True)
    for seed, layer in enumerate(x for x in layers if isinstance(x, keras.layers.RNN)):
        randomize_weights(layer, seed=seed)  # each direction of a Bidirectional its own
    inputs, targets = zoo.data(rng, 16, time)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=zoo.loss)
    model.fit(inputs if len(inputs) > 1 else inputs[0], targets, epochs=1, batch_size=8, verbose=0)
