"""Ingest throughput on a large CSV of articles: reading, decoding, parsing rows, cleaning
and sentence splitting (everything before the embeddings).

The CSV repeats the seed articles and the ECB+ test story under new ids (the rows are
real text; the repetition is said in the results). Writes benchmarks/results_ingest.csv
with the median of several runs in one sitting. It measures; it does not assert.
"""

from __future__ import annotations

import csv
import os
import statistics
import tempfile
import time
from pathlib import Path

from consistency import clean, ingest, segment

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("BENCH_ROWS", "20000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def make_csv(path: Path, rows: int) -> int:
    """Write ``rows`` articles to ``path``; returns its size in bytes."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += [
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "tests" / "data" / "ecbplus_37ecb").glob("*.txt"))
    ]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "source", "published", "text"])
        for i in range(rows):
            # A line of its own makes every row a distinct article (identical texts are
            # duplicates, which are counted once and not split).
            text = f"Copy {i} of a real article.\n{texts[i % len(texts)]}"
            writer.writerow([f"a{i:06d}", f"outlet {i % 40}", "2024-06-19", text])
    return path.stat().st_size


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "articles.csv"
        size = make_csv(table, ROWS)
        load_s, split_s, sentences = [], [], 0
        for _ in range(RUNS):
            t0 = time.perf_counter()
            docs = ingest.load([table]).documents
            load_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            sentences = 0
            for doc in docs:
                kept, _ = clean.furniture(doc)
                sentences += len(segment.sentences(doc, kept))
            split_s.append(time.perf_counter() - t0)
    load, split = statistics.median(load_s), statistics.median(split_s)
    row = {
        "rows": ROWS,
        "mb": round(size / 2**20, 1),
        "sentences": sentences,
        "ingest_s": round(load, 2),
        "clean_segment_s": round(split, 2),
        "rows_per_s": round(ROWS / (load + split)),
        "mb_per_s": round(size / 2**20 / (load + split), 1),
        "note": f"median of {RUNS} runs; {ROWS} rows repeating 12 real articles under new "
        "ids, each with a line of its own",
    }  # fmt: skip
    out = ROOT / "benchmarks" / "results_ingest.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    print(out.read_text(), end="")


if __name__ == "__main__":
    main()
