"""Kept line spans -> Sentences with character offsets into the document text.

Lines are split first (headlines and list items carry no closing punctuation), then each
line by nupunkt's Punkt model, which knows abbreviations such as U.S., U.N. and i.e.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Final

from consistency.records import Document, Sentence, Span

__all__ = ["sentences"]

# A sentence piece that is only a list marker ("1.", "(a)", "•") belongs to what follows.
LIST_MARKER: Final = re.compile(r"^(\(?\d{1,3}[.)]|\(?[a-z][.)]|[•·▪‣–-])$")
# A piece that starts lower case (or with closing punctuation) continues the sentence before:
# Punkt sometimes splits after a quoted question or exclamation ("“Why?” he asked.").
CONTINUATION: Final = re.compile(r"^[a-z,;:)\]”’]")


@lru_cache(maxsize=1 << 16)
def split_line(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence offsets within one line of text, trimmed of white space.

    Cached: wire copy repeats lines across documents.

    >>> line = "Ties deepened with the U.S. and the U.N. in March. Kim said “Yes.” He left."
    >>> [line[a:b] for a, b in split_line(line)]
    ['Ties deepened with the U.S. and the U.N. in March.', 'Kim said “Yes.”', 'He left.']
    """
    import nupunkt

    pieces: list[tuple[int, int]] = []
    for _, (a, b) in nupunkt.sent_spans_with_text(text):
        chunk = text[a:b]
        lead = len(chunk) - len(chunk.lstrip())
        a, b = a + lead, a + len(chunk.rstrip())
        if a >= b:
            continue
        if pieces and (
            LIST_MARKER.match(text[pieces[-1][0] : pieces[-1][1]]) or CONTINUATION.match(text[a:b])
        ):
            pieces[-1] = (pieces[-1][0], b)
        else:
            pieces.append((a, b))
    return tuple(pieces)


def sentences(doc: Document, kept: Iterable[Span]) -> list[Sentence]:
    """Split the kept spans of ``doc`` into sentences numbered in document order."""
    out: list[Sentence] = []
    for span in kept:
        for a, b in split_line(doc.text[span.start : span.end]):
            start, end = span.start + a, span.start + b
            out.append(
                Sentence(
                    doc_id=doc.doc_id,
                    sentence_id=f"{doc.doc_id}:{len(out) + 1}",
                    start=start,
                    end=end,
                    text=doc.text[start:end],
                )
            )
    return out


def coverage_gaps(doc: Document, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Stretches of non-white-space text in ``doc`` covered by no span, or by two.

    The pipeline's promise is that kept sentences and dropped spans together cover every
    non-white-space character exactly once; an empty list means it holds.

    >>> d = Document("d", "d.txt", "Ab. Cd.")
    >>> coverage_gaps(d, [(0, 3)])
    [(4, 7)]
    """
    count = [0] * len(doc.text)
    for a, b in spans:
        for i in range(a, b):
            count[i] += 1
    bad: list[tuple[int, int]] = []
    for i, ch in enumerate(doc.text):
        if not ch.isspace() and count[i] != 1:
            if bad and bad[-1][1] == i:
                bad[-1] = (bad[-1][0], i + 1)
            else:
                bad.append((i, i + 1))
    return bad
