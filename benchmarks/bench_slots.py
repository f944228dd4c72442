"""Slot extraction on the seeds, and how often a changed value is caught as a conflict.

1. Figures on seeds/: slots per kind; extraction throughput (sentences per second: the
   first, cold pass, which builds dateparser's parsers, and the median of BENCH_RUNS warm
   passes); the slots stage's share of one in-process run, with and without model load.
2. Mutation hit rate on seeds/ plus tests/data/outlets (two articles that restate seed
   claims): every value that two or more documents state alike is changed, one document
   at a time, to a value that cannot hold with it (24 years -> 31 years, $50 billion ->
   $65 billion, 1961 -> 1962, Wednesday -> Friday); a hit is a hard conflict that names
   the changed document and the new value. "Other" counts hard conflicts that appear
   beyond the one expected.

Writes benchmarks/results_slots.csv (figures) and benchmarks/results_mutations.csv (one
row per mutation). Run: .venv/bin/python benchmarks/bench_slots.py (or `make bench`);
it measures, it does not assert.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from consistency import cluster, embed, pipeline, slots
from consistency.report import Report

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
OUTLETS = ROOT / "tests" / "data" / "outlets"
KINDS = ("duration", "money", "year", "date", "relative", "count", "quantity", "percent")
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WORDS = {"two": "three", "three": "five", "four": "six", "five": "seven", "ten": "twelve"}


def changed(text: str, kind: str) -> str | None:
    """The slot's text with its figure changed beyond rounding and hedges, or None.

    A figure that looks like a year moves by one only in a year or date (``kind``): "2000
    ft" + 1 ft is within rounding.
    """
    for i, day in enumerate(WEEKDAYS):
        if day in text:
            return text.replace(day, WEEKDAYS[(i + 2) % 7])
    m = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    if m:
        digits = m.group().replace(",", "")
        if kind in (slots.YEAR, slots.DATE) and re.fullmatch(r"1[6-9]\d\d|20\d\d", digits):
            new = str(int(digits) + 1)
        elif "." in digits:
            new = f"{float(digits) * 1.3:.{len(digits.split('.')[1])}f}"
        else:
            new = str(round(int(digits) * 1.3) if int(digits) > 3 else int(digits) + 2)
        return text[: m.start()] + new + text[m.end() :]
    for word, other in WORDS.items():
        if re.search(rf"\b{word}\b", text, re.IGNORECASE):
            return re.sub(rf"\b{word}\b", other, text, count=1, flags=re.IGNORECASE)
    return None


def copy_story(folder: Path) -> None:
    folder.mkdir()
    for path in [*(ROOT / "seeds").iterdir(), *OUTLETS.iterdir()]:
        shutil.copy(path, folder / path.name)


def hard(report: Report) -> set[tuple[str, str, str, str]]:
    frame = report.conflicts[report.conflicts.severity == "conflict"]
    return {(r.doc_a, r.value_a, r.doc_b, r.value_b) for r in frame.itertuples()}


def mutations(base: Report, folder: Path) -> list[dict[str, object]]:
    """Change each value two or more documents share, in one document at a time."""
    manifest, head = embed.Manifest.load(), cluster.LinkHead.load()
    found = base.slots[base.slots.kind.isin(KINDS)]
    shared = found.groupby(["kind", "value"]).doc_id.nunique()
    rows: list[dict[str, object]] = []
    before = hard(base)
    for (kind, value), n_docs in shared.items():
        if n_docs < 2:
            continue
        for slot in found[(found.kind == kind) & (found.value == value)].itertuples():
            new_text = changed(str(slot.text), kind)
            if new_text is None:
                continue
            work = folder / f"m{len(rows)}"
            copy_story(work)
            [path] = work.glob(f"{slot.doc_id}.*")
            sentence = base.sentences[base.sentences.sentence_id == slot.sentence_id].iloc[0]
            at = int(sentence.start) + int(slot.start)
            text = path.read_text(encoding="utf-8")
            mutated = text[:at] + new_text + text[at + len(str(slot.text)) :]
            path.write_text(mutated, encoding="utf-8")
            story = pipeline.read_story([work], manifest)
            report = pipeline.conclude(story, head)
            after = hard(report) - before
            hit = any(slot.doc_id in (a, b) for a, _, b, _ in after)
            rows.append(
                {
                    "doc_id": slot.doc_id,
                    "kind": kind,
                    "from": slot.text,
                    "to": new_text,
                    "documents_sharing": int(n_docs),
                    "hit": int(hit),
                    "other_new_conflicts": sum(slot.doc_id not in (a, b) for a, _, b, _ in after),
                }
            )
            shutil.rmtree(work)
    return rows


def main() -> None:
    manifest, head = embed.Manifest.load(), cluster.LinkHead.load()
    embed.load_model(manifest)
    start = time.perf_counter()
    story = pipeline.read_story([ROOT / "seeds"], manifest)
    report = pipeline.conclude(story, head)
    total = time.perf_counter() - start
    published = {d.doc_id: d.published for d in story.documents}
    texts = [(s.text, published[s.doc_id]) for s in story.sentences]

    def one_pass() -> float:
        t = time.perf_counter()
        for text, date in texts:
            slots.extract(text, date)
        return len(texts) / (time.perf_counter() - t)

    slots.resolve.cache_clear()
    slots._parser.cache_clear()
    cold = one_pass()
    warm = statistics.median(one_pass() for _ in range(RUNS))
    kinds = Counter(report.slots.kind)
    figures = {
        "sentences": len(texts),
        "slots": len(report.slots),
        **{f"slots_{k}": kinds.get(k, 0) for k in slots.KINDS},
        "cold_sentences_per_s": round(cold),
        "warm_sentences_per_s": round(warm),
        "slots_stage_s": round(story.seconds["slots"], 3),
        "run_s_model_loaded": round(total, 2),
        "slots_share_of_run": round(story.seconds["slots"] / total, 4),
    }
    with tempfile.TemporaryDirectory() as tmp:
        base_dir = Path(tmp) / "base"
        copy_story(base_dir)
        base = pipeline.conclude(pipeline.read_story([base_dir], manifest), head)
        rows = mutations(base, Path(tmp))
    hits = sum(int(str(r["hit"])) for r in rows)
    figures["mutations"] = len(rows)
    figures["mutation_hits"] = hits
    figures["mutation_hit_rate"] = round(hits / len(rows), 3) if rows else 0.0
    figures["base_hard_conflicts"] = len(hard(base))
    out = ROOT / "benchmarks" / "results_slots.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(figures), lineterminator="\n")
        writer.writeheader()
        writer.writerow(figures)
    with (ROOT / "benchmarks" / "results_mutations.csv").open(
        "w", newline="", encoding="utf-8"
    ) as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for key, value in figures.items():
        print(f"  {key:24s} {value}")
    print(f"wrote {out.relative_to(ROOT)} and benchmarks/results_mutations.csv")


if __name__ == "__main__":
    main()
