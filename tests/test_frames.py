"""Frames: what each value measures, of which event, about whom, and the rules built on them.

Each rule an editor would apply has a written two-outlet case here: values of other events
or people are not compared, each differing value is its own conflict, a document against
itself is a note, bounds of one direction are a note, a reported change is an update.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from consistency import compare, frames
from consistency.errors import ModelError
from consistency.records import Sentence
from consistency.slots import Slot, extract

MODELS = Path(__file__).resolve().parent.parent / "models"


def read(text: str, published: str = "") -> tuple[Slot, ...]:
    return frames.framed(text, extract(text, published))


def value(text: str, written: str) -> Slot:
    [found] = [v for v in read(text, "2024-06-19") if v.text == written]
    return found


@pytest.mark.parametrize(
    ("sentence", "written", "frame"),
    [
        ("Twenty-three people died when a ferry capsized on Tuesday.", "Twenty-three",
         ("people", "die", "")),
        ("Thirty-one people have been confirmed dead after the ferry capsized.", "Thirty-one",
         ("people", "die", "")),
        ("The death toll rose to 31, police said.", "31", ("people", "die", "")),
        ("Twenty-three people died when a ferry capsized on Tuesday.", "Tuesday",
         ("date", "sink", "ferry")),
        ("The 12-year-old boy was arraigned Wednesday.", "12-year-old", ("age", "", "boy")),
        ("The 12-year-old boy was arraigned Wednesday.", "Wednesday", ("date", "arraign", "boy")),
        ("John Smith, 41, was arrested on Friday.", "41", ("age", "", "John Smith")),
        ("Officials said on Monday that the road was closed.", "Monday",
         ("date", "say", "official")),
        ("A magnitude 6.1 quake struck at a depth of 22 miles.", "magnitude 6.1",
         ("magnitude", "", "quake")),
        ("The quake struck at a depth of 22 miles.", "22 miles", ("depth", "strike", "quake")),
        ("McDermott scored 23 points in the game.", "23", ("point", "score", "McDermott")),
        ("Drake, which had defeated Bradley on Thursday, lost.", "Thursday",
         ("date", "defeat", "Drake")),
        ("It was followed by a 2.9 aftershock.", "2.9", ("magnitude", "", "aftershock")),
        ("The 1974 book was made into a film.", "1974", ("date", "book", "")),
        ("Putin ended two decades of supporting sanctions.", "two decades",
         ("duration of support", "end", "")),
        # a headline's count of the dead or the hurt: "24 dead and over 200 injured"
        ("Indonesia earthquake: 24 dead and over 200 injured as 6.1 magnitude quake hits Aceh "
         "province", "over 200",
         ("people", "injure", "quake")),
        # a verb that takes its event from its object: casting ballots is voting
        ("Voters in Turkmenistan cast ballots Sunday.", "Sunday", ("date", "vote", "voter")),
        # a date after the last of coordinated verbs dates the undated ones too
        ("He was found guilty of slaying Horton and wounding two others in October 2011.",
         "October 2011", ("date", "die+injure", "")),
        ("He was arrested Monday and charged Tuesday.", "Tuesday", ("date", "charge", "")),
        # a statement's date stays the statement's: not spread over the verbs before it
        ("Police arrested him and said on Monday that he had fled.", "Monday",
         ("date", "say", "")),
        ("He was arrested on Monday and charged with murder.", "Monday",
         ("date", "arrest", "")),
    ],
)  # fmt: skip
def test_the_parse_says_what_a_value_measures(sentence: str, written: str, frame: tuple) -> None:
    v = value(sentence, written)
    assert (v.measure, v.event, v.entity) == frame


def compare_docs(
    a: str, b: str, published: tuple[str, str] = ("", ""), one_claim: bool = True
) -> list[compare.Conflict]:
    """Conflicts between a sentence of outlet A and one of outlet B."""
    sentences = [Sentence("A", "A:1", 0, len(a), a), Sentence("B", "B:1", 0, len(b), b)]
    claims = {"c1": [0, 1]} if one_claim else {"c1": [0], "c2": [1]}
    return compare.conflicts(
        sentences,
        claims,
        [read(a, published[0]), read(b, published[1])],
        published=dict(zip("AB", published, strict=True)),
    )


def test_each_differing_value_is_its_own_conflict() -> None:
    a = (
        "Twenty-three people died when an overcrowded passenger ferry capsized off the coast "
        "on Tuesday, March 12."
    )
    b = (
        "Thirty-one people have been confirmed dead after a passenger ferry capsized on "
        "Wednesday, March 13."
    )
    found = compare_docs(a, b, ("2024-03-13", "2024-03-13"))
    assert sorted((c.kind, c.severity) for c in found) == [
        ("count", "conflict"),
        ("date", "conflict"),
    ]
    [deaths] = [c for c in found if c.kind == "count"]
    assert deaths.explanation == "people (die): A says “Twenty-three”, B says “Thirty-one”."


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The boy was arraigned on Wednesday.", "The boy was convicted on Thursday."),
        ("A shooting on Friday left two dead.", "The man was charged on Saturday."),
        ("The 1974 book was a success.", "The 1976 movie was a success."),
        ("Officials said on Monday the road was shut.",
         "Officials said on Tuesday the road was shut."),
        ("A magnitude 7.6 quake struck the coast.", "A magnitude 6.1 aftershock struck the coast."),
        ("The 12-year-old boy was held.", "His 15-year-old brother was held."),
    ],
)  # fmt: skip
def test_values_of_other_events_or_people_are_not_compared(a: str, b: str) -> None:
    assert compare_docs(a, b, ("2024-06-19", "2024-06-19")) == []


def test_a_document_against_itself_is_a_note_for_that_document() -> None:
    a = "The 12-year-old boy was arrested on Monday."
    b = "The 15-year-old boy was arrested on Monday."
    sentences = [Sentence("A", "A:1", 0, len(a), a), Sentence("A", "A:2", 50, 50 + len(b), b)]
    [c] = compare.conflicts(sentences, {"c1": [0, 1]}, [read(a), read(b)])
    assert c.severity == "note" and "A gives both figures" in c.explanation


def test_bounds_of_one_direction_far_apart_are_a_note() -> None:
    [c] = compare_docs(
        "More than 80 firefighters battled the blaze.",
        "More than 50 firefighters battled the blaze.",
    )
    assert c.severity == "note" and "both are lower bounds" in c.explanation
    near = "More than 85 firefighters battled the blaze."
    assert compare_docs("More than 80 firefighters battled the blaze.", near) == []


def test_a_year_is_not_a_place() -> None:
    [c] = compare_docs(
        "The company was founded in 2002 with 120 employees.",
        "The company was founded in 2002 with 200 employees.",
    )
    assert c.severity == "conflict", c.explanation


def test_a_later_report_of_a_change_is_an_update_with_both_dates() -> None:
    a = "Twenty-three people died when the ferry capsized."
    b = "The death toll from the ferry capsizing rose to 31, police said."
    [c] = compare_docs(a, b, ("2024-03-12", "2024-03-14"))
    assert c.severity == "update"
    assert "2024-03-12" in c.explanation and "2024-03-14" in c.explanation
    # The same figure without wording of a change stays a conflict, dated for the reader.
    [c] = compare_docs(
        a, "Thirty-one people died when the ferry capsized.", ("2024-03-12", "2024-03-14")
    )
    assert c.severity == "conflict" and "published 2024-03-12 and 2024-03-14" in c.explanation


def test_a_sure_frame_is_compared_across_claims() -> None:
    a = "Twenty-three people died when the ferry capsized."
    b = "Rescuers said 31 people died in the accident."
    [c] = compare_docs(a, b, one_claim=False)
    assert (c.kind, c.severity) == ("count", "conflict")
    # What the parse does not surely know is compared only inside one claim.
    assert (
        compare_docs("The loan was $50 billion.", "The fund holds $35 billion.", one_claim=False)
        == []
    )


def test_a_parser_whose_weights_changed_is_refused(tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(MODELS, models)
    manifest = json.loads((models / "parser.json").read_text(encoding="utf-8"))
    manifest["sha256"]["parser/model"] = "0" * 64
    (models / "parser.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match=r"parser/model: sha256 .* reinstall en-core-web-sm"):
        frames.ParserManifest.load(models).path()


class Memory:
    """A frame store in memory, counting what it is asked."""

    def __init__(self) -> None:
        self.rows: dict[str, str] = {}
        self.asked = 0

    def get(self, texts: list[str]) -> dict[str, str]:
        self.asked += len(texts)
        return {t: self.rows[t] for t in texts if t in self.rows}

    def put(self, rows: dict[str, str]) -> None:
        self.rows.update(rows)


def test_stored_frames_are_read_back_not_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [
        "Twenty-three people died on Tuesday.",
        "No figure here.",
        "Twenty-three people died on Tuesday.",
    ]
    values = [extract(t, "2024-06-19") for t in texts]
    store = Memory()
    first = frames.frame_all(texts, values, store)
    assert first[0] == first[2] == read(texts[0], "2024-06-19") and first[1] == ()
    assert len(store.rows) == 1  # one distinct sentence with values
    monkeypatch.setattr(frames, "load", lambda: pytest.fail("parsed again"))
    assert frames.frame_all(texts, values, store) == first


def test_stored_frames_of_other_values_are_not_used() -> None:
    text = "Twenty-three people died on Tuesday."
    store = Memory()
    store.rows[text] = json.dumps([[0, 3, "count", "x", "y", "z", ""]])  # another reading
    [got] = frames.frame_all([text], [extract(text, "2024-06-19")], store)
    assert got == read(text, "2024-06-19")


def test_a_name_suffix_does_not_make_another_person() -> None:
    assert frames.surname("Arcade Joseph Comeaux Jr.") == "Comeaux"
    assert frames.surname("Martin Luther King Jr") == "King"
    a = value("Arcade Joseph Comeaux Jr. escaped on Monday from a prison van.", "Monday")
    b = value("Comeaux escaped on Wednesday from a prison van.", "Wednesday")
    assert frames.match(a, b)
    assert not frames.differs(a, b)


def test_a_date_of_two_coordinated_events_is_compared_with_either() -> None:
    [c] = compare_docs(
        "He was found guilty of slaying Horton and wounding two others in October 2011.",
        "Prosecutors say he killed Horton in September 2011.",
    )
    assert c.severity == "conflict"
    assert c.explanation.startswith("the date of “die” and “injure”:")
    # each verb dated apart keeps its own date: Monday's arrest is not Tuesday's charge
    assert not compare_docs(
        "He was arrested Monday and charged Tuesday.", "He was charged on Monday."
    )
