"""How well `consistency.slots.extract` finds and normalises dates and durations, scored on
the TempEval-3 platinum test set (20 news articles in TimeML, /work/shared/corpus).

Each article's text (tags stripped) is split into sentences as the pipeline does (the
lines of `clean.lines`, each split by `segment.sentences`; the furniture filter is not
applied, so every gold expression stays in scope), and `extract(sentence, dct)` runs on
each sentence with the article's creation date. Gold: the TIMEX3 of type DATE and
DURATION. System: slots of kind date, year, relative and duration. A system slot that
overlaps a gold TIME or SET expression (and no DATE or DURATION) is left out of the
scoring. Gold and system are paired one to one, greedily by largest character overlap.

Figures: span precision, recall and F1, lenient (any overlap) and strict (same
boundaries); value accuracy among the overlap pairs (exact string equality with the gold
value); value precision, recall and F1 (correct values over system slots, over gold);
and throughput, sentences per second, the median of BENCH_RUNS (3) timed passes over
the whole corpus after one warm-up pass. Writes benchmarks/results_tempeval.csv (one
row) and prints the figures. It measures; it does not assert.

Run: .venv/bin/python benchmarks/eval_tempeval.py [--corpus DIR] [--errors]
(--errors lists each missed gold expression, wrong value and spurious slot.)
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Protocol

from consistency import clean, segment, slots
from consistency.records import Document, Span

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "tempeval3-platinum"
RUNS = int(os.environ.get("BENCH_RUNS", "3"))

GOLD_TYPES: Final = frozenset({"DATE", "DURATION"})
EXCLUDING_TYPES: Final = frozenset({"TIME", "SET"})
TEMPORAL_KINDS: Final = slots.TEMPORAL


@dataclass(frozen=True)
class Timex:
    """A gold TIMEX3: ``text == plain_text[start:end]``."""

    type: str
    value: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TmlDoc:
    """One TimeML article: the text inside <TEXT> with its tags stripped, and its TIMEX3."""

    name: str
    dct: str  # YYYY-MM-DD
    text: str
    timexes: tuple[Timex, ...]


@dataclass(frozen=True)
class Mention:
    """A system slot placed in document offsets."""

    kind: str
    value: str
    start: int
    end: int
    text: str


class SlotLike(Protocol):
    """The attributes of `consistency.slots.Slot` this benchmark reads."""

    @property
    def kind(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...


Extractor = Callable[[str, str | None], Sequence[SlotLike]]


@dataclass(frozen=True)
class DocScore:
    """One article's scoring: gold, scored and excluded system mentions, and the pairs."""

    name: str
    gold: tuple[Timex, ...]  # DATE and DURATION only
    system: tuple[Mention, ...]  # scored
    excluded: tuple[Mention, ...]  # over a gold TIME or SET (and no DATE/DURATION)
    pairs: tuple[tuple[int, int], ...]  # (gold index, system index), lenient one-to-one
    strict: int  # gold spans with a system span of the same boundaries (one to one)


# --- parsing -----------------------------------------------------------------------------


def parse_tml(data: str | bytes, name: str = "") -> TmlDoc:
    """Plain text of <TEXT> and its TIMEX3 in plain-text offsets; entities are unescaped.

    >>> d = parse_tml('<TimeML><DCT><TIMEX3 type="DATE" value="2013-03-22T10:00">x</TIMEX3>'
    ...     '</DCT><TEXT>AT&amp;T said <TIMEX3 type="DATE" value="2013-03-22">Friday'
    ...     '</TIMEX3>.</TEXT></TimeML>')
    >>> d.dct, d.text, d.timexes[0].start, d.timexes[0].text
    ('2013-03-22', 'AT&T said Friday.', 10, 'Friday')
    """
    root = ET.fromstring(data)
    dct_el = root.find("DCT/TIMEX3")
    text_el = root.find("TEXT")
    if dct_el is None or text_el is None:
        raise ValueError(f"{name or 'TimeML'}: no <DCT><TIMEX3> or no <TEXT>")
    parts: list[str] = []
    timexes: list[Timex] = []
    pos = 0

    def add(s: str | None) -> None:
        nonlocal pos
        if s:
            parts.append(s)
            pos += len(s)

    def walk(el: ET.Element) -> None:
        add(el.text)
        for child in el:
            start = pos
            walk(child)
            if child.tag == "TIMEX3":
                timexes.append(Timex(child.get("type", ""), child.get("value", ""), start, pos, ""))
            add(child.tail)

    walk(text_el)
    text = "".join(parts)
    timexes.sort(key=lambda t: (t.start, t.end))
    return TmlDoc(
        name=name,
        dct=dct_el.get("value", "")[:10],
        text=text,
        timexes=tuple(
            Timex(t.type, t.value, t.start, t.end, text[t.start : t.end]) for t in timexes
        ),
    )


def read_corpus(corpus: Path) -> list[TmlDoc]:
    """Every ``*.tml`` under ``corpus``, in name order."""
    return [parse_tml(p.read_bytes(), p.stem) for p in sorted(corpus.glob("*.tml"))]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence offsets as the pipeline splits: lines, then Punkt within each line."""
    doc = Document(doc_id="d", path="", text=text)
    kept = [Span("d", a, b, text[a:b]) for a, b in clean.lines(text)]
    return [(s.start, s.end) for s in segment.sentences(doc, kept)]


def extract_document(
    doc: TmlDoc, spans: Iterable[tuple[int, int]], extract: Extractor
) -> tuple[list[Mention], int]:
    """Temporal slots of each sentence in document offsets, and how many slots had a
    ``text`` that does not equal the sentence at their offsets (a broken contract)."""
    out: list[Mention] = []
    bad = 0
    for a, b in spans:
        sentence = doc.text[a:b]
        for s in extract(sentence, doc.dct):
            if s.kind not in TEMPORAL_KINDS:
                continue
            if sentence[s.start : s.end] != s.text:
                bad += 1
            out.append(Mention(s.kind, str(s.value), a + s.start, a + s.end, s.text))
    return out, bad


# --- scoring -----------------------------------------------------------------------------


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Characters two half-open spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match(
    gold: Sequence[tuple[int, int]], system: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """One-to-one (gold index, system index) pairs, greedily by largest overlap (> 0);
    ties go to the earlier gold, then the earlier system span.

    >>> match([(0, 6), (10, 14)], [(0, 3), (1, 6), (11, 13), (20, 25)])
    [(0, 1), (1, 2)]
    """
    candidates = sorted(
        (-overlap(g, s), i, j)
        for i, g in enumerate(gold)
        for j, s in enumerate(system)
        if overlap(g, s) > 0
    )
    used_g: set[int] = set()
    used_s: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, i, j in candidates:
        if i not in used_g and j not in used_s:
            used_g.add(i)
            used_s.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def score_document(name: str, timexes: Sequence[Timex], mentions: Sequence[Mention]) -> DocScore:
    """Split system mentions into scored and excluded and pair them with the gold."""
    gold = tuple(t for t in timexes if t.type in GOLD_TYPES)
    other = [(t.start, t.end) for t in timexes if t.type in EXCLUDING_TYPES]
    scored: list[Mention] = []
    excluded: list[Mention] = []
    for m in mentions:
        span = (m.start, m.end)
        hits_other = any(overlap(span, o) for o in other)
        hits_gold = any(overlap(span, (g.start, g.end)) for g in gold)
        (excluded if hits_other and not hits_gold else scored).append(m)
    gold_spans = [(g.start, g.end) for g in gold]
    sys_spans = [(m.start, m.end) for m in scored]
    strict = sum((Counter(gold_spans) & Counter(sys_spans)).values())
    return DocScore(
        name, gold, tuple(scored), tuple(excluded), tuple(match(gold_spans, sys_spans)), strict
    )


def prf(correct: int, n_system: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (0.0 where undefined)."""
    p = correct / n_system if n_system else 0.0
    r = correct / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def round3(x: float) -> float:
    """Three decimals, as the other results CSVs."""
    return round(x, 3)


def summarise(scores: Sequence[DocScore]) -> dict[str, float | int]:
    """Corpus figures from per-article scores (micro-averaged)."""
    n_gold = sum(len(s.gold) for s in scores)
    n_system = sum(len(s.system) for s in scores)
    matched = sum(len(s.pairs) for s in scores)
    strict = sum(s.strict for s in scores)
    correct = sum(s.gold[i].value == s.system[j].value for s in scores for i, j in s.pairs)
    types = Counter(g.type for s in scores for g in s.gold)
    lp, lr, lf = prf(matched, n_system, n_gold)
    sp, sr, sf = prf(strict, n_system, n_gold)
    vp, vr, vf = prf(correct, n_system, n_gold)
    return {
        "n_gold": n_gold,
        "n_gold_date": types["DATE"],
        "n_gold_duration": types["DURATION"],
        "n_system": n_system,
        "n_excluded": sum(len(s.excluded) for s in scores),
        "n_matched": matched,
        "span_p": round3(lp),
        "span_r": round3(lr),
        "span_f1": round3(lf),
        "strict_span_p": round3(sp),
        "strict_span_r": round3(sr),
        "strict_span_f1": round3(sf),
        "value_correct": correct,
        "value_accuracy": round3(correct / matched if matched else 0.0),
        "value_p": round3(vp),
        "value_r": round3(vr),
        "value_f1": round3(vf),
    }


def errors(score: DocScore) -> list[str]:
    """One line per missed gold expression, wrong value and spurious system slot."""
    out: list[str] = []
    paired_g = {i: j for i, j in score.pairs}
    paired_s = {j for _, j in score.pairs}
    for i, g in enumerate(score.gold):
        if i not in paired_g:
            out.append(f"{score.name} {g.start}-{g.end} missed   {g.type} {g.value} {g.text!r}")
            continue
        m = score.system[paired_g[i]]
        if m.value != g.value:
            out.append(
                f"{score.name} {g.start}-{g.end} wrong    {g.type} {g.value} {g.text!r}"
                f" <- {m.kind} {m.value} {m.text!r}"
            )
    for j, m in enumerate(score.system):
        if j not in paired_s:
            out.append(f"{score.name} {m.start}-{m.end} spurious {m.kind} {m.value} {m.text!r}")
    return out


# --- running -----------------------------------------------------------------------------


def timed_passes(work: Sequence[tuple[str, str]], extract: Extractor, runs: int) -> list[float]:
    """Seconds of each of ``runs`` passes of ``extract`` over (sentence, dct) pairs."""
    for sentence, dct in work:  # warm-up
        extract(sentence, dct)
    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for sentence, dct in work:
            extract(sentence, dct)
        seconds.append(time.perf_counter() - t0)
    return seconds


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of .tml files")
    parser.add_argument("--errors", action="store_true", help="list each mismatch")
    args = parser.parse_args(argv)

    from consistency.slots import extract

    docs = read_corpus(args.corpus)
    if not docs:
        raise SystemExit(f"no .tml files in {args.corpus}")
    spans = {d.name: sentence_spans(d.text) for d in docs}
    scores: list[DocScore] = []
    bad_offsets = 0
    for d in docs:
        mentions, bad = extract_document(d, spans[d.name], extract)
        bad_offsets += bad
        scores.append(score_document(d.name, d.timexes, mentions))
    work = [(d.text[a:b], d.dct) for d in docs for a, b in spans[d.name]]
    seconds = statistics.median(timed_passes(work, extract, RUNS))
    split_gold = sum(
        not any(a <= t.start and t.end <= b for a, b in spans[d.name])
        for d in docs
        for t in d.timexes
        if t.type in GOLD_TYPES
    )

    row: dict[str, float | int | str] = {
        "n_docs": len(docs),
        "n_sentences": len(work),
        **summarise(scores),
        "sentences_per_s": round(len(work) / seconds) if seconds else 0,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
    }
    out = ROOT / "benchmarks" / "results_tempeval.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)

    if args.errors:
        for s in scores:
            for line in errors(s):
                print(line)
        print()
    print(f"TempEval-3 platinum, {args.corpus}")
    for k, v in row.items():
        print(f"  {k:16s} {v}")
    if split_gold:
        print(f"  note: {split_gold} gold expressions straddle a sentence boundary")
    if bad_offsets:
        print(f"  warning: {bad_offsets} slots whose text != sentence[start:end]", file=sys.stderr)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
