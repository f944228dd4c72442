"""How the claims move with the judge's cut, the weight of an unread pair and the partners read.

The seeds and the four ECB+ stories annotated by claim (as in eval_claims.py), each pair
judged once with the most partners swept; smaller settings read a subset of those pairs.
Scores: linkhead.score; `objective` is linkhead.objective (the mean of pair F1 and
single-source F1). Writes benchmarks/results_claims_sweep.csv; the shipped values are
claims.PARTNERS, claims.UNREAD and the judge's threshold.
"""

from __future__ import annotations

import csv
import itertools
import tempfile
from pathlib import Path

import numpy as np
from eval_claims import ECB, SEED_GOLD, SEEDS, story_folder

from consistency import claims, embed, judge, linkhead, pipeline

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results_claims_sweep.csv"
CUTS = (0.3, 0.4, 0.5, 0.6, 0.7)
UNREADS = (0.0, 0.1, 0.2, 0.3)
PARTNERS = (4, 8, 12, 16)


def sets() -> list[tuple[str, pipeline.Story, Path]]:
    manifest = embed.Manifest.load()
    out = [("seeds", pipeline.read_story([SEEDS], manifest, one_story=True), SEED_GOLD)]
    for gold in sorted((ECB / "claims").glob("*.csv")):
        with tempfile.TemporaryDirectory() as tmp:
            story = pipeline.read_story([story_folder(gold.stem, Path(tmp))], manifest,
                                        one_story=True)  # fmt: skip
        out.append((f"ecbplus {gold.stem}", story, gold))
    return out


def main() -> None:
    decider = judge.load()
    rows = []
    for name, story, gold_csv in sets():
        gold = linkhead.gold_labels(story, gold_csv)
        i = story.parts[0].inputs
        docs = list(i.doc_ids)
        widest = claims.candidates(i.vectors, i.texts, docs, partners=max(PARTNERS))
        prob = decider.probability([(i.texts[a], i.texts[b]) for a, b in widest.tolist()])
        known = dict(zip(map(tuple, widest.tolist()), prob.tolist(), strict=True))
        for k in PARTNERS:
            pairs = claims.candidates(i.vectors, i.texts, docs, partners=k)
            p = np.array([known[tuple(x)] for x in pairs.tolist()])
            links = claims.judged_links(pairs, p, len(i.texts))
            for cut, unread in itertools.product(CUTS, UNREADS):
                if unread >= cut:
                    continue
                found = claims.claims(links, docs, cut, unread)
                s = linkhead.score(found, gold, i.doc_ids)
                rows.append({"set": name, "partners": k, "cut": cut, "unread": unread,
                             "pairs": len(pairs), **s,
                             "objective": round(linkhead.objective(s), 4)})  # fmt: skip
        print(name, "done", flush=True)
    fields = list(rows[0])
    with OUT.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fields)
        w.writeheader()
        w.writerows(rows)
    # The mean over the five sets, per setting, best first.
    table: dict[tuple[int, float, float], list[dict[str, object]]] = {}
    for r in rows:
        table.setdefault((r["partners"], r["cut"], r["unread"]), []).append(r)  # type: ignore[arg-type]
    ranked = sorted(table.items(), key=lambda kv: -np.mean([r["objective"] for r in kv[1]]))
    for key, got in ranked[:15]:
        mean = {m: round(float(np.mean([r[m] for r in got])), 3)
                for m in ("objective", "pair_f1", "single_source_precision",
                          "single_source_recall")}  # fmt: skip
        seeds = next(r for r in got if r["set"] == "seeds")
        print(key, mean, "seeds", seeds["pair_f1"], seeds["single_source_precision"],
              seeds["single_source_recall"])  # fmt: skip


if __name__ == "__main__":
    main()
