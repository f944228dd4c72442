"""Paths, DataFrames, records or texts -> Documents, each with a stable id, title and date."""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import os
import re
import sys
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Final, TypeAlias

import pandas as pd

from consistency.errors import BadRowError, InputError
from consistency.records import BAD_FILE, BAD_ROW, REPORT_MANIFEST, Document, Dropped

__all__ = [
    "SENTENCE_END",
    "Ingested",
    "Inputs",
    "Rows",
    "Source",
    "dateline",
    "expand",
    "load",
    "sources",
    "timestamp_date",
]

PLAIN_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".jsonl"})
SUFFIXES = PLAIN_SUFFIXES | HTML_SUFFIXES | TABLE_SUFFIXES
STDIN = "-"  # a path of "-" reads JSONL from standard input
# Added to the error of a file that cannot be read, unless such files are set aside.
SKIP_BAD_FILES: Final = (
    "Or pass --skip-bad-files to set unreadable files aside (they are listed in dropped.csv)."
)
# Rows given in memory without an id are named by position: text-1, text-2...
MEMORY_STEM: Final = "text"

# One article file over this size is refused rather than read (a 50 MB "article" is a
# mistake, and embedding it would take an hour); a table of articles may be larger.
MAX_ARTICLE_BYTES: Final = 20 * 2**20
MAX_TABLE_BYTES: Final = 1024 * 2**20
BINARY_MAGIC: Final = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (a .docx or .xlsx is one)"),
    (b"\x7fELF", "a program"),
)
BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Where a detector cannot tell two single-byte code pages apart (same bytes, same scores),
# the one most news text was written in wins.
PREFERRED_LEGACY: Final = ("cp1252", "latin_1", "iso8859_15")
METADATA_COLUMNS: Final = ("title", "source", "url", "published")
ENGLISH_WORDS: Final = frozenset(
    {"the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "was", "with", "as", "by",
     "at", "from", "it", "said", "he", "his", "has", "have", "be", "are", "were", "an", "this",
     "will", "not", "but", "they", "who", "which", "their", "its", "been"}
)  # fmt: skip

# Words, for the language check: runs of letters (word characters but digits and "_").
LETTERS: Final = re.compile(r"[^\W\d_]+")
# Lower-case ASCII letters as they are, every other byte a space (letter_words).
ASCII_LETTERS: Final = bytes(c if ord("a") <= c <= ord("z") else ord(" ") for c in range(256))
# Marks common in English news that are not letters: spaced out, such text is ASCII.
ASCII_PUNCTUATION: Final = "’‘“”–—…\u00a0"

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


@dataclass(frozen=True)
class Rows:
    """Articles given in memory, one a row, read as a table's rows are (rows_to_documents).

    ``where`` names them in errors and in each Document's path ("<DataFrame>:3");
    ``columns`` is a DataFrame's header (None for records, whose fields may differ).
    """

    where: str
    rows: tuple[object, ...]
    columns: tuple[str, ...] | None = None


# What check() takes (see sources): one path, paths, a DataFrame, or records.
Inputs: TypeAlias = (
    str
    | os.PathLike[str]
    | pd.DataFrame
    | Iterable[str | os.PathLike[str]]
    | Iterable[Mapping[str, Any]]
)
Source: TypeAlias = Path | str | Rows  # an expanded input: a file, STDIN, or rows in memory


def sources(inputs: Inputs | None = None, texts: Iterable[str] | None = None) -> list[Source]:
    """The inputs of check() as ``load`` reads them; InputError when they are ambiguous.

    ``inputs`` is a path (str or Path), an iterable of paths, a DataFrame (one article a
    row) or an iterable of dicts (one article each, keyed like a JSONL table's fields).
    A str is always a path, never article text: plain texts go in ``texts``. A dict alone,
    a Series, or paths mixed with dicts are refused with the way to say it.

    >>> sources(["a.txt", Path("b")])
    ['a.txt', PosixPath('b')]
    >>> [r.where for r in sources(pd.DataFrame({"text": ["Ferry sank."]}), ["Ferry sank."])]
    ['<DataFrame>', '<texts>']
    """
    out: list[Source] = []
    if isinstance(inputs, pd.DataFrame):
        if not inputs.columns.is_unique:
            raise InputError(
                "<DataFrame>: its column names repeat; rename them so each is given once."
            )
        columns = tuple(str(c) for c in inputs.columns)
        rows = (dict(zip(columns, row, strict=True)) for row in inputs.itertuples(index=False))
        out.append(Rows("<DataFrame>", tuple(rows), columns))
    elif isinstance(inputs, pd.Series):
        raise InputError(
            "a Series is not an input; pass its texts as check(texts=series), or a DataFrame "
            "with a 'text' column."
        )
    elif isinstance(inputs, Mapping):
        raise InputError(
            "a dict is not an input; pass a list of dicts, one per article, each with a "
            "'text' field, or a DataFrame."
        )
    elif isinstance(inputs, str | os.PathLike):
        out.append(Path(inputs) if isinstance(inputs, os.PathLike) else inputs)
    elif isinstance(inputs, bytes):
        raise InputError("bytes are not an input; decode them, or give the file's path.")
    elif inputs is not None:
        items = list(inputs)
        paths = [x for x in items if isinstance(x, str | os.PathLike)]
        records = [x for x in items if isinstance(x, Mapping)]
        if paths and records:
            raise InputError(
                "the inputs mix paths and dicts; pass either paths or dicts (plain texts "
                "may come beside paths, as check(paths, texts=[...]))."
            )
        if records:
            out.append(Rows("<records>", tuple(items)))
        else:
            for i, x in enumerate(items, start=1):
                if not isinstance(x, str | os.PathLike):
                    raise InputError(
                        f"input {i} is a {type(x).__name__}; give paths (str or Path), dicts "
                        "with a 'text' field, or texts as check(texts=[...])."
                    )
                out.append(Path(x) if isinstance(x, os.PathLike) else x)
    if texts is not None:
        if isinstance(texts, str):
            texts = [texts]  # one text, not one text a character
        out.append(Rows("<texts>", tuple({"text": t} for t in texts), ("text",)))
    if not out:
        raise InputError(
            "no input: give article files or folders, a DataFrame with a 'text' column, a "
            "list of dicts, or texts as check(texts=[...])."
        )
    return out


@dataclass(frozen=True)
class Ingested:
    """What reading the inputs gave: the documents, rows set aside, and warnings to show."""

    documents: list[Document]
    dropped: list[Dropped] = field(default_factory=list)  # bad rows, with --skip-bad-rows
    warnings: list[str] = field(default_factory=list)


def load(
    paths: Sequence[str | Path | Rows],
    *,
    text_column: str = "text",
    id_column: str = "id",
    skip_bad_rows: bool = False,
    skip_bad_files: bool = False,
    stdin: BinaryIO | None = None,
    exclude: Sequence[str | Path] = (),
) -> Ingested:
    """Read every article under ``paths``, sorted by doc id.

    ``paths`` are article files (.txt, .md, .html), tables with one article a row (.csv,
    .tsv, .jsonl), folders of them (searched recursively), "-" for JSONL on standard
    input, or Rows in memory (see sources), read as a table is; report folders are passed
    over with a warning (find). Doc ids are file stems, or a table's id column, and must be
    unique. A bad row of a table is an error naming its line, unless ``skip_bad_rows``:
    then it is listed in ``dropped`` and the rest goes on. A file that cannot be read
    (binary, undecodable, empty, over the size limit, a table without its text column) is
    an error naming it, unless ``skip_bad_files``: then it is listed in ``dropped`` with
    the error and its text, as far as it decodes.
    """
    docs: list[Document] = []
    rejected: list[Dropped] = []
    inputs = find(paths, exclude=exclude)
    for source in inputs.files:
        if isinstance(source, Rows):
            found, bad = memory_to_documents(source, text_column, id_column, skip_bad_rows)
            docs += found
            rejected += bad
            continue
        raw = b""
        try:
            raw = read_source(source, stdin)
            found, bad = documents_of(source, raw, text_column, id_column, skip_bad_rows)
        except BadRowError:
            raise  # a row's error, which --skip-bad-rows answers
        except InputError as e:
            if not skip_bad_files:
                raise InputError(f"{e} {SKIP_BAD_FILES}") from None
            rejected.append(bad_file(source, raw, str(e)))
            continue
        docs += found
        rejected += bad
    seen: dict[str, str] = {}
    for d in docs:
        if d.doc_id in seen:
            raise InputError(
                f"{d.path}: doc id {d.doc_id!r} is also the id of {seen[d.doc_id]}; every "
                "table refers to a document by its id, so give each article its own id "
                "(rename the file, or fix the id column)."
            )
        seen[d.doc_id] = d.path
    # Every later stage works in doc-id order, so the report does not depend on the order
    # in which paths were given.
    docs = mark_duplicates(sorted(docs, key=lambda d: d.doc_id))
    languages = [w for d in docs if (w := language_warning(d))]
    return Ingested(docs, rejected, [*inputs.skipped, *languages])


def read_source(source: Path | str, stdin: BinaryIO | None) -> bytes:
    """The bytes of one input: a file (within its kind's size limit) or STDIN."""
    if isinstance(source, str):
        return (stdin or sys.stdin.buffer).read()
    limit = MAX_TABLE_BYTES if source.suffix.lower() in TABLE_SUFFIXES else MAX_ARTICLE_BYTES
    return read_bytes(source, limit)


def documents_of(
    source: Path | str, raw: bytes, text_column: str, id_column: str, skip_bad_rows: bool
) -> tuple[list[Document], list[Dropped]]:
    """The documents in one input's bytes, and its bad rows when ``skip_bad_rows``."""
    if isinstance(source, str):
        return rows_to_documents(
            "<stdin>", "<stdin>", "jsonl", raw, text_column, id_column, skip_bad_rows
        )
    kind = source.suffix.lower()
    if kind in TABLE_SUFFIXES:
        return rows_to_documents(
            str(source), source.stem, kind.lstrip("."), raw, text_column, id_column, skip_bad_rows
        )
    return [article(source, raw)], []


def bad_file(source: Path | str, raw: bytes, error: str) -> Dropped:
    """An input set aside whole (skip_bad_files): its error, and its text if it decodes.

    Its doc id is the one its document would have had (a table's: its file stem).
    """
    try:
        text = universal_newlines(decode(raw, "")[0]) if raw else ""
    except InputError:
        text = ""  # binary, or no encoding: no characters to keep
    stem = "<stdin>" if isinstance(source, str) else source.stem
    return Dropped(stem, 0, 0, BAD_FILE + error, text)


@dataclass(frozen=True)
class Found:
    """The inputs some paths name, and a line for each report folder passed over."""

    files: list[Source]  # files, STDIN, or rows in memory
    skipped: list[str] = field(default_factory=list)


def expand(
    paths: Sequence[str | Path | Rows], *, exclude: Sequence[str | Path] = ()
) -> list[Source]:
    """The inputs named by ``paths``: files as given, folders searched recursively (find)."""
    return find(paths, exclude=exclude).files


def find(paths: Sequence[str | Path | Rows], *, exclude: Sequence[str | Path] = ()) -> Found:
    """The inputs named by ``paths``: files as given, folders searched recursively.

    Links that lead out of a folder are not followed: nothing outside the given paths is
    read. Report folders are never read: the folders in ``exclude`` (the report's own
    --out) and any holding REPORT_MANIFEST; one met in a search is passed over and named
    in ``skipped``, one given as a path is an error.
    """
    if not paths:
        raise InputError("no input: give one or more article files or folders.")
    excluded = {Path(e).resolve() for e in exclude}
    files: list[Source] = []
    skipped: list[str] = []
    for raw in paths:
        if isinstance(raw, Rows):
            files.append(raw)
            continue
        if str(raw) == STDIN:
            files.append(STDIN)
            continue
        p = Path(raw)
        if p.is_dir():
            if why := report_folder(p, excluded):
                fix = (
                    "give --out a folder of its own, apart from the articles"
                    if p.resolve() in excluded
                    else "give the folder that holds the articles"
                )
                raise InputError(f"{p}: {why}, and a report is never read as input; {fix}.")
            root = p.resolve()
            in_folder = [
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and f.resolve().is_relative_to(root)
            ]
            found, passed = pass_over_reports(p, in_folder, excluded)
            skipped += [f"{d}: not read as input: {why}." for d, why in passed.items()]
            if not found:
                raise InputError(
                    f"{p}: no article files in this folder; "
                    f"expected files ending in {', '.join(sorted(SUFFIXES))}."
                )
            files += found
        elif p.is_file():
            if p.suffix.lower() not in SUFFIXES:
                raise InputError(
                    f"{p}: unsupported file type {p.suffix or '(none)'!r}; "
                    f"use {', '.join(sorted(SUFFIXES))}."
                )
            files.append(p)
        elif looks_like_text(str(raw)):
            shown = str(raw) if len(str(raw)) <= 60 else str(raw)[:57] + "..."
            raise InputError(
                f"{shown!r}: no such file or folder, and it reads as article text; a str "
                "is always a path: give texts as consistency.check(texts=[...])."
            )
        else:
            raise InputError(f"{p}: no such file or folder.")
    return Found(files, skipped)


def report_folder(folder: Path, excluded: Collection[Path]) -> str:
    """Why ``folder`` holds a report ("" when it does not): excluded, or REPORT_MANIFEST in it."""
    if folder.resolve() in excluded:
        return "the report is written here (--out)"
    if (folder / REPORT_MANIFEST).is_file():
        return f"an earlier report is here ({REPORT_MANIFEST})"
    return ""


def pass_over_reports(
    root: Path, files: Sequence[Path], excluded: Collection[Path]
) -> tuple[list[Path], dict[Path, str]]:
    """``files`` (found under ``root``) outside report folders, sorted; each passed over, why."""
    why: dict[Path, str] = {}  # each folder looked at once, however many files it holds
    kept: list[Path] = []
    passed: dict[Path, str] = {}
    for f in files:
        # The outermost report folder between root and the file, root itself excluded.
        inner = [root / a for a in reversed(f.relative_to(root).parents[:-1])]
        for folder in inner:
            if folder not in why:
                why[folder] = report_folder(folder, excluded)
        outer = next((folder for folder in inner if why[folder]), None)
        if outer is None:
            kept.append(f)
        else:
            passed[outer] = why[outer]
    return sorted(kept), dict(sorted(passed.items()))


def looks_like_text(value: str) -> bool:
    """Whether a path that names nothing reads as prose (for the error message only).

    >>> looks_like_text("Ferry sank off Crete on Tuesday, officials said."), looks_like_text(
    ...     "My Articles/ferry.txt")
    (True, False)
    """
    return "\n" in value or (len(value.split()) >= 5 and not Path(value).suffix)


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, refused above ``limit`` before anything is read."""
    size = path.stat().st_size
    if size > limit:
        raise InputError(
            f"{path}: {size / 2**20:.1f} MB is over the {limit / 2**20:.0f} MB limit for one "
            "file of this kind; split it into separate articles (or rows of a .jsonl table)."
        )
    return path.read_bytes()


def decode(raw: bytes, where: str) -> tuple[str, str]:
    """Text of ``raw`` and the encoding it was read in.

    A byte-order mark decides; otherwise UTF-8 if the bytes are valid UTF-8; otherwise a
    detector (charset-normalizer) picks a legacy encoding. Binary files are refused by name.
    """
    for magic, what in BINARY_MAGIC:
        if raw.startswith(magic):
            raise InputError(
                f"{where}: this is {what}, not text; export the article as .txt, .html, "
                ".csv or .jsonl."
            )
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as e:
                raise InputError(
                    f"{where}: starts with a {encoding} byte-order mark but byte {e.start} is "
                    f"not {encoding}; save the file again as UTF-8."
                ) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw:
        raise InputError(
            f"{where}: holds NUL bytes, so it is binary, not text; export the article as text."
        )
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(raw))
    if not matches:
        raise InputError(f"{where}: not text in any encoding the checker knows; save it as UTF-8.")
    best = matches[0]
    for m in matches:
        if (m.chaos, m.coherence) == (best.chaos, best.coherence) and m.encoding in (
            PREFERRED_LEGACY
        ):
            best = m
            break
    return str(best), best.encoding


def universal_newlines(text: str) -> str:
    r"""Newlines as Python's open() reads them, so offsets index what a user reads.

    >>> universal_newlines("a\r\nb\rc")
    'a\nb\nc'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def article(path: Path, raw: bytes) -> Document:
    """The Document of an article file (.txt, .md or .html) whose bytes are ``raw``."""
    text, encoding = decode(raw, str(path))
    text = universal_newlines(text)
    page = from_html(text) if path.suffix.lower() in HTML_SUFFIXES else Page(text)
    if not page.text.strip():
        raise InputError(f"{path}: the file holds no text; remove it, or save the article in it.")
    return Document(
        doc_id=path.stem,
        path=str(path),
        text=page.text,
        title=page.title or headline(page.text),
        published=page.published or published_date(page.text),
        source=page.source,
        url=page.url,
        encoding=encoding,
        chrome=page.chrome,
    )


def rows_to_documents(
    where: str,
    stem: str,
    kind: str,
    raw: bytes,
    text_column: str,
    id_column: str,
    skip_bad_rows: bool,
) -> tuple[list[Document], list[Dropped]]:
    """Documents from a table's rows (csv, tsv or jsonl); bad rows raise or are set aside."""
    content, encoding = decode(raw, where)
    rows = table_rows(where, kind, content, text_column)
    skip = "pass --skip-bad-rows"
    return row_documents(where, stem, encoding, rows, text_column, id_column, skip_bad_rows, skip)


def memory_to_documents(
    given: Rows, text_column: str, id_column: str, skip_bad_rows: bool
) -> tuple[list[Document], list[Dropped]]:
    """Documents from rows in memory, as from a table's (rows counted from 1, in order)."""
    if given.columns is not None and text_column not in given.columns:
        shown = ", ".join(repr(c) for c in given.columns) or "none"
        raise InputError(
            f"{given.where}: no {text_column!r} column (columns: {shown}); name the column "
            "that holds the article text with text_column=."
        )
    skip = "pass skip_bad_rows=True"
    rows = memory_rows(given, text_column)
    return row_documents(
        given.where, MEMORY_STEM, "", rows, text_column, id_column, skip_bad_rows, skip, "row"
    )


def memory_rows(given: Rows, text_column: str) -> Iterator[tuple[int, dict[str, Any], str, str]]:
    """(row number, row, problem or "", the row as JSON) for each row in memory."""
    for n, row in enumerate(given.rows, start=1):
        if not isinstance(row, Mapping):
            yield n, {}, f"{type(row).__name__} is not a dict", repr(row)
            continue
        record = {str(k): v for k, v in row.items()}
        shown = json.dumps(record, ensure_ascii=False, default=str)
        if text_column not in record:
            yield n, {}, f"no {text_column!r} field (fields: {', '.join(record)})", shown
        elif not isinstance(record[text_column], str) and not missing(record[text_column]):
            kind = type(record[text_column]).__name__
            yield n, {}, f"the {text_column!r} value is not text but {kind}", shown
        else:
            yield n, record, "", shown


def missing(value: object) -> bool:
    """Whether a cell holds nothing: None, or a DataFrame's NaN, NaT or NA.

    >>> missing(None), missing(float("nan")), missing(pd.NaT), missing(0), missing("")
    (True, True, True, False, False)
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell(value: object) -> str:
    """A cell as text, "" for a missing one (a DataFrame's NaN is no title "nan")."""
    return "" if missing(value) else str(value)


def row_documents(
    where: str,
    stem: str,
    encoding: str,
    rows: Iterable[tuple[int, dict[str, Any], str, str]],
    text_column: str,
    id_column: str,
    skip_bad_rows: bool,
    skip: str,
    unit: str = "line",
) -> tuple[list[Document], list[Dropped]]:
    """Documents from (number, row, problem, raw) rows; bad rows raise or are set aside.

    ``skip`` says how to set bad rows aside (a flag on the command line, an argument in
    Python); ``unit`` is what the numbers count: a file's lines, or rows in memory.
    """
    docs: list[Document] = []
    bad: list[Dropped] = []
    for line, row, problem, raw_row in rows:
        if not problem:
            text = universal_newlines(cell(row.get(text_column)))
            if not text.strip():
                problem = f"the {text_column!r} value is empty"
        if problem:
            if not skip_bad_rows:
                raise BadRowError(
                    f"{where}, {unit} {line}: {problem}; fix the row, or {skip} "
                    "to set bad rows aside (they are listed in dropped.csv)."
                )
            bad.append(Dropped(f"{stem}:{line}", 0, 0, BAD_ROW + problem, raw_row))
            continue
        doc_id = cell(row.get(id_column)).strip() or f"{stem}-{line}"
        meta = {k: cell(row.get(k)).strip() for k in METADATA_COLUMNS}
        docs.append(
            Document(
                doc_id=doc_id,
                path=f"{where}:{line}",
                text=text,
                title=meta["title"] or headline(text),
                published=normalise_date(meta["published"]) or published_date(text),
                source=meta["source"],
                url=meta["url"],
                encoding=encoding,
            )
        )
    if not docs and not bad:
        raise InputError(f"{where}: the table has no rows; remove it, or add the articles.")
    return docs, bad


def table_rows(
    where: str, kind: str, content: str, text_column: str
) -> Iterator[tuple[int, dict[str, Any], str, str]]:
    """(line number, row, problem or "", raw row text) for each row of a table."""
    if kind == "jsonl":
        for n, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                yield n, {}, f"not valid JSON ({e.msg} at column {e.colno})", line
                continue
            if not isinstance(row, dict):
                yield n, {}, "not a JSON object", line
            elif text_column not in row:
                yield n, {}, f"no {text_column!r} field (fields: {', '.join(row)})", line
            else:
                yield n, row, "", line
        return
    csv.field_size_limit(MAX_TABLE_BYTES)
    reader = csv.DictReader(
        io.StringIO(content, newline=""), delimiter="\t" if kind == "tsv" else ","
    )
    header = reader.fieldnames or []
    if text_column not in header:
        shown = ", ".join(repr(h) for h in header) or "none"
        raise InputError(
            f"{where}: no {text_column!r} column (columns: {shown}); name the column that "
            "holds the article text with --text-column."
        )
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield start, {}, f"unreadable CSV ({e})", ""
            start = reader.line_num + 1
            continue
        if None in row:
            yield start, {}, "more fields than the header has", ",".join(map(str, row.values()))
        else:
            yield start, row, "", ",".join(str(v) for v in row.values())
        start = reader.line_num + 1


def outlet_labels(sources: Mapping[str, str]) -> dict[str, str]:
    """How a reader is shown each document: its outlet's name, else its doc id.

    ``sources`` maps doc id -> outlet ("" when unknown). Two documents of one outlet stay
    apart by their doc ids, which are what every table names them by.

    >>> outlet_labels({"a-1": "Reuters", "a-2": "Reuters", "a-3": "AP", "x": ""})
    {'a-1': 'Reuters (a-1)', 'a-2': 'Reuters (a-2)', 'a-3': 'AP', 'x': 'x'}
    """
    plain = {d: " ".join(s.split()) or d for d, s in sources.items()}
    seen = Counter(plain.values())
    return {d: f"{name} ({d})" if seen[name] > 1 and name != d else name
            for d, name in plain.items()}  # fmt: skip


def mark_duplicates(docs: list[Document]) -> list[Document]:
    """Mark a document whose text is identical to an earlier one's as its duplicate.

    A duplicate is kept in documents.csv but counted once for corroboration: two copies of
    one wire story are one source.
    """
    first: dict[str, str] = {}
    out = []
    for d in docs:
        key = d.text.strip()
        if key in first:
            d = replace(d, duplicate_of=first[key])
        else:
            first[key] = d.doc_id
        out.append(d)
    return out


def letter_words(text: str) -> list[str]:
    """The runs of letters in lower-case ``text``, as LETTERS finds them.

    Most news is ASCII but for its quotes and dashes: with those spaced out, a byte table
    finds the words in C, at twice the speed of the regular expression (0.29 -> 0.13 s for
    5,904 articles' openings); other text goes to the expression.

    >>> letter_words("putin’s 2nd visit—in 24 years—to north_korea")
    ['putin', 's', 'nd', 'visit', 'in', 'years', 'to', 'north', 'korea']
    """
    spaced = text
    for mark in ASCII_PUNCTUATION:
        spaced = spaced.replace(mark, " ")
    if not spaced.isascii():
        return LETTERS.findall(text)
    return spaced.encode("ascii").translate(ASCII_LETTERS).decode("ascii").split()


def language_warning(doc: Document) -> str:
    """A warning when a document does not read as English (the model is English).

    >>> language_warning(Document("a", "a", "Der Präsident besuchte Pjöngjang am Mittwoch "
    ...     "und unterzeichnete dort einen Vertrag über gegenseitige Hilfe mit Kim."))[:15]
    'a: this article'
    """
    # The opening is enough to tell the language, and keeps this cheap on long articles.
    words = letter_words(doc.text[:1500].lower())
    if len(words) < 12:
        return ""
    share = sum(map(ENGLISH_WORDS.__contains__, words)) / len(words)
    if share >= 0.08:
        return ""
    return (
        f"{doc.doc_id}: this article does not read as English ({share:.0%} common English "
        "words); it is processed, but the embedding model is English, so its claims may not "
        "meet their paraphrases."
    )


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
    return full_date(line)


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


def normalise_date(value: str) -> str:
    """A table's published value as an ISO date ("" when it is not a date).

    >>> normalise_date("2024-06-19T08:30:00Z"), normalise_date("June 19, 2024")
    ('2024-06-19', '2024-06-19')
    >>> normalise_date("last week")
    ''
    """
    return iso_date(value) or full_date(value)


def full_date(value: str) -> str:
    """The first full calendar date written in ``value``, as ISO ("" if none)."""
    m = FULL_DATE.search(value)
    if m is None:
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


# Page chrome: parts of a page that are never the article (a <header> inside <article>
# holds the headline and byline, so only page-level headers count).
CHROME_XPATH: Final = (
    "//nav|//footer|//aside|//form|//header[not(ancestor::article)]"
    "|//*[@role='navigation' or @role='banner' or @role='contentinfo' or @role='complementary']"
)


@dataclass(frozen=True)
class Page:
    """What a saved web page gives beside its visible text (from_html)."""

    text: str
    title: str = ""
    published: str = ""
    source: str = ""  # the outlet: og:site_name, else the JSON-LD publisher's name
    url: str = ""  # the page's own address: its canonical link, else og:url (http or https)
    chrome: tuple[str, ...] = ()


def from_html(markup: str) -> Page:
    """Visible text of a page (no scripts or styles), its title, date, outlet, url and chrome.

    Chrome is navigation, the page-level header and footer, sidebars and forms: their lines
    stay in the text (nothing is dropped silently) and the clean stage drops them by name.
    """
    import html_text
    import lxml.html

    try:
        tree = lxml.html.fromstring(markup)
    except Exception:  # lxml raises several types on broken markup; the page is then unreadable
        return Page("")
    title = ""
    published = ""
    meta_of: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = (meta.get("content") or "").strip()
        if content:
            meta_of.setdefault(key, content)
        if key == "og:title" and content and not title:
            title = content
        if key in HTML_DATE_META and content and not published:
            published = iso_date(content)
    linked = linked_data(tree)
    published = published or iso_date(str(linked.get("datePublished") or ""))
    canonical = next(
        (str(link.get("href") or "").strip() for link in tree.iter("link")
         if "canonical" in str(link.get("rel") or "").lower().split()),
        "",
    )  # fmt: skip
    if not published:
        for node in tree.iter("time"):
            published = iso_date(node.get("datetime") or "")
            if published:
                break
    if not title:
        node = tree.find(".//title")
        if node is not None and node.text:
            title = " ".join(node.text.split())
    chrome = {
        line.strip()
        for node in tree.xpath(CHROME_XPATH)
        for line in html_text.extract_text(node, guess_layout=True).split("\n")
        if line.strip()
    }
    text = html_text.extract_text(tree, guess_layout=True)
    return Page(
        text,
        title,
        published,
        source=meta_of.get("og:site_name", "") or publisher_name(linked),
        url=next((u for u in (canonical, meta_of.get("og:url", "")) if web_address(u)), ""),
        chrome=tuple(sorted(chrome)),
    )


# The schema.org types a news page's JSON-LD describes its article with.
ARTICLE_TYPES: Final = frozenset(
    {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
     "webpage", "liveblogposting", "opinionnewsarticle", "backgroundnewsarticle"}
)  # fmt: skip


def linked_data(tree: Any) -> dict[str, Any]:
    """The page's JSON-LD article object ({} when it has none or it does not parse).

    Objects may stand alone, in a list or in an ``@graph``; an article type wins over
    another object that has a ``datePublished`` or a ``publisher``.
    """
    found: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if str(script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue  # a page's broken metadata is no reason to refuse its text
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                graph = item.get("@graph")
                stack.extend(graph if isinstance(graph, list) else [])

    def types(item: dict[str, Any]) -> set[str]:
        kind = item.get("@type")
        return {str(k).lower() for k in (kind if isinstance(kind, list) else [kind])}

    for item in found:
        if types(item) & ARTICLE_TYPES:
            return item
    return next((i for i in found if "datePublished" in i or "publisher" in i), {})


def publisher_name(item: dict[str, Any]) -> str:
    """The name of a JSON-LD object's publisher (an organisation, a list of them, or a name)."""
    publisher = item.get("publisher")
    if isinstance(publisher, list):
        publisher = publisher[0] if publisher else None
    if isinstance(publisher, dict):
        publisher = publisher.get("name")
    return " ".join(publisher.split()) if isinstance(publisher, str) else ""


def web_address(value: str) -> bool:
    """Whether ``value`` is an absolute http or https address (what a report may link to).

    >>> web_address("https://example.org/a"), web_address("/a"), web_address("javascript:x")
    (True, False, False)
    """
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


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
