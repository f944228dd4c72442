"""The embedding cache: a second run embeds nothing, a new article only its own sentences."""

from __future__ import annotations

import dataclasses
import filecmp
import shutil
from pathlib import Path

import numpy as np
import pytest

from consistency import check, cluster, embed, pipeline
from consistency.cache import EmbeddingCache, model_key
from consistency.errors import InputError
from consistency.report import TABLES

from .conftest import DATA, SEEDS


def test_known_texts_are_not_embedded_again(tmp_path: Path) -> None:
    m = embed.Manifest.load()
    cache = EmbeddingCache(tmp_path, m)
    texts = ["Putin visited Pyongyang.", "Kim greeted him.", "Putin visited Pyongyang."]
    first = embed.embed(texts, m, cache=cache)
    assert (cache.hits, cache.misses) == (0, 2)  # the repeated sentence is embedded once
    assert np.array_equal(first[0], first[2])
    again = EmbeddingCache(tmp_path, m)
    second = embed.embed([*texts, "The pact was signed."], m, cache=again)
    assert (again.hits, again.misses) == (2, 1)
    assert np.array_equal(second[:3], first)  # read back bit for bit
    np.testing.assert_allclose(first, embed.embed(texts, m), atol=1e-5)


def test_each_model_setting_has_its_own_store(tmp_path: Path) -> None:
    m = embed.Manifest.load()
    shorter = dataclasses.replace(m, max_seq_length=64)
    assert model_key(m) != model_key(shorter)
    assert model_key(m) == model_key(dataclasses.replace(m, batch_size=8))  # same vectors


def test_a_file_that_is_no_cache_is_refused_by_name(tmp_path: Path) -> None:
    m = embed.Manifest.load()
    cache = EmbeddingCache(tmp_path, m)
    cache.path.write_bytes(b"not a database, just some bytes" * 100)
    with pytest.raises(InputError, match=cache.path.name):
        embed.embed(["Putin visited Pyongyang."], m, cache=cache)


def test_a_second_run_gives_the_same_report_without_loading_the_model(tmp_path: Path) -> None:
    check(SEEDS, cache=tmp_path / "cache").to_csv(tmp_path / "first")
    embed.load_model.cache_clear()
    check(SEEDS, cache=tmp_path / "cache").to_csv(tmp_path / "second")
    assert embed.load_model.cache_info().currsize == 0  # every vector came from the cache
    names = sorted(p.name for p in (tmp_path / "first").glob("*.csv"))
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "first", tmp_path / "second", names)
    assert (mismatch, errors) == ([], []) and len(match) == len(TABLES)


def test_a_new_article_embeds_only_its_own_sentences(tmp_path: Path) -> None:
    m = embed.Manifest.load()
    story = tmp_path / "story"
    shutil.copytree(SEEDS, story)
    pipeline.read_story([story], m, cache=EmbeddingCache(tmp_path / "cache", m))
    shutil.copy(DATA / "outlets" / "006_daily.txt", story)
    cache = EmbeddingCache(tmp_path / "cache", m)
    read = pipeline.read_story([story], m, cache=cache)
    old = {s.text for s in read.sentences if s.doc_id != "006_daily"}
    old |= {c for t in old for c in cluster.clauses(t)}
    new = [s.text for s in read.sentences if s.doc_id == "006_daily"]
    new_texts = ({*new} | {c for t in new for c in cluster.clauses(t)}) - old
    assert cache.misses == len(new_texts) > 0


def test_vectors_written_behind_are_served_at_once_and_all_stored(tmp_path: Path) -> None:
    m = embed.Manifest.load()
    texts = ["Putin visited Pyongyang.", "Kim greeted him.", "The pact was signed."]
    vectors = embed.embed(texts, m)
    behind = EmbeddingCache(tmp_path, m, write_behind=True)
    behind.put(texts[:2], vectors[:2])
    behind.put(texts[2:], vectors[2:])
    # Whether or not the threads have written yet, the vectors in flight are known.
    got = behind.get([*texts, "Not seen."])
    assert sorted(got) == sorted(texts) and (behind.hits, behind.misses) == (3, 1)
    behind.flush()
    assert not behind._writers and not behind._pending
    stored = EmbeddingCache(tmp_path, m).get(texts)  # another reader, from the file
    assert all(np.array_equal(stored[t], v) for t, v in zip(texts, vectors, strict=True))


def test_a_write_behind_that_fails_is_raised_by_flush_naming_the_file(tmp_path: Path) -> None:
    m = embed.Manifest.load()
    behind = EmbeddingCache(tmp_path, m, write_behind=True)
    behind.path.write_bytes(b"not a database, just some bytes" * 100)
    behind.put(["Putin visited Pyongyang."], np.ones((1, m.dim), dtype=np.float32))  # no raise
    with pytest.raises(InputError, match=behind.path.name):
        behind.flush()
    behind.flush()  # raised once; nothing left in flight


def test_check_leaves_every_new_vector_written(tmp_path: Path) -> None:
    # check() writes behind; when it returns, a reader of the file finds every text the
    # run embedded (sentences and clauses alike).
    m = embed.Manifest.load()
    report = check(SEEDS, cache=tmp_path)
    texts = set(report.sentences["text"])
    texts |= {c for t in texts for c in cluster.clauses(t)}
    reader = EmbeddingCache(tmp_path, m)
    assert len(reader.get(sorted(texts))) == len(texts)


def test_a_run_whose_cache_holds_vectors_never_loads_the_model_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every input is "large" here: a run loads the model ahead while it cleans, unless its
    # cache already holds vectors (then whether it needs the model is known only later).
    monkeypatch.setattr(pipeline, "PRELOAD_BYTES", 0)
    m = embed.Manifest.load()
    assert EmbeddingCache(tmp_path, m).empty()
    embed.load_model.cache_clear()
    check(SEEDS, cache=tmp_path).to_csv(tmp_path / "first")  # loaded ahead, then used
    assert not EmbeddingCache(tmp_path, m).empty()
    embed.load_model.cache_clear()
    check(SEEDS, cache=tmp_path).to_csv(tmp_path / "second")
    assert embed.load_model.cache_info().currsize == 0
    names = sorted(p.name for p in (tmp_path / "first").glob("*.csv"))
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "first", tmp_path / "second", names)
    assert (mismatch, errors) == ([], []) and len(match) == len(TABLES)


@pytest.mark.parametrize("from_stdin", [False, True])
def test_a_large_first_run_loads_the_model_while_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, from_stdin: bool
) -> None:
    # Input files large enough have the model loading before they are read (the other
    # core is idle then); standard input's size is known only once read, so its articles
    # have it loading while they are cleaned. Either way the run uses that model.
    import io
    import json

    monkeypatch.setattr(pipeline, "PRELOAD_BYTES", 1)
    loading_when_read = []
    read = pipeline.ingest.load

    def spy(*args: object, **kwargs: object) -> object:
        loaded = embed.load_model.cache_info().currsize
        loading_when_read.append(bool(embed._loading) or bool(loaded))
        return read(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline.ingest, "load", spy)
    embed.load_model.cache_clear()
    files = sorted(SEEDS.glob("*.txt"))
    rows = [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in files]
    if from_stdin:
        stdin = io.BytesIO("".join(json.dumps(r) + "\n" for r in rows).encode())
        report = check("-", stdin=stdin, cache=tmp_path / "cache")
    else:
        report = check(SEEDS, cache=tmp_path / "cache")
    assert loading_when_read == [not from_stdin]
    assert embed.load_model.cache_info().currsize == 1 and not embed._loading
    assert len(report.sentences) > 0
