"""Values -> their frames: what each one measures, of which event, about whom.

A value's frame is read from the sentence's dependency parse (spaCy's ``en_core_web_sm``,
named and verified in ``models/parser.json``), not from the words in a window around it:

- ``measure``: the noun a count counts ("23 people" -> "people", "a death toll of 31" ->
  "toll"), the attribute an amount gives ("a depth of 22 miles" -> "depth", "a $50
  billion loan" -> "loan"), "age", "magnitude", or "date" and "time" for the calendar;
- ``event``: the verb or event noun the value belongs to ("died", "capsized", "arrested",
  "the 1974 book"), lemmatised, deaths and injuries under one word each ("killed", "dead"
  -> "die"); a value of a reporting verb ("said on Monday") dates the statement: "say";
- ``entity``: whose age, which quake's magnitude, whose arrest: the noun the value
  describes, or the subject of its event where that is a name.

Only sentences that hold values are parsed. ``compare`` compares two values only when
their frames can be the same measure of the same event (``agree``).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol

from consistency.embed import installed, models_dir, read_manifest, sha256
from consistency.errors import ModelError
from consistency.slots import (
    COUNT,
    DATE,
    DURATION,
    MONEY,
    ORDINAL,
    PERCENT,
    QUANTITY,
    RELATIVE,
    TIME,
    YEAR,
    Slot,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "FRAMELESS",
    "PARTS",
    "Frame",
    "ParserManifest",
    "Store",
    "cache_key",
    "differs",
    "events",
    "frame",
    "frame_all",
    "framed",
    "load",
    "match",
    "same_event",
    "strong",
    "surname",
]

# What a date or time measures; counts and amounts take the noun they count.
CALENDAR: Final = frozenset({DATE, RELATIVE, TIME, YEAR})
# Reporting verbs: a value attached to one dates or counts the statement, not the event.
REPORTING: Final = frozenset({
    "say", "tell", "report", "announce", "state", "add", "claim", "note", "explain", "write",
    "quote", "confirm", "testify", "comment", "insist", "warn", "deny", "acknowledge",
    "reveal", "disclose",
})  # fmt: skip
# Verbs too light to name an event: the frame takes their complement ("were confirmed
# dead", "was 41"), else it has none.
LIGHT: Final = frozenset({
    "be", "have", "do", "get", "become", "remain", "make", "take", "give", "seem", "appear",
})  # fmt: skip
# One word for each event news reports under several verbs: a date or a toll of one event
# must be found whichever verb an outlet chose ("fled" / "escaped", "hit" / "struck").
# Only words of one event; steps of a story ("arrested", "charged", "convicted") and
# opposites ("won", "lost") stay apart.
SYNONYMS: Final = (
    ("die", "kill dead death perish fatality slay"),
    ("injure", "wound hurt injury injured wounded"),
    ("quake", "earthquake tremor temblor"),
    ("strike", "hit jolt rock shake"),
    ("flee", "escape"),
    ("arrest", "detain apprehend nab capture"),
    ("shoot", "gun fire"),
    ("buy", "acquire purchase"),
    ("resign", "quit"),
    ("sentence", "jail imprison"),
    ("announce", "unveil"),
    ("attack", "assault raid"),
    ("crash", "collide"),
    ("sink", "capsize"),
    ("burn", "blaze"),
    ("vote", "ballot"),
)
EVENTS: Final = {w: main for main, words in SYNONYMS for w in (main, *words.split())}
# Verbs that name no event of their own when their object is an event noun: "cast
# ballots" is voting, "carried out a raid" a raid, "made an arrest" an arrest.
SUPPORT: Final = frozenset({"cast", "carry", "launch", "stage", "conduct", "mount"})
# A date attached to the last of several coordinated verbs, after it, dates each of them
# that has no date of its own: "slaying Horton and wounding two others in October 2011".
# The frame's event then names them all, joined by EVENT_JOIN.
EVENT_JOIN: Final = "+"
# What follows a surname without telling two people apart: "Arcade Joseph Comeaux Jr."
NAME_SUFFIXES: Final = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# One word for what is counted, where outlets write it differently.
MEASURES: Final = {"person": "people", "earthquake": "quake", "tremor": "quake",
                   "temblor": "quake", "fatality": "death", "victim": "people"}  # fmt: skip
NOUN_POS: Final = frozenset({"NOUN", "PROPN"})
MODIFIER_DEPS: Final = frozenset({"nummod", "quantmod", "compound", "amod", "nmod", "npadvmod"})
PRONOUNS: Final = frozenset({"PRON"})
# How a date or span hangs off the noun of the event it dates.
NOUN_LINKS: Final = frozenset({"poss", "compound", "nummod", "amod", "prep", "npadvmod"})
# A toll counts the dead or the hurt.
TOLLS: Final = {"toll": ("people", "die")}
TOLL_EVENTS: Final = frozenset({"die", "injure"})
UNITS_SAY: Final = frozenset({MONEY, PERCENT, QUANTITY})  # kinds whose unit says what they measure
MAX_CLIMB: Final = 8
PARSE_BATCH: Final = 64  # sentences the parser reads at a time
ORDINAL_WORDS: Final = frozenset(
    {"first", "second", "third", "fourth", "fifth", "last", "latest", "previous", "earlier"}
)
CLOCK_WORD: Final = re.compile(
    r"[ap]\.?m\.?|gmt|utc|[ecmp][sd]t|bst|cet|eet|ist|jst|wib|morning|afternoon|evening|night|noon|midnight|"
    r"dawn|day|week|weekend|month|year|hour|minute|second|time|date|season"
)
CLOCK: Final = re.compile(r"\b([AaPp])\. [Mm]\.")
# Weekdays and months the parser may take for a subject ("Wednesday saw ...").
CALENDAR_WORD: Final = re.compile(
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|may|june|"
    r"july|august|september|october|november|december|today|yesterday|tomorrow"
)  # dependency steps from a value to its event: a sentence's depth


@dataclass(frozen=True)
class Frame:
    """What a value measures, of which event, about whom ("" where the parse does not say)."""

    measure: str
    event: str
    entity: str
    period: str = ""  # the part of the event a figure covers: "in the first half", "this season"


FRAMELESS: Final = Frame("", "", "")
PARTS: Final = ("measure", "event", "entity")


@dataclass(frozen=True)
class ParserManifest:
    """What ``models/parser.json`` says about the parser: its package and weights' sha256."""

    name: str
    package: str
    version: str
    module: str
    folder: str
    exclude: list[str]
    sha256: dict[str, str]

    @classmethod
    def load(cls, folder: str | Path | None = None) -> ParserManifest:
        """Read the manifest; a missing or incomplete one is a ModelError saying what to fix."""
        path = models_dir(folder) / "parser.json"
        data = read_manifest(path, cls.__dataclass_fields__, "the parser manifest")
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})

    def path(self) -> Path:
        """The model folder inside its installed package, its weights verified."""
        module = installed(self.module, self.package, self.version, "the parser")
        root = Path(module.__file__ or "").parent / self.folder
        for name, want in self.sha256.items():
            file = root / name
            got = sha256(file) if file.is_file() else "missing"
            if got != want:
                raise ModelError(
                    f"{file}: sha256 {got}, the manifest says {want}; reinstall "
                    f"{self.package}=={self.version}."
                )
        return root


@functools.cache
def load(folder: str | None = None) -> Language:
    """The parser the manifest names, loaded once per process.

    Lazily: a run without values never loads it.
    """
    import spacy

    manifest = ParserManifest.load(folder)
    return spacy.load(manifest.path(), exclude=manifest.exclude)


Parse = Callable[[str], "Doc"]


def framed(sentence: str, values: Sequence[Slot], parse: Parse | None = None) -> tuple[Slot, ...]:
    """``values`` of ``sentence`` with their frames set; the sentence is parsed once.

    ``parse``: text -> spaCy Doc (default: the manifest's parser). No values, no parse.
    """
    if not values:
        return tuple(values)
    return with_frames(values, (parse or load())(parseable(sentence)))


def parseable(sentence: str) -> str:
    """The text the parser reads: "p. m." as one token, in as many characters.

    Split, its "m." parses as a verb and becomes the event of every time beside it.
    """
    return CLOCK.sub(r"\1.m. ", sentence)


def with_frames(values: Sequence[Slot], doc: Doc) -> tuple[Slot, ...]:
    """``values`` with the frames their parsed sentence gives them."""
    return tuple(dataclasses.replace(v, **dataclasses.asdict(frame(doc, v))) for v in values)


class Store(Protocol):
    """Where frames are kept between runs (cache.FrameCache): JSON text by sentence."""

    def get(self, texts: Sequence[str]) -> dict[str, str]:
        """The stored frames of those ``texts`` that have them."""
        ...

    def put(self, rows: dict[str, str]) -> None:
        """Store each text's frames."""
        ...


def cache_key(folder: str | None = None) -> str:
    """A digest of what makes frames differ: the parser's weights and this module's rules."""
    manifest = ParserManifest.load(folder)
    parts = [*sorted(manifest.sha256.values()), sha256(Path(__file__))]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def frame_all(
    texts: Sequence[str],
    values: Sequence[Sequence[Slot]],
    store: Store | None = None,
    batch: int = PARSE_BATCH,
) -> list[tuple[Slot, ...]]:
    """Each sentence's values with their frames; each distinct sentence parsed once.

    Sentences without values are not parsed; those ``store`` knows (with the same values
    at the same places) are not parsed again; the rest go through the parser in batches
    (twice the sentences a second of one call each) and into ``store``.
    """
    lines = list(dict.fromkeys((t, tuple(vs)) for t, vs in zip(texts, values, strict=True) if vs))
    wanted = list(dict.fromkeys(t for t, _ in lines))
    stored = store.get(wanted) if store is not None and lines else {}
    known: dict[tuple[str, tuple[Slot, ...]], tuple[Slot, ...]] = {}
    for text, vs in lines:
        got = from_json(vs, stored[text]) if text in stored else None
        if got is not None:
            known[text, vs] = got
    # One parse a sentence: a wire line dated by two papers has two readings, one parse.
    missing = [line for line in lines if line not in known]
    distinct = list(dict.fromkeys(t for t, _ in missing))
    if distinct:
        docs = load().pipe([parseable(t) for t in distinct], batch_size=batch)
        parsed = dict(zip(distinct, docs, strict=True))
        fresh: dict[str, str] = {}
        for text, vs in missing:
            known[text, vs] = with_frames(vs, parsed[text])
            fresh.setdefault(text, to_json(known[text, vs]))
        if store is not None:
            store.put(fresh)
    return [known[t, tuple(vs)] if vs else tuple(vs) for t, vs in zip(texts, values, strict=True)]


FIELDS: Final = tuple(f.name for f in dataclasses.fields(Frame))


def to_json(values: Sequence[Slot]) -> str:
    """A sentence's frames as stored: [start, end, kind, *frame] for each value."""
    return json.dumps([[v.start, v.end, v.kind, *(getattr(v, f) for f in FIELDS)] for v in values])


def from_json(values: Sequence[Slot], stored: str) -> tuple[Slot, ...] | None:
    """``values`` with stored frames, or None if what was stored is of other values."""
    try:
        rows = json.loads(stored)
    except ValueError:
        return None
    if len(rows) != len(values) or any(
        not isinstance(r, list) or r[:3] != [v.start, v.end, v.kind] or len(r) != 3 + len(FIELDS)
        for r, v in zip(rows, values, strict=False)
    ):
        return None
    return tuple(
        dataclasses.replace(v, **dict(zip(FIELDS, r[3:], strict=True)))
        for v, r in zip(values, rows, strict=True)
    )


def period_of(root: Token) -> str:
    """The stretch of time a figure covers, where the sentence narrows it.

    "10 points in the first 7 1/2 minutes", "269 yards this season", "eight touchdowns
    since Week 11". A phrase of a time word (PERIOD_WORDS) beside the figure, its noun or
    its verb, in lower case; "" when there is none (the figure is the whole event's).
    """
    spots = [root]
    noun = described(root)
    if noun is not None:
        spots.append(noun)
    verb = next((a for a in root.ancestors if a.pos_ in ("VERB", "AUX")), None)
    if verb is not None:
        spots.append(verb)
    for t in spots:
        for c in t.children:
            if c.i in (s.i for s in spots) or c.dep_ not in ("prep", "npadvmod", "advmod"):
                continue
            if any(w.i == root.i for w in c.subtree):
                continue  # the figure's own phrase ("in 12 games")
            words = [w.lower_ for w in c.subtree]
            if any(PERIOD_WORDS.fullmatch(w) for w in words) and len(words) <= PERIOD_MAX:
                return " ".join(words)
    return ""


PERIOD_WORDS: Final = re.compile(
    r"minutes?|half|halves|quarters?|periods?|innings?|seasons?|games?|career|week|weeks|"
    r"months|years|run|stretch|spell|tournament|round|overtime"
)
PERIOD_MAX: Final = 8  # words of a period phrase: longer is a clause, not a period


def frame(doc: Doc, slot: Slot) -> Frame:
    """The frame of one value of a parsed sentence; FRAMELESS if its span is not found.

    With the period a count or amount covers (dates and spans have none).
    """
    span = doc.char_span(slot.start, slot.end, alignment_mode="expand")
    if span is None or not len(span):
        return FRAMELESS
    found = parts_of(span, slot)
    if slot.kind in CALENDAR or slot.kind == DURATION or found is FRAMELESS:
        return found
    return dataclasses.replace(found, period=period_of(span.root))


def parts_of(span: Span, slot: Slot) -> Frame:
    """What ``frame`` reads of a value's span but its period."""
    root = span.root
    numbers = [t for t in span if t.pos_ == "NUM"] or [root]
    if slot.unit == "years of age" or (slot.kind == COUNT and person_aside(root)):
        return Frame("age", "", name(described(root)))  # "a 24-year-old man", "Smith, 41,"
    if slot.unit == "magnitude":
        quake = described(numbers[-1])
        what = word(quake) if quake is not None and word(quake) != "magnitude" else "quake"
        return Frame("magnitude", "", what)
    if slot.kind in CALENDAR:
        measure = "time" if slot.kind == TIME else "date"
        return Frame(measure, dated_events(root), subject_name(root))
    if slot.kind == DURATION:
        measure = spanned(root)
        if measure == "duration in" and after_first(root):
            return Frame(measure, "first", "")  # "his first visit in 24 years", "first ... in"
        return Frame(measure, event_of(root, nouns=True), "")
    if slot.kind in (COUNT, ORDINAL, MONEY, PERCENT, QUANTITY):
        measure = counted(root, slot)
        noun = described(root)
        event = event_of(noun if noun is not None else root, nouns=False)
        if measure in TOLLS:  # "the death toll rose to 31" counts the dead
            return Frame(*TOLLS[measure], "")
        if EVENTS.get(measure) in TOLL_EVENTS:  # "24 dead and over 200 injured"
            measure, event = "people", EVENTS[measure]
        whom = owner(noun) or subject_name(noun or root)
        holder = holder_of(noun)
        if holder is not None and word(holder) != measure and not whom[:1].isupper():
            # "a ferry carrying 120 passengers sank": the ferry's, as it sank; a named
            # subject comes first ("Clark finished his team's victory with 25 points")
            event, whom = event_of(holder, nouns=False), name(holder)
        if slot.kind in UNITS_SAY and measure and not whom:
            whom = measure  # "a $50 billion loan": the amount is the loan's, whoever gives it
        return Frame(measure, event, whom)
    return FRAMELESS


def spanned(root: Token) -> str:
    """What a duration measures.

    The span of what it is "of" ("two decades of supporting sanctions" -> support), of the
    noun it qualifies ("a two-day visit" -> visit), or the span its preposition frames
    ("in 24 years" -> "in", "for three days" -> "for").
    """
    for c in root.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            objects = [o for o in c.children if o.dep_ in ("pobj", "pcomp")]
            if objects:
                return "duration of " + objects[0].lemma_.lower()
    if root.dep_ in MODIFIER_DEPS and root.head.pos_ in NOUN_POS:
        return "duration of " + word(root.head)
    if root.dep_ == "pobj" and root.head.pos_ == "ADP":
        return "duration " + root.head.lower_
    return "duration"


def after_first(t: Token) -> bool:
    """Whether a span "in N years" counts the time since something was last done.

    "The first visit in 24 years", "Putin's first to North Korea in 24 years".
    """
    for a in t.ancestors:
        if a.lower_ == "first" or any(c.lower_ == "first" for c in a.children):
            return True
    return False


def person_aside(t: Token) -> bool:
    """Whether a bare number stands beside a name as its age ("John Smith, 41,")."""
    return t.dep_ == "appos" and t.head.pos_ == "PROPN" and t.like_num


def word(t: Token) -> str:
    """A token's lemma, lower case, in the one spelling the tables use."""
    lemma = t.lemma_.lower()
    return MEASURES.get(lemma, lemma)


def described(t: Token) -> Token | None:
    """The noun a modifier describes: "a 24-year-old man" -> man, "a 6.1 quake" -> quake."""
    for _ in range(MAX_CLIMB):
        if t.pos_ in NOUN_POS and t.dep_ not in MODIFIER_DEPS:
            return t
        if t.head.i == t.i:
            return None
        if t.dep_ == "appos" and t.head.pos_ in NOUN_POS:  # "Smith, 41,"
            return t.head
        t = t.head
    return None


def name(t: Token | None) -> str:
    """A person or thing as the frame names it, "" for a pronoun.

    A proper name with its compounds ("John Smith"), else the noun's lemma ("boy").
    """
    if t is None or t.pos_ in PRONOUNS:
        return ""
    if t.pos_ == "PROPN":
        parts = [c for c in t.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"]
        return " ".join(x.text for x in [*parts, t])
    marks = [c for c in t.lefts if distinguishes(c)]
    return " ".join([*(c.lower_ for c in marks), word(t)])


def distinguishes(t: Token) -> bool:
    """Whether a modifier tells one thing of a kind from another.

    An origin ("British"), an order ("first", "second") or a day ("Wednesday's quake").
    """
    if t.dep_ == "amod" and (
        (t.tag_ == "JJ" and t.text[:1].isupper()) or t.lower_ in ORDINAL_WORDS
    ):
        return True
    return t.dep_ == "poss" and bool(CALENDAR_WORD.fullmatch(t.lower_))


def counted(root: Token, slot: Slot) -> str:
    """What a count or amount measures: the noun it counts or the attribute it fills.

    "23 people" -> people; "a death toll of 31", "the toll rose to 31" -> toll; "a depth
    of 22 miles" -> depth; "$334 million for the company" -> the unit's own word.
    """
    t = root
    if t.pos_ in NOUN_POS and t.dep_ == "appos":  # "75 kilometers (50 miles)": the first
        t = t.head
    head = t.head
    if t.dep_ in MODIFIER_DEPS and head.i != t.i and head.pos_ in NOUN_POS:
        return word(head)  # "23 people", "a $50 billion loan"
    if t.dep_ == "pobj" and head.dep_ == "prep" and head.head.pos_ in NOUN_POS:
        return word(head.head)  # "a toll of 31", "a depth of 22 miles"
    if t.dep_ == "pobj" and head.lower_ in ("to", "at", "by", "from"):
        verb = head.head
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if verb.pos_ in ("VERB", "AUX") and subjects and subjects[0].pos_ in NOUN_POS:
            return word(subjects[0])  # "the toll rose to 31"
    if slot.kind in (MONEY, PERCENT, QUANTITY):
        return ""  # "$334 million", "75 km": the unit, compared already, says what it is
    if t.pos_ in NOUN_POS and t.i != root.i:
        return word(t)
    return MEASURES.get(slot.about, slot.about)


def dated_events(t: Token) -> str:
    """The event a date belongs to (``event_of``), with the coordinated verbs it also dates.

    A date after the last of several coordinated verbs dates each of them that has no date
    of its own: "found guilty of slaying Horton and wounding two others in October 2011"
    -> "die+injure". "Arrested Monday and charged Tuesday" keeps one event each.
    """
    verb = event_token(t, nouns=True)
    if verb is None:
        return ""
    first = event_word(verb)
    conjuncts = [c for c in verb.conjuncts if c.pos_ == "VERB"]
    if first in ("", "say") or t.i < verb.i or any(c.i > verb.i for c in conjuncts):
        # a statement's date stays the statement's; a date before its verb, or on a verb
        # with conjuncts after it ("arrested on Monday and charged"), dates that verb alone
        return first
    undated = [(c.i, w) for c in conjuncts if not dated(c) and (w := event_word(c)) != "say"]
    return EVENT_JOIN.join(dict.fromkeys(w for _, w in sorted([(verb.i, first), *undated]) if w))


def dated(verb: Token) -> bool:
    """Whether a verb has a date or time of its own ("charged Tuesday", "on May 3", "in 2011")."""
    for c in verb.children:
        if c.dep_ in ("npadvmod", "tmod") and clock(c):
            return True
        if c.dep_ == "prep" and any(
            g.dep_ == "pobj" and (clock(g) or g.like_num) for g in c.children
        ):
            return True
    return False


def event_word(t: Token) -> str:
    """The event word of a token ``event_token`` found: a verb's, or an event noun's."""
    if t.pos_ in ("VERB", "AUX"):
        return verb_event(t)
    return EVENTS.get(t.lemma_.lower(), t.lemma_.lower())


def event_of(t: Token, nouns: bool) -> str:
    """The event a value belongs to: the first verb above it, lemmatised.

    With ``nouns``, also an event noun it dates ("Tuesday's attack", "the 1974 book").

    A light verb gives way to its complement ("were confirmed dead" -> die); a reporting
    verb the value itself attaches to ("said on Monday") gives "say".
    """
    found = event_token(t, nouns)
    return "" if found is None else event_word(found)


def event_token(t: Token, nouns: bool) -> Token | None:
    """The verb (or, with ``nouns``, the event noun) above ``t`` that names its event."""
    start, below = t, t
    for _ in range(MAX_CLIMB):
        if t.i != start.i:
            if t.pos_ == "VERB" or (t.pos_ == "AUX" and t.dep_ == "ROOT"):
                return t
            if nouns and t.pos_ == "NOUN" and below.dep_ in NOUN_LINKS and not clock(t):
                return t
        if t.head.i == t.i:
            break
        below, t = t, t.head
    return None


def clock(t: Token) -> bool:
    """A word of the clock or calendar, which a date hangs off but is no event.

    "10 p.m. Tuesday", "Friday night", "last week".
    """
    return bool(CLOCK_WORD.fullmatch(t.lower_)) or bool(CALENDAR_WORD.fullmatch(t.lower_))


def verb_event(verb: Token) -> str:
    """A verb's event word: its own lemma, its complement's for a light or stative verb."""
    lemma = verb.lemma_.lower()
    for c in verb.children:
        if c.dep_ in ("oprd", "acomp", "attr") and c.lemma_.lower() in EVENTS:
            return EVENTS[c.lemma_.lower()]  # "confirmed dead", "were dead"
    if lemma in REPORTING:
        return "say"
    if lemma in LIGHT or lemma in SUPPORT:
        for c in verb.children:
            if c.dep_ == "dobj" and c.lemma_.lower() in EVENTS:
                return EVENTS[c.lemma_.lower()]  # "cast ballots", "made an arrest"
    if lemma in LIGHT:
        return ""
    return EVENTS.get(lemma, lemma)


def subject_name(t: Token) -> str:
    """Who or what the value's event is done by or to: the subject of its verb.

    As ``name`` gives it ("McDermott", "ferry"); "" for a pronoun, a weekday, or the counted
    noun itself. A relative pronoun stands for its antecedent ("Drake, which had defeated Bradley").
    """
    below = t
    for _ in range(MAX_CLIMB):
        if t.pos_ in ("VERB", "AUX"):
            for c in t.children:
                if c.dep_ not in ("nsubj", "nsubjpass") or c.i == below.i:
                    continue
                if c.tag_ in ("WDT", "WP") and t.dep_ == "relcl":
                    c = t.head
                if c.pos_ in NOUN_POS and not CALENDAR_WORD.fullmatch(c.lower_):
                    return name(c)
            return ""
        if t.head.i == t.i:
            return ""
        below, t = t, t.head
    return ""


def holder_of(noun: Token | None) -> Token | None:
    """The noun whose counted things these are.

    "A ferry with 130 passengers", "a ferry carrying 120 passengers", "a camp of 20,000
    refugees" -> the ferry, the camp.
    """
    if noun is None:
        return None
    head = noun.head
    if noun.dep_ == "pobj" and head.lower_ in ("with", "of") and head.head.pos_ == "NOUN":
        return head.head
    if noun.dep_ == "dobj" and head.dep_ == "acl" and head.head.pos_ == "NOUN":
        return head.head
    return None


def owner(noun: Token | None) -> str:
    """Whose a counted noun is: "McDermott's points", "Creighton's lead" -> the name."""
    if noun is None:
        return ""
    for c in noun.children:
        if c.dep_ == "poss" and c.pos_ == "PROPN":
            return name(c)
    return ""


def events(event: str) -> frozenset[str]:
    """The event words of a frame's event: "die+injure" -> {die, injure}; "" -> none."""
    return frozenset(event.split(EVENT_JOIN)) - {""}


def same_event(a: Slot, b: Slot) -> bool:
    """Whether two values belong to one event that is not a statement ("say")."""
    return bool(events(a.event) & events(b.event) - {"say"})


def surname(entity: str) -> str:
    """The word of a name that outlets keep: "Arcade Joseph Comeaux Jr." -> "Comeaux"."""
    words = entity.replace(",", " ").split()
    while len(words) > 1 and words[-1].lower() in NAME_SUFFIXES:
        words.pop()
    return words[-1] if words else ""


def differs(a: Slot, b: Slot, parts: Sequence[str] = PARTS) -> bool:
    """Whether the frames of two values differ in one of ``parts`` known on both sides.

    A name and a common noun ("John Smith", "the man") may be one person, and the last
    word of a name is the one outlets keep ("Smith" is "John Smith"). Two common nouns
    differ only as whose age or which quake's magnitude: "the ferry" and "the boat" that
    capsized may be one.
    """
    for part in parts:
        x, y = getattr(a, part), getattr(b, part)
        if not (x and y) or x == y:
            continue
        if part == "event" and events(x) & events(y):
            continue  # "die+injure" and "die": a date of both and a date of one
        if part != "entity":
            return True
        proper = x[0].isupper(), y[0].isupper()
        if all(proper) and surname(x) != surname(y):
            return True  # two people or teams: "McDermott" / "Echenique"
        if not any(proper) and a.measure in ("age", "magnitude"):
            return True  # the boy's age and his brother's, the quake's and the aftershock's
        if not any(proper) and " " in x and " " in y:
            return True  # "the first quake" and "Wednesday's quake", two climbers of two lands
    return False


def match(a: Slot, b: Slot) -> bool:
    """Whether two values are the same measure of the same event or entity.

    Nothing the parse knows of both differs; the measure is known and the same (for an
    amount, a percentage or a measure with a unit, the unit may stand for it: "$334
    million", "75 km"), and so is the event or whom it is about. "He had 793 yards" and
    "Thomas has 498 rushing yards" share only their unit: not compared.
    """
    if differs(a, b):
        return False
    if a.measure:
        same_measure = a.measure == b.measure
    else:
        same_measure = not b.measure and a.kind in UNITS_SAY and a.unit == b.unit
    same_entity = bool(a.entity and b.entity) and surname(a.entity) == surname(b.entity)
    return same_measure and (same_event(a, b) or same_entity)


def strong(a: Slot, b: Slot) -> bool:
    """Whether two values are surely one measure of one event, wherever they are stated.

    The measure and the event are both known and the same, and so is whom or what the
    event is about, unless it is a toll (the dead and the injured of a story's event);
    nothing else differs, and the event is not a statement. "23 people died" and "31
    people died" in two claims of one story; "the ferry capsized on Tuesday" and "the ferry
    sank on Wednesday". A percentage or a bare unit says too little of what it measures.
    """
    about = (a.entity and a.entity == b.entity) or events(a.event) & TOLL_EVENTS
    return bool(
        a.measure
        and a.measure == b.measure
        and same_event(a, b)
        and a.measure.lower() != a.unit.lower()
        and a.measure != "%"
        and about
        and not differs(a, b)
    )
