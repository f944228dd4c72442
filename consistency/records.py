"""The data model: frozen records for each pipeline stage and the column order of each table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# Every report folder holds this file (report.py writes it): it lists the report's files,
# and a folder holding it is never read as input (ingest.py), so a report is not an article.
REPORT_MANIFEST: Final = ".consistency.json"

__all__ = [
    "BAD_FILE",
    "BAD_ROW",
    "CLAIM_COLUMNS",
    "CONFLICT_COLUMNS",
    "DOCUMENT_COLUMNS",
    "DROPPED_COLUMNS",
    "FAMILY_COLUMNS",
    "REPORT_MANIFEST",
    "SENTENCE_COLUMNS",
    "SLOT_COLUMNS",
    "Document",
    "Dropped",
    "Sentence",
    "Span",
]


@dataclass(frozen=True)
class Document:
    """One article: its stable id, where it came from, and the text all offsets point into."""

    doc_id: str
    path: str
    text: str
    title: str = ""
    published: str = ""  # ISO 8601 date; "XXXX-MM-DD" (TimeML) when a dateline has no year
    source: str = ""  # the outlet, where the input names it
    url: str = ""
    encoding: str = ""  # the encoding the bytes were read in
    duplicate_of: str = ""  # doc id of an earlier document with the same text
    chrome: tuple[str, ...] = ()  # lines of a page's navigation, header, footer, sidebars


@dataclass(frozen=True)
class Span:
    """A stretch ``doc.text[start:end]`` of one document (kept text or a dropped piece)."""

    doc_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Dropped:
    """A span removed from the claims, with the reason a reader can check."""

    doc_id: str
    start: int
    end: int
    reason: str
    text: str


@dataclass(frozen=True)
class Sentence:
    """A sentence of one document; ``text == doc.text[start:end]``."""

    doc_id: str
    sentence_id: str  # "<doc_id>:<n>", n counting from 1 in document order
    start: int
    end: int
    text: str


# story: the story the document was grouped into (stories.py), "" when it has no sentences;
# family: the first document (in input order) of the copies it belongs to (sources.py),
# its own id when it is no one's copy.
DOCUMENT_COLUMNS: Final = (
    "doc_id",
    "story",
    "path",
    "title",
    "source",
    "url",
    "published",
    "encoding",
    "duplicate_of",
    "n_sentences",
    "n_dropped",
    "family",
)
# claim_id: the claim the sentence was clustered into; other_claims: further claims it states
# (";"-joined, usually empty), through which it is also counted as their source.
SENTENCE_COLUMNS: Final = (
    "doc_id",
    "sentence_id",
    "start",
    "end",
    "claim_id",
    "other_claims",
    "text",
)
DROPPED_COLUMNS: Final = ("doc_id", "start", "end", "reason", "text")
# How a reason begins for a table row, or a whole input, set aside: its doc id is the one
# the row or file would have given, its text all of it that could be read.
BAD_ROW: Final = "bad row: "
BAD_FILE: Final = "bad file: "
CLAIM_COLUMNS: Final = (
    "claim_id",
    "status",
    "n_sources",
    "sources",
    "n_sentences",
    "slots",  # the claim's values per kind, with the documents that state each
    "story",  # a claim's sentences all come from one story's documents
    "doc_id",
    "text",
    "n_independent",  # source families among the sources: copies of one article count once
)
# start/end: offsets into the sentence (whose own offsets are in sentences.csv);
# about: what the value counts or dates, where the extractor found it ("diplomat");
# measure, event, entity, period: its frame from the sentence's parse ("people", "die", "",
# "in the first half").
SLOT_COLUMNS: Final = (
    "doc_id",
    "sentence_id",
    "kind",
    "value",
    "unit",
    "hedge",
    "about",
    "start",
    "end",
    "text",
    "measure",
    "event",
    "entity",
    "period",
)
# start/end: offsets of each value into its document, so the span can be found in the source.
CONFLICT_COLUMNS: Final = (
    "claim_id",
    "kind",
    "severity",
    "doc_a",
    "value_a",
    "text_a",
    "start_a",
    "end_a",
    "doc_b",
    "value_b",
    "text_b",
    "start_b",
    "end_b",
    "explanation",
)
# One row per sentence of each copy aligned with the member it copies (compared_with): the
# family's other members only. change: "same", "changed" (small edits), "added" (in doc_id
# only) or "dropped" (in compared_with only); rule: why the two are copies (sources.py).
FAMILY_COLUMNS: Final = (
    "family",
    "doc_id",
    "compared_with",
    "rule",
    "change",
    "sentence_id",
    "compared_sentence_id",
    "text",
    "compared_text",
)
