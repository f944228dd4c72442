"""How the furniture and teaser filters score: what a reader needs kept, what is not news dropped.

- seeds: the five seed articles against their annotation. Gold furniture
  (tests/data/seed_furniture.csv) dropped with any reason; its teaser and promo lines dropped;
  annotated claim lines (tests/data/seed_claims.csv) dropped by mistake.
- ecbplus: the four annotated ECB+ stories (benchmarks/data/ecbplus/claims/), each article
  given a page's end: "Share this article", a copyright line, then "More like this" over
  the headlines of two other stories (benchmarks/data/ecbplus/dev_stories.csv; each
  article two of its own, as different outlets' sidebars point at different stories).
  Annotated lines dropped as teasers (an article's own closing sentences taken for
  blurbs), and the planted headlines dropped.

Writes benchmarks/results_teasers.csv; `python benchmarks/eval_teasers.py`.
"""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import pandas as pd

import consistency
from consistency import ingest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
ECB = ROOT / "benchmarks" / "data" / "ecbplus"
OUT = ROOT / "benchmarks" / "results_teasers.csv"
TEASER = "teaser: off-topic"


def dropped_at(dropped: pd.DataFrame, doc_id: str, at: int) -> str:
    """The reason the span holding offset ``at`` of ``doc_id`` was dropped ("" if kept)."""
    hit = dropped[(dropped.doc_id == doc_id) & (dropped.start <= at) & (dropped.end > at)]
    return str(hit.iloc[0]["reason"]) if len(hit) else ""


def locate(text: str, quote: str) -> int:
    """Offset of a quote: a whole line equal to it first, else its first occurrence."""
    pos = 0
    for line in text.split("\n"):
        if line.strip() == quote:
            return pos + line.index(quote)
        pos += len(line) + 1
    return text.find(quote)


def quotes(path: Path) -> list[dict[str, str]]:
    """The rows of an annotation file (doc_id, quote, ...)."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def seeds() -> dict[str, object]:
    """The seeds' gold furniture and claim lines against what the checker drops."""
    report = consistency.check([SEEDS])
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    gold = quotes(DATA / "seed_furniture.csv")
    why = [dropped_at(report.dropped, g["doc_id"], locate(texts[g["doc_id"]], g["quote"]))
           for g in gold]  # fmt: skip
    teasers = [w for g, w in zip(gold, why, strict=True) if g["kind"] in ("teaser", "promo")]
    claims = quotes(DATA / "seed_claims.csv")
    lost = [
        c
        for c in claims
        if dropped_at(report.dropped, c["doc_id"], locate(texts[c["doc_id"]], c["quote"]))
    ]
    return {
        "input": "seeds",
        "furniture_dropped": f"{sum(map(bool, why))}/{len(gold)}",
        "teasers_dropped": f"{sum(map(bool, teasers))}/{len(teasers)}",
        "claim_lines_dropped": f"{len(lost)}/{len(claims)}",
        "claim_lines_dropped_as_teasers": "",
        "planted_teasers_dropped": "",
        "off_topic_drops": int(report.dropped.reason.str.startswith(TEASER).sum()),
    }


PAGE_END = "Share this article\n© 2024 {outlet}. All rights reserved.\nMore like this\n"


def ecbplus() -> dict[str, object]:
    """The annotated ECB+ stories, each article ending as a web page does."""
    articles = {}
    with (ECB / "articles.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            articles[row["id"]] = row["text"]
    stories = sorted(ECB.glob("claims/*.csv"))
    # One headline per other story, so that no two planted teasers are about one story.
    pool: dict[str, str] = {}
    with (ECB / "dev_stories.csv").open(encoding="utf-8", newline="") as f:
        for row in sorted(csv.DictReader(f), key=lambda r: (r["story"], r["id"])):
            head = ingest.headline(articles[row["id"]])
            if row["story"] not in {p.stem for p in stories} and head:
                pool.setdefault(row["story"], head)
    others = list(pool.values())
    used = 0
    lost_teaser = lost = total = planted = planted_dropped = drops = 0
    for path in stories:
        gold = quotes(path)
        ids = sorted({g["doc_id"] for g in gold})
        heads = {d: [others[(used + 2 * n + j) % len(others)] for j in (0, 1)]
                 for n, d in enumerate(ids)}  # fmt: skip
        used += 2 * len(ids)
        with tempfile.TemporaryDirectory() as tmp:
            texts = {}
            for n, d in enumerate(ids):
                end = PAGE_END.format(outlet=f"Outlet {n}") + "\n".join(heads[d]) + "\n"
                texts[d] = articles[d].rstrip("\n") + "\n" + end
                (Path(tmp) / f"{d}.txt").write_text(texts[d], encoding="utf-8")
            report = consistency.check([tmp], one_story=True)
        for g in gold:
            why = dropped_at(report.dropped, g["doc_id"], locate(texts[g["doc_id"]], g["quote"]))
            total += 1
            lost += bool(why)
            lost_teaser += why.startswith(TEASER)
            if why.startswith(TEASER):
                print(f"{g['doc_id']}: an annotated line dropped as a teaser: {g['quote']}…")
        for d in ids:
            for h in heads[d]:
                planted += 1
                gone = bool(dropped_at(report.dropped, d, texts[d].rindex(h)))
                planted_dropped += gone
                if not gone:
                    print(f"{d}: a planted teaser kept: {h}")
        drops += int(report.dropped.reason.str.startswith(TEASER).sum())
    return {
        "input": f"ecbplus ({len(stories)} stories, page ends planted)",
        "furniture_dropped": "",
        "teasers_dropped": "",
        "claim_lines_dropped": f"{lost}/{total}",
        "claim_lines_dropped_as_teasers": f"{lost_teaser}/{total}",
        "planted_teasers_dropped": f"{planted_dropped}/{planted}",
        "off_topic_drops": drops,
    }


def main() -> None:
    rows = [seeds(), ecbplus()]
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(OUT.read_text(encoding="utf-8"), end="")


if __name__ == "__main__":
    main()
