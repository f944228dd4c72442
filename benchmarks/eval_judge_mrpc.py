"""MRPC's training split, 5-fold: the judge's recipe against plain cosine and the link head.

Each fold's judge is trained as `make train` trains the shipped one (same settings, the same
ECB+ pairs; JUDGE_SETTINGS, a JSON object of judge_training.Settings fields, overrides them
for an experiment) on MRPC without that fold, and scored on the fold at the shipped cut.
Cosine's cut is the best on the other four folds. The link head is today's, fixed: each pair
read as a story of two one-sentence documents, linked at its cut. Usage:
    python benchmarks/eval_judge_mrpc.py [FOLD ...]   # default all five; appends to
    benchmarks/results_judge_mrpc.csv one row per (fold, method)
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from consistency import cluster, embed, judge, judge_training

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
OUT = ROOT / "benchmarks" / "results_judge_mrpc.csv"
FOLDS = 5


def folds(n: int) -> np.ndarray:
    """Each pair's fold: a seeded permutation cut in FOLDS parts."""
    at = np.empty(n, dtype=np.int64)
    at[np.random.default_rng(0).permutation(n)] = np.arange(n) % FOLDS
    return at


def scores(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    return {
        "accuracy": round(float((pred == (y == 1)).mean()), 4),
        "f1": round(2 * tp / (2 * tp + fp + fn), 4),
    }


def head_probability(a: str, b: str, head: cluster.LinkHead, vectors: np.ndarray) -> float:
    ev = cluster.evidence([a, b], ["a", "b"], vectors, [vectors[:1], vectors[1:]], [set(), set()])
    links = cluster.link_matrix(ev, head).toarray()
    return float(links[0, 1])


def scored(model: object, tokens: judge.Tokens, pairs: list[tuple[str, str]]) -> np.ndarray:
    """The torch judge's probability of each pair, in the order given."""
    import torch

    out: list[float] = []
    with torch.no_grad():
        for lo in range(0, len(pairs), 64):
            feed = tokens(pairs[lo : lo + 64])
            logit = model(**{n: torch.from_numpy(v) for n, v in feed.items()}).numpy()  # type: ignore[operator]
            out += (1 / (1 + np.exp(-logit))).tolist()
    return np.array(out)


def main(which: list[int]) -> None:
    manifest = embed.Manifest.load()
    folder = manifest.path()
    pairs = judge_training.mrpc_pairs(CORPUS / "mrpc" / "train.tsv")
    settings = judge_training.Settings(**json.loads(os.environ.get("JUDGE_SETTINGS", "{}")))
    ecb = judge_training.balanced(
        judge_training.ecbplus_pairs(CORPUS / "ecbplus" / "annotations_dev.jsonl"),
        settings.ecbplus_pairs,
        settings.seed,
    )
    y = np.array([p.label for p in pairs])
    fold = folds(len(pairs))
    texts = sorted({t for p in pairs for t in (p.a, p.b)})
    vec = dict(zip(texts, embed.embed(texts, manifest), strict=True))
    cos = np.array([float(vec[p.a] @ vec[p.b]) for p in pairs])
    head = cluster.LinkHead.load()
    rows = []
    for k in which:
        test = fold == k
        cuts = np.round(np.arange(0.30, 0.95, 0.01), 2)
        best = max(cuts, key=lambda c: ((cos[~test] >= c) == (y[~test] == 1)).mean())
        rows.append(
            {
                "fold": k,
                "method": "cosine",
                "cut": best,
                **scores(y[test], cos[test] >= best),
            }
        )
        hp = np.array(
            [
                head_probability(p.a, p.b, head, np.stack([vec[p.a], vec[p.b]]))
                for p, t in zip(pairs, test, strict=True)
                if t
            ]
        )
        rows.append(
            {
                "fold": k,
                "method": "link head (today's)",
                "cut": head.link_threshold,
                **scores(y[test], hp >= head.link_threshold),
            }
        )
        train = [p for p, t in zip(pairs, test, strict=True) if not t] + ecb
        start = time.perf_counter()
        tensors = judge_training.fit(train, folder, settings)
        seconds = time.perf_counter() - start

        model = judge.torch_model(tensors, settings.alpha / settings.rank, folder)
        tokens = judge.Tokens(folder, settings.max_length)
        held = [p for p, t in zip(pairs, test, strict=True) if t]
        prob = scored(model, tokens, [(p.a, p.b) for p in held])
        # The shipped judge (judge.CrossEncoder) averages both orders of the two sentences.
        both = (prob + scored(model, tokens, [(p.b, p.a) for p in held])) / 2
        by_cut = {c: scores(y[test], prob >= c)["accuracy"] for c in (0.3, 0.4, 0.5, 0.6, 0.7)}
        print("accuracy by cut", by_cut, flush=True)
        rows.append(
            {
                "fold": k,
                "method": "judge (shipped recipe)",
                "cut": 0.5,
                **scores(y[test], prob >= 0.5),
                "train_seconds": round(seconds),
            }
        )
        rows.append(
            {
                "fold": k,
                "method": "judge (shipped recipe), both orders averaged as shipped",
                "cut": 0.5,
                **scores(y[test], both >= 0.5),
            }
        )
        print(rows[-4:], flush=True)
        new = not OUT.exists()
        with OUT.open("a", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, ["fold", "method", "cut", "accuracy", "f1", "train_seconds"])
            if new:
                w.writeheader()
            w.writerows(rows[-4:])


def summary() -> dict[str, dict[str, object]]:
    """Each method's mean accuracy and F1 over the folds in OUT (all five, else none)."""
    with OUT.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for method in dict.fromkeys(r["method"] for r in rows):
        got = [r for r in rows if r["method"] == method]
        if len({r["fold"] for r in got}) == FOLDS:
            out[method] = {m: round(float(np.mean([float(r[m]) for r in got])), 4)
                           for m in ("accuracy", "f1")}  # fmt: skip
            out[method]["accuracy_by_fold"] = [float(r["accuracy"]) for r in got]
            out[method]["accuracy_by_fold"] = [float(r["accuracy"]) for r in got]
    return out


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or list(range(FOLDS)))
    from eval_claims import record_scores

    record_scores(
        "mrpc_5_fold",
        summary(),
        "python benchmarks/eval_judge_mrpc.py (make train-cv): 5 folds of MRPC train.tsv, "
        "each judge trained as the shipped one without its fold",
    )
