"""The package as a user installs it: a built wheel, in a fresh environment, run elsewhere."""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from .conftest import ROOT, SEEDS

# What a wheel is built from: everything else in the repository stays out of it.
SOURCES = ("pyproject.toml", "README.md", "consistency", "models")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from a copy so the checkout gets no build/ or egg-info."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(path, src / name)
    # No build isolation: the project's own setuptools builds it, without the network.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
         "--quiet", "--wheel-dir", str(base / "dist")],
        check=True,
    )  # fmt: skip
    [built] = (base / "dist").glob("consistency-*.whl")
    return built


def test_the_wheel_carries_every_file_of_models(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = sorted(p.name for p in (ROOT / "models").iterdir() if p.is_file())
    assert shipped, "models/ is empty"
    for name in shipped:
        assert f"consistency/models/{name}" in names
        packed = zipfile.ZipFile(wheel).read(f"consistency/models/{name}")
        assert packed == (ROOT / "models" / name).read_bytes()


def test_the_notebook_extra_brings_jupyterlab(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        [meta] = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        headers = email.parser.Parser().parsestr(z.read(meta).decode("utf-8"))
    requires = headers.get_all("Requires-Dist") or []
    assert any(r.startswith("jupyterlab") and 'extra == "notebook"' in r for r in requires)


@pytest.mark.slow
def test_installed_wheel_checks_articles_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    # The dependencies come from this environment's site-packages, named in a .pth file so
    # nothing is downloaded again. Only the folder is added: its own .pth files (among them
    # a development install's hook to the checkout) are not run, so the package imported
    # is the wheel's. `venv --system-site-packages` would give the base interpreter's
    # packages instead, without the dependencies.
    here = sysconfig.get_paths()["purelib"]
    there = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    Path(there, "dependencies.pth").write_text(here + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)],
        check=True,
    )  # fmt: skip
    elsewhere = tmp_path / "newsroom"
    (elsewhere / "articles").mkdir(parents=True)
    for name in ("000_4d7f4bafa4ab37f4.txt", "003_81d8d45a0979f314.txt"):
        shutil.copy(SEEDS / name, elsewhere / "articles")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CONSISTENCY_MODELS_DIR")}
    where = subprocess.run(
        [python, "-c", "import consistency, consistency.embed as e; "
         "print(consistency.__file__); print(e.models_dir())"],
        check=True, capture_output=True, text=True, cwd=elsewhere, env=env,
    ).stdout.split()  # fmt: skip
    assert all(Path(p).is_relative_to(env_dir) for p in where), where
    assert Path(where[1]).name == "models"

    run = subprocess.run(
        [env_dir / "bin" / "consistency", "check", "articles", "--out", "report"],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "2 documents" in run.stdout
    claims = pd.read_csv(elsewhere / "report" / "claims.csv")
    assert len(claims) > 0


def test_a_checkout_reads_the_repository_models(monkeypatch: pytest.MonkeyPatch) -> None:
    from consistency import embed

    monkeypatch.delenv(embed.MODELS_ENV, raising=False)
    assert embed.models_dir() == ROOT / "models"
    assert not (ROOT / "consistency" / "models").exists(), "a second copy would be read first"
