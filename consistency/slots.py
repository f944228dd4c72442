"""Sentence text -> slots: the numbers, amounts, dates and durations a sentence states.

Each slot is typed (``kind``), normalised (``value``: a number in base units, an ISO 8601
date or TimeML period), hedged ("nearly", "more than") and tied to what it counts
(``about``), so that compare.py can tell "two decades" = "20 years" from "19 years".

Span detection is hand-written (regular expressions over a small lexicon: no library gives
offsets together with hedges), and so is the glue; the hard parts are libraries':
``text2num`` reads number words ("twenty-four", "two thousand and one") and ``dateparser``
resolves dates and relative dates against the publication date ("Wednesday", "in March",
"six months ago"), with its ``period`` giving the granularity so that "March" stays a month.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Final

from dateparser.date import DateDataParser
from text_to_num import text2num

__all__ = [
    "APPROX",
    "CLOCK_UNITS",
    "COUNT",
    "DATE",
    "DURATION",
    "EXACT",
    "FUNCTION_WORDS",
    "KINDS",
    "LOWER",
    "MONEY",
    "ORDINAL",
    "PERCENT",
    "PERIODS",
    "QUANTITY",
    "RELATIVE",
    "TEMPORAL",
    "TIME",
    "UPPER",
    "VAGUE",
    "YEAR",
    "Slot",
    "extract",
    "singular",
]

COUNT, MONEY, PERCENT, QUANTITY = "count", "money", "percent", "quantity"
DURATION, YEAR, DATE, RELATIVE, TIME, ORDINAL = (
    "duration",
    "year",
    "date",
    "relative",
    "time",
    "ordinal",
)
KINDS: Final = (COUNT, MONEY, PERCENT, QUANTITY, DURATION, YEAR, DATE, RELATIVE, TIME, ORDINAL)
TEMPORAL: Final = frozenset({DURATION, YEAR, DATE, RELATIVE})
EXACT, APPROX, UPPER, LOWER, VAGUE = "exact", "approx", "upper", "lower", "vague"


@dataclass(frozen=True)
class Slot:
    """One numeric or temporal expression; ``text == sentence[start:end]``, hedge included."""

    kind: str
    value: str  # number in base units ("50000000000"), ISO date ("2024-06-19"), period ("P24Y")
    unit: str  # currency code, unit of measure, time zone, or ""
    hedge: str  # exact, approx, upper (at most), lower (at least), vague
    start: int
    end: int
    text: str
    about: str  # what is counted or dated: a head noun ("diplomat", "visit"), or ""
    # The frame, from the sentence's parse (frames.py): what it measures ("people",
    # "age", "date"), of which event ("die"), about whom ("John Smith"); "" if unknown.
    measure: str = ""
    event: str = ""
    entity: str = ""
    period: str = ""  # the part of the event it covers ("in the first half"), or ""


# --- lexicon ---------------------------------------------------------------------------------

_NUMBER_WORDS = """one two three four five six seven eight nine ten eleven twelve thirteen
fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
eighty ninety hundred thousand"""
WORD_NUMBERS: Final = tuple(_NUMBER_WORDS.split())
SCALES: Final = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "trn": 1e12,
}
VAGUE_SCALES: Final = {
    "dozens": 12.0,
    "scores": 20.0,
    "hundreds": 100.0,
    "thousands": 1e3,
    "millions": 1e6,
    "billions": 1e9,
}
CURRENCY_SYMBOLS: Final = {
    "US$": "USD",
    "A$": "AUD",
    "C$": "CAD",
    "HK$": "HKD",
    "NZ$": "NZD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₽": "RUB",
    "₦": "NGN",
    "N": "NGN",
}
CURRENCY_WORDS: Final = {
    "dollar": "USD",
    "euro": "EUR",
    "pounds sterling": "GBP",
    "sterling": "GBP",
    "yuan": "CNY",
    "renminbi": "CNY",
    "yen": "JPY",
    "rouble": "RUB",
    "ruble": "RUB",
    "naira": "NGN",
    "rupee": "INR",
    "won": "KRW",
}
CURRENCY_CODES: Final = (
    "USD",
    "EUR",
    "GBP",
    "JPY",
    "CNY",
    "RUB",
    "NGN",
    "INR",
    "KRW",
    "CHF",
    "CAD",
    "AUD",
)
# Units of measure -> (base unit, factor). A unit absent here is kept as written.
UNITS: Final = {
    "km": ("m", 1e3),
    "kilometre": ("m", 1e3),
    "kilometer": ("m", 1e3),
    "mile": ("m", 1609.344),
    "metre": ("m", 1.0),
    "meter": ("m", 1.0),
    "foot": ("m", 0.3048),
    "feet": ("m", 0.3048),
    "ft": ("m", 0.3048),
    "inch": ("m", 0.0254),
    "yard": ("m", 0.9144),
    "yd": ("m", 0.9144),
    "cm": ("m", 0.01),
    "centimetre": ("m", 0.01),
    "centimeter": ("m", 0.01),
    "mm": ("m", 0.001),
    "kg": ("kg", 1.0),
    "kilogram": ("kg", 1.0),
    "tonne": ("kg", 1e3),
    "ton": ("kg", 1e3),
    "lb": ("kg", 0.45359237),
    "litre": ("l", 1.0),
    "liter": ("l", 1.0),
    "gallon": ("l", 3.785411784),
    "barrel": ("barrel", 1.0),
    "acre": ("m2", 4046.8564224),
    "hectare": ("m2", 1e4),
    "square mile": ("m2", 2589988.110336),
    "square kilometre": ("m2", 1e6),
    "square kilometer": ("m2", 1e6),
    "sq km": ("m2", 1e6),
    "mph": ("km/h", 1.609344),
    "km/h": ("km/h", 1.0),
    "kph": ("km/h", 1.0),
    "degree": ("degree", 1.0),
    "megawatt": ("W", 1e6),
    "mw": ("W", 1e6),
    "gigawatt": ("W", 1e9),
}
# TimeML's unit letters, and the length of each in days (for comparing periods).
PERIODS: Final = {
    "second": ("S", 1 / 86400),
    "minute": ("M", 1 / 1440),
    "hour": ("H", 1 / 24),
    "day": ("D", 1.0),
    "week": ("W", 7.0),
    "fortnight": ("W", 14.0),
    "month": ("M", 30.436875),
    "year": ("Y", 365.2425),
    "decade": ("Y", 3652.425),
    "century": ("Y", 36524.25),
}
CLOCK_UNITS: Final = ("hour", "minute", "second")  # TimeML writes them after a "T": PT48H
PERIOD_MULTIPLE: Final = {"decade": 10, "century": 100, "fortnight": 2}
HEDGES: Final = (
    (
        APPROX,
        r"about|around|some|roughly|approximately|an estimated|estimated|almost exactly|"
        r"circa|c\.|approx\.|or so",
    ),
    (
        UPPER,
        r"nearly|almost|close to|just under|under|fewer than|less than|up to|as many as|"
        r"as much as|no more than|at most|not more than|below",
    ),
    (
        LOWER,
        r"more than|over|at least|upwards of|in excess of|exceeding|above|no fewer than|"
        r"no less than|just over|a minimum of|more that",
    ),
)
MONTHS: Final = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ORDINAL_WORDS = """first second third fourth fifth sixth seventh eighth ninth tenth eleventh
twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"""
ORDINALS: Final = tuple(_ORDINAL_WORDS.split())
QUARTERS: Final = ("first", "second", "third", "fourth")
DOLLARS: Final = {"hong kong": "HKD", "canadian": "CAD", "australian": "AUD"}
# Plural words after a four-digit number that do not make it a count ("2000 was").
NOT_COUNTED: Final = frozenset({"was", "is", "has", "as", "its", "his", "this", "years"})
SEASONS: Final = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
_FUNCTION = """a an the of to in on at by for from with and or but as than that this these
those it its he she they we i you his her their our your is are was were be been being has
have had do does did will would shall should can could may might must not no so such which
who whom whose what when where while there here also just about into over under after before
up down out off again more most very per"""
# Words with no meaning of their own: never what a number counts, nor context for it.
FUNCTION_WORDS: Final = frozenset(_FUNCTION.split())
_NOT_HEADS = """less other others additional new extra further cent percent times time each
near west east north south across around since during"""
# Words that may stand between a number and what it counts, or that are no head noun.
NOT_HEADS: Final = FUNCTION_WORDS | frozenset(_NOT_HEADS.split())
ADDITIVE: Final = frozenset(
    {"other", "others", "more", "additional", "further", "extra", "another"}
)
# A date next to a reporting verb dates the statement, not the event ("said Thursday").
STATEMENT: Final = re.compile(
    r"\b(?:said|says|told|announced|reported|stated|added|confirmed)\s+(?:\w+\s+)?(?:on\s+)?$",
    re.IGNORECASE,
)
GAME: Final = re.compile(
    r"\b(?:touchdown|goal|score[ds]?|scoring|half|play|points?|left in|remaining in)\b",
    re.IGNORECASE,
)
DEICTIC: Final = re.compile(r"today|tonight|tomorrow|yesterday|now", re.IGNORECASE)
# Words before a time of day, not before an amount of hours ("at 1800 hours").
POINT_IN_TIME: Final = re.compile(
    r"\b(?:at|by|until|till|from|before|after|around|about|approximately|since)\s+$",
    re.IGNORECASE,
)
QUOTES: Final = re.compile(r"[\"“”]")
FUTURE: Final = re.compile(
    r"\b(?:will|won't|shall|'ll|is to|are to|is due|are due|plans? to|planned|expected to|"
    r"scheduled|set to|going to|next|upcoming|coming)\b",
    re.IGNORECASE,
)

_N = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_W = "|".join(WORD_NUMBERS)
_WORDS = rf"(?:{_W})(?:(?:-|\s+)(?:and\s+)?(?:{_W}))*"
_NUM = rf"(?:{_N}|\b{_WORDS}\b|\ban?\s+(?:dozen|hundred|thousand)\b|\bdozen\b|\ba\s+half\b)"
_SCALE = r"(?:\s*(?:trillion|billion|million|thousand)\b|(?:tn|trn|bn|mn|mln|[mbk])\b)"
_MON = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)(?!\w)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b"
_YEAR = r"(?:1[6-9]\d\d|20\d\d)\b"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
_UNIT = (
    r"(?:seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|years?|decades?"
    r"|centur(?:y|ies))\b"
)
_MOD = r"(?:(?:early|late|mid|the end of|the beginning of|the start of|the middle of)[\s-]+)?"
_PART = r"(?:\s+(?:morning|afternoon|evening|night))?"
_CODES = "|".join(CURRENCY_CODES)
_CUR_WORDS = (
    r"(?:US |U\.S\. |Hong Kong |Canadian |Australian )?(?:dollars?|euros?|pounds sterling"
    r"|sterling|yuan|renminbi|yen|roubles?|rubles?|naira|rupees?)\b"
)
_UNIT_WORDS = "|".join(
    re.escape(u)
    + (
        "s?"
        if u[-1].isalpha()
        and not u.endswith(("km", "ft", "kg", "cm", "mm", "lb", "mph", "kph", "mw", "feet"))
        else ""
    )
    for u in sorted(UNITS, key=len, reverse=True)
)
_I = re.IGNORECASE
VAGUE_COUNT: Final = re.compile(
    r"\b(?:(?:tens|hundreds) of )?"
    r"(?P<v>dozens|scores|hundreds|thousands|millions|billions)(?= of\b)",
    _I,
)
# TimeML's references to the present, past and future, which no calendar date can refine.
REFS: Final = {
    "now": "PRESENT_REF",
    "right now": "PRESENT_REF",
    "currently": "PRESENT_REF",
    "at present": "PRESENT_REF",
    "nowadays": "PRESENT_REF",
    "these days": "PRESENT_REF",
    "recently": "PAST_REF",
    "lately": "PAST_REF",
    "the past": "PAST_REF",
    "in the past": "PAST_REF",
    "the future": "FUTURE_REF",
    "soon": "FUTURE_REF",
}


@dataclass(frozen=True)
class _Match:
    """A candidate span, before overlaps between patterns are settled."""

    start: int
    end: int
    rank: int  # lower wins when two candidates start together and are as long
    build: Callable[[], tuple[str, str, str, str] | None]  # -> (kind, value, unit, about)


# --- numbers ---------------------------------------------------------------------------------


def number(text: str) -> float | None:
    """The value of a written number: digits with separators, words, a scale word.

    >>> number("1,117"), number("twenty-four"), number("3.5 million"), number("50B")
    (1117.0, 24.0, 3500000.0, 50000000000.0)
    >>> number("a dozen"), number("two thousand and one"), number("one hundred")
    (12.0, 2001.0, 100.0)
    """
    text = text.strip()
    scale = 1.0
    m = re.search(rf"{_SCALE}$", text, _I)
    if m and m.start() > 0:
        word = m.group().strip().lower()
        scale = SCALES.get(word, 1.0)
        text = text[: m.start()].strip()
    low = text.lower()
    if re.fullmatch(r"[\d,]+(?:\.\d+)?", text):
        return float(text.replace(",", "")) * scale
    if low in ("a dozen", "dozen"):
        return 12.0 * scale
    if low == "a half":
        return 0.5 * scale
    if low in ("a", "an"):
        return scale
    low = re.sub(r"^an?\s+", "one ", low)
    try:
        return float(text2num(low.replace("-", " "), "en")) * scale
    except ValueError:
        return None


def fmt(value: float) -> str:
    """A number as plain text, the same on every machine: no exponent, no trailing zeros.

    >>> fmt(5e10), fmt(3.5), fmt(1117.0), fmt(0.1 + 0.2)
    ('50000000000', '3.5', '1117', '0.3')
    """
    if value == int(value) and abs(value) < 1e18:
        return str(int(value))
    return f"{value:.10f}".rstrip("0").rstrip(".")


# --- what a number counts ----------------------------------------------------------------------


def head_noun(sentence: str, end: int) -> str:
    """The word a number counts: the first content word after it, singular, lower case.

    A count of "other" or "more" things adds to another count, so it says so: "four other
    people" is not a total to compare with "five people".

    >>> head_noun("Four diplomats were expelled", 4), head_noun("10,000 more troops", 6)
    ('diplomat', 'more troop')
    """
    more = ""
    for word in re.findall(r"[A-Za-z][A-Za-z'-]*", sentence[end : end + 60])[:3]:
        low = word.lower()
        if low in ADDITIVE:
            more = "more "
        if low in NOT_HEADS:
            continue
        return more + singular(low)
    return ""


def singular(word: str) -> str:
    """A crude singular, enough to match "diplomats" with "diplomat".

    >>> singular("diplomats"), singular("centuries"), singular("people"), singular("bus")
    ('diplomat', 'century', 'people', 'bus')
    """
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


PERIOD_FRAME: Final = re.compile(
    r"\b(in|for|over|within|after|since|during|than|of|past|last|next)\s+"
    rf"(?:(?:{'|'.join(words for _, words in HEDGES)})\s+)?$",
    re.IGNORECASE,
)


def period_about(sentence: str, start: int, end: int) -> str:
    """What a duration measures, so that only like durations are compared.

    The noun it qualifies ("two-day visit" -> "visit"), what it is "of" ("two decades of
    supporting" -> "supporting"), else the word that frames it ("first visit in 24 years"
    -> "in", "for three days" -> "for").

    >>> period_about("in 24 years", 3, 11), period_about("two decades of supporting", 0, 11)
    ('in', 'supporting')
    """
    if "-" in sentence[start:end]:
        return head_noun(sentence, end)
    of = re.match(r"\s+of\s+", sentence[end:])
    if of:
        return head_noun(sentence, end + of.end())
    frame = PERIOD_FRAME.search(sentence[max(0, start - 40) : start])
    return frame.group(1).lower() if frame else ""


def quoted(sentence: str, at: int) -> bool:
    """Whether position ``at`` lies inside quotation marks.

    >>> quoted('they chanted "kill today" and left', 21), quoted("today", 0)
    (True, False)
    """
    return len(QUOTES.findall(sentence[:at])) % 2 == 1


def hedge_before(sentence: str, start: int) -> tuple[str, int]:
    """The hedge just before ``start`` ("nearly", "more than"), and where it begins."""
    left = sentence[max(0, start - 40) : start]
    for hedge, words in HEDGES:
        m = re.search(rf"(?:^|(?<=[\s(\"“]))(?:{words})\s+$", left, _I)
        if m:
            return hedge, start - (len(left) - m.start())
    return EXACT, start


def hedge_after(sentence: str, end: int, hedge: str) -> tuple[str, int]:
    """A hedge just after ``end`` ("or more", "-plus", "or so"), and where the slot ends."""
    m = re.match(r"\+|-plus\b|\s+or (?:more|so)\b", sentence[end : end + 12])
    if not m:
        return hedge, end
    return (APPROX if m.group().endswith("so") else LOWER), end + m.end()


# --- dates -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def resolve(phrase: str, published: str, future: bool) -> tuple[str, str] | None:
    """``phrase`` as (date, period) against ``published`` (YYYY-MM-DD), by dateparser.

    Past dates are preferred unless the sentence speaks of the future; a weekday that is
    the publication day itself is that day ("on Wednesday" in Wednesday's paper).
    """
    base = dt.datetime.fromisoformat(published)
    parser = _parser(base, future)
    data = parser.get_date_data(phrase)
    if data.date_obj is None:
        return None
    day = data.date_obj.date()
    if phrase.lower() in WEEKDAYS and base.weekday() == WEEKDAYS.index(phrase.lower()):
        day = base.date()
    return day.isoformat(), str(data.period)


@functools.lru_cache(maxsize=8)
def _parser(base: dt.datetime, future: bool) -> DateDataParser:
    """One dateparser per reference date and direction (building one costs milliseconds)."""
    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "future" if future else "past",
            "RETURN_TIME_AS_PERIOD": True,
            "PREFER_DAY_OF_MONTH": "first",
            "DATE_ORDER": "MDY",
        },
    )


def at_granularity(day: str, period: str) -> str:
    """An ISO day cut to the period dateparser read: "2024-06-19", "2024-06", "2024-W25"."""
    if period == "year":
        return day[:4]
    if period == "month":
        return day[:7]
    if period == "week":
        year, week, _ = dt.date.fromisoformat(day).isocalendar()
        return f"{year}-W{week:02d}"
    return day


def known(published: str) -> bool:
    """Whether ``published`` is a full ISO date that relative dates can resolve against."""
    return bool(re.fullmatch(r"\d{4}-\d\d-\d\d", published))


def month_day(month: str, day: str | None, year: str | None, published: str, future: bool) -> str:
    """A calendar date with what is known of it, the year from context when it is missing."""
    mon = MONTHS[month.lower().rstrip(".")]
    digits = re.sub(r"\D", "", day or "")
    dd = f"-{int(digits):02d}" if digits else ""
    if year:
        return f"{year}-{mon:02d}{dd}"
    if not known(published):
        return f"XXXX-{mon:02d}{dd}"
    got = resolve(f"{month.rstrip('.')} {digits}".strip(), published, future)
    if got is None:
        return f"XXXX-{mon:02d}{dd}"
    return got[0] if day else got[0][:7]


# --- the patterns ------------------------------------------------------------------------------


Reading = tuple[str, str, str, str] | None  # (kind, value, unit, about), or no slot


@dataclass(frozen=True)
class Context:
    """What a pattern's reader needs besides its match."""

    sentence: str
    published: str  # ISO date, or "" when unknown
    future: bool  # the sentence speaks of the future: dates without a year look ahead


# --- readers: a pattern's match -> a slot's kind, value, unit and about ------------------------


def read_date(m: re.Match[str], c: Context) -> Reading:
    """Month and day and year, in their usual orders, as much as is given."""
    g = m.groupdict()
    return DATE, month_day(g["mon"], g.get("day"), g.get("year"), c.published, c.future), "", ""


def read_month(m: re.Match[str], c: Context) -> Reading:
    """A month alone; "May" only after a preposition (else a verb or "Theresa May")."""
    if m["mon"] == "May" and m.start() == m.start("mon"):
        return None
    return DATE, month_day(m["mon"], None, None, c.published, c.future), "", ""


def read_weekday(m: re.Match[str], c: Context) -> Reading:
    """A weekday, the publication day itself or the nearest one in the sentence's tense."""
    name = m["wd"].lower()
    if not known(c.published):
        return RELATIVE, f"XXXX-WXX-{WEEKDAYS.index(name) + 1}", "", ""
    future = m["rel"].lower() in ("next", "this coming", "coming") if m["rel"] else c.future
    got = resolve(name, c.published, future)
    return (RELATIVE, got[0], "", "") if got else None


def read_relative(m: re.Match[str], c: Context) -> Reading:
    """Relative dates ("yesterday", "last year", "six months ago") at the period they name."""
    phrase = re.sub(r"^(?:earlier|later) ", "", m.group().lower())
    season = re.search(r"spring|summer|autumn|fall|winter", phrase)
    if not known(c.published):
        return RELATIVE, "XXXX-XX-XX", "", ""
    if season:
        shift = 1 if phrase.startswith("next") else -1 if phrase.startswith("last") else 0
        return RELATIVE, f"{int(c.published[:4]) + shift}-{SEASONS[season.group()]}", "", ""
    phrase = re.sub(r"^an? (?=day|week|month)", "1 ", phrase)
    got = resolve(phrase, c.published, c.future)
    return (RELATIVE, at_granularity(*got), "", "") if got else None


def read_ago(m: re.Match[str], c: Context) -> Reading:
    """A time back from the writing: days, weeks and months date it, years give a span.

    "three days ago" is a day a reader can hold against "on Monday"; "41 years ago" names
    no calendar year (1966 or 1967, by the day of the event and of the paper): outlets
    state the span they were given, so it is read as one, a duration of what lies "ago".
    """
    unit = singular(m["unit"].lower())
    if unit not in ("year", "decade"):
        return read_relative(m, c)
    n = number(m["n"]) if m["n"] else 1.0
    if n is None:
        return None
    return DURATION, period("year", fmt(n * PERIOD_MULTIPLE.get(unit, 1))), "", "ago"


def read_weekend(m: re.Match[str], c: Context) -> Reading:
    """A weekend as TimeML writes it ("2013-W11-WE")."""
    if not known(c.published):
        return RELATIVE, "XXXX-WXX-WE", "", ""
    day = dt.date.fromisoformat(c.published)
    rel = (m["rel"] or "").lower()
    shift = 0
    if rel in ("next", "coming", "this coming"):
        shift = 7
    elif rel in ("last", "past", "this past") or (not rel and not c.future and day.weekday() < 5):
        shift = -7  # "over the weekend" in a weekday's paper: the one just gone
    year, week, _ = (day + dt.timedelta(days=shift)).isocalendar()
    return RELATIVE, f"{year}-W{week:02d}-WE", "", ""


def read_ref(m: re.Match[str], c: Context) -> Reading:
    """TimeML's references with no calendar date: "now", "recently", "the future"."""
    return RELATIVE, REFS[m.group().lower()], "", ""


def read_quarter(m: re.Match[str], c: Context) -> Reading:
    """A quarter of a year; the last such one unless the sentence looks ahead."""
    if GAME.search(c.sentence):
        return None  # a quarter of a game, not of a year
    q = QUARTERS.index(m["q"].lower()) + 1 if m["q"].isalpha() else int(m["q"][0])
    if m["year"]:
        return DATE, f"{m['year']}-Q{q}", "", ""
    if not known(c.published):
        return DATE, f"XXXX-Q{q}", "", ""
    year, now = int(c.published[:4]), (int(c.published[5:7]) - 1) // 3 + 1
    return DATE, f"{year - 1 if q > now and not c.future else year}-Q{q}", "", ""


def read_year_part(m: re.Match[str], c: Context) -> Reading:
    """The year of "mid-2013", "early 2012"."""
    return YEAR, m["y"], "", ""


def read_season(m: re.Match[str], c: Context) -> Reading:
    """A season of a year as TimeML writes it ("summer 2012" -> "2012-SU")."""
    return DATE, f"{m['year']}-{SEASONS[m['s'].lower()]}", "", ""


def read_decade(m: re.Match[str], c: Context) -> Reading:
    """A decade as TimeML writes it ("the 1990s" -> "199")."""
    return YEAR, m["d"], "", ""


def read_numeric_date(m: re.Match[str], c: Context) -> Reading:
    """Dates in figures: "3/22/2013" (month first, as in U.S. news) and "2013-03-22"."""
    if m["iso"]:
        return DATE, m["iso"], "", ""
    return DATE, f"{m['y']}-{int(m['m']):02d}-{int(m['d']):02d}", "", ""


def read_year(m: re.Match[str], c: Context) -> Reading:
    """A four-digit number that no noun follows as its count ("in 2000", "1961 treaty")."""
    s = c.sentence
    nxt = re.match(r"\s+([a-z]+)", s[m.end() : m.end() + 30])
    if s[: m.start()].lower().endswith("the "):
        return YEAR, m["y"], "", ""  # "the 2012 elections"
    if nxt and nxt.group(1).endswith("s") and nxt.group(1) not in NOT_COUNTED:
        return None  # "2000 soldiers"
    return YEAR, m["y"], "", ""


def read_time(m: re.Match[str], c: Context) -> Reading:
    """A time of day on the 24-hour clock, with its zone where given."""
    hour, minute = int(m["h"]), int(m["min"] or 0)
    ampm = (m["ampm"] or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return TIME, f"T{hour:02d}:{minute:02d}", (m["tz"] or "").upper(), ""


def read_clock(m: re.Match[str], c: Context) -> Reading:
    """A time written as four digits and a zone ("2045 GMT", "1430 local time", "at 1800 hours").

    Four digits and "hours" are a time only where a time is expected ("at 1800 hours");
    "1200 hours of work" is a duration, which the duration pattern reads.
    """
    if m["hrs"] and not POINT_IN_TIME.search(c.sentence[: m.start()]):
        return None
    return read_time(m, c)


def period(unit: str, amount: str) -> str:
    """A TimeML period of ``amount`` units ("year", "24" -> "P24Y"; "hour", "X" -> "PTXH")."""
    return f"P{'T' if unit in CLOCK_UNITS else ''}{amount}{PERIODS[unit][0]}"


def read_duration(m: re.Match[str], c: Context) -> Reading:
    """A number and a unit of time ("24 years", "two-day", "the past year", "for years")."""
    unit = singular(m["unit"].lower())
    plural = m["unit"].lower().endswith("s")
    if m["vague"] or (m["vague"] == "" and not m["n"] and plural):
        return DURATION, period(unit, "X"), "", ""
    if not m["n"]:  # "the past year"
        return DURATION, period(unit, str(PERIOD_MULTIPLE.get(unit, 1))), "", ""
    n = number(m["n"])
    if n is None:
        return None
    amount = fmt(n * PERIOD_MULTIPLE.get(unit, 1))
    return DURATION, period(unit, amount), "", period_about(c.sentence, m.start(), m.end())


def read_age(m: re.Match[str], c: Context) -> Reading:
    """An age, and of whom ("a 24-year-old man")."""
    n = number(m["n"])
    if n is None:
        return None
    return QUANTITY, fmt(n), "years of age", "age " + head_noun(c.sentence, m.end())


def read_money(m: re.Match[str], c: Context) -> Reading:
    """An amount with its currency before or after it, and a scale ("$50B", "50bn roubles")."""
    n = number(m["n"] + (m["scale"] or ""))
    if n is None:
        return None
    cur = m["sym"] or m["code"] or m["word"] or ""
    code = CURRENCY_SYMBOLS.get(cur) or (cur.upper() if cur.upper() in CURRENCY_CODES else "")
    if not code:
        word = singular(cur.lower().split()[-1]) if cur else ""
        code = CURRENCY_WORDS.get(word, CURRENCY_WORDS.get(cur.lower(), cur))
        for country, local in DOLLARS.items():
            if cur.lower().startswith(country):
                code = local
    unit = code + (f"/{singular(m['per'].lower())}" if m["per"] else "")
    return MONEY, fmt(n), unit, head_noun(c.sentence, m.end())


def read_percent(m: re.Match[str], c: Context) -> Reading:
    """A percentage, or a change in percentage points."""
    n = number(m["n"])
    if n is None:
        return None
    unit = "percentage point" if m["pp"] else "%"
    return PERCENT, fmt(n), unit, head_noun(c.sentence, m.end())


def read_quantity(m: re.Match[str], c: Context) -> Reading:
    """A measure in base units (metres, kilograms, litres...); others keep their unit."""
    n = number(m["n"] + (m["scale"] or ""))
    if n is None:
        return None
    unit = m["unit"].lower()
    base, factor = UNITS.get(unit, UNITS.get(singular(unit), (singular(unit), 1.0)))
    # The unit says what is measured; a compound says of what ("an 84-yard run").
    compound = "-" in c.sentence[m.start() : m.end()]
    return QUANTITY, fmt(n * factor), base, head_noun(c.sentence, m.end()) if compound else ""


def read_magnitude(m: re.Match[str], c: Context) -> Reading:
    """An earthquake's magnitude ("magnitude 5.2", "a 5.4-magnitude quake", "a 2.9 aftershock").

    A figure with one decimal right before a quake noun is its magnitude: nobody counts
    2.9 aftershocks.
    """
    return QUANTITY, fmt(float(m["n"] or m["n2"] or m["n3"])), "magnitude", "magnitude"


def read_vague_count(m: re.Match[str], c: Context) -> Reading:
    """Vague counts ("thousands of", "tens of thousands of"): the scale; extract says vague."""
    times = 10 if m.group().lower().startswith("tens") else 1
    if m.group().lower().startswith("hundreds of"):
        times = 100
    value = VAGUE_SCALES[m["v"].lower()] * times
    return COUNT, fmt(value), "", head_noun(c.sentence, m.end() + len(" of"))


def read_ordinal(m: re.Match[str], c: Context) -> Reading:
    """An ordinal's rank and what it ranks ("first visit", "24th summit")."""
    o = m["o"]
    rank = str(ORDINALS.index(o.lower()) + 1) if o.isalpha() else re.sub(r"\D", "", o)
    return ORDINAL, rank, "", head_noun(c.sentence, m.end())


def read_count(m: re.Match[str], c: Context) -> Reading:
    """Any other number, and what it counts."""
    n = number(m.group())
    if n is None:
        return None
    if m.group().lower() in ("one", "a half") and not m["scale"]:
        return None  # "one of the ...": rarely a count anybody reports differently
    s = c.sentence
    first = m.group().isdigit() and int(m.group()) < 30 and not s[: m.start()].strip()
    if first and re.match(r"[.)]?\s+[A-Z]|\s*$", s[m.end() :]):
        return None  # a list item's number ("1. Economic ties"), not a count
    return COUNT, fmt(n), "", head_noun(s, m.end())


# --- words a pattern needs ----------------------------------------------------------------------
#
# Each pattern of GRAMMAR matches only in a sentence that holds one of its ``needs``: lower-case
# runs of ASCII letters, "%", or DIGIT for any digit (see ``words``). ``candidates`` skips a
# pattern whose needs the sentence lacks, so that the number-led patterns are not tried at
# every position of every sentence: 10k ECB+ sentences spent 7 s of their 8.5 s in those
# searches. A pattern's needs are a word its every match contains as a whole run of letters
# (tests/test_slots.py checks this on real and generated text).

DIGIT: Final = "0"  # stands for any digit: no run of letters is "0"
DIGITS: Final = frozenset({DIGIT})
# What IGNORECASE matches to an ASCII letter and casefold() leaves alone (or adds to).
_FOLD: Final = {ord("ı"): "i", 0x307: None}
_LETTER_RUNS: Final = re.compile(r"[a-z]+")
_ANY_DIGIT: Final = re.compile(r"\d")
MONTH_WORDS: Final = frozenset(MONTHS)
WEEKDAY_WORDS: Final = frozenset(WEEKDAYS)
DAY_WORDS: Final = frozenset({"today", "yesterday", "tomorrow"})
WEEKEND_WORDS: Final = frozenset({"weekend"})
REF_WORDS: Final = frozenset(ref.split()[-1] for ref in REFS)
NEAR_WORDS: Final = frozenset({"week", "month", "year", *SEASONS})
AGO_WORDS: Final = frozenset({"ago"})
QUARTER_WORDS: Final = frozenset({"quarter"})
TIME_UNIT_WORDS: Final = frozenset({*PERIODS, *(f"{p}s" for p in PERIODS), "centuries"})
AGE_WORDS: Final = frozenset({"old"})
_MONEY_WORDS = """dollar dollars euro euros pounds sterling yuan renminbi yen rouble roubles
ruble rubles naira rupee rupees"""
MONEY_WORDS: Final = frozenset({c.lower() for c in CURRENCY_CODES} | set(_MONEY_WORDS.split()))
PERCENT_WORDS: Final = frozenset({"%", "percent", "per", "percentage"})
# A unit's first run of letters ("sq km": "sq", "km/h": "km"), and its plural when it is one.
UNIT_WORDS: Final = frozenset(
    w for u in UNITS for w in (u.split()[0].split("/")[0], f"{u}s" if u.isalpha() else "") if w
)
MAGNITUDE_WORDS: Final = frozenset({"magnitude", "richter"})
QUAKE_WORDS: Final = frozenset(
    w + plural
    for w in ("quake", "earthquake", "aftershock", "tremor", "temblor", "shock")
    for plural in ("", "s")
)
VAGUE_WORDS: Final = frozenset(
    {"dozens", "scores", "hundreds", "thousands", "millions", "billions"}
)
ORDINAL_WORDS: Final = frozenset({*ORDINALS, "st", "nd", "rd", "th"})
COUNT_WORDS: Final = frozenset({DIGIT, *WORD_NUMBERS, "dozen"})


def words(sentence: str) -> set[str]:
    """The runs of letters in ``sentence``, case-folded, with "%" and DIGIT if it has them.

    >>> sorted(words("Nearly 40% of KM/h"))
    ['%', '0', 'h', 'km', 'nearly', 'of']
    """
    folded = sentence.casefold().translate(_FOLD)
    found = set(_LETTER_RUNS.findall(folded))
    if "%" in folded:
        found.add("%")
    if _ANY_DIGIT.search(folded):
        found.add(DIGIT)
    return found


# --- the grammar: (pattern, rank, reader, needs); where two overlap, the longer wins, then the rank

_WD = rf"(?:{_WEEKDAY},?\s+)?"
_PER = (
    r"(?:\s*/\s*|\s+(?:per|a)\s+)"
    r"(?P<per>litre|liter|gallon|barrel|kg|tonne|ton|share|month|year|day|hour|week)\b"
)
# "N" is the naira only before an amount written as one ("N1,117", "N5bn", "N1,117/L").
_SYM = (
    r"(?P<sym>US\$|A\$|C\$|HK\$|NZ\$|\$|€|£|¥|₹|₽|₦|(?<![A-Za-z])N"
    r"(?=\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?\s*(?:/|per\b|[bm]n?\b|billion|million)))"
)
_PREP = r"(?:in|of|since|until|till|by|from|through|before|after|during|between|and|to)"
_TZ = r"(?:\s+(?P<tz>[A-Z]{2,4}T|GMT|UTC))?"
_REFS = "|".join(sorted(REFS, key=len, reverse=True))
_VAGUE_PERIOD = r"several|a few|few|many|some|the past few|the last few|recent"

Reader = Callable[[re.Match[str], Context], Reading]
GRAMMAR: Final[tuple[tuple[re.Pattern[str], int, Reader, frozenset[str]], ...]] = tuple(
    (re.compile(pattern, flags), rank, reader, needs)
    for pattern, rank, reader, flags, needs in (
        # Dates: weekday, month, day and year in their usual orders.
        (rf"\b{_WD}{_MOD}(?P<mon>{_MON})\s+(?P<day>{_DAY})(?:,?\s+(?P<year>{_YEAR}))?", 0,
         read_date, 0, MONTH_WORDS),
        (rf"\b{_WD}(?:the\s+)?(?P<day>{_DAY})\s+(?:of\s+)?(?P<mon>{_MON})"
         rf"(?:,?\s+(?P<year>{_YEAR}))?", 0, read_date, 0, MONTH_WORDS),
        (rf"\b{_MOD}(?P<mon>{_MON}),?\s+(?P<year>{_YEAR})", 1, read_date, 0, MONTH_WORDS),
        (rf"\b(?:{_PREP}\s+)?(?P<span>(?:(?:last|next|this|early|late|mid)[\s-]+)?"
         rf"(?P<mon>{_MON}))(?!\s*\d)", 2, read_month, 0, MONTH_WORDS),
        (r"\b(?P<m>1[0-2]|0?[1-9])/(?P<d>3[01]|[12]\d|0?[1-9])/(?P<y>(?:19|20)\d\d)\b(?P<iso>)",
         0, read_numeric_date, 0, DIGITS),
        (r"\b(?P<iso>\d{4}-(?:0[1-9]|1[0-2])-(?:[0-2]\d|3[01]))\b", 0, read_numeric_date, 0,
         DIGITS),
        (rf"\b(?:(?P<rel>last|next|this coming|coming|this|past)\s+)?"
         rf"(?P<wd>{_WEEKDAY}){_PART}(?!,?\s+(?:{_MON}|\d))", 1, read_weekday, 0, WEEKDAY_WORDS),
        (r"\b(?:today|yesterday|tomorrow)\b", 1, read_relative, _I, DAY_WORDS),
        (r"\b(?:the|(?P<rel>this past|this coming|last|next|this|past|coming))\s+weekend\b", 0,
         read_weekend, _I, WEEKEND_WORDS),
        (rf"\b(?:{_REFS})\b(?!\s+(?:{_UNIT}|{_NUM}))", 3, read_ref, _I, REF_WORDS),
        (r"\b(?:(?:earlier|later)\s+)?(?:last|this|next)\s+"
         r"(?:week|month|year|spring|summer|autumn|fall|winter)\b", 1, read_relative, _I,
         NEAR_WORDS),
        (rf"\b(?:(?P<n>{_NUM})|an?)[\s-]+(?P<unit>days?|weeks?|months?|years?|decades?)\s+ago\b",
         0, read_ago, _I, AGO_WORDS),
        # Quarters, seasons with a year, parts of a year, decades.
        (r"\b(?:the\s+)?(?P<q>first|second|third|fourth|[1-4](?:st|nd|rd|th))[\s-]+quarter\b"
         rf"(?:\s+of\s+(?P<year>{_YEAR}))?", 1, read_quarter, _I, QUARTER_WORDS),
        (rf"\bQ(?P<q>[1-4])(?:\s+(?P<year>{_YEAR}))?\b", 1, read_quarter, 0, DIGITS),
        (rf"\b(?:early|late|mid)[\s-]+(?P<y>{_YEAR})", 1, read_year_part, _I, DIGITS),
        (rf"\b(?P<s>spring|summer|autumn|fall|winter)\s+(?:of\s+)?(?P<year>{_YEAR})", 1,
         read_season, _I, DIGITS),
        (r"\b(?:the\s+)?(?:mid-|early |late )?(?P<d>1[6-9]\d|20\d)0s\b", 1, read_decade, 0, DIGITS),
        (rf"(?<![\d,.$€£:/-])(?:fiscal\s+)?(?P<y>{_YEAR})(?![,.]?\d|%|-\d|\s*(?:percent|per cent))",
         3, read_year, _I, DIGITS),
        # Times of day.
        (r"\b(?P<h>[01]?\d|2[0-3])(?::(?P<min>[0-5]\d))?\s*(?P<ampm>a\.m\.|p\.m\.|am\b|pm\b)"
         + _TZ, 0, read_time, _I, DIGITS),
        (r"\b(?P<h>[01]?\d|2[0-3]):(?P<min>[0-5]\d)(?P<ampm>)" + _TZ + r"\b", 0, read_time, 0,
         DIGITS),
        (r"(?<![\d,.$€£:/-])(?P<h>[01]\d|2[0-3])(?P<min>[0-5]\d)(?P<ampm>)\s*(?:(?P<tz>GMT|UTC"
         r"|[A-Z]{2,4}T)\b|local(?:\s+time\b|(?![\s-]*[A-Za-z]))|(?P<hrs>hours|hrs)\b)", 0,
         read_clock, 0, DIGITS),
        # Durations: a number and a unit of time ("24 years", "two-day", "nearly two decades").
        (r"\bthe\s+(?:past|last|previous|next|coming|following)\s+"
         rf"(?:(?P<n>{_NUM})[\s-]+)?(?P<unit>{_UNIT})(?P<vague>)", 0, read_duration, _I,
         TIME_UNIT_WORDS),
        (r"\b(?:for|in|over|within|after)\s+"
         r"(?P<span>(?P<unit>years|months|weeks|days|decades|hours))\b(?P<n>)(?P<vague>)", 2,
         read_duration, _I, TIME_UNIT_WORDS),
        (rf"(?:(?P<vague>\b(?:{_VAGUE_PERIOD})\b)|(?P<n>{_NUM}|\ban?\b))[\s-]+"
         rf"(?P<unit>{_UNIT})(?![\s-]+(?:ago|old)\b)", 2, read_duration, _I, TIME_UNIT_WORDS),
        # Ages: "a 24-year-old", "24 years old".
        (rf"(?P<n>{_NUM})[\s-]+years?[\s-]+old\b", 1, read_age, _I, AGE_WORDS),
        # Money: currency before or after the amount, with a scale ("$50B", "50 billion rubles").
        (rf"{_SYM}\s?(?P<n>{_N})(?P<scale>{_SCALE})?(?:{_PER})?(?P<code>)(?P<word>)", 0,
         read_money, _I, DIGITS),
        (rf"\b(?P<code>{_CODES})\s?(?P<n>{_N})(?P<scale>{_SCALE})?(?:{_PER})?(?P<sym>)(?P<word>)",
         0, read_money, 0, DIGITS),
        (rf"(?P<n>{_NUM})(?P<scale>{_SCALE})?\s+(?:(?P<code>{_CODES})\b|(?P<word>{_CUR_WORDS}))"
         rf"(?:{_PER})?(?P<sym>)", 0, read_money, _I, MONEY_WORDS),
        # Percentages.
        (rf"(?P<n>{_NUM})\s*(?:%|percent\b|per cent\b|(?P<pp>percentage points?\b))", 0,
         read_percent, _I, PERCENT_WORDS),
        # Quantities with a unit, and earthquake magnitudes.
        (rf"(?P<n>{_NUM})(?P<scale>{_SCALE})?[\s-]*(?P<unit>{_UNIT_WORDS})\b", 1, read_quantity,
         _I, UNIT_WORDS),
        (r"\bmagnitude-?\s*(?P<n>\d+(?:\.\d+)?)|(?P<n2>\d+(?:\.\d+)?)[\s-]+magnitude\b"
         r"|(?P<n3>\d+(?:\.\d+)?)\s+on the Richter scale", 0, read_magnitude, _I, MAGNITUDE_WORDS),
        (r"(?<![\d.,])(?P<n>\d\.\d)(?P<n2>)(?P<n3>)(?=[\s-]+(?:(?:strong|powerful|moderate|"
         r"light|minor|major|small|shallow|deep)\s+)?(?:earth)?quakes?\b|[\s-]+(?:aftershocks?|"
         r"tremors?|temblors?|shocks?)\b)", 0, read_magnitude, _I, QUAKE_WORDS),
        # Vague counts: "thousands of", "tens of thousands of", "dozens of".
        (VAGUE_COUNT.pattern, 1, read_vague_count, _I, VAGUE_WORDS),
        # Ordinals: "first visit", "24th summit".
        (rf"\b(?P<o>{'|'.join(ORDINALS)}|\d+(?:st|nd|rd|th))\b", 4, read_ordinal, _I,
         ORDINAL_WORDS),
        # Counts: any other number, unless part of a name or code ("F-16", "G7", "COVID-19").
        (rf"(?<![\w/.-])(?<!\w-)(?:{_N}|{_WORDS}\b|an?\s+dozen\b|dozen\b)(?P<scale>{_SCALE})?"
         r"(?![\w/-]*\d)(?!-[A-Za-z]+\d)(?![A-Za-z])", 5, read_count, _I, COUNT_WORDS),
    )
)  # fmt: skip


def candidates(sentence: str, published: str) -> Iterator[_Match]:
    """Every pattern's matches; overlaps are settled by ``extract``."""
    c = Context(sentence, published, bool(FUTURE.search(sentence)))
    present = words(sentence)
    for pattern, rank, reader, needs in GRAMMAR:
        if present.isdisjoint(needs):
            continue  # it cannot match here (see ``words``)
        for m in pattern.finditer(sentence):
            start = m.start("span") if "span" in pattern.groupindex else m.start()
            yield _Match(start, m.end(), rank, functools.partial(reader, m, c))


def extract(sentence: str, published: str | None = None) -> tuple[Slot, ...]:
    """Every slot of ``sentence`` in text order, dates resolved against ``published``.

    ``published`` is the document's ISO date ("2024-06-19"); without it ("", None, or a
    TimeML "XXXX-06-19") relative dates keep TimeML's unknown parts ("XXXX-WXX-3").

    >>> [(s.kind, s.value, s.hedge) for s in extract("nearly two decades of sanctions")]
    [('duration', 'P20Y', 'upper')]
    >>> [(s.kind, s.value, s.unit) for s in extract("a $50B loan on Wednesday", "2024-06-19")]
    [('money', '50000000000', 'USD'), ('relative', '2024-06-19', '')]
    """
    published = published or ""
    found = sorted(
        candidates(sentence, published), key=lambda c: (c.start, -(c.end - c.start), c.rank)
    )
    slots: list[Slot] = []
    taken_until = 0
    for c in found:
        if c.start < taken_until:
            continue
        built = c.build()
        if built is None:
            continue
        kind, value, unit, about = built
        hedge, start = hedge_before(sentence, c.start)
        if kind in (DATE, RELATIVE, YEAR, ORDINAL) or start < taken_until:
            hedge, start = EXACT, c.start
        if kind == DURATION and sentence[c.start : c.start + 4].lower() == "the ":
            hedge, start = EXACT, c.start
        hedge, end = (
            hedge_after(sentence, c.end, hedge)
            if kind in (COUNT, MONEY, PERCENT, QUANTITY)
            else (hedge, c.end)
        )
        if kind == COUNT and VAGUE_COUNT.match(sentence, c.start):
            hedge = VAGUE
        if kind == DURATION and "X" in value:
            hedge = VAGUE
        if kind == RELATIVE and sentence[c.start : c.end].lower().endswith(" ago"):
            hedge = APPROX  # "6 months ago" is a rough date
        if kind in (DATE, RELATIVE) and STATEMENT.search(sentence[max(0, start - 30) : start]):
            about = "statement"
        if kind == RELATIVE and DEICTIC.fullmatch(sentence[start:end]) and quoted(sentence, start):
            about = "quoted"  # the speaker's "today", not the writer's
        slots.append(Slot(kind, value, unit, hedge, start, end, sentence[start:end], about))
        taken_until = end
    return tuple(distribute(sentence, slots))


def distribute(sentence: str, slots: list[Slot]) -> list[Slot]:
    """Share what neighbouring figures imply about each other.

    A conversion in brackets keeps the hedge of its figure ("less than 50 km (30 miles)");
    a bare number takes the unit of the figure it is listed with ("7.6 and 7.5 magnitude
    quakes" are two magnitudes, "3 and 4 percent" two percentages).
    """
    out = list(slots)
    for k in range(1, len(out)):
        before, here = out[k - 1], out[k]
        aside = re.fullmatch(r"\s*\(\s*", sentence[before.end : here.start])
        if aside and here.kind == before.kind and here.hedge == EXACT:
            out[k] = replace(here, hedge=before.hedge)  # "less than 50 km (30 miles)"
    for k in range(len(out) - 2, -1, -1):
        here, after = out[k], out[k + 1]
        listed = re.fullmatch(r"\s*(?:,|and|or|to|-|–)\s*", sentence[here.end : after.start])
        shared = after.kind == PERCENT or (after.kind == QUANTITY and after.unit == "magnitude")
        if here.kind == COUNT and listed and shared:
            out[k] = replace(here, kind=after.kind, unit=after.unit, about=after.about)
    return out
