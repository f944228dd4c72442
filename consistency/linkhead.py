"""Annotated claims -> the fitted link head and its measured precision and recall.

``python -m consistency.linkhead GOLD.csv SEEDS/ OUT.json [ECBPLUS/]`` fits the logistic
head on the annotated seed sentences, chooses its cuts on the seeds and on the ECB+ stories
annotated by claim, and writes it with its scores (and the sweep beside it, OUT_sweep.csv).
The seeds' scores are leave-one-document-out: each document's links are predicted by a
head fitted without that document, so the figures say how the head does on an article it
has not seen.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from consistency import cluster, embed, sources
from consistency.errors import InputError
from consistency.pipeline import Story, read_story

__all__ = [
    "Scored",
    "ecbplus_story",
    "family_ids",
    "fit",
    "objective",
    "scored",
    "settings",
    "train",
]

CANDIDATE_COSINE = 0.30  # below the lowest same-claim cosine measured on the seeds (0.32)
THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.05, 0.61, 0.05))
# Confirmation cuts tried above each link cut up to MAX_CONFIRMED; a cut equal to the link
# cut confirms nothing.
CONFIRMS = tuple(round(x, 3) for x in np.arange(0.15, 0.401, 0.025))
MAX_CONFIRMED = 0.3
SWEEP_KEYS = ("pair_f1", "single_source_precision", "single_source_recall")


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
        head = cluster.LinkHead(cluster.FEATURES, coef, intercept, CANDIDATE_COSINE, 0.5, 0.5)
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
    """What the cuts maximise: the mean of pair F1 and single-source F1.

    A claim reported as corroborated when one outlet alone states it tells the reader it is
    confirmed when it is not, and a false single-source flag sends them to check a claim
    that others do state: the flag's recall weighs as much as its precision.

    >>> s = {"pair_f1": 0.5, "single_source_precision": 1.0, "single_source_recall": 0.5}
    >>> round(objective(s), 4)
    0.5833
    """
    p, r = scores["single_source_precision"], scores["single_source_recall"]
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return (scores["pair_f1"] + f1) / 2


def settings() -> list[tuple[float, float]]:
    """The (link cut, confirmation cut) pairs the sweep tries: no confirmation, then higher."""
    plain = [(t, t) for t in THRESHOLDS]
    return plain + [(t, c) for t in THRESHOLDS if t <= MAX_CONFIRMED for c in CONFIRMS if c > t]


def ecbplus_story(data: str | Path, story: str, folder: str | Path) -> Path:
    """The articles of one ECB+ story as .txt files named by their ids, in ``folder``.

    ``data`` holds the corpus's articles.jsonl and dev_stories.csv (benchmarks/data/ecbplus).
    """
    data, folder = Path(data), Path(folder)
    with (data / "dev_stories.csv").open(encoding="utf-8", newline="") as f:
        ids = {r["id"] for r in csv.DictReader(f) if r["story"] == story}
    with (data / "articles.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["id"] in ids:
                (folder / f"{row['id']}.txt").write_text(row["text"], encoding="utf-8")
    return folder


@dataclass(frozen=True)
class Scored:
    """One annotated story, ready to be clustered at any cuts."""

    name: str
    links: NDArray[np.float64] | sparse.csr_array  # link probabilities of its sentences
    doc_ids: NDArray[np.str_]
    families: NDArray[np.str_]  # each sentence's source family (sources.families)
    gold: list[frozenset[str]]
    texts: tuple[str, ...]  # its sentences, in the order of the links

    def score(self, threshold: float, confirm: float) -> dict[str, float]:
        """Its claims at these cuts against its annotation (linkhead.score)."""
        found = cluster.claims_from_links(
            self.links, self.doc_ids, threshold, confirm, self.families
        )
        return score(found, self.gold, self.doc_ids)


def exact_story(folders: Sequence[str | Path]) -> tuple[Story, cluster.Evidence]:
    """The input read as one story, with the exact, all-pairs evidence the head is fitted on."""
    story = read_story(folders, embed.Manifest.load(), exact_max=sys.maxsize, one_story=True)
    if not isinstance(story.evidence, cluster.Evidence):  # exact_max: always exact
        raise TypeError("the head is fitted on the exact, all-pairs evidence")
    return story, story.evidence


def family_ids(story: Story, doc_ids: NDArray[np.str_]) -> NDArray[np.str_]:
    """Each sentence's source family, as `check` finds the families."""
    return sources.families(story.documents, story.sentences).ids(doc_ids.tolist())


def scored(
    name: str,
    story: Story,
    ev: cluster.Evidence,
    links: NDArray[np.float64] | sparse.csr_array,
    gold: list[frozenset[str]],
) -> Scored:
    """An annotated story read by exact_story, with its links and families as `check` finds them."""
    families = family_ids(story, ev.doc_ids)
    return Scored(name, links, ev.doc_ids, families, gold, tuple(s.text for s in story.sentences))


def ecbplus_sets(data: str | Path, head: cluster.LinkHead) -> list[Scored]:
    """The ECB+ stories annotated by claim under ``data``/claims, linked by ``head``."""
    out = []
    for gold_csv in sorted(Path(data, "claims").glob("*.csv")):
        with tempfile.TemporaryDirectory() as tmp:
            story, ev = exact_story([ecbplus_story(data, gold_csv.stem, tmp)])
        links = cluster.link_matrix(ev, head)
        out.append(scored(gold_csv.stem, story, ev, links, gold_labels(story, gold_csv)))
    return out


def best(
    table: dict[tuple[float, float], list[dict[str, float]]], sets: Sequence[int]
) -> tuple[float, float]:
    """The cuts with the highest mean objective over the ``sets`` (indices).

    Ties go to the lower link cut, then to no or the lower confirmation.
    """
    return max(
        table,
        key=lambda tc: (float(np.mean([objective(table[tc][k]) for k in sets])), -tc[0], -tc[1]),
    )


def train(
    gold_csv: str | Path, seeds: str | Path, out: str | Path, ecbplus: str | Path | None = None
) -> dict[str, object]:
    """Fit the head on the annotated seeds and choose its cuts; write ``out``.

    The link cut is the clustering's and also the comparison's (pipeline.linked_values), so
    it is chosen as it was before claims were confirmed: on the seeds, each document's
    links from a head fitted without it, with no confirmation. The confirmation cut, above
    it, is chosen on the mean objective over the seeds and the ECB+ stories annotated by
    claim under ``ecbplus`` (linked by the head fitted on all the seeds, which never saw
    them): a cut chosen on one story of five articles would follow that story's quirks.
    ``leave_one_set_out`` scores each set at the confirmation the other sets choose.
    """
    story, ev = exact_story([seeds])
    gold = gold_labels(story, gold_csv)
    pairs = annotated_pairs(ev, gold)
    coef, intercept = fit(cluster.pair_features(ev, pairs), pair_labels(pairs, gold))
    fitted = cluster.LinkHead(cluster.FEATURES, coef, intercept, CANDIDATE_COSINE, 0.5, 0.5)
    sets = [scored("seeds", story, ev, out_of_fold(ev, gold), gold)]
    if ecbplus is not None:
        sets += ecbplus_sets(ecbplus, fitted)
    table = {(t, c): [s.score(t, c) for s in sets] for t, c in settings()}
    threshold, _ = best({(t, t): table[t, t] for t in THRESHOLDS}, [0])
    confirmed = {(t, c): got for (t, c), got in table.items() if t == threshold and c > t}
    everyone = range(len(sets))
    _, confirm = best(confirmed, everyone)
    held_out = {}
    for k, s in enumerate(sets):
        _, c = best(confirmed, [m for m in everyone if m != k])
        held_out[s.name] = {"confirm_threshold": c, **table[threshold, c][k]}
    head = dataclasses.replace(fitted, link_threshold=threshold, confirm_threshold=confirm)
    record: dict[str, object] = {
        "features": list(head.features),
        "coef": list(head.coef),
        "intercept": head.intercept,
        "candidate_cosine": head.candidate_cosine,
        "link_threshold": head.link_threshold,
        "confirm_threshold": head.confirm_threshold,
        "trained_on": {
            "gold": str(gold_csv),
            "documents": str(seeds),
            "annotated_sentences": sum(bool(g) for g in gold),
            "candidate_pairs": len(pairs),
            "positive_pairs": int(pair_labels(pairs, gold).sum()),
            "cuts_chosen_on": [s.name for s in sets],
            "method": (
                "logistic regression (C=1) on the seeds' cross-document candidate pairs with "
                f"cosine >= {CANDIDATE_COSINE}; the objective: the mean of pair F1 and "
                "single-source F1; link_threshold: its maximum on the seeds held out by "
                "document, without confirmation; confirm_threshold: above it, the maximum of "
                "its mean over the sets in cuts_chosen_on"
            ),
        },
        "cross_validated": table[threshold, confirm][0],
        "in_sample": score(cluster.cluster(ev, head), gold, ev.doc_ids),
        "at_the_cuts": {s.name: table[threshold, confirm][k] for k, s in enumerate(sets)},
        "without_confirmation": {
            s.name: table[threshold, threshold][k] for k, s in enumerate(sets)
        },
        "leave_one_set_out": held_out,
    }
    Path(out).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    sweep_csv = Path(out).with_name(Path(out).stem + "_sweep.csv")
    with sweep_csv.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["link_threshold", "confirm_threshold", "set", "objective", *SWEEP_KEYS])
        for (t, c), got in table.items():
            for s, scores in zip(sets, got, strict=True):
                w.writerow(
                    [t, c, s.name, round(objective(scores), 4), *(scores[k] for k in SWEEP_KEYS)]
                )
    return record


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit("usage: python -m consistency.linkhead GOLD.csv SEEDS_DIR OUT.json [ECBPLUS_DIR]")
    result = train(*sys.argv[1:5])
    shown = ("coef", "link_threshold", "confirm_threshold", "cross_validated")
    print(json.dumps({k: result[k] for k in shown}))
