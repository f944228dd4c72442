"""Paths -> Documents: .txt/.md/.html articles with a stable id, a title and a publication date."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from consistency.errors import InputError
from consistency.records import Document

PLAIN_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUFFIXES = PLAIN_SUFFIXES | HTML_SUFFIXES

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}

# "MOSCOW/SEOUL, June 19 (Reuters) – ", "WASHINGTON, Jan. 5, 2024 (AP) - ", "LONDON (Reuters) - ".
# The place is upper case, as wire datelines are; that keeps body sentences from matching.
DATELINE = re.compile(
    r"""^(?P<place>[A-Z][A-Z.'’/ -]*[A-Z]\.?)
        (?:,\s*(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?)?
        \s*(?:\((?P<agency>[^)]{1,40})\))?
        \s*[-–—]+\s*""",
    re.VERBOSE,
)
# Closing punctuation, then any closing quotes or brackets (some sources put a space before
# the closing quote: 'grazes. "').
SENTENCE_END = re.compile(r"""[.!?…:;](\s*["'”’)\]])*\s*$""")
_MONTH = (
    r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|"
    r"april|june|july|august|september|october|november|december)\.?"
)
# A full calendar date as page furniture writes it: "July 2, 2013", "Jul 02 2013",
# "3 July 2013", "Tuesday, July 2nd, 2013", "2012.08.08", "2013-07-02".
FULL_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})"
    rf"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH.replace('month', 'month2')},?"
    rf"\s+(?P<year2>\d{{4}})"
    r"|(?P<year3>\d{4})[-./](?P<month3>\d{1,2})[-./](?P<day3>\d{1,2}))\b",
    re.IGNORECASE,
)
# What else a timestamp line may hold: labels, weekdays, clock times, time zones, a place.
TIMESTAMP_REST = re.compile(
    r"\b(updated|last|published|posted|first|on|at|by|hrs|am|pm|a\.m|p\.m|gmt|utc|ist|edt|est|"
    r"cdt|cst|pdt|pst|bst|cet|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)\b\.?|\d{1,2}\s*:\s*\d{2}(\s*:\s*\d{2})?|[|,:;()\-–—]",
    re.IGNORECASE,
)
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
HTML_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "sailthru.date",
)


def load(paths: Sequence[str | Path]) -> list[Document]:
    """Read every article under ``paths`` (files or folders, recursive), sorted by doc id.

    Doc ids are file stems and must be unique: two files with one stem are an error,
    since every table refers to a document by its id.
    """
    files = list(expand(paths))
    docs = [read(f) for f in files]
    seen: dict[str, str] = {}
    for d in docs:
        if d.doc_id in seen:
            raise InputError(
                f"{d.path}: doc id {d.doc_id!r} is also the id of {seen[d.doc_id]}; "
                "doc ids are file names without suffix, so rename one of the two files."
            )
        seen[d.doc_id] = d.path
    # Every later stage works in doc-id order, so the report does not depend on the order
    # in which paths were given.
    return sorted(docs, key=lambda d: d.doc_id)


def expand(paths: Sequence[str | Path]) -> Iterable[Path]:
    """Yield the article files named by ``paths``: files as given, folders searched recursively."""
    if not paths:
        raise InputError("no input: give one or more article files or folders.")
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            if not found:
                raise InputError(
                    f"{p}: no article files in this folder; "
                    f"expected files ending in {', '.join(sorted(SUFFIXES))}."
                )
            yield from found
        elif p.is_file():
            if p.suffix.lower() not in SUFFIXES:
                raise InputError(
                    f"{p}: unsupported file type {p.suffix or '(none)'!r}; "
                    f"use {', '.join(sorted(SUFFIXES))}."
                )
            yield p
        else:
            raise InputError(f"{p}: no such file or folder.")


def read(path: Path) -> Document:
    """Read one article file into a Document."""
    raw = path.read_bytes()
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{path}: not valid UTF-8 (byte {e.start}); save the file as UTF-8 and try again."
        ) from None
    # Universal newlines, as Python's open() reads the file: offsets then index what a user reads.
    decoded = decoded.replace("\r\n", "\n").replace("\r", "\n")
    if path.suffix.lower() in HTML_SUFFIXES:
        text, title, published = from_html(decoded)
    else:
        text, title, published = decoded, "", ""
    if not text.strip():
        raise InputError(f"{path}: the file holds no text.")
    title = title or headline(text)
    published = published or published_date(text)
    return Document(doc_id=path.stem, path=str(path), text=text, title=title, published=published)


def headline(text: str) -> str:
    r"""The first line when it reads as a headline: short and without closing punctuation.

    Timestamp lines before it ("Updated: July 2, 2013 15:01 IST") are passed over.

    >>> headline("Putin Visits Pyongyang\n\nMOSCOW, June 19 (Reuters) - Putin arrived.")
    'Putin Visits Pyongyang'
    >>> headline("July 2, 2013 07:44\nQuake hits Aceh\nA quake hit Aceh on Tuesday.")
    'Quake hits Aceh'
    >>> headline("Putin arrived in Pyongyang on Wednesday.\nMore text.")
    ''
    """
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    first = next((line for line in lines[:4] if not timestamp_date(line)), "")
    if 0 < len(first.split()) <= 25 and not SENTENCE_END.search(first):
        return first
    return ""


def timestamp_date(line: str) -> str:
    """The ISO date of a line that is only a date stamp ("Updated: July 02, 2013 15:50 IST").

    A line that says more than a date, a time, a label and a place is no timestamp.

    >>> timestamp_date("Updated: July 02, 2013 15:50 IST")
    '2013-07-02'
    >>> timestamp_date("3 July 2013 Last updated at 13:38 GMT")
    '2013-07-03'
    >>> timestamp_date("INDONESIA, July 2, 2013")
    '2013-07-02'
    >>> timestamp_date("A quake struck on July 2, 2013, killing one person.")
    ''
    """
    if len(line.split()) > 16:
        return ""
    m = FULL_DATE.search(line)
    if m is None:
        return ""
    rest = TIMESTAMP_REST.sub(" ", FULL_DATE.sub(" ", line))
    if len(rest.split()) > 1:
        return ""
    if m["year3"]:
        year, month, day = int(m["year3"]), int(m["month3"]), int(m["day3"])
    else:
        name = (m["month"] or m["month2"]).lower().rstrip(".")
        year, month = int(m["year"] or m["year2"]), MONTHS[name]
        day = int(m["day"] or m["day2"])
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def dateline(line: str) -> re.Match[str] | None:
    """Match a wire-style dateline at the start of ``line`` ("MOSCOW, June 19 (Reuters) – ")."""
    m = DATELINE.match(line)
    if m is None:
        return None
    if m["month"] is None and m["agency"] is None:
        return None  # "ABC - " alone is too weak to call a dateline
    if m["month"] is not None and m["month"].lower() not in MONTHS:
        return None
    return m


def published_date(text: str, max_lines: int = 6) -> str:
    """The publication date a plain-text article states in its first lines, ISO 8601.

    A timestamp line ("Published: July 2, 2013") wins over a wire dateline, which often
    lacks the year.
    """
    lines = [line.strip() for line in text.split("\n") if line.strip()][:max_lines]
    for line in lines:
        found = timestamp_date(line)
        if found:
            return found
    return dateline_date(text, max_lines)


def dateline_date(text: str, max_lines: int = 6) -> str:
    r"""The date of a dateline in the first lines, ISO 8601; ``XXXX`` stands for a missing year.

    TimeML writes an unknown year as ``XXXX``, so "June 19" gives ``XXXX-06-19``.

    >>> dateline_date("Title\n\nMOSCOW/SEOUL, June 19 (Reuters) – Putin signed a pact.")
    'XXXX-06-19'
    >>> dateline_date("WASHINGTON, Jan. 5, 2024 (AP) - Officials said.")
    '2024-01-05'
    >>> dateline_date("Putin signed a pact on Wednesday.")
    ''
    """
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    for line in lines[:max_lines]:
        m = dateline(line)
        if m is None or m["month"] is None:
            continue
        month, day = MONTHS[m["month"].lower()], int(m["day"])
        year = m["year"]
        try:
            date(int(year) if year else 2000, month, day)  # 2000: a leap year admits Feb 29
        except ValueError:
            continue
        return f"{year or 'XXXX'}-{month:02d}-{day:02d}"
    return ""


def from_html(markup: str) -> tuple[str, str, str]:
    """Visible text of an HTML page (scripts and styles removed), its title and its date."""
    import html_text
    import lxml.html

    try:
        tree = lxml.html.fromstring(markup)
    except Exception:  # lxml raises several types on broken markup; the page is then unreadable
        return "", "", ""
    title = ""
    published = ""
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = (meta.get("content") or "").strip()
        if key == "og:title" and content and not title:
            title = content
        if key in HTML_DATE_META and content and not published:
            published = iso_date(content)
    if not published:
        for node in tree.iter("time"):
            published = iso_date(node.get("datetime") or "")
            if published:
                break
    if not title:
        node = tree.find(".//title")
        if node is not None and node.text:
            title = " ".join(node.text.split())
    text = html_text.extract_text(tree, guess_layout=True)
    return text, title, published


def iso_date(value: str) -> str:
    """The calendar date at the start of an ISO 8601 timestamp, or "" if there is none.

    >>> iso_date("2024-06-19T08:30:00+09:00")
    '2024-06-19'
    >>> iso_date("yesterday")
    ''
    """
    m = ISO_DATE.search(value)
    if m is None:
        return ""
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return ""
