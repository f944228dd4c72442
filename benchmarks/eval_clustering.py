"""How the claim clustering scores on the annotated seeds, against simpler settings.

Pair decisions: every two annotated sentences of different documents (gold: they share
a claim label in tests/data/seed_claims.csv). Single-source flags: per annotated
sentence. Head scores are leave-one-document-out (each document's links predicted by a
head fitted without it). Also prints each evidence feature's ranking quality and the
off-topic margins on the seeds. Writes benchmarks/results_clustering.csv.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from consistency import clean, cluster, embed, linkhead, pipeline

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "seed_claims.csv"
KEYS = ("pair_precision", "pair_recall", "pair_f1", "single_source_precision",
        "single_source_recall")  # fmt: skip


def cosine_only(ev: cluster.Evidence, cut: float) -> cluster.Claims:
    """Baseline: average linkage on plain sentence cosine, no head, no attachment."""
    p = np.where(ev.doc_ids[:, None] != ev.doc_ids[None, :], ev.cosine, 0.0).astype(float)
    np.fill_diagonal(p, 1.0)
    c = cluster.claims_from_links(p, ev.doc_ids, cut)
    return cluster.Claims(c.labels, [frozenset()] * len(c.labels))


def main() -> None:
    story = pipeline.read_story([ROOT / "seeds"], embed.Manifest.load())
    gold = linkhead.gold_labels(story, GOLD)
    ev = story.evidence
    head = cluster.LinkHead.load()
    rows = []
    for cut in (0.5, 0.6, 0.7):
        s = linkhead.score(cosine_only(ev, cut), gold, ev.doc_ids)
        rows.append({"setting": f"cosine average linkage, cut {cut}", **{k: s[k] for k in KEYS}})
    oof = linkhead.out_of_fold(ev, gold)
    no_attach = cluster.claims_from_links(oof, ev.doc_ids, head.link_threshold)
    s = linkhead.score(
        cluster.Claims(no_attach.labels, [frozenset()] * len(no_attach.labels)), gold, ev.doc_ids
    )
    rows.append({"setting": f"head (cross-validated), cut {head.link_threshold}, no attachment",
                 **{k: s[k] for k in KEYS}})  # fmt: skip
    s = linkhead.score(no_attach, gold, ev.doc_ids)
    rows.append({"setting": f"head (cross-validated), cut {head.link_threshold}, no confirmation",
                 **{k: s[k] for k in KEYS}})  # fmt: skip
    shipped = cluster.claims_from_links(
        oof, ev.doc_ids, head.link_threshold, head.confirm_threshold
    )
    s = linkhead.score(shipped, gold, ev.doc_ids)
    rows.append({"setting": f"head (cross-validated), cut {head.link_threshold}, "
                            f"confirm {head.confirm_threshold}, shipped",
                 **{k: s[k] for k in KEYS}})  # fmt: skip
    s = linkhead.score(cluster.cluster(ev, head), gold, ev.doc_ids)
    rows.append({"setting": "shipped head on its own training seeds (in-sample)",
                 **{k: s[k] for k in KEYS}})  # fmt: skip
    out = ROOT / "benchmarks" / "results_clustering.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["setting", *KEYS])
        writer.writeheader()
        writer.writerows(rows)
    print(out.read_text(), end="")

    pairs = linkhead.annotated_pairs(ev, gold, min_cosine=0.0)
    y = linkhead.pair_labels(pairs, gold)
    x = cluster.pair_features(ev, pairs)
    print(f"\npair evidence ({len(pairs)} cross-document pairs, {y.sum()} same-claim):")
    for k, name in enumerate(cluster.FEATURES):
        print(f"  {name:20s} ROC AUC {roc_auc_score(y, x[:, k]):.3f}  "
              f"average precision {average_precision_score(y, x[:, k]):.3f}")  # fmt: skip

    teasers = {d.text for d in story.dropped if d.reason.startswith("teaser: off-topic")}
    print(f"\noff-topic lines dropped on the seeds: {len(teasers)}")
    centre, nearest = clean.story_similarity(ev.vectors, ev.doc_ids)
    print(f"  kept sentences: centre cosine min {centre.min():.2f}, "
          f"nearest-other-document cosine min {nearest.min():.2f} "
          f"(thresholds {clean.OFF_TOPIC_CENTRE}, {clean.OFF_TOPIC_NEAREST}; a line is "
          "off-topic when all its sentences fall below both)")  # fmt: skip


if __name__ == "__main__":
    main()
