"""Annotated claims -> the fitted link head and its measured precision and recall.

``python -m consistency.linkhead GOLD.csv SEEDS/ OUT.json`` fits the logistic head on the
annotated seed sentences and writes it with its scores. The scores are leave-one-document-out:
each document's links are predicted by a head fitted without that document, so the figures
say how the head does on an article it has not seen.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from consistency import cluster, embed
from consistency.errors import InputError
from consistency.pipeline import Story, read_story

__all__ = ["fit", "train"]

CANDIDATE_COSINE = 0.30  # below the lowest same-claim cosine measured on the seeds (0.32)
THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.05, 0.61, 0.05))


def gold_labels(story: Story, gold_csv: str | Path) -> list[frozenset[str]]:
    """Each kept sentence's annotated claim labels (empty when it carries no annotation).

    A gold row names its sentence by a quote: an exact substring of the document that lies
    inside the sentence.
    """
    texts = {d.doc_id: d.text for d in story.documents}
    found: dict[int, set[str]] = {}
    with open(gold_csv, encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            doc = texts.get(row["doc_id"])
            if doc is None:
                continue
            at = doc.find(row["quote"])
            if at < 0:
                raise InputError(f"{gold_csv}, row {n}: quote not found in {row['doc_id']}.")
            for i, s in enumerate(story.sentences):
                if s.doc_id == row["doc_id"] and s.start <= at < s.end:
                    found.setdefault(i, set()).update(row["claims"].split(";"))
                    break
    return [frozenset(found.get(i, ())) for i in range(len(story.sentences))]


def pair_labels(pairs: NDArray[np.int64], gold: Sequence[frozenset[str]]) -> NDArray[np.int64]:
    """1 where the two sentences share an annotated claim, else 0."""
    return np.array([int(bool(gold[i] & gold[j])) for i, j in pairs], dtype=np.int64)


def fit(x: NDArray[np.float64], y: NDArray[np.int64]) -> tuple[tuple[float, ...], float]:
    """Logistic regression weights and intercept for pair features ``x`` and labels ``y``."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    return tuple(round(float(c), 6) for c in model.coef_[0]), round(float(model.intercept_[0]), 6)


def annotated_pairs(
    ev: cluster.Evidence, gold: Sequence[frozenset[str]], min_cosine: float = CANDIDATE_COSINE
) -> NDArray[np.int64]:
    """Candidate pairs (cross-document, cosine >= ``min_cosine``) of two annotated sentences."""
    annotated = np.array([bool(g) for g in gold])
    pairs = cluster.candidate_pairs(ev, min_cosine)
    selected: NDArray[np.int64] = pairs[annotated[pairs[:, 0]] & annotated[pairs[:, 1]]]
    return selected


def out_of_fold(ev: cluster.Evidence, gold: Sequence[frozenset[str]]) -> NDArray[np.float64]:
    """Link probabilities where each pair is scored only by heads fitted without its documents.

    A pair (a, b) is scored twice, once with a's document held out and once with b's; the
    two probabilities are averaged.
    """
    pairs = annotated_pairs(ev, gold)
    x = cluster.pair_features(ev, pairs)
    y = pair_labels(pairs, gold)
    docs_a, docs_b = ev.doc_ids[pairs[:, 0]], ev.doc_ids[pairs[:, 1]]
    total = np.zeros(len(pairs))
    for doc in np.unique(ev.doc_ids):
        held = (docs_a == doc) | (docs_b == doc)
        coef, intercept = fit(x[~held], y[~held])
        head = cluster.LinkHead(cluster.FEATURES, coef, intercept, CANDIDATE_COSINE, 0.5)
        total[held] += head.probability(x[held])
    n = len(ev.doc_ids)
    p = np.zeros((n, n))
    p[pairs[:, 0], pairs[:, 1]] = total / 2
    p[pairs[:, 1], pairs[:, 0]] = total / 2
    np.fill_diagonal(p, 1.0)
    return p


def score(
    claims: cluster.Claims, gold: Sequence[frozenset[str]], doc_ids: NDArray[np.str_]
) -> dict[str, float]:
    """Pair and single-source precision/recall of predicted claims against the annotation.

    Pairs: every two annotated sentences of different documents; gold-positive when they
    share a claim label, predicted-positive when they share a claim (their own or one they
    are attached to). Single-source: an annotated sentence is gold single-source when none
    of its labels occurs in another document, predicted single-source when none of its
    claims has a source besides its own document.
    """
    idx = [i for i, g in enumerate(gold) if g]
    pred = [claims.of(i) for i in range(len(doc_ids))]
    tp = fp = fn = 0
    for a_pos, i in enumerate(idx):
        for j in idx[a_pos + 1 :]:
            if doc_ids[i] == doc_ids[j]:
                continue
            same_gold = bool(gold[i] & gold[j])
            same_pred = bool(pred[i] & pred[j])
            tp += same_gold and same_pred
            fp += same_pred and not same_gold
            fn += same_gold and not same_pred
    label_docs: dict[str, set[str]] = {}
    for i in idx:
        for label in gold[i]:
            label_docs.setdefault(label, set()).add(str(doc_ids[i]))
    claim_docs = {c: {str(doc_ids[i]) for i in members} for c, members in claims.members().items()}
    s_tp = s_fp = s_fn = 0
    for i in idx:
        gold_single = all(len(label_docs[label]) == 1 for label in gold[i])
        pred_single = all(len(claim_docs[c]) == 1 for c in pred[i])
        s_tp += gold_single and pred_single
        s_fp += pred_single and not gold_single
        s_fn += gold_single and not pred_single

    def ratio(a: int, b: int) -> float:
        return round(a / b, 3) if b else 0.0

    return {
        "pair_precision": ratio(tp, tp + fp),
        "pair_recall": ratio(tp, tp + fn),
        "pair_f1": ratio(2 * tp, 2 * tp + fp + fn),
        "single_source_precision": ratio(s_tp, s_tp + s_fp),
        "single_source_recall": ratio(s_tp, s_tp + s_fn),
        "gold_pairs": int(tp + fn),
        "gold_single_source": int(s_tp + s_fn),
        "sentences": len(idx),
    }


def objective(scores: dict[str, float]) -> float:
    """What the cut maximises: the mean of pair F1 and single-source F0.5.

    Both errors count, but in the single-source flag precision weighs more than recall:
    a false single-source flag misleads a fact-checker more than a missed one.

    >>> s = {"pair_f1": 0.5, "single_source_precision": 1.0, "single_source_recall": 0.5}
    >>> round(objective(s), 4)
    0.6667
    """
    p, r = scores["single_source_precision"], scores["single_source_recall"]
    f_half = 1.25 * p * r / (0.25 * p + r) if p + r else 0.0
    return (scores["pair_f1"] + f_half) / 2


def train(gold_csv: str | Path, seeds: str | Path, out: str | Path) -> dict[str, object]:
    """Fit the head on all annotated pairs, choose the cut by cross-validation, write ``out``."""
    story = read_story([seeds], embed.Manifest.load(), exact_max=sys.maxsize, one_story=True)
    gold = gold_labels(story, gold_csv)
    ev = story.evidence
    if not isinstance(ev, cluster.Evidence):  # exact_max above: always the exact evidence
        raise TypeError("the head is fitted on the exact, all-pairs evidence")
    oof = out_of_fold(ev, gold)
    sweep = {
        t: score(cluster.claims_from_links(oof, ev.doc_ids, t), gold, ev.doc_ids)
        for t in THRESHOLDS
    }
    threshold = max(THRESHOLDS, key=lambda t: (objective(sweep[t]), -t))
    pairs = annotated_pairs(ev, gold)
    coef, intercept = fit(cluster.pair_features(ev, pairs), pair_labels(pairs, gold))
    head = cluster.LinkHead(cluster.FEATURES, coef, intercept, CANDIDATE_COSINE, threshold)
    in_sample = score(cluster.cluster(ev, head), gold, ev.doc_ids)
    record: dict[str, object] = {
        "features": list(head.features),
        "coef": list(head.coef),
        "intercept": head.intercept,
        "candidate_cosine": head.candidate_cosine,
        "link_threshold": head.link_threshold,
        "trained_on": {
            "gold": str(gold_csv),
            "documents": str(seeds),
            "annotated_sentences": sum(bool(g) for g in gold),
            "candidate_pairs": len(pairs),
            "positive_pairs": int(pair_labels(pairs, gold).sum()),
            "method": (
                "logistic regression (C=1) on cross-document candidate pairs with cosine >= "
                f"{CANDIDATE_COSINE}; link_threshold chosen by leave-one-document-out "
                "cross-validation (max of the mean of pair F1 and single-source F0.5)"
            ),
        },
        "cross_validated": sweep[threshold],
        "in_sample": in_sample,
        "sweep": {str(t): s for t, s in sweep.items()},
    }
    Path(out).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python -m consistency.linkhead GOLD.csv SEEDS_DIR OUT.json")
    result = train(*sys.argv[1:4])
    print(json.dumps({k: result[k] for k in ("coef", "link_threshold", "cross_validated")}))
