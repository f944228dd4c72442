"""Stories: a mixed input is grouped by event, and each story gets the claims it gets alone."""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.sparse.csgraph import connected_components

import consistency
from consistency import stories
from consistency.cli import app
from consistency.cluster import gram, unit_rows

from .conftest import DATA, ROOT, SEEDS


def partition(report: consistency.Report, docs: set[str]) -> set[frozenset[str]]:
    """The sentences of ``docs`` grouped by claim, as sets of sentence ids."""
    rows = report.sentences[report.sentences.doc_id.isin(docs)]
    return {frozenset(g.sentence_id) for _, g in rows.groupby("claim_id")}


def groups(labels: list[int], index: list[int]) -> set[frozenset[int]]:
    """Labels as a partition of the indices they stand for."""
    return {frozenset(index[k] for k, x in enumerate(labels) if x == y) for y in set(labels)}


@pytest.fixture(scope="module")
def ecb_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ECB+ story's seven articles, without the folder's README."""
    folder = tmp_path_factory.mktemp("ecb") / "ecb"
    shutil.copytree(DATA / "ecbplus_37ecb", folder, ignore=shutil.ignore_patterns("*.md"))
    return folder


@pytest.fixture(scope="module")
def ecb_alone(ecb_folder: Path) -> consistency.Report:
    return consistency.check([ecb_folder])


@pytest.fixture(scope="module")
def mixed(ecb_folder: Path) -> consistency.Report:
    """The seeds (Putin in Pyongyang) and a real ECB+ story (Indonesian earthquake), as one."""
    return consistency.check([SEEDS, ecb_folder])


def test_one_story_stays_one(seed_report, ecb_alone) -> None:
    for report in (seed_report, ecb_alone):
        assert set(report.documents.story) == {"s01"}
        assert set(report.claims.story) == {"s01"}


def test_a_mixed_input_is_grouped_by_story(mixed, seed_report, ecb_alone) -> None:
    story = dict(zip(mixed.documents.doc_id, mixed.documents.story, strict=True))
    seeds, ecb = set(seed_report.documents.doc_id), set(ecb_alone.documents.doc_id)
    assert set(story) == seeds | ecb
    assert len({story[d] for d in seeds}) == 1
    assert len({story[d] for d in ecb}) == 1
    assert {story[d] for d in seeds} != {story[d] for d in ecb}
    assert mixed.summary()["stories"] == 2
    for claim in mixed.claims.itertuples():  # a claim never crosses stories
        assert {story[d] for d in claim.sources.split(";")} == {claim.story}


def test_each_story_gets_the_claims_it_gets_alone(mixed, seed_report, ecb_alone) -> None:
    for alone in (seed_report, ecb_alone):
        docs = set(alone.documents.doc_id)
        assert partition(mixed, docs) == partition(alone, docs)
        statuses = alone.claims.set_index("text").status
        mine = mixed.claims[mixed.claims.doc_id.isin(docs)].set_index("text").status
        assert mine.sort_index().equals(statuses.sort_index())


def test_one_story_flag_takes_everything_as_one(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder / "seeds")
    shutil.copytree(DATA / "ecbplus_37ecb", folder / "ecb")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["check", str(folder), "-o", str(out), "--one-story"])
    assert result.exit_code == 0, result.output
    assert "in 1 story," in result.output
    assert set(pd.read_csv(out / "documents.csv", keep_default_na=False).story) == {"s01"}


def test_grouping_ignores_order_and_repeats(seed_texts: dict[str, str]) -> None:
    ecb = [p.read_text(encoding="utf-8") for p in sorted((DATA / "ecbplus_37ecb").glob("*.txt"))]
    texts = list(seed_texts.values()) + ecb
    labels = stories.group(texts)
    assert labels[0] == 0  # numbered by first appearance
    assert len(set(labels[: len(seed_texts)])) == 1 and len(set(labels)) == 2
    order = list(range(len(texts)))
    random.Random(7).shuffle(order)
    shuffled = stories.group([texts[i] for i in order])
    assert groups(shuffled, order) == groups(labels, list(range(len(texts))))
    assert stories.group([*texts, texts[3]])[-1] == labels[3]  # a repeat joins its original
    assert stories.group([]) == [] and stories.group([texts[0]]) == [0]


def labelled_topic(topic: int) -> tuple[list[dict[str, str]], list[str]]:
    """The ECB+ articles of one labelled topic (two events of a kind) and their stories."""
    corpus = ROOT / "benchmarks" / "data" / "ecbplus"
    with (corpus / "dev_stories.csv").open(encoding="utf-8") as f:
        label = {r["id"]: r["story"] for r in csv.DictReader(f)}
    with (corpus / "articles.jsonl").open(encoding="utf-8") as f:
        rows = [{"id": r["id"], "text": r["text"]} for r in map(json.loads, f)]
    mine = [r for r in rows if label.get(r["id"], "").startswith(f"{topic}-")]
    return mine, [label[r["id"]] for r in mine]


def test_shared_claims_part_two_events_the_names_do_not(tmp_path: Path) -> None:
    # Topic 25 of ECB+: two events of one kind whose names and numbers alone leave them one
    # story; the claims each event's reports share in near-identical sentences part them.
    rows, truth = labelled_topic(25)
    table = tmp_path / "topic25.jsonl"
    table.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = consistency.check([table])
    story = dict(zip(report.documents.doc_id, report.documents.story, strict=True))
    got = [story[r["id"]] for r in rows]
    assert adjusted_rand(truth, got) == 1.0
    texts = [r["text"] for r in rows]
    assert len(set(stories.group(texts))) == 1  # without the vectors: one story
    for event in sorted(set(truth)):  # each event alone stays whole
        alone = tmp_path / f"{event}.jsonl"
        alone.write_text(
            "".join(json.dumps(r) + "\n" for r, t in zip(rows, truth, strict=True) if t == event),
            encoding="utf-8",
        )
        assert set(consistency.check([alone]).documents.story) == {"s01"}


def adjusted_rand(truth: list[str], got: list[str]) -> float:
    """scikit-learn's adjusted Rand index (tests may import it; a check may not)."""
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(truth, got))


def test_worker_processes_give_the_same_report(
    ecb_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Teasers, values and claims found in a pool of two: byte for byte the serial report."""
    import os

    from consistency import cluster, embed, pipeline

    manifest, head = embed.Manifest.load(), cluster.LinkHead.load()
    serial = pipeline.read_story([SEEDS, ecb_folder], manifest, workers=1)
    pooled = pipeline.read_story([SEEDS, ecb_folder], manifest, workers=2)
    assert len(pooled.parts) == 2
    found = pipeline.all_part_claims(pooled, head, workers=2)
    assert {got.process for got in found}.isdisjoint({os.getpid()})  # really in workers
    a = pipeline.conclude(serial, head, workers=1)
    b = pipeline.conclude(pooled, head, workers=2, show_progress=True)
    assert "finding claims" in capsys.readouterr().err  # the bar moves as stories finish
    assert len(b.conflicts) > 0  # claim names and sentence indices mapped back
    a.to_csv(tmp_path / "serial")
    b.to_csv(tmp_path / "pooled")
    for path in sorted((tmp_path / "serial").iterdir()):
        assert path.read_bytes() == (tmp_path / "pooled" / path.name).read_bytes(), path.name


def every_pair_copies(x: sparse.csr_array, threshold: float) -> list[int]:
    """Near-copy labels from the dot product of every two rows, as the grouping had them."""
    return connected_components(sparse.csr_array(gram(x) >= threshold), directed=False)[1].tolist()


@pytest.mark.parametrize("seed", range(30))
def test_near_copies_are_those_of_every_pair(seed: int) -> None:
    # Rows with copies moved by a little or a lot (some just either side of the cut),
    # rows of zeros, and cuts below the prefix's: the pairs found from the prefixes join
    # exactly the rows the full product joins.
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 60)), int(rng.integers(5, 300))
    dense = rng.random((n, m)) ** 3 * (rng.random((n, m)) < rng.uniform(0.02, 0.3))
    for i in range(n):
        if rng.random() < 0.4:
            j = int(rng.integers(0, n))
            dense[i] = dense[j] * (1 + rng.uniform(0, 0.6) * rng.random(m))
        if rng.random() < 0.05:
            dense[i] = 0.0
    x = unit_rows(sparse.csr_array(dense))
    for threshold in (stories.NEAR_COPY, 0.99, 0.7, 0.3):
        got = stories.near_copies(x, threshold).tolist()
        assert got == every_pair_copies(x, threshold)


def test_near_copies_of_real_articles(seed_texts: dict[str, str]) -> None:
    # ECB+ and seed articles with syndicated copies: a new first line, a line dropped, a
    # word changed; the copies and the articles they copy are found as the full product
    # finds them, and the grouping gives each copy its original's story.
    ecb = [p.read_text(encoding="utf-8") for p in sorted((DATA / "ecbplus_37ecb").glob("*.txt"))]
    texts = list(seed_texts.values()) + ecb
    copies = []
    for k, text in enumerate(texts):
        lines = text.split("\n")
        copies.append(f"Syndicated by outlet {k}.\n{text}")
        copies.append("\n".join(lines[:-1]))
        copies.append(text.replace(" the ", " a ", 1))
    every = texts + copies
    first, _ = stories.matrices(sorted(set(every)))
    x = unit_rows(first)
    found = stories.near_copies(x).tolist()
    assert found == every_pair_copies(x, stories.NEAR_COPY)
    assert len(set(found)) < len(found)  # copies were found
    labels = stories.group(every)
    assert labels[len(texts) :] == [labels[i] for i in range(len(texts)) for _ in range(3)]


def test_near_copies_of_one_text_alone_are_one_story() -> None:
    # Two outlets running one wire sentence, one with a word added: one set of copies and
    # nothing else, which the tree of the sets (one leaf) cannot be built over.
    wire = (
        "Twenty-three people died when an overcrowded passenger ferry capsized on Lake "
        "Victoria on Tuesday, officials said."
    )
    texts = [wire, wire.replace("said.", "said on Wednesday.")]
    x = unit_rows(stories.matrices(sorted(set(texts)))[0])
    assert len(set(stories.near_copies(x).tolist())) == 1  # the case: near-copies only
    assert stories.group(texts) == [0, 0]


@pytest.mark.parametrize("seed", range(10))
def test_near_pairs_are_those_of_every_pair(seed: int) -> None:
    # The pairs (and their dots) at a loose cut, as source families ask for them, are
    # exactly those of the full product, each once with i < j.
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 50)), int(rng.integers(5, 200))
    dense = rng.random((n, m)) ** 3 * (rng.random((n, m)) < rng.uniform(0.02, 0.3))
    x = unit_rows(sparse.csr_array(dense))
    full = gram(x)
    for threshold in (0.3, 0.6, stories.NEAR_COPY):
        i, j, dots = stories.near_pairs(x, threshold)
        want = [(a, b) for a in range(n) for b in range(a + 1, n) if full[a, b] >= threshold]
        assert list(zip(i.tolist(), j.tolist(), strict=True)) == want
        assert np.allclose(dots, [full[a, b] for a, b in want])
