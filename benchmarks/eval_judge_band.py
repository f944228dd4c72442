"""The judge on the links the head leaves in doubt: does it make the head's claims better?

The design the claims judge was asked for: cheap evidence (the link head) decides the
clear pairs, the cross-encoder (judge.py) only those the head leaves in doubt. Here a
cross-document pair whose head link lies in [lo, hi) keeps its link only if the judge
says the two sentences state the same claim (probability >= cut); otherwise its link is
set below both of the head's cuts. With ``promote``, a pair the judge accepts is also
raised to ``hi``. The claims are then formed as `check` forms them (link cut 0.15,
confirmation 0.2, source families), on the seeds (links leave-one-document-out, as
linkhead.train scores them) and the four ECB+ stories annotated by claim, and scored by
linkhead.score; ``objective`` is linkhead.objective, the quantity the head's cuts were
chosen on. The first row, "head", is the shipped claims. Writes
benchmarks/results_judge_band.csv; `python benchmarks/eval_judge_band.py`.
"""

from __future__ import annotations

import csv
import itertools
import sys
from pathlib import Path

import numpy as np
from scipy import sparse

from consistency import cluster, judge, linkhead

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results_judge_band.csv"
BAND_LOW = (0.15, 0.2)
BAND_HIGH = (0.25, 0.3, 0.4, 0.6)
JUDGE_CUTS = (0.2, 0.35, 0.5, 0.7)


def annotated_sets() -> list[linkhead.Scored]:
    """The five annotated sets as linkhead.train scores them."""
    story, ev = linkhead.exact_story([ROOT / "seeds"])
    gold = linkhead.gold_labels(story, ROOT / "tests" / "data" / "seed_claims.csv")
    seeds = linkhead.scored("seeds", story, ev, linkhead.out_of_fold(ev, gold), gold)
    ecbplus = linkhead.ecbplus_sets(ROOT / "benchmarks/data/ecbplus", cluster.LinkHead.load())
    return [seeds, *ecbplus]


def dense(links: np.ndarray | sparse.csr_array) -> np.ndarray:
    """A set's links as a dense matrix, to be edited pair by pair."""
    return links.toarray() if sparse.issparse(links) else np.asarray(links, dtype=float)


def band_pairs(links: np.ndarray, doc_ids: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Cross-document pairs (i < j) whose link lies in [lo, hi)."""
    i, j = np.triu_indices(len(doc_ids), 1)
    inside = (links[i, j] >= lo) & (links[i, j] < hi) & (doc_ids[i] != doc_ids[j])
    return np.stack([i[inside], j[inside]], axis=1)


def judged_links(
    links: np.ndarray, pairs: np.ndarray, said: np.ndarray, lo: float, hi: float, cut: float,
    promote: bool,
) -> np.ndarray:  # fmt: skip
    """``links`` with each band pair's link kept, raised or vetoed by the judge's word."""
    out = links.copy()
    for (a, b), p in zip(pairs.tolist(), said.tolist(), strict=True):
        value = lo / 2 if p < cut else (max(links[a, b], hi) if promote else links[a, b])
        out[a, b] = out[b, a] = value
    return out


def main() -> None:
    sets = annotated_sets()
    head = cluster.LinkHead.load()
    decider = judge.load()
    widest = []
    for scored in sets:
        texts = scored.texts
        links = dense(scored.links)
        pairs = band_pairs(links, scored.doc_ids, min(BAND_LOW), max(BAND_HIGH))
        said = decider.probability([(texts[a], texts[b]) for a, b in pairs.tolist()])
        widest.append(
            (links, {(a, b): p for (a, b), p in zip(pairs.tolist(), said.tolist(), strict=True)})
        )
        print(f"{scored.name}: {len(texts)} sentences, {len(pairs)} pairs in the widest band")
    rows = []

    def add(setting: str, per_set: list[np.ndarray]) -> None:
        scores = []
        for scored, links in zip(sets, per_set, strict=True):
            found = cluster.claims_from_links(
                links, scored.doc_ids, head.link_threshold, head.confirm_threshold,
                scored.families,
            )  # fmt: skip
            scores.append(linkhead.score(found, scored.gold, scored.doc_ids))
        objectives = [linkhead.objective(s) for s in scores]
        for scored, s, o in zip(sets, scores, objectives, strict=True):
            rows.append({"setting": setting, "set": scored.name, "objective": round(o, 4),
                         **{k: s[k] for k in linkhead.SWEEP_KEYS}})  # fmt: skip
        print(f"{setting}: mean objective {np.mean(objectives):.3f}", flush=True)

    add("head", [links for links, _ in widest])
    for lo, hi, cut, promote in itertools.product(BAND_LOW, BAND_HIGH, JUDGE_CUTS, (False, True)):
        per_set = []
        for scored, (links, said) in zip(sets, widest, strict=True):
            pairs = band_pairs(links, scored.doc_ids, lo, hi)
            p = np.array([said[(a, b)] for a, b in pairs.tolist()])
            per_set.append(judged_links(links, pairs, p, lo, hi, cut, promote))
        add(f"band [{lo}, {hi}), judge cut {cut}{', promoted' if promote else ''}", per_set)
    with OUT.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["setting", "set", "objective", *linkhead.SWEEP_KEYS],
                           lineterminator="\n")  # fmt: skip
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
    sys.exit(0)
