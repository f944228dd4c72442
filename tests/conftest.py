"""Shared fixtures: the seeds checked once per test run (embedding is the expensive part)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


def models_copy(folder: Path, judge: dict[str, object] | None = None, **changes: object) -> Path:
    """models/ copied into ``folder``: its embedding manifest changed by ``changes``, its
    judge manifest by ``judge``."""
    import json
    import shutil

    for name in ("link_head.json", "judge.safetensors"):
        shutil.copy(ROOT / "models" / name, folder)
    for name, update in (("embedding.json", changes), ("judge.json", judge or {})):
        manifest = json.loads((ROOT / "models" / name).read_text())
        manifest.update(update)
        (folder / name).write_text(json.dumps(manifest))
    return folder


@pytest.fixture(scope="session")
def seed_report():
    import consistency

    return consistency.check([SEEDS])


@pytest.fixture(scope="session")
def ecb_report():
    """A real ECB+ story (seven articles on one event), checked once."""
    import consistency

    return consistency.check([DATA / "ecbplus_37ecb"])


@pytest.fixture(scope="session")
def seed_story():
    from consistency import embed, pipeline

    return pipeline.read_story([SEEDS], embed.Manifest.load())


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
