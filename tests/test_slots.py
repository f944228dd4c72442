"""slots.extract on real phrasings from the seeds, ECB+ and the news; and on any text at all."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consistency import slots
from consistency.slots import extract

from .conftest import ROOT, SEEDS

PUBLISHED = "2024-06-19"  # a Wednesday


def read(text: str, published: str | None = PUBLISHED) -> list[tuple[str, str, str, str, str]]:
    """(kind, value, unit, hedge, text) of every slot."""
    return [(s.kind, s.value, s.unit, s.hedge, s.text) for s in extract(text, published)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$50B", [("money", "50000000000", "USD", "exact", "$50B")]),
        ("a $50 billion loan", [("money", "50000000000", "USD", "exact", "$50 billion")]),
        ("two decades of sanctions", [("duration", "P20Y", "", "exact", "two decades")]),
        (
            "nearly two decades of supporting",
            [("duration", "P20Y", "", "upper", "nearly two decades")],
        ),
        (
            "his first visit in 24 years",
            [("ordinal", "1", "", "exact", "first"), ("duration", "P24Y", "", "exact", "24 years")],
        ),
        (
            "deals from 1961, 2000, and 2001",
            [
                ("year", "1961", "", "exact", "1961"),
                ("year", "2000", "", "exact", "2000"),
                ("year", "2001", "", "exact", "2001"),
            ],
        ),
        ("MOSCOW, June 19 (Reuters)", [("date", "2024-06-19", "", "exact", "June 19")]),
        ("signed on Wednesday", [("relative", "2024-06-19", "", "exact", "Wednesday")]),
        ("in March", [("date", "2024-03", "", "exact", "March")]),
        ("Thousands of people", [("count", "1000", "", "vague", "Thousands")]),
        ("Four diplomats were expelled", [("count", "4", "", "exact", "Four")]),
        ("N1,117/Litre landing cost", [("money", "1117", "NGN/litre", "exact", "N1,117/Litre")]),
        ("more than 10,000 troops", [("count", "10000", "", "lower", "more than 10,000")]),
        ("about 3.5% growth", [("percent", "3.5", "%", "approx", "about 3.5%")]),
        ("three days ago", [("relative", "2024-06-16", "", "approx", "three days ago")]),
        ("six months ago", [("relative", "2023-12", "", "approx", "six months ago")]),
        ("two years ago", [("duration", "P2Y", "", "exact", "two years ago")]),
        ("killed 41 years ago", [("duration", "P41Y", "", "exact", "41 years ago")]),
        ("nearly two decades ago", [("duration", "P20Y", "", "upper", "nearly two decades ago")]),
        ("last year", [("relative", "2023", "", "exact", "last year")]),
        ("a 6.1-magnitude quake", [("quantity", "6.1", "magnitude", "exact", "6.1-magnitude")]),
        ("magnitude 5.2 by state TV", [("quantity", "5.2", "magnitude", "exact", "magnitude 5.2")]),
        ("at 7:37 a.m. GMT", [("time", "T07:37", "GMT", "exact", "7:37 a.m. GMT")]),
        ("broke out at about 2045 GMT", [("time", "T20:45", "GMT", "approx", "about 2045 GMT")]),
        ("at 0300 UTC", [("time", "T03:00", "UTC", "exact", "0300 UTC")]),
        ("landed at 1430 local time", [("time", "T14:30", "", "exact", "1430 local time")]),
        ("until 1800 hours", [("time", "T18:00", "", "exact", "1800 hours")]),
        ("1200 hours of overtime", [("duration", "PT1200H", "", "exact", "1200 hours")]),
        ("the 2010 local elections", [("year", "2010", "", "exact", "2010")]),
        ("the 2009 NATO summit", [("year", "2009", "", "exact", "2009")]),
        ("followed by a 2.9 aftershock", [("quantity", "2.9", "magnitude", "exact", "2.9")]),
        ("a 5.0 quake struck", [("quantity", "5", "magnitude", "exact", "5.0")]),
        ("two aftershocks", [("count", "2", "", "exact", "two")]),
        ("2.9 million aftershocks", [("count", "2900000", "", "exact", "2.9 million")]),
        ("a three-day visit", [("duration", "P3D", "", "exact", "three-day")]),
        ("50 billion rubles", [("money", "50000000000", "RUB", "exact", "50 billion rubles")]),
        ("£3bn of aid", [("money", "3000000000", "GBP", "exact", "£3bn")]),
        ("at least 100 injured", [("count", "100", "", "lower", "at least 100")]),
        ("the 1990s", [("year", "199", "", "exact", "the 1990s")]),
        ("over the past year", [("duration", "P1Y", "", "exact", "the past year")]),
        ("for several months", [("duration", "PXM", "", "vague", "several months")]),
        ("in the first quarter", [("date", "2024-Q1", "", "exact", "the first quarter")]),
        ("F-16 fighters for COVID-19 and the G7", []),
        ("Theresa May said", []),
    ],
)
def test_normalises_real_phrasings(text: str, expected: list[tuple[str, ...]]) -> None:
    assert read(text) == expected


def test_what_each_value_counts() -> None:
    about = {s.text: s.about for s in extract("Four diplomats left; a $50 billion loan")}
    assert about == {"Four": "diplomat", "$50 billion": "loan"}
    frames = [s.about for s in extract("his first visit in 24 years, after two decades of aid")]
    assert frames == ["visit", "in", "aid"]


def test_a_span_back_from_the_writing_is_a_span_of_what_lies_ago() -> None:
    found = extract("two women killed in a Staunton ice cream shop 41 years ago", PUBLISHED)
    assert [(s.kind, s.value, s.about) for s in found] == [
        ("count", "2", "women"), ("duration", "P41Y", "ago"),
    ]  # fmt: skip


def test_weekdays_resolve_against_the_publication_date() -> None:
    assert read("on Tuesday")[0][1] == "2024-06-18"  # past by default
    assert read("will meet on Friday")[0][1] == "2024-06-21"  # the sentence speaks of the future
    assert read("on Wednesday", "2024-06-20")[0][1] == "2024-06-19"


def test_without_a_publication_date_unknown_parts_stay_unknown() -> None:
    assert read("on Wednesday", None)[0][1] == "XXXX-WXX-3"
    assert read("June 19", "")[0][1] == "XXXX-06-19"
    assert read("June 19", "XXXX-06-19")[0][1] == "XXXX-06-19"
    assert read("June 19, 2024", None)[0][1] == "2024-06-19"  # a year in the text is kept


def test_a_list_number_is_no_count() -> None:
    assert read("1 Economic ties") == []
    assert read("24 people died") == [("count", "24", "", "exact", "24")]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_and_every_span_lies_in_its_sentence(text: str) -> None:
    for s in extract(text, PUBLISHED):
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text


NEWSY = st.lists(
    st.sampled_from(
        [
            "about",
            "nearly",
            "more than",
            "$",
            "50",
            "billion",
            "two",
            "decades",
            "June",
            "19",
            "Wednesday",
            "in",
            "March",
            "2000",
            ",",
            "1,117",
            "%",
            "N",
            "years",
            "ago",
            "the",
            "-",
            "magnitude",
            "5.4",
            "a",
            "dozen",
            "thousands",
            "of",
            "first",
            "10:30",
            "a.m.",
        ]
    ),
    max_size=25,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(NEWSY, st.sampled_from(["2024-06-19", "", "XXXX-06-19", "2013-12-31"]))
def test_never_raises_on_number_soup(text: str, published: str) -> None:
    for s in extract(text, published):
        assert text[s.start : s.end] == s.text


def skipped_yet_matching(text: str) -> list[str]:
    """Patterns that candidates() would skip for want of their words, yet that match ``text``."""
    present = slots.words(text)
    return [
        f"{reader.__name__}: {pattern.pattern[:60]}"
        for pattern, _, reader, needs in slots.GRAMMAR
        if present.isdisjoint(needs) and pattern.search(text)
    ]


def test_a_pattern_is_skipped_only_where_it_cannot_match_real_text() -> None:
    lines = [line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text().splitlines()]
    with (ROOT / "benchmarks" / "data" / "ecbplus" / "articles.jsonl").open() as f:
        for row in itertools.islice(f, 200):
            lines += json.loads(row)["text"].splitlines()
    assert len(lines) > 3000
    assert {line: skipped_yet_matching(line) for line in lines if skipped_yet_matching(line)} == {}


def cased(word: str, how: int) -> str:
    """``word`` as written, upper-cased or capitalised."""
    return (word, word.upper(), word.capitalize())[how]


# Words from the patterns and the lexicon, not from the needs, so that a word missing from a
# pattern's needs is found: every run of letters in a pattern's source, every lexicon entry,
# and their plurals ("centur(?:y|ies)" gives "centur" and "ies"; "century" gives "centuries").
LEXICON = [*slots.UNITS, *slots.PERIODS, *slots.REFS, *slots.MONTHS, *slots.WEEKDAYS,
           *slots.ORDINALS, *slots.WORD_NUMBERS, *slots.CURRENCY_WORDS, *slots.CURRENCY_CODES,
           *slots.SCALES, *slots.SEASONS]  # fmt: skip
RUNS = {w for pattern, *_ in slots.GRAMMAR for w in re.findall(r"[A-Za-z]{2,}", pattern.pattern)}
VOCABULARY = sorted(
    {f for w in {*RUNS, *LEXICON} for f in (w, w + "s", w + "es", re.sub(r"y$", "ies", w))}
)
TEMPLATES = ("5 {}", "five {}", "5{}", "$5 {}", "5 {} of", "the past {}", "{} 5", "{} 2013",
             "5 years {}", "{} 14", "14 {}", "last {}", "1st {}")  # fmt: skip


def test_a_pattern_is_skipped_only_where_it_cannot_match_any_word_in_any_frame() -> None:
    phrases = [t.format(cased(w, how)) for w in VOCABULARY for t in TEMPLATES for how in range(3)]
    assert {p: skipped_yet_matching(p) for p in phrases if skipped_yet_matching(p)} == {}


SOUP = st.lists(
    st.one_of(
        st.builds(cased, st.sampled_from(VOCABULARY), st.integers(0, 2)),
        st.sampled_from(["5", "1,117", "2.5", "24th", "2013", "10:30", "$", "%", "a", "the"]),
        st.sampled_from(["ı", "İ", "K", "ſ", "ﬁ", "٣"]),  # case folding's odd ones, a digit
    ),
    max_size=12,
)
JOINS = st.sampled_from(["", " ", "-", "/", ". ", " of "])


@settings(max_examples=300, deadline=None)
@given(SOUP, JOINS)
def test_a_pattern_is_skipped_only_where_it_cannot_match(parts: list[str], join: str) -> None:
    assert skipped_yet_matching(join.join(parts)) == []
