"""Cost at about 1k, 10k (and 100k) sentences of real news, against embedding alone.

Inputs come from the ECB+ articles in benchmarks/data/ecbplus (CC BY 3.0, see its README):
the first articles in id order until a level's sentence count is reached. The corpus holds
about 15,300 sentences, so the 100k level repeats it under new ids, each copy's articles
opened with a line naming the copy (byte-identical articles would be dropped as duplicates);
its sentences are then repeated too, which the results file says in its `input` column.
Each distinct text is embedded once (embed.py), so `texts_embedded` counts distinct
sentences and clauses, and at 100k the embedding is that of the corpus while every other
stage works on all the repeated sentences.

For each level and run, three fresh processes, timed from outside with their peak RSS:
- `check`: the whole pipeline (imports, model load, every stage, CSV writing) filling an
  empty --cache (writing the vectors costs well under a second at 10k), with the seconds
  of each stage as the pipeline times them. It then lists the texts it embedded for the
  next process (2 s at 100k); that step is timed and taken off its wall time;
- `embed`: imports, model load, and embedding the same sentences and clauses alone;
- `cached`: the pipeline again on the same input, every vector in the cache.
From 5,000 sentences on (workers.PARALLEL_MIN) the check runs the stages after the
embedding in a pool of one forked worker per core (`workers`): `claims_s` is the wall time
of the stories' claims, while `evidence_s`, `cluster_s` and `compare_s` are the workers'
seconds summed. `frames_s` is the dependency parse of the lines with values and its cache
look-ups (frames.frame_all), in the main process after the values are read.
`peak_rss_mb` is the peak of the largest single process (wait4);
`peak_pss_sum_mb` (median rows) the peak of the check's and its workers' PSS added up (a
page shared by k processes counts 1/k in each): the memory the run holds, sampled every
0.2 s in one more check of its own, since reading it would slow a timed run.
Writes benchmarks/results.csv: one row per run and a median row per level (ratio =
check / embed alone). Levels and runs: BENCH_LEVELS (default "1000,10000"), BENCH_RUNS (3).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "ecbplus"
OUT = ROOT / "benchmarks" / "results.csv"
STAGES = ("ingest", "clean_segment", "embed", "stories", "off_topic", "slots", "frames",
          "claims", "evidence", "cluster", "compare", "report")  # fmt: skip
COLUMNS = ("level", "run", "input", "documents", "stories", "sentences", "texts_embedded",
           "workers", "wall_s", "peak_rss_mb", "peak_pss_sum_mb", *[f"{s}_s" for s in STAGES],
           "embed_alone_s", "embed_share", "ratio_to_embed", "cached_wall_s",
           "cache_speedup")  # fmt: skip

CHECK = """
import gc, json, sys, time
start = time.perf_counter()
from pathlib import Path
from consistency import cluster, embed, pipeline
from consistency.workers import frozen
manifest = embed.Manifest.load()
head = cluster.LinkHead.load()
cache = None
if len(sys.argv) > 3:
    from consistency.cache import EmbeddingCache
    cache = EmbeddingCache(Path(sys.argv[3]), manifest, write_behind=True)
with frozen():  # as consistency.check runs
    story = pipeline.read_story([sys.argv[1]], manifest, max_sentences=10**7, cache=cache)
    report = pipeline.conclude(story, head)
if cache:
    cache.flush()
report.to_csv(sys.argv[2])
gc.freeze()  # as the command line does at its exit
aside = time.perf_counter()
texts = [s.text for s in story.sentences]
clauses = [c for t in texts for c in cluster.clauses(t)]
Path(sys.argv[2], "texts.json").write_text(json.dumps(texts + clauses))
from consistency.workers import how_many
print(json.dumps({**story.seconds, "documents": len(story.documents), "n_stories": len(story.parts),
                  "workers": how_many(None, len(texts)),
                  "sentences": len(texts), "texts": len(set(texts + clauses)),
                  "inside_s": time.perf_counter() - start, "aside_s": time.perf_counter() - aside}))
"""
EMBED = """
import gc, json, sys
from consistency import embed
texts = json.load(open(sys.argv[1], encoding="utf-8"))
embed.embed(texts, embed.Manifest.load())
gc.freeze()  # its exit spared the last collection, as the check's is
"""


def articles() -> list[dict[str, str]]:
    """The corpus's articles in id order."""
    with (DATA / "articles.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return sorted(rows, key=lambda r: r["id"])


def level_input(target: int, folder: Path) -> tuple[Path, str]:
    """A JSONL table of about ``target`` sentences, and how it was made."""
    rows, total, copy = [], 0, 0
    corpus = articles()
    while total < target:
        copy += 1
        for r in corpus:
            if total >= target:
                break
            text = r["text"] if copy == 1 else f"Copy {copy} of article {r['id']}.\n{r['text']}"
            rows.append({"id": r["id"] if copy == 1 else f"{r['id']}-copy{copy}", "text": text})
            total += sum(1 for line in text.splitlines() if line.strip())
    path = folder / f"level-{target}.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    made = f"first {len(rows)} ECB+ articles" if copy == 1 else f"ECB+ repeated {copy} times"
    return path, made


def tree_pss_mb(pid: int) -> float:
    """Memory of process ``pid`` and its children in MB: their PSS added up, from /proc.

    PSS counts a page shared by k processes (a forked worker's copy-on-write pages) as
    1/k in each, so the sum is the memory the processes hold together. 0 once gone.
    """
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = stat[stat.rindex(")") + 2 :].split()[1]
            if entry.name != str(pid) and parent != str(pid):
                continue
            rollup = (entry / "smaps_rollup").read_text()
        except (OSError, ValueError):
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total / 1024


def timed(
    args: list[str], extra_env: dict[str, str] | None = None, sample: bool = False
) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS of the largest process, peak PSS of all (``sample``: read
    every 0.2 s, else 0), in MB, and the stdout of one child process."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **(extra_env or {})}
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    peak = [0.0]

    def sampler() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_pss_mb(proc.pid))
            time.sleep(0.2)

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    if sample:
        thread.join()
    if status != 0:
        raise SystemExit(f"{args[:3]} failed with status {status}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024, peak[0], out.decode()


def memory_run(table: Path, tmp: Path) -> float:
    """Peak PSS of a check and its workers, in MB, in a run of its own (not timed: reading
    the processes' memory maps takes tens of milliseconds of a core each time)."""
    out, cache = tmp / "memory-out", tmp / "memory-cache"
    _, _, pss, _ = timed(
        [sys.executable, "-c", CHECK, str(table), str(out), str(cache)], sample=True
    )
    shutil.rmtree(cache)
    return round(pss)


def one_run(level: int, run: int, table: Path, made: str, tmp: Path) -> dict[str, object]:
    """One row of results.csv."""
    out, cache = tmp / f"out-{level}-{run}", tmp / f"cache-{level}-{run}"
    wall, rss, _, printed = timed([sys.executable, "-c", CHECK, str(table), str(out), str(cache)])
    seconds = json.loads(printed.strip().splitlines()[-1])
    wall -= seconds["aside_s"]
    alone, _, _, _ = timed([sys.executable, "-c", EMBED, str(out / "texts.json")])
    cached, _, _, again = timed(
        [sys.executable, "-c", CHECK, str(table), str(tmp / "again"), str(cache)]
    )
    cached -= json.loads(again.strip().splitlines()[-1])["aside_s"]
    shutil.rmtree(cache)
    row: dict[str, object] = {
        "level": level,
        "run": run,
        "input": made,
        "documents": seconds["documents"],
        "stories": seconds["n_stories"],
        "sentences": seconds["sentences"],
        "texts_embedded": seconds["texts"],
        "workers": seconds["workers"],
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(rss),
        **{f"{s}_s": round(seconds.get(s, 0.0), 2) for s in STAGES},
        "embed_alone_s": round(alone, 2),
        "embed_share": round(seconds.get("embed", 0.0) / wall, 3),
        "ratio_to_embed": round(wall / alone, 3),
        "cached_wall_s": round(cached, 2),
        "cache_speedup": round(wall / cached, 2),
    }
    print(", ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return row


def median_row(rows: list[dict[str, object]]) -> dict[str, object]:
    """The median of each measured column over one level's runs."""
    out: dict[str, object] = {**rows[0], "run": "median"}
    for column in [c for c in COLUMNS[8:] if c != "peak_pss_sum_mb"]:
        out[column] = round(statistics.median(float(str(r[column])) for r in rows), 3)
    return out


def main() -> None:
    levels = [int(x) for x in os.environ.get("BENCH_LEVELS", "1000,10000").split(",")]
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for level in levels:
            table, made = level_input(level, tmp)
            level_rows = [one_run(level, run, table, made, tmp) for run in range(1, runs + 1)]
            median = median_row(level_rows)
            median["peak_pss_sum_mb"] = memory_run(table, tmp)
            print(f"level {level}: peak PSS, check and workers: {median['peak_pss_sum_mb']} MB")
            rows += [*level_rows, median]
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n", restval="")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
