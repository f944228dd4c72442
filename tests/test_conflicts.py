"""Conflicts: compare.py on sentence pairs, and the whole checker on mutated copies of the seeds.

The mutation tests run the checker on the seeds plus two short articles written for these
tests (tests/data/outlets: a wire report dated 19 June 2024 and a paper of 20 June) that
restate some seed claims in other words, with "on Wednesday" in one and "on June 19" in the
other. Changing one value in one article must produce exactly the matching conflict.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from consistency import check, compare, frames
from consistency.records import Sentence
from consistency.report import Report
from consistency.slots import Slot, extract

from .conftest import DATA, SEEDS

OUTLETS = DATA / "outlets"


def compare_two(a: str, b: str, published: tuple[str, str] = ("", "")) -> list[compare.Conflict]:
    """Conflicts between two sentences of two documents that state one claim."""
    sentences = [Sentence("A", "A:1", 0, len(a), a), Sentence("B", "B:1", 0, len(b), b)]
    slots = [read(a, published[0]), read(b, published[1])]
    return compare.conflicts(sentences, {"c1": [0, 1]}, slots)


def read(text: str, published: str = "") -> tuple[Slot, ...]:
    """A sentence's values with their frames, as the checker reads them."""
    return frames.framed(text, extract(text, published))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Putin's first visit in two decades.", "Putin's first visit in 20 years."),
        ("The G7 agreed a $50B loan.", "The G7 agreed a $50 billion loan."),
        ("Putin ended nearly two decades of supporting sanctions.",
         "Putin ended two decades of supporting sanctions."),
        ("The pact replaces deals from 1961, 2000, and 2001.",
         "The pact mirrors a 1961 treaty, replaced in 2000."),
        ("More than 10,000 troops were sent.", "12,000 troops were sent."),
        ("About 3.5% growth was forecast.", "3.6% growth was forecast."),
    ],
)  # fmt: skip
def test_the_same_value_in_other_words_is_no_conflict(a: str, b: str) -> None:
    assert compare_two(a, b) == []


def test_a_weekday_agrees_with_its_date() -> None:
    a = "The pact was signed on Wednesday."
    b = "The pact was signed on June 19."
    assert compare_two(a, b, ("2024-06-19", "2024-06-20")) == []
    assert compare_two(a, b, ("", "2024-06-20")) == []  # Wednesday, whatever the week
    [c] = compare_two(a, "The pact was signed on June 18.", ("", "2024-06-20"))
    assert (c.kind, c.severity, {c.a.slot.text, c.b.slot.text}) == (
        "date", "conflict", {"Wednesday", "June 18"},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("a", "b", "kind", "severity"),
    [
        ("Putin's first visit in 24 years.", "Putin's first visit in 19 years.", "duration",
         "conflict"),
        ("The G7 agreed a $50B loan.", "The G7 agreed a $35 billion loan.", "money", "conflict"),
        ("Four diplomats were expelled.", "Five diplomats were expelled.", "count", "conflict"),
        ("The quake measured magnitude 5.2, officials said.",
         "The quake measured 5.4 magnitude, officials said.", "quantity", "conflict"),
        ("The G7 agreed a $50B loan.", "The G7 agreed a 50 billion euro loan.", "money", "note"),
        ("Thousands of people fled the camp.", "About 300 people fled the camp.", "count", "note"),
        ("It was followed by a 2.9 aftershock, the USGS said.",
         "It was followed by a 3.8 aftershock, the USGS said.", "quantity", "conflict"),
        ("The fire broke out on the roof of the store at 2045 GMT.",
         "The fire broke out on the roof of the store at 2130 GMT.", "time", "conflict"),
        ("She was charged with killing two women in the shop 41 years ago.",
         "She was charged with killing two women in the shop 51 years ago.", "duration",
         "conflict"),
    ],
)  # fmt: skip
def test_values_that_cannot_both_hold(a: str, b: str, kind: str, severity: str) -> None:
    [c] = compare_two(a, b)
    assert (c.kind, c.severity) == (kind, severity)
    assert c.a.doc_id != c.b.doc_id
    assert c.a.slot.text in c.explanation and c.b.slot.text in c.explanation


def test_today_allows_for_a_copy_dated_a_day_after_it_was_written() -> None:
    a = "The shooter walked into the office at about 10am today, police said."
    b = "The shooter walked into the office at 10 a.m. Monday, police said."
    # Written on Monday 9 April 2007, the copy with "today" is dated the Tuesday.
    assert compare_two(a, b, ("2007-04-10", "2007-04-09")) == []
    assert compare_two(a, b, ("2007-04-09", "2007-04-10")) == []
    [c] = compare_two(a, b, ("2007-04-12", "2007-04-10"))  # "today" is Thursday at best
    assert (c.kind, c.severity, {c.a.slot.text, c.b.slot.text}) == (
        "date", "conflict", {"today", "Monday"},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("His first visit in 24 years.", "He ended two decades of supporting sanctions."),
        ("Four diplomats were expelled.", "The G7 agreed a $50 billion loan."),
        ("Four diplomats were expelled.", "Five journalists were expelled."),
        ("A 1961 treaty mirrors the pledge.", "The Soviet Union dissolved in 1991, cooling ties."),
    ],
)
def test_values_about_different_things_are_not_compared(a: str, b: str) -> None:
    assert compare_two(a, b) == []


def test_a_headline_against_its_own_body_is_a_note_for_that_document() -> None:
    a, b = "G7 agrees $50B loan for Ukraine", "The G7 agreed a $35 billion loan for Ukraine."
    sentences = [Sentence("A", "A:1", 0, len(a), a), Sentence("A", "A:2", 40, 40 + len(b), b)]
    [c] = compare.conflicts(sentences, {"c1": [0, 1]}, [read(a), read(b)])
    assert (c.a.doc_id, c.b.doc_id, c.severity) == ("A", "A", "note")
    assert "A gives both figures" in c.explanation


def test_explanations_name_the_outlets() -> None:
    a = "Twenty-three people died when the ferry capsized."
    b = "25 people died when the ferry capsized."
    sentences = [Sentence("A", "A:1", 0, len(a), a), Sentence("B", "B:1", 0, len(b), b)]
    slots = [read(a), read(b)]
    [c] = compare.conflicts(sentences, {"c1": [0, 1]}, slots, outlets={"A": "Coast Times"})
    assert c.explanation == "people (die): Coast Times says “Twenty-three”, B says “25”."
    assert (c.a.doc_id, c.b.doc_id) == ("A", "B")  # the tables still name documents by id


FERRY = [
    ("Coast Times", "Ferry capsizes on Lake Victoria, 23 dead\nTwenty-three people died when "
     "an overcrowded passenger ferry capsized on Lake Victoria near Homa Bay on Tuesday, "
     "police said.\nPresident William Ruto declared two days of national mourning."),
    ("Nairobi Daily", "Lake Victoria ferry disaster\nAt least 25 people were killed when a "
     "passenger ferry capsized on Lake Victoria near Homa Bay on Tuesday, officials said."),
    ("Nairobi Daily", "Divers search Lake Victoria\nDivers searched for bodies on Wednesday "
     "after at least 25 people were killed when a passenger ferry capsized on Lake Victoria "
     "near Homa Bay on Tuesday."),
]  # fmt: skip


def test_a_tables_outlets_name_the_conflict_and_its_csvs_repeat(tmp_path: Path) -> None:
    table = tmp_path / "articles.csv"
    pd.DataFrame(FERRY, columns=["source", "text"]).to_csv(table, index=False)
    first = check([table])
    ids = list(first.documents.doc_id)  # no id column: "articles-<line>"
    [explanation] = first.conflicts.explanation
    assert explanation == (
        # the headline's "23 dead" is the first sentence to give Coast Times's figure
        f"people (die): Coast Times says “23”, Nairobi Daily ({ids[1]}) and "
        f"Nairobi Daily ({ids[2]}) say “At least 25”."
    )
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    first.to_csv(out_a)
    check([table]).to_csv(out_b)
    for name in ("documents", "sentences", "claims", "slots", "conflicts", "dropped"):
        assert (out_a / f"{name}.csv").read_bytes() == (out_b / f"{name}.csv").read_bytes()
    assert list(pd.read_csv(out_a / "documents.csv").source) == [s for s, _ in FERRY]


# --- the whole checker on mutated copies of a story --------------------------------------------


def story(
    folder: Path, mutate: tuple[str, str, str] | None = None, models: Path | None = None
) -> Report:
    """Check the seeds and the two outlets, after replacing one string in one file."""
    folder.mkdir()
    for path in [*SEEDS.iterdir(), *OUTLETS.iterdir()]:
        shutil.copy(path, folder / path.name)
    if mutate:
        prefix, old, new = mutate
        [path] = folder.glob(prefix + "*")
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} must occur once in {path.name}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return check(folder, models=models)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return story(tmp_path_factory.mktemp("base") / "story")


def test_clean_seeds_have_no_hard_conflict(seed_report: Report) -> None:
    assert (seed_report.conflicts.severity == "conflict").sum() == 0
    assert "conflict" not in set(seed_report.claims.status)
    assert len(seed_report.slots) > 0


def test_the_outlets_agree_with_the_seeds(base: Report) -> None:
    assert base.conflicts.empty, base.conflicts.explanation.tolist()


MUTATIONS = [
    # (file, old, new, kind, value in the mutated file, documents that keep the original)
    ("002_", "North Korea in 24 years", "North Korea in 19 years", "duration", "P19Y",
     {"000_4d7f4bafa4ab37f4", "005_wire", "006_daily"}),
    ("005_", "a $50 billion loan", "a $35 billion loan", "money", "35000000000",
     {"000_4d7f4bafa4ab37f4"}),
    ("005_", "a 1961 treaty", "a 1962 treaty", "year", "1962", {"003_81d8d45a0979f314"}),
    ("006_", "signed on June 19", "signed on June 18", "date", "2024-06-18",
     {"000_4d7f4bafa4ab37f4", "005_wire"}),
]  # fmt: skip


@pytest.mark.parametrize(("prefix", "old", "new", "kind", "value", "others"), MUTATIONS)
def test_one_changed_value_gives_its_conflict_and_nothing_else(
    tmp_path: Path, base: Report, prefix: str, old: str, new: str, kind: str, value: str,
    others: set[str],
) -> None:  # fmt: skip
    mutated = story(tmp_path / "story", (prefix, old, new))
    hard = mutated.conflicts[mutated.conflicts.severity == "conflict"]
    assert not hard.empty
    for row in hard.itertuples():
        assert row.kind == kind
        sides = {row.doc_a: row.value_a, row.doc_b: row.value_b}
        [doc] = [d for d in sides if d.startswith(prefix)]
        assert sides[doc] == value
        [(other, original)] = [(d, v) for d, v in sides.items() if d != doc]
        assert original != value
        assert doc in row.explanation and other in row.explanation
        source = (tmp_path / "story").glob(doc + "*")
        text = next(source).read_text(encoding="utf-8")
        start, end = (row.start_a, row.end_a) if row.doc_a == doc else (row.start_b, row.end_b)
        assert new.find(text[start:end]) >= 0  # the offsets point at the changed value
    named = (
        set(hard.doc_a)
        | set(hard.doc_b)
        | {d for d in others if hard.explanation.str.contains(d).all()}
    )
    assert others <= named  # each document that keeps the value is named beside the change
    # Everything else is unchanged: the same values everywhere but the one changed, and no
    # other claim turns into a conflict. (The changed number moves the sentence's embedding a
    # little, so the clustering may split or join one claim: that is allowed for.)
    keep = ["doc_id", "sentence_id", "start", "kind", "unit", "hedge"]
    pd.testing.assert_frame_equal(base.slots[keep], mutated.slots[keep])
    assert (base.slots.value != mutated.slots.value).sum() == 1
    after = mutated.claims.set_index("claim_id").status
    assert set(after[after == "conflict"].index) == set(hard.claim_id)
    assert abs(len(base.claims) - len(mutated.claims)) <= 1
    assert mutated.conflicts.severity.eq("note").sum() == base.conflicts.severity.eq("note").sum()


def every_pair_first(claims, links, content):
    """pairs_to_compare as conflicts() used to find it: every pair, then the first per contents."""
    pairs: dict[tuple[int, int], str] = {}
    for claim_id in sorted(claims):
        members = sorted({i for i in claims[claim_id] if i in content})
        for k, i in enumerate(members):
            for j in members[k + 1 :]:
                pairs.setdefault((i, j), claim_id)
    for i, j in links:
        if i != j and i in content and j in content:
            pairs.setdefault((min(i, j), max(i, j)), "")
    seen, out = set(), []
    for (i, j), claim_id in sorted(pairs.items()):
        if (content[i], content[j]) not in seen:
            seen.add((content[i], content[j]))
            out.append((i, j, claim_id))
    return out


def test_pairs_to_compare_are_the_first_pair_of_each_two_contents() -> None:
    """On random claims (overlapping, as attachments make them), links and repeated contents."""
    import random

    from consistency.compare import pairs_to_compare

    for seed in range(300):
        rng = random.Random(seed)
        n = rng.randint(0, 40)
        kinds = rng.randint(1, 8)  # few contents: many repeats, as wire copy gives
        content = {i: rng.randrange(kinds) for i in range(n) if rng.random() < 0.8}
        claims = {
            f"c{k:03d}": rng.sample(range(n), rng.randint(0, n)) for k in range(rng.randint(0, 5))
        }
        links = (
            [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(0, 20))] if n else []
        )
        expected = every_pair_first(claims, links, content)
        assert pairs_to_compare(claims, links, content) == expected, seed
