"""rarity.py: wordfreq's Zipf values from a table derived once, the same as wordfreq's own."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from wordfreq import zipf_frequency

from consistency import rarity, stories

from .conftest import SEEDS


@pytest.fixture(scope="module")
def table_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A words folder of this module's own, its table written by the first lookup."""
    folder = tmp_path_factory.mktemp("words ?#%")  # characters a URI must escape
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(rarity.WORDS_ENV, str(folder))
        rarity.zipf(["the"])
    return folder


def seed_words() -> list[str]:
    """The words the story grouping asks about in the seeds."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.iterdir()))
    return [t.lower() for t in stories.TOKEN.findall(text) if not t[0].isdigit()]


def test_the_table_gives_wordfreqs_own_values(
    table_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(rarity.WORDS_ENV, str(table_dir))
    words = seed_words()
    # Apostrophes that wordfreq splits at ("o'higgins": an elision) or not ("o'neill"),
    # straight and curly, quote marks typed against a word ("to'high"), unknown words.
    rng = random.Random(6)
    heads = ["o", "d", "l", "to", "is", "qu", "y", "it", "we", "putin"]
    made = [h + rng.choice("'’") + rng.choice(words) for h in heads for _ in range(40)]
    made += ["o'higgins", "o'neill", "d’arco", "to'high", "qzxv", "qzxv's", "y'all"]
    got = rarity.zipf(words + made)
    assert got == {w: zipf_frequency(w, "en") for w in words + made}
    assert {got["the"], got["qzxv"], got["to'high"]} == {7.73, 0.0, 5.74}


def test_the_table_is_written_once_and_read_without_wordfreq(table_dir: Path) -> None:
    [table] = table_dir.iterdir()  # no temporary file left beside it
    assert table == table_dir / rarity.table_path().name
    code = (
        "import sys; from consistency import rarity; "
        "v = rarity.zipf(['putin', 'pyongyang’s', 'd\\'arco']); "
        "print(v, 'wordfreq' in sys.modules)"
    )
    env = {"PATH": "", rarity.WORDS_ENV: str(table_dir), "HOME": str(table_dir)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("}")[1].strip() == "False"
    assert "'putin': 4.13" in out.stdout


def test_a_table_wordfreq_disagrees_with_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Told that wordfreq never splits a word, the table would say "o'higgins" is unknown
    # (Zipf 0) where wordfreq reads "o" and "higgins" (3.64): the probes catch it.
    monkeypatch.setenv(rarity.WORDS_ENV, str(tmp_path))
    monkeypatch.setattr(rarity, "SPLIT", re.compile(r"(?!x)x"))
    with pytest.raises(rarity.TableError, match="o'higgins"):
        rarity.derive()
    assert rarity.zipf(["o'higgins", "putin"]) == {"o'higgins": 3.64, "putin": 4.13}
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_falls_back_to_wordfreq(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(rarity.WORDS_ENV, str(blocker / "words"))
    assert rarity.zipf(["putin", "qzxv"]) == {"putin": 4.13, "qzxv": 0.0}
