"""Wall time and peak memory of `consistency check seeds/`, cold, model load included.

Each run is a fresh process (python start, imports, model load, the whole pipeline,
CSV writing), timed from outside; peak RSS is the child's own maximum resident set.
Writes benchmarks/results_seeds.csv (one row per run and a median row) and prints it.
Run by hand or with `make bench`; it measures, it does not assert.
"""

from __future__ import annotations

import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def one_run(out: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one cold CLI run."""
    cli = Path(sys.executable).parent / "consistency"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(cli), "check", str(ROOT / "seeds"), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"consistency check failed with status {status}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports KiB


def stages() -> dict[str, float]:
    """Seconds per stage in one process (model load separated from embedding)."""
    from consistency import cluster, embed, pipeline

    seconds: dict[str, float] = {}
    with pipeline.timed(seconds, "load_model"):
        manifest = embed.Manifest.load()
        embed.load_model(manifest)
        head = cluster.LinkHead.load()
    story = pipeline.read_story([ROOT / "seeds"], manifest)
    with tempfile.TemporaryDirectory() as tmp:
        pipeline.conclude(story, head).to_csv(tmp)
    seconds.update(story.seconds)
    seconds["sentences"] = len(story.sentences)
    return seconds


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(1, RUNS + 1):
            seconds, rss = one_run(Path(tmp) / f"out{run}")
            rows.append({"run": run, "wall_s": round(seconds, 2), "peak_rss_mb": round(rss)})
    rows.append(
        {
            "run": "median",
            "wall_s": round(statistics.median(r["wall_s"] for r in rows), 2),
            "peak_rss_mb": round(statistics.median(r["peak_rss_mb"] for r in rows)),
        }
    )
    out = ROOT / "benchmarks" / "results_seeds.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["run", "wall_s", "peak_rss_mb"])
        writer.writeheader()
        writer.writerows(rows)
    print(out.read_text(), end="")
    per_stage = stages()
    print("one in-process run, seconds per stage:")
    for name, value in per_stage.items():
        print(f"  {name:22s} {value:.2f}" if name != "sentences" else f"  {name:22s} {value}")
    print(f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB peak in-process")


if __name__ == "__main__":
    main()
