"""check(paths) -> Report: the stages in order, ingest to report."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from consistency import clean, cluster, compare, embed, ingest, knn, report, segment, slots
from consistency.cache import EmbeddingCache
from consistency.errors import InputError
from consistency.progress import bar, wanted
from consistency.records import Document, Dropped, Sentence, Span

# Memory now grows with the input (the whole ECB+ corpus as one input, 15,325 sentences:
# 0.71 GB peak), but the exact neighbour search and the teaser check still take time that
# grows with the square of the sentences (about 5 s at 9,693; some ten minutes at 100,000).
# Larger inputs are refused up front, before any embedding time is spent, unless the limit
# is raised.
MAX_SENTENCES = 50_000
# Up to this many sentences claims are found from every pair (cluster.evidence: 0.25 GB at
# 2,000 sentences); above it from each sentence's nearest neighbours (knn.py), whose memory
# grows with the number of sentences instead of its square.
EXACT_MAX = 3_000


@dataclass(frozen=True)
class Story:
    """A story's documents read, cleaned, split, embedded and their values read."""

    documents: list[Document]
    sentences: list[Sentence]
    dropped: list[Dropped]
    evidence: cluster.Evidence | knn.Inputs  # dense up to EXACT_MAX sentences, else sparse
    slots: list[tuple[slots.Slot, ...]]  # each sentence's values
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage


@contextmanager
def timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    """Add the wall time of the block to ``seconds[stage]`` (benchmarks read these)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - start


def read_story(
    paths: Sequence[str | Path],
    manifest: embed.Manifest,
    *,
    max_sentences: int = MAX_SENTENCES,
    show_progress: bool = False,
    cache: EmbeddingCache | None = None,
    exact_max: int = EXACT_MAX,
    **ingest_options: Any,
) -> Story:
    """Ingest, clean, segment and embed the articles under ``paths``.

    ``ingest_options`` go to ingest.load (text_column, id_column, skip_bad_rows, stdin);
    ``show_progress`` draws bars for the embedding and slot stages on stderr; ``cache``
    keeps the vectors on disk between runs; above ``exact_max`` sentences claims are found
    over each sentence's nearest neighbours instead of all pairs (knn.py).
    """
    seconds: dict[str, float] = {}
    with timed(seconds, "ingest"):
        ingested = ingest.load(paths, **ingest_options)
    docs = ingested.documents
    kept: list[Span] = []
    dropped: list[Dropped] = list(ingested.dropped)
    sentences: list[Sentence] = []
    with timed(seconds, "clean_segment"):
        for doc in docs:
            doc_kept, doc_dropped = clean.furniture(doc)
            kept += doc_kept
            dropped += doc_dropped
            sentences += segment.sentences(doc, doc_kept)
    if len(sentences) > max_sentences:
        raise InputError(
            f"{len(sentences):,} sentences in {len(docs):,} documents: the run stops at "
            f"{max_sentences:,} sentences, beyond which part of its time grows with the "
            "square of the input; check fewer articles at a time, or raise --max-sentences."
        )
    with timed(seconds, "embed"):
        vectors = embed.embed(
            [s.text for s in sentences],
            manifest,
            progress=show_progress,
            unit="sentences",
            cache=cache,
        )
    with timed(seconds, "off_topic"):
        keep, teasers = clean.off_topic(kept, dropped, sentences, vectors)
    dropped += teasers
    sentences = [s for s, k in zip(sentences, keep, strict=True) if k]
    vectors = vectors[np.asarray(keep, dtype=bool)] if len(keep) else vectors
    texts = [s.text for s in sentences]
    clause_texts = [cluster.clauses(t) for t in texts]
    with timed(seconds, "embed"):
        flat = embed.embed(
            [c for cs in clause_texts for c in cs],
            manifest,
            progress=show_progress,
            unit="clauses",
            cache=cache,
        )
    bounds = np.cumsum([0] + [len(cs) for cs in clause_texts])
    clause_vectors: list[NDArray[np.float32]] = [flat[a:b] for a, b in itertools.pairwise(bounds)]
    published = {d.doc_id: d.published for d in docs}
    values = []
    shown = bar(len(sentences), "reading values", enabled=show_progress)
    with timed(seconds, "slots"), shown:
        for s in sentences:
            values.append(slots.extract(s.text, published[s.doc_id]))
            shown.update()
    kinds = [cluster.value_kinds(vs) for vs in values]
    doc_ids = [s.doc_id for s in sentences]
    ev: cluster.Evidence | knn.Inputs
    with timed(seconds, "evidence"):
        if len(sentences) <= exact_max:
            ev = cluster.evidence(texts, doc_ids, vectors, clause_vectors, kinds)
        else:
            ev = knn.Inputs(texts, np.asarray(doc_ids), vectors, clause_vectors, kinds)
    return Story(docs, sentences, dropped, ev, values, ingested.warnings, seconds)


def check(
    paths: Sequence[str | Path] | str | Path,
    *,
    models: str | Path | None = None,
    text_column: str = "text",
    id_column: str = "id",
    skip_bad_rows: bool = False,
    stdin: BinaryIO | None = None,
    max_sentences: int = MAX_SENTENCES,
    progress: bool | None = None,
    cache: str | Path | None = None,
) -> report.Report:
    """Check the articles under ``paths`` and return the report.

    ``paths`` are article files (.txt, .md, .html), tables of articles (.csv, .tsv, .jsonl),
    folders of them, or "-" for JSONL on ``stdin``; ``text_column``/``id_column`` name a
    table's columns; ``skip_bad_rows`` sets bad table rows aside instead of stopping;
    ``models`` is the folder with the model manifest and the link head (default: the
    project's ``models/``); more than ``max_sentences`` kept sentences is refused;
    ``progress`` draws progress bars on stderr (default: only when stderr is a terminal);
    ``cache`` is a folder that keeps sentence embeddings between runs, so a run embeds only
    sentences it has not seen (see cache.py).
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    manifest = embed.Manifest.load(models)
    head = cluster.LinkHead.load(models)
    story = read_story(
        paths,
        manifest,
        text_column=text_column,
        id_column=id_column,
        skip_bad_rows=skip_bad_rows,
        stdin=stdin,
        max_sentences=max_sentences,
        show_progress=wanted(progress),
        cache=EmbeddingCache(Path(cache), manifest) if cache is not None else None,
    )
    return conclude(story, head)


def conclude(story: Story, head: cluster.LinkHead) -> report.Report:
    """Claims, conflicts and the report of a story read (times land in story.seconds)."""
    ev = story.evidence
    with timed(story.seconds, "cluster"):
        if isinstance(ev, cluster.Evidence):
            links: NDArray[np.float64] | sparse.csr_array = cluster.link_matrix(ev, head)
        else:
            links = knn.links(ev, head)
        claims = cluster.claims_from_links(links, ev.doc_ids, head.link_threshold)
    with timed(story.seconds, "compare"):
        names = report.claim_names(claims, [s.doc_id for s in story.sentences])
        members = {names[label]: idx for label, idx in claims.members().items()}
        linked = linked_values(links, story.slots, head.link_threshold)
        found = compare.conflicts(story.sentences, members, story.slots, linked)
    with timed(story.seconds, "report"):
        return report.build(
            story.documents,
            story.sentences,
            claims,
            story.evidence.vectors,
            story.dropped,
            story.warnings,
            story.slots,
            found,
        )


def linked_values(
    links: NDArray[np.float64] | sparse.csr_array,
    values: Sequence[Sequence[slots.Slot]],
    threshold: float,
) -> list[tuple[int, int]]:
    """Pairs of sentences with values whose link probability reaches the claim threshold.

    compare.py checks them even when the clustering put them in different claims.
    """
    valued = np.flatnonzero([bool(v) for v in values])
    near = sparse.coo_array(sparse.triu(sparse.csr_array(links)[valued][:, valued] >= threshold, 1))
    pairs = sorted(zip(near.row.tolist(), near.col.tolist(), strict=True))
    return [(int(valued[a]), int(valued[b])) for a, b in pairs]
