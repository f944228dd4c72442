"""Sentences, claim labels and dropped spans -> Report: pandas tables and their CSV files."""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from consistency import compare, render, text
from consistency.cluster import Claims
from consistency.errors import InputError
from consistency.ingest import outlet_labels
from consistency.records import (
    BAD_FILE,
    BAD_ROW,
    CLAIM_COLUMNS,
    CONFLICT_COLUMNS,
    DOCUMENT_COLUMNS,
    DROPPED_COLUMNS,
    FAMILY_COLUMNS,
    REPORT_MANIFEST,
    SENTENCE_COLUMNS,
    SLOT_COLUMNS,
    Document,
    Dropped,
    Sentence,
)
from consistency.slots import Slot
from consistency.sources import Families, align
from consistency.workers import PARALLEL_MIN, Background, spare_core

__all__ = [
    "CONFLICT",
    "CORROBORATED",
    "SINGLE_SOURCE",
    "Report",
    "View",
    "build",
    "claim_names",
    "csv_safe",
    "refuse_inputs",
    "write_csv",
]

CORROBORATED = "corroborated"
SINGLE_SOURCE = "single-source"
CONFLICT = compare.CONFLICT
TABLES = ("documents", "sentences", "claims", "slots", "conflicts", "dropped", "families")
PAGE = "report.html"  # the report as one page, with --html
DATA = "report.json"  # the report as data, with --json (docs/json.md)
# Every file a report may write into its folder: all a later report ever removes.
REPORT_FILES = frozenset({*(f"{name}.csv" for name in TABLES), PAGE, DATA})
# report.json's layout (docs/json.md); raised when a field changes meaning or goes away.
JSON_SCHEMA = 1
SENTENCE_FIELDS = ("sentence_id", "doc_id", "start", "end", "attached", "text")


@dataclass(frozen=True)
class View:
    """A view of a report: plain text at a prompt or in ``print``, HTML in a notebook."""

    text: str
    html: str

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return self.html


@dataclass(frozen=True)
class Report:
    """The checker's findings, one DataFrame per CSV file, columns fixed whatever the input."""

    documents: pd.DataFrame
    sentences: pd.DataFrame
    claims: pd.DataFrame
    slots: pd.DataFrame
    conflicts: pd.DataFrame
    dropped: pd.DataFrame
    # How each copy differs from the member it copies (sources.py), sentence by sentence.
    families: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(FAMILY_COLUMNS))
    )
    warnings: tuple[str, ...] = ()  # things a reader should know that no table shows
    # The sentence embeddings, one row per row of ``sentences`` (for the claim map).
    vectors: NDArray[np.float32] = field(
        default_factory=lambda: np.zeros((0, 0), dtype=np.float32), compare=False, repr=False
    )

    def to_csv(
        self,
        out: str | Path,
        *,
        protect: Sequence[str | Path] = (),
        workers: int | None = None,
    ) -> list[Path]:
        """Write every table as ``<name>.csv`` under ``out``; returns the paths written.

        The report folder as ``write`` leaves it, without report.html.
        """
        return self.write(out, protect=protect, workers=workers)

    def write(
        self,
        out: str | Path,
        *,
        html: bool = False,
        data: bool = False,
        protect: Sequence[str | Path] = (),
        workers: int | None = None,
    ) -> list[Path]:
        """Write the report into the folder ``out``; returns the paths written.

        Each table is written as ``<name>.csv``, with ``html`` the page report.html
        (render.page) and with ``data`` report.json (as_json). Files are written to a
        temporary folder inside ``out`` and moved in only when all are complete, so a failed
        run never leaves a half-written report. The folder then holds this report alone: a
        file that an earlier report listed in its REPORT_MANIFEST and this one does not write
        (its report.html or report.json) is removed; no other file is touched. A report file
        that would replace one of the ``protect`` files (the inputs) is refused. Cells that
        a spreadsheet would run as a formula are neutralised (see ``csv_safe``). From
        PARALLEL_MIN sentences a second process writes sentences.csv, unless ``workers`` is
        1 (as in check: by default, whenever there is a second core).
        """
        out = Path(out)
        refuse_file_out(out)
        names = [f"{name}.csv" for name in TABLES] + [PAGE] * html + [DATA] * data
        refuse_inputs([out / name for name in names], protect)
        out.mkdir(parents=True, exist_ok=True)
        guarded = {Path(p).resolve() for p in protect}
        stale = [
            out / name
            for name in earlier_report(out)
            if name not in names and (out / name).resolve() not in guarded
        ]
        tmp = Path(tempfile.mkdtemp(prefix=".consistency-", dir=out))
        try:
            # A large report's sentences (every sentence's text) are written in a process
            # beside this one: at 94,000 sentences, 0.49 s of the 1.0 s the six files take.
            big = "sentences"
            aside = None
            if len(self.sentences) >= PARALLEL_MIN and spare_core(workers):
                aside = Background(partial(write_csv, getattr(self, big), tmp / f"{big}.csv"))
            try:
                for name in TABLES:
                    if not (aside and name == big):
                        write_csv(getattr(self, name), tmp / f"{name}.csv")
                if html:
                    (tmp / PAGE).write_text(render.page(self), encoding="utf-8", newline="\n")
                if data:
                    (tmp / DATA).write_text(self.json_text(), encoding="utf-8", newline="\n")
                if aside:
                    aside.result()
            finally:
                if aside:
                    aside.cancel()  # stopped if this process failed first
            write_manifest(tmp / REPORT_MANIFEST, names)
            written = []
            for name in names:
                os.replace(tmp / name, out / name)
                written.append(out / name)
            # Before the new manifest, which no longer names them: a failure in between
            # leaves them listed, for the next run to remove.
            for path in stale:
                path.unlink(missing_ok=True)
            os.replace(tmp / REPORT_MANIFEST, out / REPORT_MANIFEST)
            return written
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def to_json(self, path: str | Path, *, protect: Sequence[str | Path] = ()) -> Path:
        """Write ``as_json`` to ``path`` (docs/json.md); returns its path.

        The same report gives the same bytes: fields in a fixed order, rows in the
        tables' order. Written beside and then moved over ``path``, never over one of the
        ``protect`` files.
        """
        return write_file(Path(path), self.json_text(), protect)

    def json_text(self) -> str:
        """``as_json`` as report.json holds it: fields in a fixed order, indented, UTF-8."""
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"

    def as_json(self) -> dict[str, Any]:
        """The report as data for JSON: documents, claims, conflicts and dropped spans.

        A claim carries its sources, its sentences and its values as records (kind, value,
        unit, hedge, offsets), where claims.csv gives them as prose. docs/json.md
        describes each field.
        """
        starts = dict(zip(self.sentences.sentence_id, self.sentences.start, strict=True))
        claims = []
        for c in self.claims.to_dict("records"):
            cid = str(c["claim_id"])
            stated = self._stated_by(cid)
            values = [
                json_value(x, int(starts[x["sentence_id"]]))
                for r in stated
                for x in self._values_by_sentence.get(str(r["sentence_id"]), [])
            ]
            claims.append(
                {
                    "claim_id": cid,
                    "status": c["status"],
                    "story": c["story"],
                    "n_sources": c["n_sources"],
                    "sources": str(c["sources"]).split(";") if c["sources"] else [],
                    "n_independent": c["n_independent"],
                    "n_sentences": c["n_sentences"],
                    "doc_id": c["doc_id"],
                    "text": c["text"],
                    "sentences": [{k: r[k] for k in SENTENCE_FIELDS} for r in stated],
                    "values": values,
                }
            )
        conflicts = [
            {
                **{k: c[k] for k in ("claim_id", "kind", "severity", "explanation")},
                **{
                    side: {
                        "doc_id": c[f"doc_{side}"],
                        "value": c[f"value_{side}"],
                        "text": c[f"text_{side}"],
                        "start": c[f"start_{side}"],
                        "end": c[f"end_{side}"],
                    }
                    for side in "ab"
                },
            }
            for c in self.conflicts.to_dict("records")
        ]
        data: dict[str, Any] = plain(
            {
                "schema": JSON_SCHEMA,
                "summary": self.summary(),
                "warnings": list(self.warnings),
                "documents": self.documents.to_dict("records"),
                "claims": claims,
                "conflicts": conflicts,
                "dropped": self.dropped.to_dict("records"),
            }
        )
        return data

    def to_html(self, path: str | Path, *, protect: Sequence[str | Path] = ()) -> Path:
        """Write the report as one self-contained HTML page (render.page); returns its path.

        Written beside and then moved over ``path``, never over one of the ``protect`` files.
        """
        return write_file(Path(path), render.page(self), protect)

    def __repr__(self) -> str:
        """The counts in three lines: the tables are its attributes, too long to print whole."""
        return f"<Report\n{text.counts(self)}>"

    def __str__(self) -> str:
        """The counts, the first conflicts and single-source claims (``summary`` in text)."""
        return text.summary(self)

    def _repr_html_(self) -> str:
        """What a notebook shows for a Report: counts, top conflicts, top single-source claims."""
        return render.summary_html(self)

    def claim(self, claim_id: str) -> View:
        """A claim's sentences side by side, one column a document, values highlighted."""
        if claim_id not in set(self.claims.claim_id):
            known = ", ".join(self.claims.claim_id.head(5))
            raise KeyError(f"no claim {claim_id!r}; claims are named like {known}...")
        return View(text.claim(self, claim_id), render.claim_html(self, claim_id))

    def show_conflicts(self) -> View:
        """Every conflict and note with its two sentences side by side, values highlighted."""
        return View(text.conflicts(self), render.conflicts_html(self))

    def show_single_source(self) -> View:
        """Every single-source claim's sentence, between the sentences around it."""
        return View(text.single_source(self), render.single_source_html(self))

    def claim_sentences(self, claim_id: str) -> pd.DataFrame:
        """The sentences stating a claim, by document; ``attached``: clustered into another.

        A sentence lists in ``other_claims`` the further claims it states, and counts as
        their source too; those rows have ``attached`` True.
        """
        columns = ["doc_id", "sentence_id", "attached", "text"]
        return pd.DataFrame(self._stated_by(claim_id), columns=columns)

    @cached_property
    def _stating(self) -> dict[str, list[int]]:
        """Row positions in ``sentences`` of the sentences stating each claim, in table order.

        Built once, so that views of every claim (the HTML page) stay linear in the input.
        """
        out: dict[str, list[int]] = {}
        own, others = self.sentences.claim_id, self.sentences.other_claims
        for i, (claim, more) in enumerate(zip(own, others, strict=True)):
            extra = more.split(";") if isinstance(more, str) and more else []
            for c in [claim, *extra]:
                out.setdefault(str(c), []).append(i)
        return out

    @cached_property
    def outlets(self) -> dict[str, str]:
        """Each document's name for a reader, by doc id: its outlet, else its id.

        Two documents of one outlet carry their ids too (ingest.outlet_labels).
        """
        d = self.documents
        return outlet_labels(dict(zip(d.doc_id.astype(str), d.source.astype(str), strict=True)))

    @cached_property
    def urls(self) -> dict[str, str]:
        """Each document's url by doc id ("" where the input gives none)."""
        d = self.documents
        return dict(zip(d.doc_id.astype(str), d.url.astype(str), strict=True))

    @cached_property
    def _sentence_records(self) -> list[dict[str, Any]]:
        """The sentences table's rows as dicts, in table order; built once."""
        return [{str(k): v for k, v in r.items()} for r in self.sentences.to_dict("records")]

    @cached_property
    def _claim_records(self) -> dict[str, dict[str, Any]]:
        """The claims table's rows as dicts, by claim id; built once."""
        return {str(r["claim_id"]): {str(k): v for k, v in r.items()}
                for r in self.claims.to_dict("records")}  # fmt: skip

    def _stated_by(self, claim_id: str) -> list[dict[str, Any]]:
        """``claim_sentences`` as plain dicts, without building a DataFrame per claim."""
        rows = [self._sentence_records[i] for i in self._stating.get(claim_id, [])]
        return [{**r, "attached": r["claim_id"] != claim_id} for r in rows]

    @cached_property
    def _values_by_sentence(self) -> dict[str, list[dict[str, Any]]]:
        """The slots table's rows (as dicts) by sentence id, in table order; built once."""
        out: dict[str, list[dict[str, Any]]] = {}
        for x in self.slots.to_dict("records"):
            out.setdefault(str(x["sentence_id"]), []).append({str(k): v for k, v in x.items()})
        return out

    def coverage(self) -> pd.DataFrame:
        """Claims (rows, most-sourced first) by documents (columns): sentences stating each.

        A zero is a claim the document does not state; a row with one non-zero cell is a
        single-source claim. Duplicate documents are left out (they were not read).
        """
        s = self.sentences
        stated = pd.concat(
            [
                s[["doc_id", "claim_id"]],
                s.assign(claim_id=s.other_claims.str.split(";"))
                .explode("claim_id")
                .loc[lambda f: f.claim_id.fillna("") != "", ["doc_id", "claim_id"]],
            ]
        )
        docs = self.documents.doc_id[self.documents.duplicate_of == ""]
        counts = pd.crosstab(stated.claim_id, stated.doc_id)
        matrix = counts.reindex(index=self.claims.claim_id, columns=docs, fill_value=0)
        matrix.index.name, matrix.columns.name = "claim_id", "doc_id"
        return matrix.fillna(0).astype(int)

    def agreement(self) -> pd.DataFrame:
        """Per document: its claims, how many another source states too, and its conflicts.

        ``corroborated_share`` is the share of the document's claims that some other
        document states too (a claim in conflict is stated by two or more, so it counts);
        ``outlet`` the name a reader knows it by (Report.outlets), for labels in a chart.
        """
        status = self.claims.set_index("claim_id").status
        matrix = self.coverage() > 0
        hard = self.conflicts[self.conflicts.severity == CONFLICT]
        rows = []
        for doc in matrix.columns:
            own = matrix.index[matrix[doc]]
            multi = int((status[own] != SINGLE_SOURCE).sum())
            rows.append(
                {
                    "doc_id": doc,
                    "claims": len(own),
                    "corroborated": multi,
                    "single_source": len(own) - multi,
                    "corroborated_share": multi / len(own) if len(own) else float("nan"),
                    "conflicts": int(((hard.doc_a == doc) | (hard.doc_b == doc)).sum()),
                    "outlet": self.outlets.get(str(doc), str(doc)),
                }
            )
        return pd.DataFrame(
            rows,
            columns=["doc_id", "claims", "corroborated", "single_source", "corroborated_share",
                     "conflicts", "outlet"],
        )  # fmt: skip

    def single_source(self) -> pd.DataFrame:
        """Single-source claims with their sentence, its neighbours and the document's outlet."""
        docs = self.sentences.doc_id.tolist()
        ids, texts = self.sentences.sentence_id.tolist(), self.sentences.text.tolist()
        rows = []
        for c in self.claims[self.claims.status == SINGLE_SOURCE].itertuples(index=False):
            i = self._stating[str(c.claim_id)][0]
            same_before = i > 0 and docs[i - 1] == docs[i]
            same_after = i + 1 < len(docs) and docs[i + 1] == docs[i]
            rows.append(
                {
                    "claim_id": c.claim_id,
                    "doc_id": c.doc_id,
                    "sentence_id": ids[i],
                    "before": texts[i - 1] if same_before else "",
                    "text": texts[i],
                    "after": texts[i + 1] if same_after else "",
                    "outlet": self.outlets.get(str(c.doc_id), str(c.doc_id)),
                }
            )
        return pd.DataFrame(
            rows,
            columns=["claim_id", "doc_id", "sentence_id", "before", "text", "after", "outlet"],
        )

    def claim_map(self, *, random_state: int = 0) -> pd.DataFrame:
        """Every sentence placed in 2-D by its embedding (t-SNE), with its claim and status.

        Sentences of one claim land near each other; a single-source claim far from the
        rest is material no other outlet has. Small inputs (under 5 sentences) use PCA.
        """
        from sklearn.decomposition import PCA
        from sklearn.manifold import TSNE

        n = len(self.vectors)
        if n < 5:
            xy = PCA(n_components=2).fit_transform(self.vectors) if n >= 2 else np.zeros((n, 2))
        else:
            # A small perplexity keeps a claim's few sentences together; on the seeds (160
            # sentences) 5 puts them 0.30 of the mean distance apart, 30 only 0.37.
            tsne = TSNE(
                n_components=2,
                perplexity=min(float(np.clip(n / 30, 5, 30)), (n - 1) / 3),
                metric="cosine",
                init="pca",
                random_state=random_state,
            )
            xy = tsne.fit_transform(self.vectors)
        status = self.claims.set_index("claim_id").status
        s = self.sentences
        return pd.DataFrame(
            {
                "x": xy[:, 0] if n else [],
                "y": xy[:, 1] if n else [],
                "doc_id": s.doc_id,
                "sentence_id": s.sentence_id,
                "claim_id": s.claim_id,
                "status": s.claim_id.map(status),
                "text": s.text,
            }
        )

    def summary(self) -> dict[str, int]:
        """Counts a reader wants first: documents, sentences, claims by status, conflicts, drops."""
        status = self.claims["status"].value_counts()
        distinct = self.documents[self.documents.duplicate_of == ""]
        return {
            "documents": len(self.documents),
            "sources": len(distinct),
            "independent": int(distinct.family.nunique()),
            "stories": int(self.documents.story.loc[self.documents.story != ""].nunique()),
            "sentences": len(self.sentences),
            "claims": len(self.claims),
            CORROBORATED: int(status.get(CORROBORATED, 0)),
            SINGLE_SOURCE: int(status.get(SINGLE_SOURCE, 0)),
            CONFLICT: int(status.get(CONFLICT, 0)),
            "slots": len(self.slots),
            "conflicts": int((self.conflicts["severity"] == compare.CONFLICT).sum()),
            "notes": int((self.conflicts["severity"] == compare.NOTE).sum()),
            "updates": int((self.conflicts["severity"] == compare.UPDATE).sum()),
            "dropped": len(self.dropped),  # spans, and the rows and files set aside
            "bad_rows": int(self.dropped.reason.str.startswith(BAD_ROW).sum()),
            "bad_files": int(self.dropped.reason.str.startswith(BAD_FILE).sum()),
        }


def version() -> str:
    """The installed package's version ("unknown" when it runs without being installed)."""
    try:
        return importlib.metadata.version("consistency")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def earlier_report(out: Path) -> list[str]:
    """The files of the report that ``out`` holds, by its REPORT_MANIFEST (none without one).

    Only names a report writes count, so that a changed manifest cannot remove other files.
    """
    try:
        listed = json.loads((out / REPORT_MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, TypeError, KeyError):
        return []
    return sorted(set(REPORT_FILES).intersection(listed)) if isinstance(listed, list) else []


def write_file(path: Path, body: str, protect: Sequence[str | Path]) -> Path:
    r"""Write ``body`` (UTF-8, "\n" line ends) beside ``path``, then move it over ``path``.

    A failure leaves the earlier file whole; ``path`` is never one of the ``protect`` files.
    """
    refuse_inputs([path], protect)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".consistency-", dir=path.parent))
    try:
        (tmp / path.name).write_text(body, encoding="utf-8", newline="\n")
        os.replace(tmp / path.name, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def write_manifest(path: Path, files: Sequence[str]) -> None:
    """The REPORT_MANIFEST of a report: what wrote it and the names of its files."""
    manifest = {"written_by": f"consistency {version()}", "files": sorted(files)}
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def json_value(x: Mapping[str, Any], sentence_start: int) -> dict[str, Any]:
    """A slots-table row as report.json gives a value: offsets in the sentence and document."""
    return {
        "kind": x["kind"],
        "value": x["value"],
        "unit": x["unit"],
        "hedge": x["hedge"],
        "about": x["about"],
        "measure": x["measure"],
        "event": x["event"],
        "entity": x["entity"],
        "period": x["period"],
        "text": x["text"],
        "doc_id": x["doc_id"],
        "sentence_id": x["sentence_id"],
        "start": x["start"],
        "end": x["end"],
        "doc_start": sentence_start + int(x["start"]),
        "doc_end": sentence_start + int(x["end"]),
    }


def plain(value: Any) -> Any:
    """``value`` with numpy scalars as Python ones and missing cells (NaN) as None.

    >>> plain({"n": np.int64(3), "share": float("nan"), "rows": [np.float32(0.5)]})
    {'n': 3, 'share': None, 'rows': [0.5]}
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """One table as CSV, its text cells made safe for spreadsheets (csv_safe)."""
    safe = frame.apply(lambda col: col if pd.api.types.is_numeric_dtype(col) else col.map(csv_safe))
    safe.to_csv(path, index=False, lineterminator="\n")


def csv_safe(value: object) -> object:
    """A cell that cannot run as a spreadsheet formula (OWASP's advice on CSV injection).

    Text that starts with = + - @, a tab or a carriage return gets a leading apostrophe,
    which spreadsheets show as text. The Report's DataFrames keep the text unchanged.

    >>> print(csv_safe('=HYPERLINK("http://x","click")'))
    '=HYPERLINK("http://x","click")
    >>> csv_safe("Putin said."), csv_safe(3)
    ('Putin said.', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def refuse_inputs(targets: Sequence[Path], protect: Sequence[str | Path]) -> None:
    """Raise InputError when writing a target would replace one of the input files."""
    guarded = {Path(p).resolve() for p in protect}
    for target in targets:
        if target.resolve() in guarded:
            raise InputError(
                f"{target.resolve()}: is an input, and the report would overwrite it; "
                "choose another --out folder."
            )


def refuse_file_out(out: Path) -> None:
    """Raise InputError when ``out``, the report's folder, or a folder above it is a file."""
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                what = "is a file" if folder == out else f"is inside {folder}, which is a file"
                raise InputError(
                    f"{out}: {what}, and the report is a folder of files; give --out a "
                    "folder (a new one is created), such as out/."
                )
            return


def claim_names(claims: Claims, doc_ids: Sequence[str]) -> dict[int, str]:
    """Name claims ``c001``... so that the most-sourced come first, ties by first sentence.

    >>> c = Claims(np.array([0, 1, 1, 2]), [frozenset()] * 4)
    >>> claim_names(c, ["a", "a", "b", "b"])
    {1: 'c001', 0: 'c002', 2: 'c003'}
    """
    members = claims.members()
    sources = {label: {doc_ids[i] for i in idx} for label, idx in members.items()}
    first = {label: idx[0] for label, idx in members.items()}
    order = sorted(members, key=lambda k: (-len(sources[k]), first[k]))
    width = max(3, len(str(len(order))))
    return {label: f"c{rank + 1:0{width}d}" for rank, label in enumerate(order)}


TIE = 1e-5  # far above float noise, far below a real difference in centrality


def representative(members: Sequence[int], vectors: NDArray[np.float32]) -> int:
    """The member nearest the claim's mean vector (the earliest on a tie).

    Scores within TIE of the best count as a tie: two members are always equally near
    their mean, and float noise (torch against ONNX Runtime) must not pick between them.
    """
    if len(members) == 1:
        return int(members[0])
    centre = vectors[list(members)].mean(axis=0)
    scores = vectors[list(members)] @ centre
    return int(members[int(np.flatnonzero(scores >= scores.max() - TIE)[0])])


def build(
    docs: Sequence[Document],
    sentences: Sequence[Sentence],
    claims: Claims,
    vectors: NDArray[np.float32],
    dropped: Sequence[Dropped],
    warnings: Sequence[str],
    slots: Sequence[Sequence[Slot]],
    found: Sequence[compare.Conflict],
    *,
    story_of: Mapping[str, str],
    names: Mapping[int, str],
    families: Families,
) -> Report:
    """Assemble the report tables, sorted the same way on every run.

    ``families`` (sources.families) says which documents are copies of one another: a
    claim whose sources are all of one family is single-source, and ``families.csv``
    shows how each copy differs from the member it copies.

    ``slots`` holds each sentence's values (slots.extract), ``found`` their conflicts
    (compare.conflicts, under the claim ``names`` of ``claim_names``): a hard one gives its
    claim the status ``conflict``; ``story_of`` names each document's story
    (pipeline.group_stories).
    """
    doc_ids = [s.doc_id for s in sentences]
    labels = claims.labels.tolist()
    # sentences.csv and slots.csv list sentences by document id, then place in the document
    # (the rows of the report's vectors follow sentences.csv).
    rank = {d: k for k, d in enumerate(sorted(set(doc_ids)))}
    starts = np.array([s.start for s in sentences], dtype=np.int64)
    in_order = np.lexsort((starts, np.array([rank[d] for d in doc_ids], dtype=np.int64))).tolist()
    hard = {c.claim_id for c in found if c.severity == compare.CONFLICT}
    sentence_rows = [
        {
            "doc_id": s.doc_id,
            "sentence_id": s.sentence_id,
            "start": s.start,
            "end": s.end,
            "claim_id": names[labels[i]],
            "other_claims": ";".join(sorted(names[c] for c in claims.also[i]))
            if claims.also[i]
            else "",
            "text": s.text,
        }
        for i, s in ((i, sentences[i]) for i in in_order)
    ]
    claim_rows = []
    for label, idx in sorted(claims.members().items(), key=lambda kv: names[kv[0]]):
        sources = sorted({doc_ids[i] for i in idx})
        own = [i for i in idx if labels[i] == label]
        rep = sentences[representative(own, vectors)]
        independent = len({families.family_of[d] for d in sources})
        status = CORROBORATED if independent > 1 else SINGLE_SOURCE
        claim_rows.append(
            {
                "claim_id": names[label],
                "status": CONFLICT if names[label] in hard else status,
                "n_sources": len(sources),
                "sources": ";".join(sources),
                "n_sentences": len(idx),
                "slots": compare.summary([(doc_ids[i], x) for i in idx for x in slots[i]]),
                "story": story_of[sources[0]],
                "doc_id": rep.doc_id,
                "text": rep.text,
                "n_independent": independent,
            }
        )
    drop_rows = sorted(
        ({"doc_id": d.doc_id, "start": d.start, "end": d.end, "reason": d.reason, "text": d.text}
         for d in dropped),
        key=lambda r: (r["doc_id"], r["start"]),
    )  # fmt: skip
    n_kept = Counter(doc_ids)
    n_drop = Counter(d.doc_id for d in dropped)
    doc_rows = [
        {
            "doc_id": d.doc_id,
            "story": story_of.get(d.doc_id, ""),
            "path": d.path,
            "title": d.title,
            "source": d.source,
            "url": d.url,
            "published": d.published,
            "encoding": d.encoding,
            "duplicate_of": d.duplicate_of,
            "n_sentences": n_kept[d.doc_id],
            "n_dropped": n_drop[d.doc_id],
            "family": families.family_of[d.doc_id],
        }
        for d in sorted(docs, key=lambda d: d.doc_id)
    ]
    slot_rows = [
        {
            "doc_id": s.doc_id,
            "sentence_id": s.sentence_id,
            "kind": x.kind,
            "value": x.value,
            "unit": x.unit,
            "hedge": x.hedge,
            "about": x.about,
            "start": x.start,
            "end": x.end,
            "text": x.text,
            "measure": x.measure,
            "event": x.event,
            "entity": x.entity,
            "period": x.period,
        }
        for s, xs in ((sentences[i], slots[i]) for i in in_order)
        for x in xs
    ]
    conflict_rows = [
        conflict_row(c, sentences, families.family_of) for c in sorted(found, key=conflict_order)
    ]
    sentence_frame = pd.DataFrame(sentence_rows, columns=list(SENTENCE_COLUMNS))
    row_vectors = vectors[np.asarray(in_order, dtype=np.int64)] if in_order else vectors
    return Report(
        documents=pd.DataFrame(doc_rows, columns=list(DOCUMENT_COLUMNS)),
        sentences=sentence_frame,
        claims=pd.DataFrame(claim_rows, columns=list(CLAIM_COLUMNS)),
        slots=pd.DataFrame(slot_rows, columns=list(SLOT_COLUMNS)),
        conflicts=pd.DataFrame(conflict_rows, columns=list(CONFLICT_COLUMNS)),
        dropped=pd.DataFrame(drop_rows, columns=list(DROPPED_COLUMNS)),
        families=pd.DataFrame(family_rows(docs, sentences, families), columns=list(FAMILY_COLUMNS)),
        warnings=tuple(warnings),
        vectors=np.asarray(row_vectors, dtype=np.float32),
    )


def conflict_order(c: compare.Conflict) -> tuple[str, str, str, int, int, str, int, int]:
    """conflicts.csv's order: by claim, kind, then where each value stands."""
    a, b = c.a, c.b
    return (c.claim_id, c.kind, a.doc_id, a.sentence, a.slot.start, b.doc_id, b.sentence,
            b.slot.start)  # fmt: skip


def conflict_row(
    c: compare.Conflict, sentences: Sequence[Sentence], family_of: Mapping[str, str]
) -> dict[str, object]:
    """A conflict as a conflicts.csv row, its offsets moved from the sentence to the document.

    Two copies of one article that disagree are still a conflict (a republisher changed a
    value); the explanation says they are one family.
    """
    sa, sb = sentences[c.a.sentence], sentences[c.b.sentence]
    explanation = c.explanation
    family = family_of.get(c.a.doc_id, c.a.doc_id)
    if c.a.doc_id != c.b.doc_id and family == family_of.get(c.b.doc_id, c.b.doc_id):
        explanation += (
            f" Both are copies of one article (family {family}): one copy changed the value."
        )
    return {
        "claim_id": c.claim_id,
        "kind": c.kind,
        "severity": c.severity,
        "doc_a": c.a.doc_id,
        "value_a": c.a.slot.value,
        "text_a": sa.text,
        "start_a": sa.start + c.a.slot.start,
        "end_a": sa.start + c.a.slot.end,
        "doc_b": c.b.doc_id,
        "value_b": c.b.slot.value,
        "text_b": sb.text,
        "start_b": sb.start + c.b.slot.start,
        "end_b": sb.start + c.b.slot.end,
        "explanation": explanation,
    }


def family_rows(
    docs: Sequence[Document], sentences: Sequence[Sentence], families: Families
) -> list[dict[str, object]]:
    """families.csv: each copy aligned with the member it copies, sentence by sentence.

    Families in order of their first document's id, then their members in input order; a
    duplicate (not read) has no sentences to show and is left out.
    """
    by_doc: dict[str, list[Sentence]] = {}
    for s in sentences:
        by_doc.setdefault(s.doc_id, []).append(s)
    rows: list[dict[str, object]] = []
    members = [d.doc_id for d in docs if d.doc_id in families.compared_with]
    members.sort(key=lambda d: families.family_of[d])  # stable: input order within a family
    for doc in members:
        rule = families.rule[doc]
        if rule == "duplicate":
            continue
        base = families.compared_with[doc]
        mine, theirs = by_doc.get(doc, []), by_doc.get(base, [])
        for step in align([s.text for s in theirs], [s.text for s in mine]):
            own = mine[step.b] if step.b >= 0 else None
            other = theirs[step.a] if step.a >= 0 else None
            rows.append(
                {
                    "family": families.family_of[doc],
                    "doc_id": doc,
                    "compared_with": base,
                    "rule": rule,
                    "change": step.change,
                    "sentence_id": own.sentence_id if own else "",
                    "compared_sentence_id": other.sentence_id if other else "",
                    "text": own.text if own else "",
                    "compared_text": other.text if other else "",
                }
            )
    return rows
