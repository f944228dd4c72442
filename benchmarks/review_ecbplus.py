"""The checker's conflicts on real news: ECB+ dev-half stories, read against an editor's verdicts.

Each story of the labelled (odd-topic) half of ../shared/corpus/ecbplus (CC BY 3.0) is
checked on its own; every hard conflict and note goes to
benchmarks/results_ecbplus_conflicts.csv, with both sentences, so that it can be read. Hard
conflicts are then looked up in benchmarks/ecbplus_verdicts.csv, where a person who read
both sentences (and the articles around them) said whether an editor would agree that the
two values disagree ("yes"), would not ("no": different things or events, with why), that
the row shows the right sentences but the wrong pair of values ("partly"), or that a value
was misread ("misread"). The precision printed is yes / judged;
conflicts nobody has judged yet are counted apart, so a change to the checker shows up as
new, unjudged rows rather than as a silently better or worse figure.

Run: .venv/bin/python benchmarks/review_ecbplus.py (or `make bench`); it measures, it
does not assert. Reading the notes needs the CSV. Embeddings are kept in $BENCH_CACHE
(default ~/.cache/consistency/bench-embeddings).
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections import Counter
from pathlib import Path

from consistency import check
from consistency.cache import user_folder

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "ecbplus"
COLUMNS = ("story", "claim_id", "severity", "kind", "doc_a", "value_a", "doc_b", "value_b",
           "explanation", "text_a", "text_b")  # fmt: skip


def corpus() -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """The articles by id, and each labelled story's article ids."""
    articles = {}
    with (CORPUS / "articles.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            articles[row["id"]] = row
    members: dict[str, list[str]] = {}
    with (CORPUS / "dev_stories.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            members.setdefault(row["story"], []).append(row["id"])
    return articles, members


def story_files(folder: Path) -> dict[str, Path]:
    """One JSONL table per story, written under ``folder``."""
    articles, members = corpus()
    out = {}
    for story in sorted(members, key=story_order):
        path = folder / f"{story}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for doc_id in sorted(members[story]):
                a = articles[doc_id]
                f.write(json.dumps({"id": doc_id, "text": a["text"], "url": a.get("url", "")}))
                f.write("\n")
        out[story] = path
    return out


def story_order(story: str) -> tuple[int, str]:
    """Stories by topic number, then "ecb" before "ecbplus"."""
    topic, _, part = story.partition("-")
    return int(topic), part


def key(story: str, kind: str, a: str, b: str) -> tuple[str, str, str, str]:
    """A verdict's key: the story, the kind and the two values in either order."""
    first, second = sorted((a, b))
    return story, kind, first, second


def main() -> None:
    rows = []
    cache = user_folder("BENCH_CACHE", "bench-embeddings")
    with tempfile.TemporaryDirectory() as tmp:
        files = story_files(Path(tmp))
        for story, path in files.items():
            report = check([path], cache=cache, workers=1)
            for r in report.conflicts.itertuples():
                rows.append({"story": story, **{c: getattr(r, c) for c in COLUMNS[1:]}})
    out = ROOT / "benchmarks" / "results_ecbplus_conflicts.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    verdicts = {}
    with (ROOT / "benchmarks" / "ecbplus_verdicts.csv").open(encoding="utf-8") as f:
        for v in csv.DictReader(f):
            verdicts[key(v["story"], v["kind"], v["value_a"], v["value_b"])] = v["verdict"]
    hard = [r for r in rows if r["severity"] == "conflict"]
    judged = Counter(
        verdicts.get(key(r["story"], r["kind"], r["value_a"], r["value_b"]), "unjudged")
        for r in hard
    )
    n_judged = sum(n for v, n in judged.items() if v != "unjudged")
    others = len(rows) - len(hard)
    print(f"{len(hard)} hard conflicts and {others} other rows in {len(files)} stories")
    for verdict in ("yes", "partly", "no", "misread", "unjudged"):
        print(f"  {verdict:9s} {judged.get(verdict, 0)}")
    if n_judged:
        print(f"precision (yes / judged): {judged.get('yes', 0) / n_judged:.2f}")
    by_story = Counter((r["story"], r["severity"]) for r in rows)
    for story in files:
        hard_n, notes = by_story[story, "conflict"], by_story[story, "note"]
        if hard_n or notes:
            print(f"  {story:11s} {hard_n} conflicts, {notes} notes")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
