"""Render report.html in headless Chromium and save screenshots to look at.

The story is the seeds plus the two test outlets, with one figure changed in one of them
($50 billion -> $35 billion in 005_wire), so the page shows a conflict as well as agreement
and single-source claims. Writes benchmarks/screenshots/report-*.png.

    .venv/bin/python benchmarks/render_report.py [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import consistency

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "benchmarks" / "screenshots"
CHANGE = ("005_wire.txt", "a $50 billion loan", "a $35 billion loan")
# (name, width, height, sections shown): the top of the page, then single sections.
# Headless Chromium paints nothing when told to scroll to an #anchor, so a view of a section
# hides the sections before it (an added style rule) instead of scrolling.
VIEWS = [
    ("top", 1400, 1600, ""),
    ("conflicts", 1400, 900, "#conflicts"),
    ("single-source", 1400, 900, "#single-source"),
    ("corroborated", 1400, 900, "#corroborated"),
    ("narrow", 420, 1400, "#conflicts"),
]


def story(folder: Path) -> Path:
    """The seeds and the test outlets copied to ``folder``, one figure changed."""
    for source in [ROOT / "seeds", ROOT / "tests" / "data" / "outlets"]:
        for path in sorted(source.iterdir()):
            shutil.copy(path, folder / path.name)
    name, old, new = CHANGE
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return folder


def only(page: Path, section: str, folder: Path) -> Path:
    """A copy of ``page`` showing only ``section`` (all of it when empty)."""
    if not section:
        return page
    rule = f"<style>header,main>section:not({section}){{display:none}}</style></head>"
    copy = folder / f"{section.strip('#')}.html"
    copy.write_text(page.read_text(encoding="utf-8").replace("</head>", rule, 1), "utf-8")
    return copy


def screenshot(chromium: str, page: Path, png: Path, width: int, height: int) -> None:
    """One headless Chromium screenshot of the top of ``page``."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
                f"--window-size={width},{height}", f"--screenshot={png}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        sys.exit(f"{args.chromium}: no Chromium here; apt-get install chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        report = consistency.check(story(Path(tmp)))
        page = report.to_html(Path(tmp) / "out" / "report.html")
        print(f"report.html: {page.stat().st_size:,} bytes; {report.summary()}")
        for name, width, height, section in VIEWS:
            png = SHOTS / f"report-{name}.png"
            start = time.perf_counter()
            screenshot(args.chromium, only(page, section, Path(tmp)), png, width, height)
            took = time.perf_counter() - start
            print(f"{png}: {width}x{height}, {section or 'top'} ({took:.1f} s)")


if __name__ == "__main__":
    main()
