"""The embedding backends: speed, the vectors, and the claims they lead to.

ONNX Runtime (the default), torch (sentence-transformers) and ONNX Runtime with int8
weights (opt-in). A faster backend becomes the default only when it is at least 1.5x
faster and gives the same claims and conflicts on the seeds and the corpus stories.
Three parts:
- speed: fresh processes embedding the distinct sentences and clauses of the first
  ECB+ articles (about 1,000 sentences), alternating the backends, BENCH_RUNS runs each,
  with the model load timed apart, in batches ordered by token count (the checker's
  order) and by characters (its order before); and `consistency check seeds/` from the
  command line, its wall time and peak RSS (the main use: one story, a handful of
  articles);
- vectors: the largest difference and the smallest cosine between each backend and the
  default's;
- claims: `check` with each backend on the seeds and on every labelled ECB+ story
  (benchmarks/data/ecbplus/dev_stories.csv), compared with the default's: each sentence's
  claim (identical, and the adjusted Rand index of the two partitions), the claims table,
  and the conflicts (identical, and how many both find).
Writes benchmarks/results_backends.csv (speed, one row per run and a median per backend)
and benchmarks/results_backends_claims.csv (one row per input and backend).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
from bench_scale import articles, timed  # the same corpus reader and child-process timer

from consistency import Report

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "ecbplus"
SPEED = ROOT / "benchmarks" / "results_backends.csv"
CLAIMS = ROOT / "benchmarks" / "results_backends_claims.csv"
SENTENCES = 1_000
# Batch orders timed: by token count (embed.encode) and by characters, as before it.
ORDERS = ("tokens", "characters")
DEFAULT = "onnx"
BACKENDS = ("torch", DEFAULT, "onnx-int8")
# What makes two conflicts the same finding, whatever their claims are named.
CONFLICT_KEY = ["kind", "severity", "doc_a", "start_a", "end_a", "value_a",
                "doc_b", "start_b", "end_b", "value_b"]  # fmt: skip

EMBED = """
import json, sys, time
start = time.perf_counter()
import numpy as np
from consistency import embed
manifest = embed.Manifest.load(sys.argv[2])
model = embed.load_model(manifest)
loaded = time.perf_counter()
texts = json.load(open(sys.argv[1], encoding="utf-8"))
if sys.argv[3] == "tokens":
    embed.encode(texts, manifest, progress=False, unit="texts")
else:  # batches as they were before token counts: longest first by characters
    order = np.argsort([-len(t) for t in texts], kind="stable")
    for first in range(0, len(order), manifest.batch_size):
        model.encode([texts[i] for i in order[first : first + manifest.batch_size]])
done = time.perf_counter()
print(json.dumps({"load_s": loaded - start, "embed_s": done - loaded}))
"""
WARM = """
import sys
from consistency import embed
embed.load_model(embed.Manifest.load(sys.argv[1]))
"""


def models_for(backend: str, folder: Path) -> Path:
    """A copy of models/ whose manifest picks ``backend``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "models" / "link_head.json", folder)
    manifest = json.loads((ROOT / "models" / "embedding.json").read_text(encoding="utf-8"))
    (folder / "embedding.json").write_text(json.dumps({**manifest, "backend": backend}))
    return folder


def sample_texts() -> list[str]:
    """Distinct sentences and clauses of the first articles, about SENTENCES sentences."""
    from consistency import cluster

    sentences: list[str] = []
    for r in articles():
        sentences += [line for line in r["text"].splitlines() if line.strip()]
        if len(sentences) >= SENTENCES:
            break
    texts = sentences + [c for s in sentences for c in cluster.clauses(s)]
    return list(dict.fromkeys(texts))


def speed(
    texts_file: Path, models: dict[str, Path], runs: int, tmp: Path
) -> list[dict[str, object]]:
    """Rows of the speed table: each run of each backend in fresh processes."""
    n = len(json.loads(texts_file.read_text(encoding="utf-8")))
    rows: list[dict[str, object]] = []
    cli = str(Path(sys.executable).parent / "consistency")
    for run in range(1, runs + 1):
        for backend, folder in models.items():
            env = {"CONSISTENCY_MODELS_DIR": str(folder)}
            for order in ORDERS:
                args = [sys.executable, "-c", EMBED, str(texts_file), str(folder), order]
                t = json.loads(timed(args, env)[3].strip().splitlines()[-1])
                row: dict[str, object] = {
                    "backend": backend, "order": order, "run": run, "texts": n,
                    "load_s": round(t["load_s"], 2), "embed_s": round(t["embed_s"], 2),
                    "texts_per_s": round(n / t["embed_s"], 1),
                }  # fmt: skip
                if order == "tokens":  # the checker's own order: time it end to end too
                    seeds = [cli, "check", str(ROOT / "seeds"), "-o", str(tmp / "seeds-out")]
                    wall, rss, _, _ = timed([*seeds, "--no-progress"], env)
                    row |= {"seeds_check_s": round(wall, 2), "seeds_peak_rss_mb": round(rss)}
                rows.append(row)
                print(row, flush=True)
    measured = ("load_s", "embed_s", "texts_per_s", "seeds_check_s", "seeds_peak_rss_mb")
    for backend in models:
        for order in ORDERS:
            mine = [r for r in rows if r["backend"] == backend and r["order"] == order]
            med = {k: round(statistics.median(float(str(r[k])) for r in mine), 2)
                   for k in measured if k in mine[0]}  # fmt: skip
            rows.append({"backend": backend, "order": order, "run": "median", "texts": n, **med})
    return rows


def compared(a: Report, b: Report) -> dict[str, object]:
    """How ``b``'s claims and conflicts compare with ``a``'s (the default backend's)."""
    from sklearn.metrics import adjusted_rand_score

    found = [set(map(tuple, r.conflicts[CONFLICT_KEY].astype(str).values)) for r in (a, b)]
    return {
        "sentences": len(a.sentences),
        "claims": len(a.claims),
        "claims_here": len(b.claims),
        "conflicts": len(a.conflicts),
        "conflicts_here": len(b.conflicts),
        "conflicts_in_both": len(found[0] & found[1]),
        "same_sentence_claims": a.sentences.claim_id.tolist() == b.sentences.claim_id.tolist(),
        "claims_ari": round(adjusted_rand_score(a.sentences.claim_id, b.sentences.claim_id), 4),
        "same_claims": a.claims.drop(columns="text").equals(b.claims.drop(columns="text")),
        "same_conflicts": a.conflicts.equals(b.conflicts),
    }


def main() -> None:
    from consistency import check, embed

    runs = int(os.environ.get("BENCH_RUNS", "3"))
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        models = {b: models_for(b, tmp / b) for b in BACKENDS}
        for folder in models.values():  # export and quantize before anything is timed, in
            # a child: a parent this large would count in its children's peak RSS
            timed([sys.executable, "-c", WARM, str(folder)])
        texts = sample_texts()
        texts_file = tmp / "texts.json"
        texts_file.write_text(json.dumps(texts), encoding="utf-8")
        rows = speed(texts_file, models, runs, tmp)
        vectors = {b: embed.embed(texts, embed.Manifest.load(f)) for b, f in models.items()}
        for r in rows:
            mine, default = vectors[str(r["backend"])], vectors[DEFAULT]
            r["max_abs_difference"] = f"{np.abs(mine - default).max():.2e}"
            r["min_cosine"] = f"{(mine * default).sum(axis=1).min():.7f}"

        inputs = {"seeds": [ROOT / "seeds"]}
        with (DATA / "dev_stories.csv").open(encoding="utf-8") as f:
            story_of = {r["id"]: r["story"] for r in csv.DictReader(f)}
        by_story: dict[str, list[dict[str, str]]] = {}
        for r in articles():
            if r["id"] in story_of:
                by_story.setdefault(story_of[r["id"]], []).append(r)
        for story, members in sorted(by_story.items()):
            table = tmp / f"{story}.jsonl"
            table.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n"
                                     for r in members), encoding="utf-8")  # fmt: skip
            inputs[story] = [table]
        claim_rows = []
        for label, paths in inputs.items():
            reports = {b: check(paths, models=f, progress=False) for b, f in models.items()}
            for backend in BACKENDS:
                if backend != DEFAULT:
                    row = {"input": label, "backend": backend}
                    claim_rows.append(row | compared(reports[DEFAULT], reports[backend]))
                    print(claim_rows[-1], flush=True)
    for path, table in ((SPEED, rows), (CLAIMS, claim_rows)):
        with path.open("w", newline="", encoding="utf-8") as f:
            fields = list(dict.fromkeys(k for r in table for k in r))
            writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(table)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
