"""check(inputs) -> Report: the stages in order, ingest to report."""

from __future__ import annotations

import dataclasses
import itertools
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from consistency import (
    clean,
    cluster,
    compare,
    embed,
    frames,
    ingest,
    knn,
    report,
    segment,
    slots,
    sources,
    stories,
)
from consistency.cache import EmbeddingCache, FrameCache
from consistency.errors import InputError
from consistency.progress import bar, wanted
from consistency.records import Document, Dropped, Sentence, Span
from consistency.workers import (
    PARALLEL_MIN,
    Feed,
    fork_map,
    frozen,
    how_many,
    one_blas_thread,
    spare_core,
)

__all__ = [
    "MAX_SENTENCES",
    "PRELOAD_BYTES",
    "Story",
    "check",
    "conclude",
    "group_stories",
    "kept_sentences",
    "read_story",
]

# An input is grouped into stories first and every later stage runs per story, so time and
# memory grow with the input (94,351 sentences, the ECB+ corpus repeated: 89 s, 1.4 GB).
# What still grows with the square of one story's size is the teaser check and, in a story
# larger than EXACT_MAX, the neighbour search. Larger inputs are refused up front, before
# any embedding time is spent, unless the limit is raised.
MAX_SENTENCES = 100_000
# From this many bytes of input files (about PARALLEL_MIN sentences) a run without vectors
# in its cache loads the model in a thread while it reads them (0.5 s at 100,000 sentences)
# on the core that is idle until the cleaning feeds the values' process: the model is
# loaded 0.17 s sooner than after the cleaning, or beside it. A smaller input reads its
# values while the model loads instead (see read_story), which needs no thread. Standard
# input, whose size is known once read, is loaded ahead from as many characters of
# articles, while they are cleaned.
PRELOAD_BYTES = 500_000
# Up to this many sentences claims are found from every pair (cluster.evidence: 0.25 GB at
# 2,000 sentences); above it from each sentence's nearest neighbours (knn.py), whose memory
# grows with the number of sentences instead of its square.
EXACT_MAX = 3_000


@dataclass(frozen=True)
class Part:
    """One story of the input: its sentences and the evidence their claims are found from."""

    story: str  # "s01", ...: stories numbered by size (see story_names)
    rows: NDArray[np.int64]  # its sentences, as indices into Story.sentences (ascending)
    inputs: knn.Inputs  # what its evidence is computed from
    exact: bool  # all pairs (cluster.evidence) rather than nearest neighbours (knn.py)

    @property
    def evidence(self) -> cluster.Evidence | knn.Inputs:
        """Its evidence, computed afresh on each call.

        The dense evidence holds several n x n matrices: an input of many stories holds
        one story's at a time.
        """
        if not self.exact:
            return self.inputs
        i = self.inputs
        return cluster.evidence(i.texts, list(i.doc_ids), i.vectors, i.clause_vectors, i.kinds)


@dataclass(frozen=True)
class Story:
    """The input read, cleaned, split, grouped into stories, embedded and its values read.

    The name is historical: an input may hold several stories (``parts``), whose claims
    are found apart; ``story_of`` gives each document's story.
    """

    documents: list[Document]
    sentences: list[Sentence]
    dropped: list[Dropped]
    parts: list[Part]
    vectors: NDArray[np.float32]  # each sentence's vector
    slots: list[tuple[slots.Slot, ...]]  # each sentence's values
    story_of: dict[str, str]  # doc_id -> story ("" for a document without sentences)
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage

    @property
    def evidence(self) -> cluster.Evidence | knn.Inputs:
        """The evidence of an input that holds one story (the link head is fitted on one)."""
        if len(self.parts) != 1:
            raise ValueError(f"the input holds {len(self.parts)} stories; see Story.parts")
        return self.parts[0].evidence


@contextmanager
def timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    """Add the wall time of the block to ``seconds[stage]`` (benchmarks read these)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - start


def kept_sentences(docs: Sequence[Document]) -> list[Sentence]:
    """The sentences of ``docs`` that the furniture filter keeps, as read_story splits them.

    Without embedding, so without the teaser check, which needs the vectors: what the
    benchmarks of the stages before the embedding read.
    """
    sentences: list[Sentence] = []
    for doc in docs:
        kept, _ = clean.furniture(doc)
        sentences += segment.sentences(doc, kept)
    return sentences


def read_story(
    paths: Sequence[ingest.Source],
    manifest: embed.Manifest,
    *,
    max_sentences: int = MAX_SENTENCES,
    show_progress: bool = False,
    cache: EmbeddingCache | None = None,
    exact_max: int = EXACT_MAX,
    one_story: bool = False,
    workers: int | None = None,
    exclude: Sequence[str | Path] = (),
    **ingest_options: Any,
) -> Story:
    """Ingest, clean, segment, group into stories and embed the articles under ``paths``.

    ``ingest_options`` go to ingest.load (text_column, id_column, skip_bad_rows,
    skip_bad_files, stdin);
    ``show_progress`` draws bars for the embedding (and the values, when read here) on
    stderr; ``cache`` keeps the vectors on disk between runs (one that writes behind is
    flushed by the caller, as check() does); above ``exact_max`` sentences in a story its
    claims are found over each sentence's nearest neighbours instead of all pairs
    (knn.py); ``one_story`` takes the whole input as one story instead of grouping it;
    ``workers``: with more than one (by default, with a second core), the values are
    read in a forked process, from the lines this one sends it as it splits them: a small
    input's rest while this one loads the model and embeds, a larger one's while it groups
    the stories and looks for teasers. A larger input whose cache holds nothing yet has its
    model loaded in a thread while it is read (PRELOAD_BYTES). Folders in ``exclude`` (the
    report's) and folders holding a report are not read (ingest.find).
    """
    seconds: dict[str, float] = {}
    with timed(seconds, "ingest"):
        found = ingest.find(paths, exclude=exclude)
        sources = found.files
    # With a second core the values are read in a forked process, fed each distinct line
    # as it is split (Feed): it works on the core the cleaning leaves free, but not beside
    # the embedding, which keeps both cores busy. A small input's lines go over as soon as
    # all are split, to be read while the model loads (one core for 0.4 s; they take
    # 0.37 s at 1,000 sentences) and embeds; a larger input's rest once the embedding is
    # done, beside the story grouping. Forked before any thread of ours starts.
    feed = Feed(read_values) if spare_core(workers) else None
    try:
        ahead = cache is None or cache.empty()  # else whether the model is needed is not known
        if ahead and input_bytes(sources) >= PRELOAD_BYTES:
            embed.preload(manifest)  # while the articles are read
            ahead = False
        with timed(seconds, "ingest"):
            ingested = ingest.load(sources, **ingest_options)
        docs = ingested.documents
        if ahead and sum(len(d.text) for d in docs) >= PRELOAD_BYTES:
            embed.preload(manifest)  # standard input: while the articles are cleaned
        kept: list[Span] = []
        dropped: list[Dropped] = list(ingested.dropped)
        sentences: list[Sentence] = []
        keys: list[tuple[str, str]] = []  # each sentence's (text, publication date)
        offered: set[tuple[str, str]] = set()
        with timed(seconds, "clean_segment"):
            for doc in docs:
                doc_kept, doc_dropped = clean.furniture(doc)
                kept += doc_kept
                dropped += doc_dropped
                doc_sentences = segment.sentences(doc, doc_kept)
                sentences += doc_sentences
                doc_keys = [(s.text, doc.published) for s in doc_sentences]
                keys += doc_keys
                if feed:
                    new = [key for key in dict.fromkeys(doc_keys) if key not in offered]
                    offered.update(new)
                    feed.offer(new)
        if len(sentences) > max_sentences:
            raise InputError(
                f"{len(sentences):,} sentences in {len(docs):,} documents: the run stops at "
                f"{max_sentences:,} sentences, beyond which one story's neighbour search can "
                "take time that grows with the square of its size; check fewer articles at a "
                "time, or raise --max-sentences."
            )
        if feed and len(sentences) < PARALLEL_MIN:
            feed.close()
        with timed(seconds, "embed"):
            vectors = embed.embed(
                [s.text for s in sentences],
                manifest,
                progress=show_progress,
                unit="sentences",
                cache=cache,
            )
        embed.wait_for_load(manifest)  # done by now, unless nothing needed embedding
        if feed:
            feed.close()
        busy = feed is not None and not feed.ready()  # the values' process
        with timed(seconds, "stories"), one_blas_thread(busy):
            story_of = group_stories(docs, sentences, one_story, vectors)
        free = feed is None or feed.ready()
        with timed(seconds, "off_topic"), one_blas_thread(not free):
            # Over both cores when the values' process has finished (at 100k it has; at
            # 10k it may not have, and would only be slowed).
            pool = how_many(workers, len(sentences)) if free else 1
            keep, teasers = off_topic(kept, dropped, sentences, vectors, story_of, pool)
        with timed(seconds, "slots"):  # what is left of reading the values: the wait
            read = feed.result() if feed else {}
    finally:
        if feed:
            feed.cancel()
    dropped += teasers
    sentences = [s for s, k in zip(sentences, keep, strict=True) if k]
    vectors = vectors[np.asarray(keep, dtype=bool)] if len(keep) else vectors
    texts = [s.text for s in sentences]
    kept_keys = [key for key, k in zip(keys, keep, strict=True) if k]
    with timed(seconds, "slots"):
        if feed is None:
            read = values_of(kept_keys, show_progress)
        readings = [read[key] for key in kept_keys]
    with timed(seconds, "frames"):  # what each value measures: the lines with values parsed
        store = None if cache is None else FrameCache(cache.folder, frames.cache_key())
        values = frames.frame_all(texts, [r.values for r in readings], store)
    kinds = [r.kinds for r in readings]
    # A line that wire copy repeats has its clauses looked up once; its copies share one
    # block of the clause vectors.
    split = dict(zip(texts, (r.clauses for r in readings), strict=True))
    with timed(seconds, "embed"):
        flat = embed.embed(
            [c for cs in split.values() for c in cs],
            manifest,
            progress=show_progress,
            unit="clauses",
            cache=cache,
        )
    bounds = itertools.pairwise(np.cumsum([0] + [len(cs) for cs in split.values()]).tolist())
    block = {t: flat[a:b] for t, (a, b) in zip(split, bounds, strict=True)}
    clause_vectors: list[NDArray[np.float32]] = [block[t] for t in texts]
    doc_ids = [s.doc_id for s in sentences]
    parts = []
    for name, rows in story_rows(sentences, story_of):
        inputs = knn.Inputs(
            [texts[i] for i in rows],
            np.asarray([doc_ids[i] for i in rows]),
            vectors[rows],
            [clause_vectors[i] for i in rows],
            [kinds[i] for i in rows],
        )
        parts.append(Part(name, rows, inputs, exact=len(rows) <= exact_max))
    warnings = [*found.skipped, *ingested.warnings]
    return Story(docs, sentences, dropped, parts, vectors, values, story_of, warnings, seconds)


class Reading(NamedTuple):
    """What is read of one line beside the embedding (read_line)."""

    values: tuple[slots.Slot, ...]  # slots.extract, against the publication date
    kinds: set[str]  # cluster.value_kinds of the values
    clauses: list[str]  # cluster.clauses of the line


def read_line(text: str, published: str) -> Reading:
    """A line's values, their kinds and its clauses: all the claims need of it but vectors."""
    values = slots.extract(text, published)
    return Reading(values, cluster.value_kinds(values), cluster.clauses(text))


def input_bytes(sources: Sequence[ingest.Source]) -> int:
    """The size of the input files (standard input, "-", counts 0: it is not read yet).

    Rows in memory count 0 too: read_story preloads the model for them by their text.
    """
    total = 0
    for source in sources:
        if isinstance(source, Path):
            with suppress(OSError):  # gone: ingest says so
                total += source.stat().st_size
    return total


def read_values(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Reading]:
    """read_line of each (sentence, publication date) key, as the keys come (a Feed's task)."""
    return {key: read_line(*key) for key in keys}


def values_of(
    keys: Sequence[tuple[str, str]], show_progress: bool = False
) -> dict[tuple[str, str], Reading]:
    """read_line of each distinct (sentence, publication date) key, in this process.

    Wire copy repeats lines; each is read once. ``show_progress`` draws a bar of them.
    """
    distinct = list(dict.fromkeys(keys))
    with bar(len(distinct), "reading values", unit="lines", enabled=show_progress) as shown:
        found = {}
        for key in distinct:
            found[key] = read_line(*key)
            shown.update()
    return found


def group_stories(
    docs: Sequence[Document],
    sentences: Sequence[Sentence],
    one_story: bool,
    vectors: NDArray[np.float32] | None = None,
) -> dict[str, str]:
    """Each document's story (stories.py), named by story_names; "" for one without sentences.

    ``vectors`` (one row per sentence, optional) let stories.py compare the claims articles
    share. A document dropped as a duplicate takes its original's story.
    """
    lines: dict[str, list[str]] = {}
    rows: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        lines.setdefault(s.doc_id, []).append(s.text)
        rows.setdefault(s.doc_id, []).append(i)
    grouped = [d.doc_id for d in docs if d.doc_id in lines]
    by_doc = None if vectors is None else [doc_rows(vectors, rows[d]) for d in grouped]
    labels = (
        [0] * len(grouped)
        if one_story
        else stories.group(["\n".join(lines[d]) for d in grouped], by_doc)
    )
    names = story_names(dict(zip(grouped, labels, strict=True)))
    story_of = {d.doc_id: names.get(d.doc_id, "") for d in docs}
    for d in docs:
        if d.duplicate_of and not story_of[d.doc_id]:
            story_of[d.doc_id] = story_of.get(d.duplicate_of, "")
    return story_of


def doc_rows(vectors: NDArray[np.float32], rows: list[int]) -> NDArray[np.float32]:
    """A document's rows of ``vectors``: a view where they are consecutive, as read."""
    if rows[-1] - rows[0] + 1 == len(rows):
        return vectors[rows[0] : rows[-1] + 1]
    return vectors[rows]


def story_names(labels: dict[str, int]) -> dict[str, str]:
    """Story labels -> "s01", "s02"...: most documents first, then by first document id."""
    members: dict[int, list[str]] = {}
    for doc_id, label in labels.items():
        members.setdefault(label, []).append(doc_id)
    order = sorted(members, key=lambda k: (-len(members[k]), min(members[k])))
    width = max(2, len(str(len(order))))
    name = {label: f"s{rank + 1:0{width}d}" for rank, label in enumerate(order)}
    return {doc_id: name[label] for doc_id, label in labels.items()}


def story_rows(
    sentences: Sequence[Sentence], story_of: dict[str, str]
) -> list[tuple[str, NDArray[np.int64]]]:
    """Each story with its sentences' indices, in story order."""
    rows: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        rows.setdefault(story_of[s.doc_id], []).append(i)
    return [(name, np.asarray(rows[name], dtype=np.int64)) for name in sorted(rows)]


def off_topic(
    kept: Sequence[Span],
    dropped: Sequence[Dropped],
    sentences: Sequence[Sentence],
    vectors: NDArray[np.float32],
    story_of: dict[str, str],
    workers: int = 1,
) -> tuple[list[bool], list[Dropped]]:
    """clean.off_topic within each story: a teaser is off the topic of its own story.

    The stories are checked over ``workers`` forked processes (fork_map).
    """
    keep = [True] * len(sentences)
    teasers: list[Dropped] = []
    spans: dict[str, list[Span]] = {}
    for k in kept:
        spans.setdefault(story_of[k.doc_id], []).append(k)
    furniture: dict[str, list[Dropped]] = {}
    for d in dropped:
        furniture.setdefault(story_of.get(d.doc_id, ""), []).append(d)
    parts = story_rows(sentences, story_of)

    def check_story(k: int) -> tuple[list[bool], list[Dropped]]:
        name, rows = parts[k]
        return clean.off_topic(
            spans.get(name, []),
            furniture.get(name, []),
            [sentences[i] for i in rows],
            vectors[rows],
        )

    found_all = fork_map(check_story, len(parts), workers, weights=[len(r) for _, r in parts])
    for (_, rows), (flags, found) in zip(parts, found_all, strict=True):
        for i, flag in zip(rows.tolist(), flags, strict=True):
            keep[i] = flag
        teasers += found
    return keep, teasers


def check(
    inputs: ingest.Inputs | None = None,
    *,
    texts: Iterable[str] | None = None,
    models: str | Path | None = None,
    text_column: str = "text",
    id_column: str = "id",
    skip_bad_rows: bool = False,
    skip_bad_files: bool = False,
    stdin: BinaryIO | None = None,
    max_sentences: int = MAX_SENTENCES,
    progress: bool | None = None,
    cache: str | Path | None = None,
    one_story: bool = False,
    workers: int | None = None,
    exclude: Sequence[str | Path] = (),
) -> report.Report:
    """Check the articles and return the report.

    ``inputs`` is what to read:

    - a path (str or Path) or an iterable of them: article files (.txt, .md, .html),
      tables of articles (.csv, .tsv, .jsonl), folders of them, or "-" for JSONL on
      ``stdin``. A str is always a path, never article text;
    - a pandas DataFrame, one article a row: a ``text`` column and optional ``id``,
      ``title``, ``source``, ``url`` and ``published``, read as a CSV of them is;
    - an iterable of dicts with the same keys, one article each, read as JSONL rows are.

    ``texts`` are articles as plain strings, read as rows with only a ``text``; they may
    come beside ``inputs``. Rows in memory without an id are named ``text-1``,
    ``text-2``... by their position counting from 1, as a CSV's rows are named by line,
    and errors name them by that number ("<DataFrame>, row 3: ..."). A dict alone, a
    Series, or paths mixed with dicts are refused with an InputError that says what to
    pass instead.

    ``text_column``/``id_column`` name a table's (or DataFrame's) columns;
    ``skip_bad_rows`` sets bad rows aside instead of stopping, and ``skip_bad_files``
    files that cannot be read (both listed in ``dropped``);
    ``models`` is the folder with the model manifest and the link head (default: the copy
    of ``models/`` an installed package carries, or a checkout's; see embed.models_dir);
    more than ``max_sentences`` kept sentences is refused;
    ``progress`` draws progress bars on stderr (default: only when stderr is a terminal);
    ``cache`` is a folder that keeps sentence embeddings between runs, so a run embeds only
    sentences it has not seen (see cache.py); the articles are grouped into stories whose
    claims are found apart (stories.py), unless ``one_story`` takes them all as one;
    ``workers`` processes run the stages after the embedding (default: one per core; see
    read_story and all_part_claims); the folders in ``exclude`` (where the report is to
    be written) and any folder holding a report are never read as input.
    """
    sources = ingest.sources(inputs, texts)
    manifest = embed.Manifest.load(models)
    head = cluster.LinkHead.load(models)
    # New vectors are written to the cache while the run goes on, and are all written
    # when it returns (or fails).
    store = None if cache is None else EmbeddingCache(Path(cache), manifest, write_behind=True)
    with frozen():  # what lives through the run is kept from the garbage collector
        try:
            story = read_story(
                sources,
                manifest,
                text_column=text_column,
                id_column=id_column,
                skip_bad_rows=skip_bad_rows,
                skip_bad_files=skip_bad_files,
                stdin=stdin,
                max_sentences=max_sentences,
                show_progress=wanted(progress),
                cache=store,
                one_story=one_story,
                workers=workers,
                exclude=exclude,
            )
            found = conclude(story, head, workers, wanted(progress))
        except BaseException:
            if store:
                with suppress(InputError):  # the run's own error is the one to tell
                    store.flush()
            raise
        if store:
            store.flush()
        return found


@dataclass(frozen=True)
class PartClaims:
    """One story's claims and conflicts, found as if it had been checked alone.

    Sentence indices and claim names are the story's own (``names``: label -> "c001"...,
    ranked as report.claim_names ranks them); conclude() maps both to the whole input.
    """

    claims: cluster.Claims
    names: dict[int, str]
    conflicts: list[compare.Conflict]
    seconds: dict[str, float]
    process: int  # the id of the process that found them: a pool's worker, or the caller


def part_claims(
    story: Story,
    k: int,
    head: cluster.LinkHead,
    outlets: Mapping[str, str] | None = None,
    published: Mapping[str, str] | None = None,
    families: sources.Families | None = None,
) -> PartClaims:
    """Claims and conflicts of story.parts[k]: evidence, links, clustering, comparison.

    Comparing reads story-wide statistics (which documents give a value, sure frames
    across claims), so each story is compared on its own. ``outlets``: each document's
    name, for the conflicts' explanations (ingest.outlet_labels); ``published``: each
    document's date, which tells an update from a conflict; ``families``: the documents'
    source families (sources.families), whose copies confirm no claim for one another.
    """
    part, seconds = story.parts[k], dict[str, float]()
    rows = part.rows.tolist()
    with timed(seconds, "evidence"):
        ev = part.evidence
    with timed(seconds, "cluster"):
        if isinstance(ev, cluster.Evidence):
            links = cluster.link_matrix(ev, head)
        else:
            links = knn.links(ev, head)
        family = None if families is None else families.ids(ev.doc_ids.tolist())
        found = cluster.claims_from_links(
            links, ev.doc_ids, head.link_threshold, head.confirm_threshold, family
        )
    with timed(seconds, "compare"):
        values = [story.slots[i] for i in rows]
        linked = linked_values(links, values, head.link_threshold)
        names = report.claim_names(found, list(ev.doc_ids))
        members = {names[label]: idx for label, idx in found.members().items()}
        conflicts = compare.conflicts(
            [story.sentences[i] for i in rows], members, values, linked, outlets, published
        )
    return PartClaims(found, names, conflicts, seconds, os.getpid())


def all_part_claims(
    story: Story,
    head: cluster.LinkHead,
    workers: int | None,
    show_progress: bool = False,
    families: sources.Families | None = None,
) -> list[PartClaims]:
    """part_claims of every story, in story order, over ``workers`` processes (fork_map).

    ``workers`` None: one per core on a large input, else one (workers.how_many);
    ``show_progress`` draws a bar of the sentences whose stories are done.
    """
    count = how_many(workers, len(story.sentences))
    sizes = [len(p.rows) for p in story.parts]
    outlets = ingest.outlet_labels({d.doc_id: d.source for d in story.documents})
    published = {d.doc_id: d.published for d in story.documents}
    with bar(sum(sizes), "finding claims", enabled=show_progress) as shown:
        return fork_map(
            lambda k: part_claims(story, k, head, outlets, published, families),
            len(story.parts),
            count,
            weights=sizes,
            done=lambda k: shown.update(sizes[k]),
        )


def conclude(
    story: Story,
    head: cluster.LinkHead,
    workers: int | None = None,
    show_progress: bool = False,
) -> report.Report:
    """Claims, conflicts and the report of an input read (times land in story.seconds).

    Claims are found within each story: sentences of different stories are never linked.
    ``workers``: processes that find the stories' claims (None: see all_part_claims).
    With several, story.seconds holds their stage times summed, and "claims" the wall
    time of them all. ``show_progress`` draws a bar on stderr while they are found.
    """
    n = len(story.sentences)
    with timed(story.seconds, "families"):  # before the claims: copies vouch for no one
        families = sources.families(story.documents, story.sentences)
    with timed(story.seconds, "claims"):
        found = all_part_claims(story, head, workers, show_progress, families)
    labels = np.zeros(n, dtype=np.int64)
    also: list[frozenset[int]] = [frozenset()] * n
    offsets, claim_count = [], 0
    for part, got in zip(story.parts, found, strict=True):
        for stage, seconds in got.seconds.items():
            story.seconds[stage] = story.seconds.get(stage, 0.0) + seconds
        labels[part.rows] = got.claims.labels + claim_count
        for i, extra in zip(part.rows.tolist(), got.claims.also, strict=True):
            also[i] = frozenset(c + claim_count for c in extra)
        offsets.append(claim_count)
        claim_count += int(got.claims.labels.max()) + 1 if len(part.rows) else 0
    claims = cluster.Claims(labels, also)
    names = report.claim_names(claims, [s.doc_id for s in story.sentences])
    conflicts: list[compare.Conflict] = []
    for part, got, offset in zip(story.parts, found, offsets, strict=True):
        # A story's claims rank among themselves as among all claims: sources, then first
        # sentence, whose order the story's ascending rows keep. So its names map across.
        rename = {local: names[label + offset] for label, local in got.names.items()}
        rows = part.rows.tolist()
        conflicts += [
            dataclasses.replace(
                c,
                claim_id=rename[c.claim_id],
                a=dataclasses.replace(c.a, sentence=rows[c.a.sentence]),
                b=dataclasses.replace(c.b, sentence=rows[c.b.sentence]),
            )
            for c in got.conflicts
        ]
    with timed(story.seconds, "report"):
        return report.build(
            story.documents,
            story.sentences,
            claims,
            story.vectors,
            story.dropped,
            story.warnings,
            story.slots,
            conflicts,
            story_of=story.story_of,
            names=names,
            families=families,
        )


def linked_values(
    links: sparse.csr_array,
    values: Sequence[Sequence[slots.Slot]],
    threshold: float,
) -> list[tuple[int, int]]:
    """Pairs of sentences with values whose link probability reaches the claim threshold.

    compare.py checks them even when the clustering put them in different claims. In
    ascending order.
    """
    if not links.has_canonical_format:  # each row's links once, in column order
        links = sparse.csr_array(links, copy=True)
        links.sum_duplicates()
    valued = np.array([bool(v) for v in values], dtype=bool)
    # The stored links read row by row (row-major order): those above the diagonal, between
    # two sentences with values, at the cut or above.
    row = np.repeat(np.arange(links.shape[0]), np.diff(links.indptr))
    col = links.indices
    keep = (row < col) & (links.data >= threshold) & valued[row] & valued[col]
    return list(zip(row[keep].tolist(), col[keep].tolist(), strict=True))
