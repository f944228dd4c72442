"""The cheaper alternative to the cross-encoder: a pair head over the frozen sentence vectors.

Each sentence is embedded alone (all-MiniLM-L6-v2, as the checker embeds), and a logistic
regression reads the pair from [|u - v|, u * v, cosine] (the classifier of SentEval's and
Sentence-BERT's pair tasks), fitted on the same pairs as the judge (MRPC, the same 3,000
ECB+ pairs). Scored as the judge is:
- MRPC's training split, the folds of eval_judge_mrpc.py, cut 0.5;
- claims.py's claims on the seeds and the four annotated ECB+ stories, as eval_claims.py.
Writes benchmarks/results_biencoder.csv; `python benchmarks/eval_biencoder.py`.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from eval_claims import ECB, KEYS, SEED_GOLD, SEEDS, story_folder
from eval_judge_mrpc import CORPUS, FOLDS, folds, scores
from sklearn.linear_model import LogisticRegression

from consistency import claims, embed, judge_training, linkhead, pipeline

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results_biencoder.csv"


def features(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """[|u - v|, u * v, cosine] of unit rows."""
    return np.hstack([np.abs(u - v), u * v, (u * v).sum(axis=1, keepdims=True)])


@dataclass
class PairHead:
    """A Judge over frozen vectors: the logistic regression's probability of "same"."""

    model: LogisticRegression
    manifest: embed.Manifest
    threshold: float = 0.5

    def probability(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        if not pairs:
            return np.zeros(0)
        texts = sorted({t for p in pairs for t in p})
        vec = dict(zip(texts, embed.embed(texts, self.manifest), strict=True))
        u = np.stack([vec[a] for a, _ in pairs])
        v = np.stack([vec[b] for _, b in pairs])
        # Symmetric by construction: |u - v| and u * v do not depend on the order.
        return self.model.predict_proba(features(u, v))[:, 1]


def fit(pairs: Sequence[judge_training.Pair], vec: dict[str, np.ndarray]) -> LogisticRegression:
    u = np.stack([vec[p.a] for p in pairs])
    v = np.stack([vec[p.b] for p in pairs])
    y = np.array([p.label for p in pairs])
    return LogisticRegression(C=1.0, max_iter=2000).fit(features(u, v), y)


def main() -> None:
    manifest = embed.Manifest.load()
    settings = judge_training.Settings()
    mrpc = judge_training.mrpc_pairs(CORPUS / "mrpc" / "train.tsv")
    ecb = judge_training.balanced(
        judge_training.ecbplus_pairs(CORPUS / "ecbplus" / "annotations_dev.jsonl"),
        settings.ecbplus_pairs,
        settings.seed,
    )
    texts = sorted({t for p in mrpc + ecb for t in (p.a, p.b)})
    vec = dict(zip(texts, embed.embed(texts, manifest), strict=True))
    y = np.array([p.label for p in mrpc])
    fold = folds(len(mrpc))
    rows: list[dict[str, object]] = []
    for k in range(FOLDS):
        test = fold == k
        model = fit([p for p, t in zip(mrpc, test, strict=True) if not t] + ecb, vec)
        held = [p for p, t in zip(mrpc, test, strict=True) if t]
        u, v = np.stack([vec[p.a] for p in held]), np.stack([vec[p.b] for p in held])
        prob = model.predict_proba(features(u, v))[:, 1]
        rows.append({"set": "mrpc", "fold": k, **scores(y[test], prob >= 0.5)})
        print(rows[-1], flush=True)
    head = PairHead(fit(mrpc + ecb, vec), manifest)
    sets = [("seeds", pipeline.read_story([SEEDS], manifest, one_story=True), SEED_GOLD)]
    for gold in sorted((ECB / "claims").glob("*.csv")):
        with tempfile.TemporaryDirectory() as tmp:
            story = pipeline.read_story(
                [story_folder(gold.stem, Path(tmp))], manifest, one_story=True
            )
        sets.append((f"ecbplus {gold.stem}", story, gold))
    for name, story, gold_csv in sets:
        gold = linkhead.gold_labels(story, gold_csv)
        i = story.parts[0].inputs
        docs = list(i.doc_ids)
        pairs = claims.candidates(i.vectors, i.texts, docs)
        prob = head.probability([(i.texts[a], i.texts[b]) for a, b in pairs.tolist()])
        found = claims.claims(claims.judged_links(pairs, prob, len(i.texts)), docs, 0.5)
        s = linkhead.score(found, gold, i.doc_ids)
        rows.append({"set": name, "fold": "", **{k: s[k] for k in KEYS[:5]}})
        print(rows[-1], flush=True)
    fields = ["set", "fold", "accuracy", "f1", *KEYS[:5]]
    with OUT.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fields)
        w.writeheader()
        w.writerows(rows)
    acc = np.mean([r["accuracy"] for r in rows if r["set"] == "mrpc"])
    f1 = np.mean([r["f1"] for r in rows if r["set"] == "mrpc"])
    print(f"MRPC 5-fold mean accuracy {acc:.4f}, F1 {f1:.4f}")


if __name__ == "__main__":
    main()
