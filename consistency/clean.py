"""Documents -> kept line spans and dropped spans (furniture, headings, teasers) with a reason.

Two passes. `furniture` reads each line's own words (copyright lines, subscribe prompts,
comment boxes, share and chat widgets, teaser markers, section headings, datelines).
`off_topic` runs after embedding and drops sentences far from the story that stand past an
edge of the article (a related-stories list, below the copyright), which is how teasers for
other stories are told apart from the story without a list of their words.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from typing import Final

import numpy as np
from numpy.typing import NDArray

from consistency.ingest import SENTENCE_END, dateline, timestamp_date
from consistency.records import Document, Dropped, Sentence, Span

__all__ = ["furniture", "off_topic"]

# One pattern per reason; a line is furniture when the pattern matches the line as a whole
# (or its opening, for teaser markers) and the line is short, as widgets and prompts are.
FURNITURE: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    (
        "copyright",
        re.compile(r"^(©|\(c\)\s|copyright\b)|\ball rights reserved\b", re.IGNORECASE),
    ),
    (
        "subscribe",
        re.compile(
            r"\b(don'?t forget to subscribe|subscribe (now|today|to|for|here)|"
            r"sign up (for|to)|(our|the) newsletter|thank you for reading)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "comments",
        re.compile(
            r"^(\d+\s+)?comments?(\s*\(\d+\))?:?$|"
            r"\b(logged in to (post|leave) a comment|leave a (comment|reply)|"
            r"add (a|your) comment|comments are closed)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "share",
        re.compile(
            r"^(share|tweet|email|print|whatsapp|facebook|twitter|linkedin|copy link)"
            r"(\s+(this|post|article|story|on \w+))?\s*:?$",
            re.IGNORECASE,
        ),
    ),
    (
        "chat",
        re.compile(
            r"^[×x✕]\s|\b(how can (i|we) help( you)?|chat with us|live chat)\b\??$",
            re.IGNORECASE,
        ),
    ),
    (
        "teaser",
        re.compile(
            r"^(see also|read more|also read|read next|related( stories| articles)?|"
            r"more like this|more from|recommended( for you)?|you may also like|"
            r"most popular|trending)\b",
            re.IGNORECASE,
        ),
    ),
)
MAX_FURNITURE_WORDS: Final = 30
MAX_HEADING_WORDS: Final = 12
BYLINE: Final = re.compile(r"^[Bb]y\s+[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3}$")

# A kept line is off-topic when its sentences are all far from the story: cosine to the centre
# of the other documents below OFF_TOPIC_CENTRE and to the nearest sentence of another document
# below OFF_TOPIC_NEAREST. Chosen on the seeds (benchmarks/eval_clustering.py prints the margins):
# the teasers and the promo line score at most 0.21 and 0.39, the story's own lines at least
# 0.39 and 0.53.
OFF_TOPIC_CENTRE: Final = 0.30
OFF_TOPIC_NEAREST: Final = 0.46
# Furniture that marks the edge of the article; headings and bylines occur inside it too.
EDGE_REASONS: Final = frozenset(
    {"copyright", "subscribe", "comments", "share", "chat", "teaser", "navigation"}
)
# A teaser marker followed by its own headline ("Read more: Floods displace thousands") is
# a whole teaser: it opens no list, so the line after it is the article again.
HEADLINED_TEASER: Final = re.compile(
    dict(FURNITURE)["teaser"].pattern + r"\s*[:|»›>–—-]\s*\S", re.IGNORECASE
)


def lines(text: str) -> list[tuple[int, int]]:
    r"""Offsets of each non-blank line, trimmed of surrounding white space.

    >>> lines("  a b \n\nc")
    [(2, 5), (8, 9)]
    """
    out = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = pos + (len(raw) - len(raw.lstrip()))
            out.append((start, start + len(stripped)))
        pos += len(raw) + 1
    return out


@lru_cache(maxsize=1 << 16)
def furniture_reason(line: str, *, title: bool = False) -> str:
    """Why ``line`` is page furniture, or "" when it is article text.

    ``title`` marks the document's headline line, which is kept as a claim. Cached: wire
    copy and a site's standing lines repeat across documents.

    >>> furniture_reason("© 2025 Benzinga.com. All rights reserved.")
    'copyright'
    >>> furniture_reason("Thank you for reading this post, don't forget to subscribe!")
    'subscribe'
    >>> furniture_reason("Geopolitical Implications")
    'heading'
    >>> furniture_reason("Updated: July 02, 2013 15:50 IST")
    'timestamp'
    >>> furniture_reason("Putin Visits Pyongyang", title=True)
    ''
    >>> furniture_reason("Putin signed a pact with Kim on Wednesday.")
    ''
    """
    n_words = len(line.split())
    if n_words <= MAX_FURNITURE_WORDS:
        for reason, pattern in FURNITURE:
            if pattern.search(line):
                return reason
    if BYLINE.match(line):
        return "byline"
    if timestamp_date(line):
        return "timestamp"
    # A short stand-alone line without closing punctuation, or a short question on a line of
    # its own ("The Strategic Pact: Peaceful and Defensive?"), is a section heading.
    # A quoted question is speech, not a heading: “What can we do? / Where should we go?”
    quoted = line[0] in "\"'“‘" or line[-1] in "\"'”’"
    is_question = line.endswith("?") and not quoted
    unpunctuated = not SENTENCE_END.search(line)
    if not title and n_words <= MAX_HEADING_WORDS and (is_question or unpunctuated):
        return "heading"
    return ""


def furniture(doc: Document) -> tuple[list[Span], list[Dropped]]:
    """Split a document into kept line spans and dropped furniture, line by line.

    A dateline ("MOSCOW, June 19 (Reuters) – ") is cut off the front of its line: its date
    is already the document's ``published`` and it is no part of the claim.
    """
    kept: list[Span] = []
    dropped: list[Dropped] = []
    if doc.duplicate_of:
        # The same text again: kept once (under the first id), here dropped whole.
        body = lines(doc.text)
        a, b = body[0][0], body[-1][1]
        return [], [Dropped(doc.doc_id, a, b, f"duplicate of {doc.duplicate_of}", doc.text[a:b])]
    title_seen = False
    for i, (start, end) in enumerate(lines(doc.text)):
        line = doc.text[start:end]
        is_title = not title_seen and bool(doc.title) and line == doc.title
        title_seen = title_seen or is_title
        reason = furniture_reason(line, title=is_title)
        if reason in ("", "heading") and not is_title and line in doc.chrome:
            reason = "navigation"  # a page's navigation, header, footer, sidebar or form
        if reason:
            dropped.append(Dropped(doc.doc_id, start, end, reason, line))
            continue
        m = dateline(line) if i < 6 else None
        if m is not None and m.end() < len(line):
            cut = start + m.end()
            label = doc.text[start:cut].rstrip()
            dropped.append(Dropped(doc.doc_id, start, start + len(label), "dateline", label))
            start = cut
        kept.append(Span(doc.doc_id, start, end, doc.text[start:end]))
    return kept, dropped


# Cosines held at once when finding each sentence's nearest sentence elsewhere (64 MB).
NEAREST_BLOCK = 1 << 24


def story_similarity(
    vectors: NDArray[np.float32], doc_ids: Sequence[str]
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Per sentence: cosine to the centre of the *other* documents, and to their nearest sentence.

    Leaving the sentence's own document out keeps a long article from defining the story by
    itself. With a single document the centre is that document's own and the nearest-sentence
    score is 1 (no evidence either way), so only the centre decides.
    """
    names, doc = np.unique(np.asarray(doc_ids), return_inverse=True)
    doc = doc.ravel()
    total = vectors.sum(axis=0)
    centre = np.empty(len(doc), dtype=np.float32)
    nearest = np.ones(len(doc), dtype=np.float32)
    if len(names) > 1:
        # Each distinct vector (a line that wire copy repeats has one) against every
        # sentence, a block of rows at a time (memory bounded); its best match in each
        # document, then the best outside each sentence's own: the best of all, or where
        # that lies in its own document, the best of the other documents.
        index: dict[bytes, int] = {}
        line = np.array([index.setdefault(v.tobytes(), len(index)) for v in vectors])
        distinct = vectors[np.unique(line, return_index=True)[1]]
        by_doc = np.argsort(doc, kind="stable")
        starts = np.searchsorted(doc[by_doc], np.arange(len(names)))
        columns = vectors[by_doc].T  # the sentences by document, for reduceat
        best = np.empty((len(distinct), len(names)), dtype=np.float32)
        step = max(1, NEAREST_BLOCK // len(doc))
        for lo in range(0, len(distinct), step):
            best[lo : lo + step] = np.maximum.reduceat(
                distinct[lo : lo + step] @ columns, starts, axis=1
            )
        top = np.argmax(best, axis=1)
        first = best[np.arange(len(best)), top]
        best[np.arange(len(best)), top] = -np.inf
        second = best.max(axis=1)
        nearest = np.where(top[line] == doc, second[line], first[line]).astype(np.float32)
    for d in range(len(names)):
        mask = doc == d
        others = total - vectors[mask].sum(axis=0) if len(names) > 1 else total
        norm = float(np.linalg.norm(others))
        centre[mask] = vectors[mask] @ (others / norm) if norm > 0 else 0.0
    return centre, nearest


def off_topic(
    kept: Sequence[Span],
    furniture: Sequence[Dropped],
    sentences: Sequence[Sentence],
    vectors: NDArray[np.float32],
    *,
    centre_threshold: float = OFF_TOPIC_CENTRE,
    nearest_threshold: float = OFF_TOPIC_NEAREST,
) -> tuple[list[bool], list[Dropped]]:
    """Drop teasers for other stories: off-topic lines past an edge of the article.

    A line is off-topic when all its sentences are far from the story (see the thresholds).
    Far from the story alone is not enough: a short quote ("I'm angry.") scores as low as a
    teaser, and so does a closing line no other outlet has ("The president declared two
    days of mourning." shares no word with a ferry's capsizing). What marks a teaser is
    where it stands: after an edge marker (share, "More like this", copyright, chat,
    navigation...) with only furniture and off-topic lines between, that is, in a list of
    related stories or below the article's end. Off-topic lines *before* the marker end the
    article and are kept. Returns a keep flag per sentence and the dropped sentences with
    their reason.
    """
    if not sentences:
        return [], []
    centre, nearest = story_similarity(vectors, [s.doc_id for s in sentences])
    # Each kept line's sentences, found by offset; every sentence lies inside one kept line.
    line_of: dict[tuple[str, int], list[int]] = {}
    line_starts: dict[str, list[int]] = {}
    for span in kept:
        line_starts.setdefault(span.doc_id, []).append(span.start)
    for v in line_starts.values():
        v.sort()
    number = np.empty(len(sentences), dtype=np.int64)  # each sentence's line, numbered
    for i, s in enumerate(sentences):
        starts = line_starts[s.doc_id]
        line_start = starts[bisect_right(starts, s.start) - 1]
        members = line_of.setdefault((s.doc_id, line_start), [])
        number[i] = len(line_of) - 1 if not members else number[members[0]]
        members.append(i)
    # A line is low when its best sentence is: the maxima of each line at once.
    best = np.full((2, len(line_of)), -np.inf, dtype=np.float32)
    np.maximum.at(best[0], number, centre)
    np.maximum.at(best[1], number, nearest)
    flags = ((best[0] < centre_threshold) & (best[1] < nearest_threshold)).tolist()
    low = dict(zip(line_of, flags, strict=True))
    # Walk each document's lines in order: a low line goes when an edge marker stands
    # before it with nothing but furniture and low lines between.
    items: dict[str, list[tuple[int, str]]] = {}
    for span in kept:
        if (span.doc_id, span.start) in low:
            kind = "low" if low[(span.doc_id, span.start)] else "text"
            items.setdefault(span.doc_id, []).append((span.start, kind))
    for d in furniture:
        if d.reason != "dateline":
            edge = d.reason in EDGE_REASONS and not HEADLINED_TEASER.match(d.text)
            items.setdefault(d.doc_id, []).append((d.start, "edge" if edge else "furniture"))
    drop: set[int] = set()
    for doc, seq in items.items():
        seq.sort()
        past_edge = False
        for pos, kind in seq:
            if kind == "text":
                past_edge = False
            elif kind == "edge":
                past_edge = True
            elif kind == "low" and past_edge:
                drop.update(line_of[(doc, pos)])
    keep = [i not in drop for i in range(len(sentences))]
    dropped = [
        Dropped(
            s.doc_id,
            s.start,
            s.end,
            f"teaser: off-topic (cosine {centre[i]:.2f} to the story) among page furniture",
            s.text,
        )
        for i, s in enumerate(sentences)
        if i in drop
    ]
    return keep, dropped
