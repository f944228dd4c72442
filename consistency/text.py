"""Report tables -> plain text for a terminal: the counts, conflicts, a claim, single sources.

The same views as render.py's markup, for a Python prompt or ``print``: values stand in
«guillemets» where the HTML highlights them, and nothing depends on the terminal's width.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

import pandas as pd

from consistency.render import plural

if TYPE_CHECKING:
    from consistency.report import Report

__all__ = ["claim", "conflicts", "counts", "single_source", "summary", "summary_lines"]

CONFLICT, NOTE, SINGLE_SOURCE = "conflict", "note", "single-source"
CLAIM_TEXT: Final = 100  # characters of a claim's sentence in a list of claims


def counts(report: Report) -> str:
    """The headline counts in three lines, as the command line prints them."""
    return "\n".join(summary_lines(report.summary()))


def summary_lines(s: Mapping[str, int]) -> list[str]:
    r"""What the console says of a report, from Report.summary's counts (also its repr).

    >>> counted = {"documents": 1, "sources": 1, "independent": 1, "stories": 1,
    ...     "sentences": 1, "dropped": 0, "bad_rows": 0, "bad_files": 0, "claims": 1,
    ...     "corroborated": 0, SINGLE_SOURCE: 1, CONFLICT: 0, "slots": 1, "conflicts": 0,
    ...     "notes": 1, "updates": 0}
    >>> print(*summary_lines(counted), sep="\n")
    1 document in 1 story, 1 sentence kept, 0 spans dropped (see dropped.csv)
    1 claim: 0 corroborated, 1 single-source, 0 in conflict (claims.csv)
    1 value read (slots.csv): 0 conflicts in 0 claims, 1 note (conflicts.csv)
    note: corroboration needs two or more sources; every claim is single-source.
    >>> print(summary_lines({**counted, "updates": 1})[2])
    1 value read (slots.csv): 0 conflicts in 0 claims, 1 note, 1 update (conflicts.csv)
    >>> print(summary_lines({**counted, "documents": 2, "sources": 2})[-1])
    note: the 2 documents are copies of one article (families.csv); every claim is single-source.
    """
    spans = s["dropped"] - s["bad_rows"] - s["bad_files"]
    aside = "".join(
        f", {plural(s[key], what)} set aside"
        for key, what in (("bad_rows", "bad row"), ("bad_files", "unreadable file"))
        if s[key]
    )
    copies = f" ({s['independent']} independent)" if s["independent"] < s["sources"] else ""
    updates = f", {plural(s['updates'], 'update')}" if s["updates"] else ""
    lines = [
        f"{plural(s['documents'], 'document')}{copies} in "
        f"{plural(s['stories'], 'story', 'stories')}, "
        f"{plural(s['sentences'], 'sentence')} kept, {plural(spans, 'span')} dropped{aside} "
        "(see dropped.csv)",
        f"{plural(s['claims'], 'claim')}: {s['corroborated']} corroborated, "
        f"{s[SINGLE_SOURCE]} single-source, {s[CONFLICT]} in conflict (claims.csv)",
        f"{plural(s['slots'], 'value')} read (slots.csv): {plural(s['conflicts'], 'conflict')} "
        f"in {plural(s[CONFLICT], 'claim')}, {plural(s['notes'], 'note')}{updates} "
        "(conflicts.csv)",
    ]
    if s["sources"] < 2:
        lines.append("note: corroboration needs two or more sources; every claim is single-source.")
    elif s["independent"] < 2:  # copies of one wire story confirm nothing for one another
        lines.append(
            f"note: the {s['sources']} documents are copies of one article (families.csv); "
            "every claim is single-source."
        )
    return lines


def shorten(text: str, width: int = CLAIM_TEXT) -> str:
    """``text`` cut at ``width`` characters, with an ellipsis when cut.

    >>> shorten("Putin arrived in Pyongyang.", 12)
    'Putin arriv…'
    """
    return text if len(text) <= width else text[: width - 1] + "…"


def summary(report: Report, top: int = 5) -> str:
    """The counts, then the first ``top`` conflicts and single-source claims."""
    hard = report.conflicts[report.conflicts.severity == CONFLICT].head(top)
    single = report.claims[report.claims.status == SINGLE_SOURCE]
    lines = [counts(report)]
    n_hard = int((report.conflicts.severity == CONFLICT).sum())
    lines.append(f"Conflicts (first {len(hard)} of {n_hard}):")
    lines += [f"  {c.claim_id} ({c.kind}): {c.explanation}" for c in hard.itertuples()]
    lines.append(f"Single-source claims (first {min(top, len(single))} of {len(single)}):")
    lines += [
        f"  {c.claim_id} {c.doc_id}: {shorten(str(c.text))}" for c in single.head(top).itertuples()
    ]
    return "\n".join(lines)


def marked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each (start, end) span in «guillemets»; an overlapping span is skipped.

    >>> marked("Aid of $50B and 12 trucks", [(7, 11), (16, 18)])
    'Aid of «$50B» and «12» trucks'
    """
    out, at = [], 0
    for start, end in sorted(spans):
        if start < at or end <= start:
            continue
        out += [text[at:start], "«", text[start:end], "»"]
        at = end
    return "".join([*out, text[at:]])


def conflicts(report: Report) -> str:
    """Every conflict, then every note: why, then each side's sentence with its value marked."""
    table = report.conflicts
    if table.empty:
        return "No two sources state values that disagree."
    starts = sentence_starts(report.sentences)
    hard_first = table.sort_values("severity", key=lambda s: s != CONFLICT, kind="stable")
    blocks = []
    for c in hard_first.to_dict("records"):
        lines = [f"{c['severity']}: {c['kind']} in {c['claim_id']}: {c['explanation']}"]
        for side in "ab":
            doc, start, end = str(c[f"doc_{side}"]), int(c[f"start_{side}"]), int(c[f"end_{side}"])
            at = sentence_start(starts, doc, start)
            said = marked(str(c[f"text_{side}"]), [(start - at, end - at)])
            lines.append(f"  {doc}: {said}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def sentence_starts(sentences: pd.DataFrame) -> dict[str, list[int]]:
    """Each document's sentence start offsets, ascending."""
    out: dict[str, list[int]] = {}
    for doc, start in zip(sentences.doc_id, sentences.start, strict=True):
        out.setdefault(str(doc), []).append(int(start))
    return {doc: sorted(starts) for doc, starts in out.items()}


def sentence_start(starts: dict[str, list[int]], doc: str, offset: int) -> int:
    """The start of the sentence of ``doc`` that holds document ``offset``."""
    ours = starts.get(doc, [0])
    return ours[max(bisect.bisect_right(ours, offset) - 1, 0)]


def claim(report: Report, claim_id: str) -> str:
    """A claim's status and counts, then its sentences by document, values marked.

    A sentence clustered into another claim that also states this one reads "(also)".
    """
    row = report.claims.set_index("claim_id").loc[claim_id]
    spans: dict[str, list[tuple[int, int]]] = {}
    for sid, start, end in zip(
        report.slots.sentence_id, report.slots.start, report.slots.end, strict=True
    ):
        spans.setdefault(str(sid), []).append((int(start), int(end)))
    lines = [
        f"{claim_id} {row.status}: {row.n_sources} "
        f"{'source' if row.n_sources == 1 else 'sources'}, {row.n_sentences} "
        f"{'sentence' if row.n_sentences == 1 else 'sentences'}"
    ]
    for r in report.claim_sentences(claim_id).to_dict("records"):
        also = "(also) " if r["attached"] else ""
        said = marked(str(r["text"]), spans.get(str(r["sentence_id"]), []))
        lines.append(f"  {r['doc_id']}: {also}{said}")
    return "\n".join(lines)


def single_source(report: Report) -> str:
    """Each single-source claim's sentence, with the sentences before and after it."""
    table = report.single_source()
    if table.empty:
        return "Every claim has two or more sources."
    blocks = []
    for r in table.to_dict("records"):
        context = " ".join(str(t) for t in (r["before"], f"«{r['text']}»", r["after"]) if t)
        blocks.append(f"{r['claim_id']} {r['doc_id']}:\n  {context}")
    return "\n\n".join(blocks)
