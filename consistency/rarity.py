"""How common English words are: wordfreq's Zipf values, read from a table derived once.

The story grouping weighs each word by how rare it is (stories.py). wordfreq answers a word
in 20 us, but importing it and loading its list takes 0.2 s, a fifth of what a check of
1,000 sentences does besides embedding. So the first use writes the Zipf value of every
word wordfreq knows that the grouping can ask about (ASCII letters and apostrophes) into a
SQLite file in the user's cache, named by wordfreq's version, and a run looks up only its
own words there (10 ms for 4,000).

The table gives wordfreq's own answers. Such a word is a single token to wordfreq (a curly
apostrophe straightened), so its Zipf value is that of its frequency band, and each band's
value is asked of wordfreq; a word the table lacks is one wordfreq does not know, Zipf 0.
A word that starts like a French elision ("d'arco", often a quote mark typed against a
word: "to'high") is several tokens to wordfreq, whose frequencies it combines (combined).
The table is written only after wordfreq has agreed with it: on the tokens of every word
it knows with an apostrophe, on a sample of its words' values, and on probes, split ones
among them. Where it cannot be written or read, wordfreq is asked word by word.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Iterable, Sequence
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Final

from consistency.cache import user_folder, written

__all__ = ["WORDS_ENV", "zipf"]

WORDS_ENV: Final = "CONSISTENCY_WORDS_DIR"
LANGUAGE: Final = "en"
# The words stories.TOKEN can give, lowercased, apostrophes straightened: the table's keys.
WORD: Final = re.compile(r"[a-z]+(?:'[a-z]+)*")
# wordfreq splits a word that starts with one or two letters, an apostrophe and a vowel or
# h (its tokens.INITIAL_VOWEL_EXPR): "o'higgins" is "o" and "higgins" to it, "o'neill" one.
SPLIT: Final = re.compile(r"[a-z]{1,2}'[aehiouy]")
SCHEMA: Final = (
    "CREATE TABLE words (word TEXT PRIMARY KEY, frequency REAL NOT NULL, zipf REAL NOT NULL)"
    " WITHOUT ROWID"
)
LOOKUP_BATCH: Final = 500  # words per SELECT: below SQLite's limit on bound parameters
SAMPLE_EVERY: Final = 97  # one table word in this many is checked against wordfreq
MINIMUM: Final = 1e-9  # the frequency of Zipf 0, wordfreq's answer for an unknown token
# Words checked against wordfreq before the table is written: curly and straight
# apostrophes, words it does not know (Zipf 0) and words it splits.
PROBES: Final = ("the", "putin", "putin's", "putin’s", "don’t", "it's", "o'neill", "qzxv",
                  "qzxv's", "o'higgins", "to'high", "d'arco", "is'a", "y'all", "l'oreal",
                  "o'qzxv", "qu'est", "a'b'oc", "d’arco", "o'd’arco")  # fmt: skip


def words_dir() -> Path:
    """Where the table lives: ``$CONSISTENCY_WORDS_DIR``, else the user's cache folder."""
    return user_folder(WORDS_ENV, "words")


def table_path() -> Path:
    """The table of the installed wordfreq: a new version gets a table of its own."""
    return words_dir() / f"wordfreq-{version('wordfreq')}-{LANGUAGE}.sqlite"


def straight(word: str) -> str:
    """The word as wordfreq looks it up: a curly apostrophe made straight."""
    return word.replace("’", "'")


def tokens(word: str) -> list[str]:
    """The tokens wordfreq reads a word of WORD as, as it looks them up.

    Each elided particle (SPLIT, after a straight apostrophe only: wordfreq splits before
    it straightens) apart, then the rest, straightened.
    """
    out = []
    while SPLIT.match(word):
        cut = word.index("'")
        out.append(word[:cut])
        word = word[cut + 1 :]
    return [*out, straight(word)]


def combined(frequencies: Sequence[float]) -> float:
    """The Zipf value wordfreq gives a word of tokens this frequent (0: a token unknown).

    As its _word_frequency: 1/f = 1/f1 + 1/f2 + ..., rounded to 3 significant digits.
    """
    if not all(frequencies):
        return 0.0
    freq = max(1.0 / sum(1.0 / f for f in frequencies), MINIMUM)
    freq = round(freq, math.floor(-math.log(freq, 10)) + 3)
    return round(math.log(freq, 10) + 9, 2)


def zipf(words: Iterable[str]) -> dict[str, float]:
    """The Zipf value wordfreq gives each of ``words`` (0 for a word it does not know)."""
    wanted = list(dict.fromkeys(words))
    split = {w: tokens(w) for w in wanted if WORD.fullmatch(straight(w))}
    try:
        found = lookup(list(dict.fromkeys(t for ts in split.values() for t in ts)))
    except (OSError, sqlite3.Error, TableError):
        return {w: asked(w) for w in wanted}
    out = {}
    for w in wanted:
        if w not in split:
            out[w] = asked(w)
        elif len(split[w]) == 1:
            out[w] = found[split[w][0]][1] if split[w][0] in found else 0.0
        else:
            out[w] = combined([found[t][0] if t in found else 0.0 for t in split[w]])
    return out


def lookup(keys: list[str]) -> dict[str, tuple[float, float]]:
    """The table's (frequency, Zipf) of each of ``keys`` it holds, written first if need be."""
    path = table_path()
    if not path.is_file():
        write(path)
    found: dict[str, tuple[float, float]] = {}
    if not keys:
        return found
    db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        for first in range(0, len(keys), LOOKUP_BATCH):
            chunk = keys[first : first + LOOKUP_BATCH]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT word, frequency, zipf FROM words WHERE word IN ({marks})"
            found.update((w, (f, z)) for w, f, z in db.execute(query, chunk))
    finally:
        db.close()
    return found


class TableError(Exception):
    """wordfreq disagrees with the table derived from it: it is not written."""


def derive() -> dict[str, tuple[float, float]]:
    """Every table word's frequency and Zipf value (its frequency band's, asked of wordfreq).

    Checked before it is returned (TableError otherwise): every word wordfreq knows with
    an apostrophe must be split by tokens() as wordfreq splits it, and a sample of the
    words and the PROBES must get from wordfreq exactly the value this module gives them.
    """
    from wordfreq import get_frequency_dict, zipf_frequency
    from wordfreq.tokens import lossy_tokenize

    frequency = get_frequency_dict(LANGUAGE)
    bands: dict[float, str] = {}  # a frequency -> one word of it
    kept: dict[str, float] = {}
    for word, f in frequency.items():
        if not WORD.fullmatch(word):
            continue
        if "'" in word and lossy_tokenize(word, LANGUAGE) != tokens(word):
            raise TableError(f"wordfreq reads {word!r} as other tokens than tokens() does")
        if tokens(word) == [word]:
            bands.setdefault(f, word)
            kept[word] = f
    value = {f: float(zipf_frequency(w, LANGUAGE)) for f, w in bands.items()}
    table = {w: (f, value[f]) for w, f in kept.items()}
    for word in [*list(table)[::SAMPLE_EVERY], *PROBES]:
        parts = tokens(word)
        got = (
            table.get(parts[0], (0.0, 0.0))[1]
            if len(parts) == 1
            else combined([table.get(t, (0.0, 0.0))[0] for t in parts])
        )
        want = float(zipf_frequency(word, LANGUAGE))
        if want != got:
            raise TableError(f"wordfreq gives {word!r} {want}, the table {got}")
    return table


def write(path: Path) -> None:
    """Derive the table and write it to ``path`` (a temporary file, then renamed).

    The temporary file is made first: where it cannot be, nothing is derived in vain.
    """
    with written(path) as tmp:
        table = derive()
        db = sqlite3.connect(tmp)
        try:
            db.execute(SCHEMA)
            rows = sorted((w, f, z) for w, (f, z) in table.items())
            db.executemany("INSERT INTO words VALUES (?, ?, ?)", rows)
            db.commit()
        finally:
            db.close()


@cache
def asked(word: str) -> float:
    """The answer of wordfreq itself for one word (loads its list on first use)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, LANGUAGE))
