"""Values of a story's sentences -> conflicts: values that cannot both hold, notes, updates.

Two values are compared only when their frames (frames.py, from the sentence's parse) can
be one measure of one event: the same kind (a weekday with a date, a count with a count),
the same thing counted or measured ("people", "depth", "age"), the same event ("die",
"arrest") and the same person or thing where the parse names them; dates and times only
when they date the same event, never a statement's date ("said on Monday"). Values in one
claim are compared when nothing in their frames differs; values anywhere in the story when
their frames are surely the same (frames.strong: "23 people died" against "31 people died").
Figures must also be close enough to be one quantity misreported. Hedges and the rounding
of the written digits make intervals ("nearly two decades" = 15 to 20 years). Two
sentences conflict when neither one's values are all matched by the other's: "1961, 2000
and 2001" agrees with "a 1961 treaty ... replaced in 2000"; each value that differs is its
own row. A clash that may not be one is a ``note``: other units or currencies, a vague
"thousands", other places named, a document that gives both figures (it disagrees with
itself), bounds of one direction far apart ("more than 80" and "more than 50"), an
ambiguous match, sentences tied to other times, ordinals. A later article whose sentence
says the figure changed ("rose to 31", "revised") is an ``update``, not a conflict.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from consistency import frames
from consistency.records import Sentence
from consistency.slots import (
    APPROX,
    CLOCK_UNITS,
    COUNT,
    DATE,
    DEICTIC,
    DURATION,
    EXACT,
    LOWER,
    MONEY,
    ORDINAL,
    PERCENT,
    PERIODS,
    QUANTITY,
    RELATIVE,
    TIME,
    UPPER,
    VAGUE,
    YEAR,
    Slot,
)

__all__ = ["CONFLICT", "NOTE", "UPDATE", "Conflict", "conflicts", "summary"]

CONFLICT, NOTE, UPDATE = "conflict", "note", "update"
# The group a kind is compared in: dates and weekdays resolve to the same calendar.
GROUP: Final = {RELATIVE: DATE}
HALF_STEP: Final = 0.49  # "7.5" covers 7.451..7.549: just short of its neighbours' ranges
ROUND_ZEROS: Final = 3  # "230,000" is rounded to the thousand; "50" and "100" are exact
SAME_FIGURE: Final = 0.10  # "75 kilometers (50 miles)": one figure in two units
MAX_FIGURES: Final = 12  # different figures of one sure frame compared with each other
BOUNDS_APART: Final = 1.25  # "more than 80" against "more than 50": one bound 25% beyond
APPROX_SPREAD: Final = 0.10  # "about 3.5%" = 3.15% to 3.85%
NEARLY_SPREAD: Final = 0.25  # "nearly two decades" = 15 to 20 years
MAX_RATIO: Final = 3.0  # one quantity misreported: within a factor of three
MAX_YEARS_APART: Final = 10
MAX_DAYS_APART: Final = 62
# "today" is the writer's day, known here only through the date the copy carries, which
# may run a day ahead of it (a date stamp in a time zone ahead, a copy released after
# midnight): "10am today" in a copy dated Tuesday may be Monday's "10 a.m. Monday". A
# named weekday or date needs no such allowance.
WRITING_LAG: Final = 1.0
# A later report that a figure changed: "rose to 31", "has climbed to", "revised".
CHANGED: Final = re.compile(
    r"\b(?:rose|risen|rising|climbed|increased|jumped|soared|grew|grown|fell|fallen|"
    r"dropped|declined|gone up|went up)\s+(?:\w+\s+)?to\b"
    r"|\b(?:updated|revised|raised|lowered|now stands|now stood|has reached)\b",
    re.IGNORECASE,
)
SCOPE: Final = re.compile(
    r"\s+(?:[a-z]+\s+){0,2}?((?:in|across|around|throughout|outside|nationwide|worldwide)\b"
    r"(?:\s+(?:the|a|an|its|this))?(?:\s+(?!and\b|or\b|but\b)[^\W\d][\w'-]*){1,2})"
)
# A phrase after a figure names where it applies only with a place in it: "in 13
# countries", "across the province", "nationwide"; not "in the accident" or "in 2002".
PLACE_WORD: Final = re.compile(
    r"\b(?:[A-Z][\w-]*|countr(?:y|ies)|provinces?|states?|cit(?:y|ies)|regions?|districts?|"
    r"count(?:y|ies)|areas?|towns?|villages?|capital|nationwide|worldwide|island|camps?)\b"
)
PLACE: Final = re.compile(
    r"\b((?:[Ii]n|[Aa]cross|[Aa]round|[Tt]hroughout)\s+(?:the\s+)?(?:[a-z]+\s+)?"
    r"[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)(?![\w-]*['’]s\b)"  # "in Russia's approach": no place
)
PLACE_REACH: Final = 60  # characters either side of a figure searched for the place it names
WEEKDAY: Final = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.IGNORECASE)
PAST: Final = re.compile(r"\b(?:last|ago|previous|earlier)\b", re.IGNORECASE)
NEARLY: Final = re.compile(r"^(?:nearly|almost|close to|just under)\b", re.IGNORECASE)
JUST_OVER: Final = re.compile(r"^just over\b", re.IGNORECASE)
FIGURE: Final = re.compile(r"\d[\d,]*(?:\.(\d+))?")  # a figure in digits, its decimals
# Days in each of TimeML's period letters, before and after the "T" ("M" is both).
PERIOD_DAYS: Final = {PERIODS[u][0]: PERIODS[u][1] for u in ("day", "week", "month", "year")}
TIME_DAYS: Final = {PERIODS[u][0]: PERIODS[u][1] for u in CLOCK_UNITS}


@dataclass(frozen=True)
class Found:
    """A slot where it was read: its sentence (index into the story's sentences), its doc."""

    slot: Slot
    sentence: int
    doc_id: str
    scope: frozenset[str] = frozenset()  # where the figure applies ("in the province")


@dataclass(frozen=True)
class Conflict:
    """Two values of one claim that disagree; ``a`` is the side fewer documents support."""

    claim_id: str
    kind: str
    severity: str
    a: Found
    b: Found
    explanation: str


def group(slot: Slot) -> str:
    """The kind a slot is compared as (a weekday is compared with dates)."""
    return GROUP.get(slot.kind, slot.kind)


# --- values as intervals -------------------------------------------------------------------------


def step(slot: Slot, value: float) -> float:
    """The rounding a written figure implies, in the value's units.

    Just under half the step of its last digit ("7.5" -> 0.049, "35 kilometers" -> 0.49
    km, "230,000" -> 490); 0 for numbers in words.

    >>> step(Slot("quantity", "7.5", "magnitude", "exact", 0, 3, "7.5", ""), 7.5)
    0.049
    >>> step(Slot("money", "50000000000", "USD", "exact", 0, 11, "$50 billion", ""), 5e10)
    490000000.0
    """
    m = FIGURE.search(slot.text)
    if not m:
        return 0.0
    written = float(m.group().replace(",", ""))
    if m[1]:
        digit = 10.0 ** -len(m[1])
    else:
        zeros = len(m.group().replace(",", "")) - len(m.group().replace(",", "").rstrip("0"))
        digit = 10.0 ** (zeros - 1) if zeros >= ROUND_ZEROS else 1.0
    scale = value / written if written else 1.0
    return HALF_STEP * digit * abs(scale)


def hedged(value: float, slot: Slot) -> tuple[float, float]:
    """The interval a hedged number stands for, rounding included."""
    r = step(slot, value)
    if slot.hedge == EXACT:
        return value - r, value + r
    if slot.hedge == UPPER:
        return (value * (1 - NEARLY_SPREAD) if NEARLY.match(slot.text) else -math.inf), value + r
    if slot.hedge == LOWER:
        return value - r, (value * (1 + NEARLY_SPREAD) if JUST_OVER.match(slot.text) else math.inf)
    if slot.hedge == VAGUE:
        return 2 * value, 1000 * value
    spread = max(abs(value) * APPROX_SPREAD, r)
    return value - spread, value + spread


def period_days(value: str) -> float | None:
    """A TimeML period in days: "P24Y" -> 8765.82; "PXY" (unknown amount) -> None.

    >>> period_days("P2W"), period_days("PT12H"), period_days("PXM")
    (14.0, 0.5, None)
    """
    m = re.fullmatch(r"P(T?)(\d+(?:\.\d+)?)([YMWDHS])", value)
    if not m:
        return None
    table = TIME_DAYS if m[1] else PERIOD_DAYS
    return float(m[2]) * table[m[3]] if m[3] in table else None


def calendar(value: str) -> tuple[float, float] | None:
    """An ISO date, month, week, weekend, quarter or year as a day-number interval.

    >>> calendar("2024-06")
    (739038.0, 739067.0)
    >>> calendar("2024-W25") == calendar("2024-06-16")[:1] + calendar("2024-06-23")[1:]
    True
    """

    def day(y: int, m: int, d: int) -> float:
        return float(dt.date(y, m, d).toordinal())

    try:
        if m := re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", value):
            d = day(int(m[1]), int(m[2]), int(m[3]))
            return d, d
        if m := re.fullmatch(r"(\d{4})-(\d\d)", value):
            y, mo = int(m[1]), int(m[2])
            nxt = day(y + mo // 12, mo % 12 + 1, 1)
            return day(y, mo, 1), nxt - 1
        if m := re.fullmatch(r"(\d{4})-W(\d\d)(-WE)?", value):
            monday = float(dt.date.fromisocalendar(int(m[1]), int(m[2]), 1).toordinal())
            # A week may be counted from Sunday ("next week" and "next Sunday" agree).
            return (monday + 5, monday + 6) if m[3] else (monday - 1, monday + 6)
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
            y, q = int(m[1]), int(m[2])
            end = day(y + 1, 1, 1) if q == 4 else day(y, 3 * q + 1, 1)
            return day(y, 3 * q - 2, 1), end - 1
        if m := re.fullmatch(r"(\d{4})", value):
            return day(int(m[1]), 1, 1), day(int(m[1]), 12, 31)
    except ValueError:
        return None
    return None


@functools.lru_cache(maxsize=1 << 16)
def interval(slot: Slot) -> tuple[float, float] | None:
    """The slot's value as an interval in base units, or None where it has no fixed value.

    Cached: comparing a story's values asks for each one's interval again and again.
    """
    g = group(slot)
    if g in (COUNT, MONEY, PERCENT, QUANTITY, ORDINAL):
        return hedged(float(slot.value), slot)
    if g == DURATION:
        days = period_days(slot.value)
        return None if days is None else hedged(days, slot)
    if g == YEAR:
        if re.fullmatch(r"\d{3}", slot.value):  # a decade, "199" for the 1990s
            return float(slot.value) * 10, float(slot.value) * 10 + 9
        return float(slot.value), float(slot.value)
    if g == DATE:
        on = calendar(slot.value)
        if on and slot.kind == RELATIVE and DEICTIC.fullmatch(slot.text):
            return on[0] - WRITING_LAG, on[1]
        return on
    if g == TIME:
        hh, mm = slot.value[1:].split(":")
        return float(hh) * 60 + float(mm), float(hh) * 60 + float(mm)
    return None


def shape(value: str) -> str:
    """The form of a date value, digits and unknowns alike: "XXXX-06-19" -> "DDDD-DD-DD"."""
    return re.sub(r"[\dX]", "D", value)


def weekday_of(value: str) -> int | None:
    """ISO weekday (1 = Monday) of a full date or of TimeML's "XXXX-WXX-3"; else None."""
    if m := re.fullmatch(r"XXXX-WXX-([1-7])", value):
        return int(m[1])
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        try:
            return dt.date.fromisoformat(value).isoweekday()
        except ValueError:
            return None
    return None


def partial_agrees(a: str, b: str) -> bool | None:
    """Whether two dates with unknown parts can be one date; None if their forms differ.

    >>> partial_agrees("XXXX-06-19", "2024-06-19"), partial_agrees("XXXX-WXX-3", "2024-06-18")
    (True, False)
    """
    wa, wb = weekday_of(a), weekday_of(b)
    if "WXX" in a or "WXX" in b:
        return None if wa is None or wb is None else wa == wb
    if shape(a) != shape(b):
        return None
    return all(x == y or "X" in (x, y) for x, y in zip(a, b, strict=True))


def compatible(a: Slot, b: Slot) -> bool | None:
    """True if both values can hold at once, False if not, None if they can't be compared.

    Values in other units (currencies, time zones) are not reconciled: they count as
    disagreeing, and ``severity`` makes that a note.
    """
    if a.unit != b.unit:
        return False
    if a.kind == b.kind == RELATIVE and a.text.lower() == b.text.lower():
        return True  # "today" in two papers: the same words, each of its own day
    if (da := WEEKDAY.search(a.text)) and (db := WEEKDAY.search(b.text)):
        return da.group().lower() == db.group().lower()  # each resolved in its own week
    if group(a) == DATE and APPROX in (a.hedge, b.hedge):
        return None  # "six months ago" is too rough to hold against a date
    if "X" in a.value or "X" in b.value:
        return partial_agrees(a.value, b.value) if group(a) == DATE else None
    ia, ib = interval(a), interval(b)
    if ia is None or ib is None:
        return None
    if bounds_apart(a, b):
        return False  # "more than 80" and "more than 50": both hold, but say different things
    return ia[0] <= ib[1] + 1e-9 and ib[0] <= ia[1] + 1e-9


def bounds_apart(a: Slot, b: Slot) -> bool:
    """Two bounds of one direction whose figures lie far apart ("more than 80", "more than 50")."""
    if a.hedge != b.hedge or a.hedge not in (LOWER, UPPER) or group(a) in (DATE, YEAR, TIME):
        return False
    ia, ib = interval(a), interval(b)
    if ia is None or ib is None:
        return False
    end = 0 if a.hedge == LOWER else 1  # the bound written: "more than 80" -> 80
    x, y = sorted(abs(i[end]) for i in (ia, ib))
    return math.isfinite(y) and y > BOUNDS_APART * max(x, 1e-9)


def plausible(a: Slot, b: Slot) -> bool:
    """Whether two values are close enough to be one quantity reported differently.

    A misreported figure is off by a little (24 vs 19 years, 1961 vs 1962, $50B vs $35B);
    five deaths and 168,000 deaths, or 1961 and 1991, are about different things.
    """
    ia, ib = interval(a), interval(b)
    if ia is None or ib is None or VAGUE in (a.hedge, b.hedge):
        return True  # dates with unknown parts, times, "thousands": compared as they are
    gap = distance(ia, ib)
    g = group(a)
    if g == YEAR:
        return gap <= MAX_YEARS_APART
    if g == DATE:
        return gap <= MAX_DAYS_APART
    if g in (TIME, ORDINAL):
        return True
    low = min(abs(x) for x in (*ia, *ib) if math.isfinite(x)) if gap else 1.0
    high = max(abs(x) for x in (*ia, *ib) if math.isfinite(x)) if gap else 1.0
    return high <= MAX_RATIO * max(low, 1e-9)


def comparable(a: Found, b: Found, anywhere: bool = False) -> bool:
    """Whether two values can be one measure of one event: kind, frame, size.

    ``anywhere``: the two need not be in one claim, so their frames must surely be the
    same (frames.strong). In one claim they must be the same measure of the same event or
    entity (frames.match), and dates of the same event.
    """
    x, y = a.slot, b.slot
    g = group(x)
    if g != group(y) or not frames.match(x, y) or (anywhere and not frames.strong(x, y)):
        return False
    if g in (DATE, TIME, YEAR) and not frames.same_event(x, y):
        return False  # dates of other steps, or of a statement ("said on Monday")
    return plausible(x, y)


def scope(sentence: str, slot: Slot) -> frozenset[str]:
    """Where a figure applies, as far as the sentence says.

    The phrase right after it ("in 13 countries") and the places the sentence names ("in
    Bener Meriah district").

    >>> sorted(scope("In Central Aceh, 10 people died in the province.", Slot(
    ...     "count", "10", "", "exact", 17, 19, "10", "people")))
    ['in central aceh', 'in the province']
    """
    near = range(slot.start - PLACE_REACH, slot.end + PLACE_REACH)
    out = {m.group(1).lower() for m in PLACE.finditer(sentence) if m.start() in near}
    if (m := SCOPE.match(sentence, slot.end)) and PLACE_WORD.search(m.group(1)):
        out.add(m.group(1).lower())
    return frozenset(out)


def severity(
    a: Found,
    b: Found,
    sa: Sequence[str],
    sb: Sequence[str],
    why: str,
    names: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    """A hard conflict, or a note with its reason where the values may not truly clash.

    ``sa``/``sb``: the documents that state each value; ``why``: a reason found earlier
    from the two sentences as a whole (the match is ambiguous, other times); ``names``:
    the documents' outlets, as for explain.
    """
    if a.slot.unit != b.slot.unit:
        return NOTE, "other units or currencies, not reconciled here"
    if VAGUE in (a.slot.hedge, b.slot.hedge):
        return NOTE, "a vague amount"
    if a.scope != b.scope and group(a.slot) not in (YEAR, DATE):
        return NOTE, "the sentences name other places, and may count different things"
    if a.slot.period != b.slot.period:
        periods = " / ".join(f"“{p}”" if p else "the whole" for p in (a.slot.period, b.slot.period))
        return NOTE, f"the figures may cover other periods ({periods})"
    if group(a.slot) == ORDINAL:
        return NOTE, "ordinals often number different things (first half, second half)"
    if both := sorted(set(sa) & set(sb)):
        # One article that states both figures disagrees with itself, or speaks of two
        # things ("Wednesday's quake" and "Sunday's"): a note for it, not a clash of sources.
        said = join(both, names)
        return NOTE, f"{said} {'gives' if len(both) == 1 else 'give'} both figures"
    if bounds_apart(a.slot, b.slot):
        bound = "lower" if a.slot.hedge == LOWER else "upper"
        return NOTE, f"both are {bound} bounds, which can both hold"
    if why:
        return NOTE, why
    return CONFLICT, ""


def anchors(found: Sequence[Found]) -> frozenset[str]:
    """The other times a sentence ties itself to: its years, "last year", "six months ago"."""
    out = set()
    for f in found:
        if group(f.slot) == YEAR:
            out.add(f.slot.value)
        elif f.slot.kind == RELATIVE and PAST.search(f.slot.text):
            out.add(f.slot.value[:4] if f.slot.value[:4].isdigit() else f.slot.text.lower())
    return frozenset(out)


# --- conflicts between sentences ------------------------------------------------------------------

Compat = Callable[[Slot, Slot], "bool | None"]  # compatible(), or remembered()'s copy


def disagreements(
    side: Sequence[Found],
    other: Sequence[Found],
    compat: Compat = compatible,
    anywhere: bool = False,
) -> list[tuple[Found, Found, bool]]:
    """Values of ``side`` that no comparable value of ``other`` agrees with (one group).

    Both hold values of one group (see ``group``). Each comes with its nearest value on
    the other side, and whether the match is ambiguous (the other side gives several
    different figures that could correspond, as "85 miles from the city, at a depth of
    22 miles"). Values with no comparable partner at all say nothing either way.
    ``compat``: compatible(), or a remembering copy (remembered); ``anywhere`` as for
    comparable.
    """
    out = []
    for x in side:
        if any(compat(x.slot, y.slot) for y in other):
            continue  # the other sentence gives this figure too, whatever it says it counts
        partners = [y for y in other if comparable(x, y, anywhere)]
        if partners and all(compat(x.slot, y.slot) is False for y in partners):
            ix = interval(x.slot)
            nearest = min(partners, key=lambda y: distance(ix, interval(y.slot)))
            out.append((x, nearest, distinct(partners) > 1))
    return out


def distinct(found: Sequence[Found]) -> int:
    """How many different figures ``found`` gives (within a tenth of each other is one)."""
    unknown = {f.slot.value for f in found if interval(f.slot) is None}
    centres = sorted(
        (i[0] + i[1]) / 2 for f in found if (i := interval(f.slot)) and math.isfinite(i[0] + i[1])
    )
    count, last = 0, -math.inf
    for c in centres:
        new = c > last * (1 + SAME_FIGURE) if last > 0 else c != last
        if new:
            count, last = count + 1, c
    return max(count + len(unknown), 1 if found else 0)


def agree(a: Sequence[Found], b: Sequence[Found]) -> bool:
    """Whether two sentences share at least one value, about the same thing."""
    return any(comparable(x, y) and compatible(x.slot, y.slot) is True for x in a for y in b)


def clashes(
    ga: Mapping[str, Sequence[Found]],
    gb: Mapping[str, Sequence[Found]],
    compat: Compat = compatible,
    anywhere: bool = False,
) -> list[tuple[Found, Found, bool]]:
    """Value pairs two sentences disagree on, kind by kind, with their ambiguity.

    Within a kind, the sentences disagree only if neither side's values are all matched
    by the other's: "deals from 1961, 2000 and 2001" agrees with "a 1961 treaty, replaced
    in 2000". ``ga`` and ``gb``: each sentence's values by group (per_group); ``compat``
    and ``anywhere`` as for disagreements.
    """
    out = []
    for g in sorted(ga.keys() & gb.keys()):
        ab = disagreements(ga[g], gb[g], compat, anywhere)
        ba = disagreements(gb[g], ga[g], compat, anywhere)
        if ab and ba:
            lone = {id(y) for y, _, _ in ba}  # values of b that nothing in a agrees with
            for x, y, ambiguous in ab:
                # y agrees with another value of a: x and y need not be the same figure
                out.append((x, y, ambiguous or id(y) not in lone))
    return out


def per_group(found: Sequence[Found]) -> dict[str, list[Found]]:
    """A sentence's values by the group they are compared in, in order."""
    out: dict[str, list[Found]] = {}
    for f in found:
        out.setdefault(group(f.slot), []).append(f)
    return out


def remembered() -> Compat:
    """compatible(), remembering its answer for each two slot objects it was asked about.

    A story's comparison asks about the same few slots again and again (93,000 pairs of
    sentences ask 223,000 times about 17,000 pairs of slots on the 100k benchmark level).
    Slots are keyed by identity, which is cheap to hash, and kept alive by the memory
    itself, so that no identity is reused while it lasts.
    """
    known: dict[tuple[int, int], tuple[Slot, Slot, bool | None]] = {}

    def compat(a: Slot, b: Slot) -> bool | None:
        hit = known.get((id(a), id(b)))
        if hit is None:
            hit = known[id(a), id(b)] = (a, b, compatible(a, b))
        return hit[2]

    return compat


def distance(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float:
    """How far apart two intervals are (0 if they meet; unknown ones sort last)."""
    if a is None or b is None:
        return math.inf
    return max(0.0, a[0] - b[1], b[0] - a[1])


def peers(
    x: Found,
    by_group: Mapping[str, Sequence[Found]],
    by_about: Mapping[tuple[str, str], Sequence[Found]],
) -> list[Found]:
    """The values ``comparable`` could accept beside ``x``: its group, and what it measures.

    Counts, ordinals and dates need the same measure; other values an equal measure or
    none on one side (see ``comparable``).
    """
    g, measure = group(x.slot), x.slot.measure
    if g in (COUNT, ORDINAL, DATE, TIME, YEAR) or not measure:
        same = by_about.get((g, measure), [])
        return list(same) if measure or g in (DATE, TIME, YEAR) else list(by_group.get(g, []))
    return [*by_about.get((g, measure), []), *by_about.get((g, ""), [])]


def supporters(x: Found, found: Sequence[Found]) -> list[str]:
    """The documents that state a value compatible with ``x`` about the same thing."""
    docs = {
        f.doc_id
        for f in found
        if f is x or (comparable(x, f) and compatible(x.slot, f.slot) is True)
    }
    return sorted(docs)


def join(docs: Sequence[str], names: Mapping[str, str] | None = None) -> str:
    """Documents in prose by name (``names``: doc id -> outlet; else the ids themselves).

    >>> join(["000", "001", "002"], {"000": "Reuters"})
    'Reuters, 001 and 002'
    """
    said = [(names or {}).get(d, d) for d in docs]
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]


def what(slot: Slot) -> str:
    """The frame in words, for an explanation: "the age of John Smith", "the date of “die”".

    >>> what(Slot("count", "23", "", "exact", 0, 2, "23", "people", "people", "die", ""))
    'people (die)'
    >>> what(Slot("quantity", "41", "years of age", "exact", 0, 2, "41", "", "age", "", "Smith"))
    'the age of Smith'
    >>> what(Slot("count", "4", "", "exact", 0, 4, "four", "time", "time", "arrest", "Gray"))
    'time (arrest)'
    """
    m, who = slot.measure, slot.entity
    e = "” and “".join(slot.event.split(frames.EVENT_JOIN))  # "“die” and “injure”"
    if m == "age":
        return f"the age of {who}" if who else "an age"
    if m == "magnitude":
        return f"the magnitude of the {who}" if who else "a magnitude"
    if group(slot) in (DATE, TIME, YEAR):  # "arrested four times" counts, it does not date
        return f"the {m} of “{e}”" if e else ""
    if not m:
        return f"“{e}”" if e else ""
    return f"{m} ({e})" if e else m


def explain(
    a: Found,
    sa: Sequence[str],
    b: Found,
    sb: Sequence[str],
    reason: str,
    names: Mapping[str, str] | None = None,
    dates: tuple[str, str] = ("", ""),
) -> str:
    """One plain sentence: the frame, who says what, and when each side was published.

    ("people (die): AP says “19”, Reuters and DW say “24”.") ``names`` gives each
    document's outlet (ingest.outlet_labels); unnamed ones go by id. ``dates``: the
    publication dates of ``a``'s and ``b``'s documents, named when both are known and differ.
    """
    say_a = "says" if len(sa) == 1 else "say"
    say_b = "says" if len(sb) == 1 else "say"
    text = f"{join(sa, names)} {say_a} “{a.slot.text}”, {join(sb, names)} {say_b} “{b.slot.text}”"
    if frame := what(a.slot) if a.slot.measure == b.slot.measure else "":
        text = f"{frame}: {text}"
    if all(dates) and dates[0] != dates[1]:
        text += f" (published {dates[0]} and {dates[1]})"
    return f"{text}: may disagree ({reason}; check by hand)." if reason else f"{text}."


def strong_pairs(found: Mapping[int, Sequence[Found]]) -> list[tuple[int, int]]:
    """Sentence pairs of other documents whose values share a sure frame (frames.strong).

    Per frame (kind, measure, event), one pair for each two different figures: the first
    sentences giving them, from two documents. A story's deaths or its arrest date are
    compared wherever the outlets state them, whatever claims they landed in.
    """
    by_frame: dict[tuple[str, str, str], dict[str, list[Found]]] = {}
    for i in sorted(found):
        for f in found[i]:
            x = f.slot
            if frames.strong(x, x):
                for event in sorted(frames.events(x.event)):  # "die+injure": under both
                    key = (group(x), x.measure, event)
                    by_frame.setdefault(key, {}).setdefault(x.value, []).append(f)
    out = set()
    for key in sorted(by_frame):
        figures = list(by_frame[key].values())[:MAX_FIGURES]
        for p, xs in enumerate(figures):
            for ys in figures[p + 1 :]:
                pair = next(
                    ((x.sentence, y.sentence) for x in xs for y in ys if x.doc_id != y.doc_id),
                    None,
                )
                if pair:
                    out.add((min(pair), max(pair)))
    return sorted(out)


def conflicts(
    sentences: Sequence[Sentence],
    claims: Mapping[str, Sequence[int]],
    slots: Sequence[Sequence[Slot]],
    links: Iterable[tuple[int, int]] = (),
    outlets: Mapping[str, str] | None = None,
    published: Mapping[str, str] | None = None,
) -> list[Conflict]:
    """Conflicts, notes and updates between a story's sentences, one row per pair of values.

    ``claims``: claim id -> its sentences' indices. Two sentences are compared when they
    are in one claim, or when the link head judged them to state one claim (``links``,
    pairs of sentence indices) even though the clustering put them apart, or when values
    of theirs share a sure frame (strong_pairs): a conflict must not hide behind a
    clustering miss. Such a conflict is filed under the claim of the sentence that fewer
    documents support. The documents on each side are all those in the story that state
    the value of the same measure. The explanations name them by ``outlets`` (doc id ->
    name, as ingest.outlet_labels gives), else by id; ``published`` (doc id -> ISO date)
    dates them, and tells an update from a conflict.
    """
    dates = published or {}
    where: dict[int, list[str]] = {}
    for claim_id in sorted(claims):
        for i in claims[claim_id]:
            where.setdefault(i, []).append(claim_id)
    read: dict[tuple[str, Slot], frozenset[str]] = {}  # repeated lines
    found: dict[int, list[Found]] = {}
    one: dict[Slot, Slot] = {}
    for i, xs in enumerate(slots):
        if not xs:
            continue
        text = sentences[i].text
        for value in xs:
            if (text, value) not in read:
                read[text, value] = scope(text, value)
        # Equal slots as one object, so that remembered() knows them by identity.
        same = [one.setdefault(v, v) for v in xs]
        found[i] = [Found(v, i, sentences[i].doc_id, read[text, v]) for v in same]
    # What the comparison of two sentences reads of each, numbered: a pair of sentences
    # whose values (frames included) and scopes repeat an earlier pair's (wire copy in many
    # outlets) can only give rows that pair gave, and is not compared (pairs_to_compare).
    numbers: dict[tuple[tuple[Slot, frozenset[str]], ...], int] = {}
    content = {
        i: numbers.setdefault(tuple((f.slot, f.scope) for f in fs), len(numbers))
        for i, fs in found.items()
    }
    by_group: dict[str, list[Found]] = {}  # only values of one group can support each other
    by_about: dict[tuple[str, str], list[Found]] = {}
    for i in sorted(found):
        for f in found[i]:
            by_group.setdefault(group(f.slot), []).append(f)
            by_about.setdefault((group(f.slot), f.slot.measure), []).append(f)
    support: dict[Found, list[str]] = {}
    rows: dict[tuple[str, ...], Conflict] = {}
    grouped = {i: per_group(fs) for i, fs in found.items()}
    compat = remembered()
    in_claims = pairs_to_compare(claims, links, content)
    seen = {(i, j) for i, j, _ in in_claims}
    anywhere = [(i, j, "") for i, j in strong_pairs(found) if (i, j) not in seen]
    for i, j, claim_id in [*in_claims, *anywhere]:
        found_pairs = clashes(grouped[i], grouped[j], compat, anywhere=(i, j) not in seen)
        other_time = anchors(found[i]) != anchors(found[j])
        for x, y, ambiguous in found_pairs:
            key = (group(x.slot), *sorted((x.slot.value, y.slot.value)))
            if key in rows and (rows[key].a.doc_id != rows[key].b.doc_id or x.doc_id == y.doc_id):
                continue  # one row a pair of figures; between two sources rather than within one
            for f in (x, y):
                if f not in support:
                    support[f] = supporters(f, peers(f, by_group, by_about))
            sx, sy = support[x], support[y]
            a, b = (x, y) if (len(sx), x.doc_id) <= (len(sy), y.doc_id) else (y, x)
            sa, sb = (sx, sy) if a is x else (sy, sx)
            why = (
                "a sentence gives several figures that could be the one meant"
                if ambiguous
                else "the sentences are tied to other times and may be about other events"
                if other_time and group(x.slot) not in (YEAR, DATE)
                else ""
            )
            sev, reason = severity(a, b, sa, sb, why, outlets)
            when = (dates.get(a.doc_id, ""), dates.get(b.doc_id, ""))
            if sev == CONFLICT and changed(a, b, when, sentences):
                sev = UPDATE
            claim = claim_id or min(where.get(a.sentence, [""]))
            said = explain(a, sa, b, sb, reason, outlets, when)
            rows[key] = Conflict(claim, group(a.slot), sev, a, b, said)
    return list(rows.values())


def changed(a: Found, b: Found, when: tuple[str, str], sentences: Sequence[Sentence]) -> bool:
    """Whether the later-published side reports a change ("rose to 31", "revised").

    ``when``: the publication dates of ``a``'s and ``b``'s documents; both must be known
    and differ. The change must be worded in the later sentence, before its figure.
    """
    if not all(when) or when[0] == when[1]:
        return False
    later = a if when[0] > when[1] else b
    text = sentences[later.sentence].text
    return bool(CHANGED.search(text, 0, later.slot.start))


def pairs_to_compare(
    claims: Mapping[str, Sequence[int]],
    links: Iterable[tuple[int, int]],
    content: Mapping[int, int],
) -> list[tuple[int, int, str]]:
    """The sentence pairs conflicts() compares, in order, each with its claim ("" if none).

    The pairs (i, j), i < j, of two sentences with values (``content``: what the
    comparison reads of each, numbered) in one claim or in ``links``, each filed under the
    first claim (by id) holding both. Of the pairs whose contents (content[i], content[j])
    are the same, only the first is kept: the others can only repeat its rows. In a claim
    that wire copy fills with repeats, the pairs are found per distinct content, not per
    sentence: the first pair of contents (p, q) is that of p's first sentence and of q's
    first sentence after it.
    """
    best: dict[tuple[int, int], tuple[int, int, str]] = {}

    def offer(i: int, j: int, claim_id: str) -> None:
        key = (content[i], content[j])
        old = best.get(key)
        if old is None or (i, j) < old[:2]:  # on a tie the earlier claim (or a claim) stays
            best[key] = (i, j, claim_id)

    for claim_id in sorted(claims):
        by_content: dict[int, list[int]] = {}  # in order of first sentence
        for i in sorted({i for i in claims[claim_id] if i in content}):
            by_content.setdefault(content[i], []).append(i)
        sides = list(by_content.values())
        for p, first in enumerate(sides):
            if len(first) > 1:
                offer(first[0], first[1], claim_id)
            for later in sides[p + 1 :]:
                offer(first[0], later[0], claim_id)  # first[0] < later[0]
                if first[-1] > later[0]:  # and a sentence of ``first`` after later[0]
                    offer(later[0], first[bisect.bisect_right(first, later[0])], claim_id)
    for i, j in links:
        if i != j and i in content and j in content:
            offer(min(i, j), max(i, j), "")
    return sorted(best.values())


def summary(found_slots: Sequence[tuple[str, Slot]]) -> str:
    """A claim's values per kind with their documents ("duration: P24Y (000, 001)").

    >>> s = Slot("year", "2000", "", "exact", 0, 4, "2000", "")
    >>> summary([("002", s), ("003", s)])
    'year: 2000 (002, 003)'
    """
    by_kind: dict[str, dict[str, set[str]]] = {}
    for doc_id, slot in found_slots:
        value = slot.value + (f" {slot.unit}" if slot.unit else "")
        if slot.hedge != EXACT:
            value = f"{value} ({slot.hedge})"
        by_kind.setdefault(slot.kind, {}).setdefault(value, set()).add(doc_id)
    parts = []
    for kind in sorted(by_kind):
        values = ", ".join(
            f"{v} ({', '.join(sorted(d))})" for v, d in sorted(by_kind[kind].items())
        )
        parts.append(f"{kind}: {values}")
    return "; ".join(parts)
