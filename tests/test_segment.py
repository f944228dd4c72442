from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consistency import clean, segment
from consistency.records import Document

# Hard cases taken from the seeds: each line must split into exactly these sentences.
CASES = [
    (
        "Moreover, it raises geopolitical tensions in Northeast Asia as it could pose a "
        "significant challenge to U.S.-centric alliances throughout the region (i.e., Seoul and "
        "Tokyo).",
        1,
    ),
    (
        "Putin’s visit to North Korea came just days after the U.S. and EU agreed at the G7 "
        "summit to provide Ukraine with a $50 billion loan, utilizing interest from frozen "
        "Russian assets.",
        1,
    ),
    (
        "The pact also hints at Russia’s efforts to circumvent U.N. sanctions on arms supplies to "
        "North Korea while trying to maintain plausible deniability. Both Russia and North Korea "
        "have denied U.S. and allied claims that Pyongyang has provided ballistic missiles and "
        "artillery shells to Moscow.",
        2,
    ),
    (
        "“It will be an open challenge to the system of U.S.-centric alliances in Northeast Asia. "
        "And, of course, it will be a huge problem for Seoul and Tokyo,” he added.",
        2,
    ),
    (
        "Putin criticized joint military drills by the United States, South Korea, and Japan, "
        "labeling them as “hostile” towards North Korea. He characterized US policy as "
        "“confrontational.” In response, Kim Jong Un praised the new alliance as a “watershed "
        "moment” in bilateral relations.",
        3,
    ),
    (
        "  3. Humanitarian Assistance: Russia has committed to providing humanitarian aid to North "
        "Korea, including food and medical supplies. This aspect of the pact highlights a softer "
        "dimension of the alliance.",
        2,
    ),
    (
        "West Panics over Putin’s Strategic Alliance with North Korea: "
        "A Major Shift in Geopolitics",
        1,
    ),
    (
        "Putin’s last visit to Pyongyang was in 2000, where he met Kim Jong Il, Kim Jong Un’s "
        "father. This visit was the first by a Russian head of state to North Korea.",
        2,
    ),
    ("Rising landing costs for petrol are set to significantly...", 1),
    (
        "Kim, meanwhile, described the new “alliance” as a “watershed moment in the development "
        "of bilateral relations.”",
        1,
    ),
]


@pytest.mark.parametrize(("line", "expected"), CASES)
def test_split_line_hard_cases(line: str, expected: int) -> None:
    spans = segment.split_line(line)
    assert len(spans) == expected, [line[a:b] for a, b in spans]
    # Spans are trimmed, in order, and leave nothing but white space between them.
    rebuilt = "".join(line[a:b] for a, b in spans)
    assert rebuilt.replace(" ", "") == line.replace(" ", "")


def test_list_item_keeps_its_number() -> None:
    line = "  1. Economic Cooperation: The agreement includes plans for economic collaboration."
    [(a, b)] = segment.split_line(line)
    assert line[a:b].startswith("1. Economic Cooperation")


def test_offsets_index_the_document(seed_story) -> None:
    texts = {d.doc_id: d.text for d in seed_story.documents}
    for s in seed_story.sentences:
        assert texts[s.doc_id][s.start : s.end] == s.text
        assert s.text == s.text.strip()


@given(st.lists(st.text(alphabet="abc XYZ.!?\n“”1.", max_size=40), max_size=6))
def test_sentences_and_drops_cover_every_character_once(parts: list[str]) -> None:
    text = "\n".join(parts)
    if not text.strip():
        return
    doc = Document("d", "d.txt", text)
    kept, dropped = clean.furniture(doc)
    sentences = segment.sentences(doc, kept)
    spans = [(s.start, s.end) for s in sentences] + [(d.start, d.end) for d in dropped]
    assert segment.coverage_gaps(doc, spans) == []
    for s in sentences:
        assert text[s.start : s.end] == s.text
