"""Can the judge learn "shares a claim" from the annotated stories? Leave one set out.

The shipped judge learned MRPC's "says the same thing", and on the claim annotation (a pair
is the same when the two sentences share any claim label) it ranks pairs below the link
head (docs/judge.md). This goes on training it on annotated pairs of the other sets:

- the sets: the seeds (tests/data/seed_claims.csv) and the four ECB+ stories annotated by
  claim (benchmarks/data/ecbplus/claims/); each is held out in turn;
- the pairs of a set: its candidate pairs (cross-document, cosine >= 0.3, both sentences
  annotated, linkhead.annotated_pairs), all the same-claim ones, and twice as many others,
  half the nearest by cosine (same story, same topic, other statement) and half drawn;
- training: from the shipped adapter (judge_training.fit's ``start``), on those pairs of the
  other four sets and 1,000 MRPC pairs drawn (so it keeps what MRPC taught), 2 epochs at a
  learning rate of 5e-4, otherwise the shipped settings;
- scored on the held-out set's candidate pairs: ROC AUC and average precision of the link
  head (fitted on the seeds; on the seeds themselves leave-one-document-out), the shipped
  judge, and the judge trained on.

A fold trains about 3,700 pairs twice: about 5 minutes on 2 idle cores, then scores the
held-out pairs both ways round on torch. Usage:
    python benchmarks/eval_judge_claims_cv.py [SET ...]   # default all five; appends to
    benchmarks/results_judge_claims_cv.csv one row per held-out set
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from eval_claims import ECB, SEED_GOLD, SEEDS, story_folder
from eval_judge_mrpc import scored
from sklearn.metrics import average_precision_score, roc_auc_score

from consistency import cluster, embed, judge, judge_training, linkhead, pipeline

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
OUT = ROOT / "benchmarks" / "results_judge_claims_cv.csv"
SETS = ("seeds", "11-ecbplus", "3-ecbplus", "37-ecb", "7-ecb")
SETTINGS = judge_training.Settings(epochs=2, learning_rate=5e-4)
MRPC_KEPT = 1000  # MRPC pairs drawn into each fold's training
FIELDS = ("held_out", "pairs", "same", "train_pairs", "train_seconds",
          "head_auc", "judge_auc", "trained_auc", "head_ap", "judge_ap", "trained_ap")  # fmt: skip


class Annotated:
    """One annotated set: its candidate pairs, their texts, labels and the head's view."""

    def __init__(self, name: str, manifest: embed.Manifest) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder, gold_csv = (
                (SEEDS, SEED_GOLD)
                if name == "seeds"
                else (story_folder(name, Path(tmp)), ECB / "claims" / f"{name}.csv")
            )
            story = pipeline.read_story([folder], manifest, one_story=True, exact_max=10**6)
            gold = linkhead.gold_labels(story, gold_csv)
        ev = story.evidence
        assert isinstance(ev, cluster.Evidence)
        self.pairs = linkhead.annotated_pairs(ev, gold)
        self.label = linkhead.pair_labels(self.pairs, gold)
        texts = [s.text for s in story.sentences]
        self.texts = [(texts[a], texts[b]) for a, b in self.pairs.tolist()]
        self.cosine = cluster.pair_features(ev, self.pairs)[:, 0]
        if name == "seeds":  # the head was fitted on them: each document's from a head without it
            self.head = linkhead.out_of_fold(ev, gold)[self.pairs[:, 0], self.pairs[:, 1]]
        else:
            self.head = cluster.LinkHead.load().probability(cluster.pair_features(ev, self.pairs))

    def training(self, rng: random.Random) -> list[judge_training.Pair]:
        """All same-claim pairs and twice as many others: half the nearest, half drawn."""
        same = np.flatnonzero(self.label == 1)
        other = np.flatnonzero(self.label == 0)
        k = min(len(other), 2 * len(same))
        near = other[np.argsort(-self.cosine[other], kind="stable")][: k // 2]
        rest = sorted(set(other.tolist()) - set(near.tolist()))
        drawn = rng.sample(rest, min(len(rest), k - len(near)))
        return [
            judge_training.Pair(*self.texts[m], int(self.label[m]), "claims")
            for m in [*same.tolist(), *near.tolist(), *drawn]
        ]


def both_ways(model: object, tokens: judge.Tokens, pairs: list[tuple[str, str]]) -> np.ndarray:
    """The mean of each pair's probability read as (a, b) and as (b, a), as the judge reads."""
    forward = scored(model, tokens, pairs)
    backward = scored(model, tokens, [(b, a) for a, b in pairs])
    return np.asarray((forward + backward) / 2)


def main(held_out: list[str]) -> None:
    manifest = embed.Manifest.load()
    folder = manifest.path()
    shipped = judge.load()
    start = judge.read_adapter(shipped.manifest)
    sets = {name: Annotated(name, manifest) for name in SETS}
    mrpc = judge_training.mrpc_pairs(CORPUS / "mrpc" / "train.tsv")
    tokens = judge.Tokens(folder, shipped.manifest.max_length)
    new = not OUT.exists()
    for name in held_out:
        rng = random.Random(SETTINGS.seed)
        pairs = [p for other in SETS if other != name for p in sets[other].training(rng)]
        pairs += rng.sample(mrpc, MRPC_KEPT)
        began = time.perf_counter()
        tensors = judge_training.fit(pairs, folder, SETTINGS, start=start)
        seconds = time.perf_counter() - began
        scale = shipped.manifest.alpha / shipped.manifest.rank
        trained = both_ways(judge.torch_model(tensors, scale, folder), tokens, sets[name].texts)
        plain = shipped.probability(sets[name].texts)
        y = sets[name].label
        row = {
            "held_out": name,
            "pairs": len(y),
            "same": int(y.sum()),
            "train_pairs": len(pairs),
            "train_seconds": round(seconds),
            **{
                f"{method}_{metric}": round(float(fn(y, p)), 3)
                for metric, fn in (("auc", roc_auc_score), ("ap", average_precision_score))
                for method, p in (("head", sets[name].head), ("judge", plain), ("trained", trained))
            },
        }
        with OUT.open("a", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, FIELDS)
            if new:
                w.writeheader()
                new = False
            w.writerow(row)
        print(row, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or list(SETS))
