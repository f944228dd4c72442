"""Run notebooks/explore.ipynb headless and save its figures as PNGs to look at.

Each code cell tagged ``figure-<name>`` gives docs/images/notebook-<name>.png (its last
image, as the notebook shows it); docs/screenshots.md shows them.

    .venv/bin/python benchmarks/notebook_figures.py
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
IMAGES = ROOT / "docs" / "images"
TAG = "figure-"


def main() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, resources={"metadata": {"path": NOTEBOOK.parent}}).execute()
    print(f"{NOTEBOOK.name}: ran in {time.perf_counter() - start:.0f} s")
    IMAGES.mkdir(parents=True, exist_ok=True)
    for cell in nb.cells:
        names = [t[len(TAG) :] for t in cell.metadata.get("tags", []) if t.startswith(TAG)]
        outputs = [o.get("data", {}) for o in cell.get("outputs", [])]
        pngs = [data["image/png"] for data in outputs if "image/png" in data]
        for name in names:
            if not pngs:
                raise SystemExit(f"cell {cell.get('id')} is tagged {TAG}{name} but drew nothing")
            png = IMAGES / f"notebook-{name}.png"
            png.write_bytes(base64.b64decode(pngs[-1]))
            print(f"{png.relative_to(ROOT)}: {png.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
