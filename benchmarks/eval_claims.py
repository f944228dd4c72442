"""Claims against people's annotation: the judge, today's link head and plain cosine, side by side.

Yardsticks (linkhead.score): pair precision / recall / F1 over every two annotated sentences
of different documents (same when they share a claim label), and single-source precision /
recall per annotated sentence (gold: none of its labels is in another document).

- seeds: the five seed articles, tests/data/seed_claims.csv. The link head was fitted on
  them, so its figures are leave-one-document-out (each document's links from a head
  fitted without it, linkhead.out_of_fold); the judge never saw them.
- ecbplus: four dev-half ECB+ stories annotated by claim the same way
  (benchmarks/data/ecbplus/claims/), which the judge's training leaves out
  (judge_training.EVAL_STORIES); the link head never saw them either.

Plain cosine: average linkage on cross-document cosine, at each of a few cuts (its best is
an upper bound: the cut is chosen on the same sentences). The ceiling: the same clustering
over links that are the annotation's own verdicts on the candidate pairs (cosine >= 0.3),
what a perfect pair judge would give. Writes
benchmarks/results_claims.csv; `python benchmarks/eval_claims.py [--judge-only]`.
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from consistency import claims, cluster, embed, judge, linkhead, pipeline

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_GOLD = ROOT / "tests" / "data" / "seed_claims.csv"
ECB = ROOT / "benchmarks" / "data" / "ecbplus"
OUT = ROOT / "benchmarks" / "results_claims.csv"
KEYS = ("pair_precision", "pair_recall", "pair_f1", "single_source_precision",
        "single_source_recall", "gold_pairs", "gold_single_source", "sentences")  # fmt: skip
COSINE_CUTS = (0.5, 0.6, 0.7, 0.8)


def cosine_claims(ev: cluster.Evidence, cut: float) -> cluster.Claims:
    """Average linkage on plain cross-document cosine, no head, no attachment."""
    p = np.where(ev.doc_ids[:, None] != ev.doc_ids[None, :], ev.cosine, 0.0).astype(float)
    np.fill_diagonal(p, 1.0)
    c = cluster.claims_from_links(p, ev.doc_ids, cut)
    return cluster.Claims(c.labels, [frozenset()] * len(c.labels))


def judge_claims(story: pipeline.Story, decider: judge.Judge) -> tuple[cluster.Claims, int, float]:
    """claims.py's claims of a one-story input from the judge; the pairs judged, their seconds."""
    part = story.parts[0]
    i = part.inputs
    pairs = claims.candidates(i.vectors, i.texts, list(i.doc_ids))
    start = time.perf_counter()
    prob = decider.probability([(i.texts[a], i.texts[b]) for a, b in pairs.tolist()])
    seconds = time.perf_counter() - start
    links = claims.judged_links(pairs, prob, len(i.texts))
    return claims.claims(links, list(i.doc_ids), decider.threshold), len(pairs), seconds


def story_folder(story: str, folder: Path) -> Path:
    """The articles of one ECB+ story as .txt files named by their ids."""
    return linkhead.ecbplus_story(ECB, story, folder)


def rows_for(
    name: str, story: pipeline.Story, gold_csv: Path, decider: judge.Judge, head_cv: bool
) -> list[dict[str, object]]:
    gold = linkhead.gold_labels(story, gold_csv)
    ev = story.evidence
    assert isinstance(ev, cluster.Evidence)
    out: list[dict[str, object]] = []

    def add(method: str, found: cluster.Claims, **extra: object) -> None:
        s = linkhead.score(found, gold, ev.doc_ids)
        out.append({"set": name, "method": method, **{k: s[k] for k in KEYS}, **extra})
        print(out[-1], flush=True)

    for cut in COSINE_CUTS:
        add(f"cosine, cut {cut}", cosine_claims(ev, cut))
    head = cluster.LinkHead.load()
    # Each head row twice: as shipped, and without the pair-by-pair confirmation
    # (confirm cut = link cut), which is what the head did before confirm_threshold.
    if head_cv:
        links = linkhead.out_of_fold(ev, gold)
        fitted = "leave-one-document-out"
    else:
        links = cluster.link_matrix(ev, head)
        fitted = "fitted on the seeds"
    # The source families, as `check` finds them: a copy confirms nothing for its original.
    family = linkhead.family_ids(story, ev.doc_ids)
    for confirm in (head.link_threshold, head.confirm_threshold):
        how = f"confirm {confirm}" if confirm > head.link_threshold else "no confirmation"
        add(f"link head ({fitted}), {how}", cluster.claims_from_links(
            links, ev.doc_ids, head.link_threshold, confirm, family))  # fmt: skip
    # The clustering's ceiling: links that are the annotation's own verdicts on the pairs.
    pairs = linkhead.annotated_pairs(ev, gold)
    told = np.eye(len(ev.doc_ids))
    verdict = linkhead.pair_labels(pairs, gold)
    told[pairs[:, 0], pairs[:, 1]] = told[pairs[:, 1], pairs[:, 0]] = verdict
    add("the annotation's own pair verdicts (ceiling)", cluster.claims_from_links(
        told, ev.doc_ids, 0.5))  # fmt: skip
    found, n_pairs, seconds = judge_claims(story, decider)
    add("judge (cross-encoder)", found, pairs_judged=n_pairs,
        pairs_per_second=round(n_pairs / seconds, 1) if seconds else "")  # fmt: skip
    return out


def record_scores(section: str, scores: object, command: str) -> None:
    """Write ``scores`` under "scores" -> ``section`` of models/judge.json, with the command."""
    path = ROOT / "models" / "judge.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record.setdefault("scores", {})[section] = {"command": command, "figures": scores}
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    manifest = embed.Manifest.load()
    decider = judge.load()
    rows = []
    seeds = pipeline.read_story([SEEDS], manifest, one_story=True, exact_max=10**6)
    rows += rows_for("seeds", seeds, SEED_GOLD, decider, head_cv=True)
    for gold in sorted((ECB / "claims").glob("*.csv")):
        with tempfile.TemporaryDirectory() as tmp:
            folder = story_folder(gold.stem, Path(tmp))
            story = pipeline.read_story([folder], manifest, one_story=True, exact_max=10**6)
            rows += rows_for(f"ecbplus {gold.stem}", story, gold, decider, head_cv=False)
    fields = ["set", "method", *KEYS, "pairs_judged", "pairs_per_second"]
    with OUT.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fields)
        w.writeheader()
        w.writerows(rows)
    print(OUT.read_text(), end="")
    record_scores(
        "claims",
        {
            r["set"]: {k: r[k] for k in KEYS[:5]}
            for r in rows
            if str(r["method"]).startswith("judge")
        },
        "python benchmarks/eval_claims.py (claims.py over the judge; never trained on these)",
    )


if __name__ == "__main__":
    main()
    sys.exit(0)
