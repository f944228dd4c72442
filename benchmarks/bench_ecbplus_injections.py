"""Changed values in real news: how often the checker names an injected disagreement.

On the labelled (odd-topic) half of ECB+ (../shared/corpus/ecbplus, CC BY 3.0), a value
that two or more outlets of one story report alike is changed in one article, to a value
that cannot hold with it (bench_slots.changed: 24 -> 31, 2004 -> 2005, Tuesday ->
Thursday), the story is checked, and the change is found when a hard conflict names the
changed document at the changed span against an outlet that kept the original.

"Alike" is the corpus's word, not the checker's: both values are read from lines ECB+
annotated, in sentences of two documents with different web sites that share an event
coreference chain (the annotators' "same event"); a count, amount or measure must also
lie inside annotated mentions of one chain in both (the same participants: "two guards"
is not "2 pistols"), and so must a date or time where both lie inside mentions. The draw is
seeded (SEED): stories in a shuffled order, at most PER_STORY cases a story, one a value,
until TOTAL; it is written to benchmarks/data/ecbplus_injections.csv and re-read on each
run, so a change to the extractor does not change the cases it is measured on
(``--draw`` draws again, and empties the ``reading`` column: what a person who read each
drawn sentence noted where the draw itself went wrong, such as an original value that
is misread, "3" of "3.45pm"; such cases are scored apart).

A miss gets its reason: the new text misread, the documents in different stories or
claims, a note instead of a conflict (with the note's reason), or, in one claim with no
row, which comparison rule let the pair go. "Unexplained" are the hard conflicts of each
checked story that do not name the changed span: the false alarms a reader meets there.

Writes benchmarks/results_ecbplus_injections.csv (one row a case) and prints a summary.
Embeddings are kept in $BENCH_CACHE (default ~/.cache/consistency/bench-embeddings), so a
re-run embeds only the changed sentences. Run: .venv/bin/python
benchmarks/bench_ecbplus_injections.py [--draw]; it measures, it does not assert.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_slots import KINDS as SEED_KINDS
from bench_slots import changed
from review_ecbplus import corpus

from consistency import check, compare, frames, slots
from consistency.cache import user_folder
from consistency.report import Report

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "ecbplus"
DRAW = ROOT / "benchmarks" / "data" / "ecbplus_injections.csv"
OUT = ROOT / "benchmarks" / "results_ecbplus_injections.csv"
SEED, PER_STORY, TOTAL = 20, 4, 48
KINDS = (*SEED_KINDS, slots.TIME)
FRAME = ("measure", "event", "entity", "period")
CALENDAR = frozenset({slots.DATE, slots.RELATIVE, slots.YEAR, slots.TIME})
DRAW_COLUMNS = (
    "case",
    "story",
    "doc_id",
    "line",
    "start",
    "end",
    "kind",
    "original",
    "changed",
    "kept_by",
    "sentence",
    "reading",
)
OUT_COLUMNS = (
    "case",
    "story",
    "doc_id",
    "kind",
    "original",
    "changed",
    "reading",
    "found",
    "reason",
    "conflict",
    "unexplained",
)


@dataclass(frozen=True)
class Read:
    """One value read on an annotated line, with the corpus's chains around it."""

    story: str
    doc_id: str
    site: str
    line: int
    slot: slots.Slot
    events: frozenset[str]  # event chains of the line
    referents: frozenset[str]  # chains of the mentions the value lies in


def site(url: str) -> str:
    """The web site of a URL ("www.bbc.co.uk" -> "bbc.co.uk"), or "" when there is none."""
    return re.sub(r"^www\d*\.", "", urlparse(url).netloc.lower())


def reads(articles: dict[str, dict[str, str]]) -> list[Read]:
    """Every value of KINDS on the annotated lines."""
    out = []
    with (CORPUS / "annotations_dev.jsonl").open(encoding="utf-8") as f:
        for raw in f:
            a = json.loads(raw)
            events = frozenset(
                m["chain"] for m in a["mentions"] if m["type"] == "event" and m["chain"]
            )
            for s in slots.extract(a["text"]):
                if s.kind not in KINDS:
                    continue
                referents = frozenset(
                    m["chain"]
                    for m in a["mentions"]
                    if m["chain"] and (s.text in m["text"] or m["text"] in s.text)
                )
                url = articles[a["id"]].get("url", "")
                out.append(Read(a["story"], a["id"], site(url), a["line"], s, events, referents))
    return out


def alike(x: Read, y: Read) -> bool:
    """Whether two outlets report one value of one event, by the corpus's annotation."""
    if x.doc_id == y.doc_id or (x.site and x.site == y.site):
        return False
    if (x.slot.kind, x.slot.value) != (y.slot.kind, y.slot.value) or not x.events & y.events:
        return False
    if x.slot.kind in CALENDAR and not (x.referents and y.referents):
        return True  # a date in sentences about one event: the event's date
    return bool(x.referents & y.referents)


def draw(articles: dict[str, dict[str, str]]) -> list[dict[str, object]]:
    """The seeded draw: stories shuffled, one case a value, PER_STORY a story, TOTAL in all."""
    rng = random.Random(SEED)
    by_story: dict[str, list[Read]] = {}
    for r in reads(articles):
        by_story.setdefault(r.story, []).append(r)
    stories = sorted(by_story)
    rng.shuffle(stories)
    cases: list[dict[str, object]] = []
    for story in stories:
        found = by_story[story]
        options: dict[tuple[str, str], list[tuple[Read, list[Read]]]] = {}
        for x in found:
            kept = [y for y in found if alike(x, y)]
            if kept and changed(x.slot.text, x.slot.kind) is not None:
                options.setdefault((x.slot.kind, x.slot.value), []).append((x, kept))
        keys = sorted(options)
        rng.shuffle(keys)
        for key in keys[:PER_STORY]:
            x, kept = rng.choice(options[key])
            text = articles[x.doc_id]["text"].split("\n")[x.line]
            cases.append(
                {
                    "case": len(cases) + 1,
                    "story": story,
                    "doc_id": x.doc_id,
                    "line": x.line,
                    "start": x.slot.start,
                    "end": x.slot.end,
                    "kind": x.slot.kind,
                    "original": x.slot.text,
                    "changed": changed(x.slot.text, x.slot.kind),
                    "kept_by": ";".join(
                        sorted({f"{y.doc_id}:{y.line}:{y.slot.start}" for y in kept})
                    ),
                    "sentence": text,
                    "reading": "",
                }
            )
            if len(cases) == TOTAL:
                return cases
    return cases


# --- checking a case -----------------------------------------------------------------------------


def offset(text: str, line: int, start: int) -> int:
    """A character offset into the article from a line number and an offset into the line."""
    return sum(len(x) + 1 for x in text.split("\n")[:line]) + start


def write_story(path: Path, docs: dict[str, str], urls: dict[str, str]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for doc_id in sorted(docs):
            f.write(json.dumps({"id": doc_id, "text": docs[doc_id], "url": urls[doc_id]}) + "\n")


def names(row: pd.Series, doc_id: str, at: int, end: int) -> str | None:
    """Which side ("a" or "b") of a conflict row is the span [at, end) of ``doc_id``."""
    for side in ("a", "b"):
        if row[f"doc_{side}"] == doc_id and row[f"start_{side}"] < end and at < row[f"end_{side}"]:
            return side
    return None


def sentence_at(report: Report, doc_id: str, at: int) -> pd.Series | None:
    rows = report.sentences[
        (report.sentences.doc_id == doc_id)
        & (report.sentences.start <= at)
        & (report.sentences.end > at)
    ]
    return None if rows.empty else rows.iloc[0]


def slot_at(report: Report, sentence: pd.Series, at: int, end: int) -> slots.Slot | None:
    """The slot of ``sentence`` that overlaps the document span [at, end)."""
    base = int(sentence.start)
    rows = report.slots[report.slots.sentence_id == sentence.sentence_id]
    for r in rows.itertuples():
        if base + int(r.start) < end and at < base + int(r.end):
            return slots.Slot(
                str(r.kind),
                str(r.value),
                str(r.unit),
                str(r.hedge),
                int(r.start),
                int(r.end),
                str(r.text),
                str(r.about),
                *(str(getattr(r, k)) if pd.notna(getattr(r, k)) else "" for k in FRAME),
            )
    return None


def claims_of(sentence: pd.Series) -> set[str]:
    others = str(sentence.other_claims or "")
    return {str(sentence.claim_id), *(c for c in others.split(";") if c)} - {"", "nan"}


def why_not_compared(
    report: Report,
    new: tuple[pd.Series, slots.Slot],
    kept: Sequence[tuple[pd.Series, slots.Slot]],
    where: str,
) -> str:
    """Which of compare.py's rules let a pair go without a row (``where``: "same claim" or
    "in different claims", where the frames must be sure)."""

    def found(s: pd.Series, v: slots.Slot, i: int) -> compare.Found:
        return compare.Found(v, i, str(s.doc_id), compare.scope(str(s.text), v))

    x = found(*new, 0)
    reasons = [rule(x, found(s, v, k), where) for k, (s, v) in enumerate(kept, 1)]
    return min(reasons, key=lambda r: (r.endswith("or the row was merged"), r))


def rule(x: compare.Found, y: compare.Found, where: str) -> str:
    """The first rule of compare.comparable / compatible that keeps x and y apart."""
    a, b = x.slot, y.slot
    if compare.compatible(a, b):
        return f"{where}, rule dropped it: the values overlap ({a.hedge} / {b.hedge})"
    if compare.group(a) != compare.group(b):
        return f"misread: read as {a.kind} against {b.kind}"
    for part in ("measure", "event", "entity"):
        pa, pb = getattr(a, part), getattr(b, part)
        if pa and pb and pa != pb and frames.differs(a, b, (part,)):
            return f"{where}, frames differ: {part} {pa!r} / {pb!r}"
    if compare.group(a) in (slots.DATE, slots.TIME, slots.YEAR) and "say" in (a.event, b.event):
        return f"{where}, frames: a statement's date"
    anywhere = where != "same claim"
    if anywhere and not frames.strong(a, b):
        return (
            f"{where}, frame not sure: measure {a.measure!r} / {b.measure!r}, "
            f"event {a.event!r} / {b.event!r}"
        )
    if not compare.comparable(x, y, anywhere):
        if not compare.plausible(a, b):
            return f"{where}, rule dropped it: too far apart to be one figure"
        return (
            f"{where}, frame unknown: measure {a.measure!r} / {b.measure!r}, "
            f"event {a.event!r} / {b.event!r}"
        )
    return f"{where}, no row: another value of the sentences matched, or the row was merged"


def diagnose(
    case: dict[str, str], report: Report, at: int, end: int, kept: list[tuple[str, int]]
) -> tuple[bool, str, str, int]:
    """(found, reason for a miss, the conflict's explanation, unexplained hard conflicts).

    Found: a hard conflict between the changed span and a value the checker reads as the
    original's value in an outlet that kept it (that outlet or another stating it alike).
    """
    doc = case["doc_id"]
    hard = report.conflicts[report.conflicts.severity == "conflict"]
    unexplained = sum(names(r, doc, at, end) is None for _, r in hard.iterrows())
    pairs = []
    for d, pos in kept:
        s = sentence_at(report, d, pos)
        v = None if s is None else slot_at(report, s, pos, pos + 1)
        if s is not None and v is not None:
            pairs.append((s, v))
    originals = {v.value for _, v in pairs}
    ours = []
    for _, r in report.conflicts.iterrows():
        side = names(r, doc, at, end)
        if side:
            ours.append((r, r[f"value_{'b' if side == 'a' else 'a'}"] in originals))
    for r, against in ours:
        if against and r.severity == "conflict":
            return True, "", str(r.explanation), unexplained
    new_sentence = sentence_at(report, doc, at)
    if new_sentence is None:
        return False, "the changed sentence was dropped by the cleaner", "", unexplained
    new_slot = slot_at(report, new_sentence, at, end)
    group = compare.GROUP.get(case["kind"], case["kind"])
    if new_slot is None or compare.group(new_slot) != group:
        got = "nothing" if new_slot is None else f"kind {new_slot.kind}"
        return False, f"misread: the changed text is read as {got}", "", unexplained
    if not pairs:
        return False, "misread: the kept values are not read", "", unexplained
    for r, against in ours:
        if against:
            note = re.search(r"may disagree \((.*); check by hand\)", str(r.explanation))
            return False, f"same claim, a note: {note[1] if note else '?'}", "", unexplained
    if ours:
        return False, "a row, but against other values than the original", "", unexplained
    stories = report.documents.set_index("doc_id").story
    if all(stories[s.doc_id] != stories[doc] for s, _ in pairs):
        return False, "in different stories", "", unexplained
    mine = claims_of(new_sentence)
    same = [(s, v) for s, v in pairs if claims_of(s) & mine]
    if not same:
        why = why_not_compared(report, (new_sentence, new_slot), pairs, "in different claims")
        return False, why, "", unexplained
    why = why_not_compared(report, (new_sentence, new_slot), same, "same claim")
    return False, why, "", unexplained


def run(
    cases: list[dict[str, str]],
    articles: dict[str, dict[str, str]],
    members: dict[str, list[str]],
    cache: Path,
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            story = case["story"]
            docs = {d: articles[d]["text"] for d in members[story]}
            urls = {d: articles[d].get("url", "") for d in members[story]}
            doc, text = case["doc_id"], docs[case["doc_id"]]
            at = offset(text, int(case["line"]), int(case["start"]))
            if text[at : at + len(case["original"])] != case["original"]:
                raise SystemExit(f"case {case['case']}: {case['original']!r} is not at {at}")
            docs[doc] = text[:at] + case["changed"] + text[at + len(case["original"]) :]
            kept = []
            for item in case["kept_by"].split(";"):
                d, line, start = item.split(":")
                kept.append((d, offset(articles[d]["text"], int(line), int(start))))
            path = Path(tmp) / f"{story}.jsonl"
            write_story(path, docs, urls)
            report = check([path], cache=cache, workers=1)
            found, reason, conflict, unexplained = diagnose(
                case, report, at, at + len(case["changed"]), kept
            )
            rows.append(
                {
                    **{k: case[k] for k in OUT_COLUMNS[:7]},
                    "found": int(found),
                    "reason": reason,
                    "conflict": conflict,
                    "unexplained": unexplained,
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draw", action="store_true", help="draw the cases again (SEED)")
    args = parser.parse_args()
    articles, members = corpus()
    if args.draw or not DRAW.exists():
        drawn = draw(articles)
        DRAW.parent.mkdir(parents=True, exist_ok=True)
        with DRAW.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=DRAW_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(drawn)
    with DRAW.open(encoding="utf-8") as f:
        cases = list(csv.DictReader(f))
    cache = user_folder("BENCH_CACHE", "bench-embeddings")
    t = time.perf_counter()
    rows = run(cases, articles, members, cache)
    seconds = time.perf_counter() - t
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=OUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    found = sum(int(str(r["found"])) for r in rows)
    stories = sorted({str(r["story"]) for r in rows})
    print(
        f"{found} of {len(rows)} injected changes found as hard conflicts "
        f"({len(stories)} stories, {seconds:.0f} s)"
    )
    clean = [r for r in rows if not r["reading"]]
    print(
        f"  {sum(int(str(r['found'])) for r in clean)} of {len(clean)} where the drawn "
        "value is read right (empty reading)"
    )
    kinds = Counter(str(r["kind"]) for r in rows)
    hits = Counter(str(r["kind"]) for r in rows if r["found"])
    print("  by kind: " + ", ".join(f"{k} {hits[k]}/{n}" for k, n in kinds.most_common()))
    for reason, n in Counter(str(r["reason"]) for r in rows if not r["found"]).most_common():
        print(f"  {n:3d} missed: {reason}")
    per_story = {s: [int(str(r["unexplained"])) for r in rows if r["story"] == s] for s in stories}
    mean = sum(sum(v) / len(v) for v in per_story.values()) / len(per_story)
    print(f"unexplained hard conflicts per checked story: {mean:.2f} on average")
    for s, v in per_story.items():
        print(f"  {s:11s} {min(v)}-{max(v)} over {len(v)} runs")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
