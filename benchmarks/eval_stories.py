"""Story grouping scored on ECB+'s labelled half (adjusted Rand index; the aim is 0.9 or more).

benchmarks/data/ecbplus/dev_stories.csv labels the 497 articles of the odd-numbered topics;
each topic holds two events of one kind (two earthquakes...), so 43 topics, 86 stories.
Each article goes through the pipeline's own reading (ingest, furniture, sentences) and
pipeline.group_stories with the sentences' vectors, exactly as `consistency check` groups
it (the vectors come from the embedding cache given as the first argument, if any; the
first run embeds about 20,000 sentences). Scores:
- mixed: all 982 articles grouped at once, ARI over the labelled ones; also over the
  topics the parameters were chosen on (tune: every other labelled topic, from the
  first) and over the held-out ones (hold);
- whole: each labelled story grouped alone must stay one story (the tool's main input);
- pairs: the two stories of each labelled topic grouped together, separated or not;
- seconds: the grouping alone, for the corpus and for it repeated six times under new
  ids (about 5,900 articles, the 100k-sentence benchmark level).
Writes benchmarks/results_stories.csv (one row per measure) and prints the failures.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import adjusted_rand_score

from consistency import embed, ingest, pipeline
from consistency.cache import EmbeddingCache
from consistency.records import Document, Sentence

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "ecbplus"
OUT = ROOT / "benchmarks" / "results_stories.csv"


def read(rows: list[dict[str, str]], folder: Path) -> tuple[list[Document], list[Sentence]]:
    """The documents and kept sentences `consistency check` would read from these articles."""
    table = folder / "articles.jsonl"
    table.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    docs = ingest.load([table]).documents
    return docs, pipeline.kept_sentences(docs)


def vectors(sentences: list[Sentence], cache: EmbeddingCache) -> NDArray[np.float32]:
    """The sentences' vectors, as `consistency check` has them when it groups stories."""
    return embed.embed([s.text for s in sentences], cache.manifest, cache=cache)


def group(rows: list[dict[str, str]], folder: Path, cache: EmbeddingCache) -> dict[str, str]:
    """Story per article id."""
    docs, sentences = read(rows, folder)
    story_of = pipeline.group_stories(docs, sentences, False, vectors(sentences, cache))
    return {d.doc_id.rsplit(":", 1)[-1]: story_of[d.doc_id] for d in docs}


def main() -> None:
    import tempfile

    with (DATA / "articles.jsonl").open(encoding="utf-8") as f:
        # Only id and text: the corpus's ECB+ articles have URLs and its ECB ones do not.
        articles = [{"id": r["id"], "text": r["text"]} for r in map(json.loads, f)]
    with (DATA / "dev_stories.csv").open(encoding="utf-8") as f:
        label = {r["id"]: r["story"] for r in csv.DictReader(f)}
    topics = sorted({int(s.split("-")[0]) for s in label.values()})
    tune = set(topics[0::2])
    by_story: dict[str, list[dict[str, str]]] = {}
    for r in articles:
        if r["id"] in label:
            by_story.setdefault(label[r["id"]], []).append(r)
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        cache = EmbeddingCache(Path(sys.argv[1]) if len(sys.argv) > 1 else tmp / "cache",
                               embed.Manifest.load())  # fmt: skip
        start = time.perf_counter()
        docs, sentences = read(articles, tmp)
        read_s = time.perf_counter() - start
        vecs = vectors(sentences, cache)
        start = time.perf_counter()
        story_of = pipeline.group_stories(docs, sentences, False, vecs)
        group_s = time.perf_counter() - start
        found = {d.doc_id.rsplit(":", 1)[-1]: story_of[d.doc_id] for d in docs}
        if not set(label) <= set(found):
            raise SystemExit("article ids in dev_stories.csv are missing from the read input")
        for part, keep in (("all", set(topics)), ("tune", tune), ("hold", set(topics) - tune)):
            ids = [i for i in label if int(label[i].split("-")[0]) in keep]
            ari = adjusted_rand_score([label[i] for i in ids], [found[i] for i in ids])
            results.append({"measure": f"mixed_ari_{part}", "value": round(ari, 4),
                            "of": f"{len(ids)} labelled articles"})  # fmt: skip
        whole = {s: len(set(group(rows, tmp, cache).values()))
                 for s, rows in sorted(by_story.items())}  # fmt: skip
        for part, keep in (("all", set(topics)), ("tune", tune), ("hold", set(topics) - tune)):
            mine = [s for s in whole if int(s.split("-")[0]) in keep]
            results.append({"measure": f"stories_whole_alone_{part}",
                            "value": sum(whole[s] == 1 for s in mine),
                            "of": f"{len(mine)} stories"})  # fmt: skip
        separated, pair_ari = {}, {}
        for t in topics:
            rows = by_story[f"{t}-ecb"] + by_story[f"{t}-ecbplus"]
            got = group(rows, tmp, cache)
            pair_ari[t] = adjusted_rand_score([label[r["id"]] for r in rows],
                                              [got[r["id"]] for r in rows])  # fmt: skip
            separated[t] = pair_ari[t] == 1.0
        results.append({"measure": "topic_pairs_separated", "value": sum(separated.values()),
                        "of": f"{len(topics)} topics"})  # fmt: skip
        results.append({"measure": "topic_pairs_mean_ari",
                        "value": round(sum(pair_ari.values()) / len(topics), 4),
                        "of": f"{len(topics)} topics"})  # fmt: skip
        results.append({"measure": "read_seconds", "value": round(read_s, 2),
                        "of": f"{len(docs)} articles (ingest, furniture, sentences)"})  # fmt: skip
        results.append({"measure": "group_seconds", "value": round(group_s, 2),
                        "of": f"{len(docs)} articles"})  # fmt: skip
        copies = [{"id": f"{r['id']}-copy{c}", "text": f"Copy {c} of article {r['id']}.\n"
                   + r["text"]} for c in range(2, 7) for r in articles]  # fmt: skip
        big_docs, big_sentences = read(articles + copies, tmp)
        big_vecs = vectors(big_sentences, cache)
        start = time.perf_counter()
        big = pipeline.group_stories(big_docs, big_sentences, False, big_vecs)
        big_s = time.perf_counter() - start
        results.append({"measure": "group_seconds_x6", "value": round(big_s, 2),
                        "of": f"{len(big_docs)} articles (the corpus and 5 copies)"})  # fmt: skip
        short = {d.doc_id: d.doc_id.rsplit(":", 1)[-1].split("-copy")[0] for d in big_docs}
        together = sum(len({big[d] for d in big_docs_of}) == 1 for big_docs_of in
                       _copies(short).values())  # fmt: skip
        results.append({"measure": "copies_with_their_original", "value": together,
                        "of": f"{len(articles)} articles"})  # fmt: skip
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["measure", "value", "of"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(results)
    for r in results:
        print(f"{r['measure']}: {r['value']} ({r['of']})")
    print("split when alone:", [s for s, k in whole.items() if k != 1])
    print("pairs not separated:", [t for t, ok in separated.items() if not ok])
    print(f"wrote {OUT}")


def _copies(short: dict[str, str]) -> dict[str, list[str]]:
    """Document ids grouped by the article they copy."""
    out: dict[str, list[str]] = {}
    for doc_id, article in short.items():
        out.setdefault(article, []).append(doc_id)
    return out


if __name__ == "__main__":
    main()
