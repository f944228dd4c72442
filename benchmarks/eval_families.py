"""Source families scored on ECB+'s labelled half, and the family step timed on a large input.

benchmarks/data/ecbplus/families_judged.csv holds document pairs of the dev half (the
odd-numbered topics) read side by side and judged: "copy" (one article run twice, word
for word or with small edits, trimmed or not), "version" (one agency story rewritten: a
long stretch in common but not most of it) and "independent" (written apart). The 497
dev articles go through the pipeline's own reading (ingest, furniture, sentences) and
sources.families all at once. Figures:
- copies found: judged copies in one family; false merges: judged independent pairs in
  one family; versions merged: judged versions in one family (either way defensible);
- merged pairs nobody judged, and merged pairs of different labelled stories (never right);
- merged pairs that share at most one sentence (aligned, as sources.align does);
- seconds: the family step for the dev half, and for it repeated 12 times under new ids
  (about 6,000 articles, as the 100k-sentence level of bench_scale.py), beside
  stories.group (without vectors) on the same input for scale.
Writes benchmarks/results_families.csv (one row per measure, with the commit) and
benchmarks/results_families_pairs.csv (every merged pair with its verdict).
"""

from __future__ import annotations

import csv
import itertools
import json
import subprocess
import tempfile
import time
from pathlib import Path

from eval_stories import read

from consistency import pipeline, sources, stories

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "ecbplus"
OUT = ROOT / "benchmarks" / "results_families.csv"
PAIRS = ROOT / "benchmarks" / "results_families_pairs.csv"


def short(doc_id: str) -> str:
    """The corpus id of a document read from a table ("articles.jsonl:n0001" -> "n0001")."""
    return doc_id.rsplit(":", 1)[-1]


def cold() -> None:
    """Empty the caches of lines and sentences, so that each timing reads its input afresh."""
    stories.line_features.cache_clear()
    sources.counted.cache_clear()


def main() -> None:
    with (DATA / "dev_stories.csv").open(encoding="utf-8") as f:
        label = {r["id"]: r["story"] for r in csv.DictReader(f)}
    with (DATA / "articles.jsonl").open(encoding="utf-8") as f:
        rows = [{"id": r["id"], "text": r["text"]} for r in map(json.loads, f) if r["id"] in label]
    with (DATA / "families_judged.csv").open(encoding="utf-8") as f:
        judged = {frozenset((r["a"], r["b"])): r for r in csv.DictReader(f)}
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as name:
        docs, sentences = read(rows, Path(name))
        cold()
        start = time.perf_counter()
        found = sources.families(docs, sentences)
        dev_seconds = time.perf_counter() - start
        big_rows = [{"id": f"{r['id']}x{k}", "text": r["text"]} for k in range(12) for r in rows]
        big_docs, big_sentences = read(big_rows, Path(name))
    family = {short(d): f for d, f in found.family_of.items()}
    texts: dict[str, list[str]] = {}
    for s in sentences:
        texts.setdefault(short(s.doc_id), []).append(s.text)
    members: dict[str, list[str]] = {}
    for doc, fam in family.items():
        members.setdefault(fam, []).append(doc)
    merged = [frozenset(p) for m in members.values() for p in itertools.combinations(m, 2)]
    pair_rows = []
    for pair in sorted(merged, key=sorted):
        a, b = sorted(pair)
        steps = sources.align(texts.get(a, []), texts.get(b, []))
        verdict = judged[pair]["verdict"] if pair in judged else ""
        pair_rows.append(
            {
                "a": a,
                "b": b,
                "story_a": label[a],
                "story_b": label[b],
                "shared": sources.shared(steps),
                "sentences_a": len(texts.get(a, [])),
                "sentences_b": len(texts.get(b, [])),
                "verdict": verdict,
            }
        )
    in_family = {frozenset((r["a"], r["b"])) for r in pair_rows}
    for verdict, measure in (
        ("copy", "copies_found"),
        ("independent", "false_merges"),
        ("version", "versions_merged"),
    ):
        pairs = [p for p, r in judged.items() if r["verdict"] == verdict]
        results.append({"measure": f"{verdict}_judged", "value": len(pairs)})
        results.append({"measure": measure, "value": sum(p in in_family for p in pairs)})
    missed = [sorted(p) for p, r in judged.items() if r["verdict"] == "copy" and p not in in_family]
    merged_wrongly = [
        sorted(p) for p, r in judged.items() if r["verdict"] == "independent" and p in in_family
    ]
    results += [
        {"measure": "merged_pairs", "value": len(pair_rows)},
        {"measure": "merged_unjudged", "value": sum(not r["verdict"] for r in pair_rows)},
        {
            "measure": "merged_across_stories",
            "value": sum(r["story_a"] != r["story_b"] for r in pair_rows),
        },
        {
            "measure": "merged_sharing_at_most_one_sentence",
            "value": sum(int(r["shared"]) <= 1 for r in pair_rows),
        },
        {"measure": "families_of_two_or_more", "value": sum(len(m) > 1 for m in members.values())},
        {"measure": "documents", "value": len(docs)},
        {"measure": "seconds_dev_half", "value": round(dev_seconds, 2)},
    ]
    cold()
    start = time.perf_counter()
    sources.families(big_docs, big_sentences)
    seconds = round(time.perf_counter() - start, 2)
    results.append({"measure": "seconds_12x_dev_half", "value": seconds})
    cold()
    start = time.perf_counter()
    pipeline.group_stories(big_docs, big_sentences, False)
    results.append(
        {"measure": "seconds_12x_story_grouping", "value": round(time.perf_counter() - start, 2)}
    )
    results.append({"measure": "documents_12x", "value": len(big_docs)})
    for r in results:
        r["commit"] = commit
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["measure", "value", "commit"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(results)
    with PAIRS.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(pair_rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(pair_rows)
    for r in results:
        print(f"{r['measure']:40} {r['value']}")
    print("judged copies missed:", missed)
    print("judged independent merged:", merged_wrongly)


if __name__ == "__main__":
    main()
