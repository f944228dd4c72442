"""Report tables -> HTML: a claim's sources side by side, conflicts, the whole report page.

Everything here reads the Report's DataFrames and returns markup; the page is
self-contained (inline CSS, no script, no font or image fetched), so it opens from disk,
from an e-mail attachment or on a machine with no network. All article text is escaped.
"""

from __future__ import annotations

import bisect
import html
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from consistency.ingest import web_address

if TYPE_CHECKING:
    from consistency.report import Report

__all__ = [
    "Html",
    "claim_html",
    "conflicts_html",
    "page",
    "plural",
    "single_source_html",
    "summary_html",
]

CORROBORATED, SINGLE_SOURCE, CONFLICT, NOTE = "corroborated", "single-source", "conflict", "note"
STATUSES: Final = (CONFLICT, CORROBORATED, SINGLE_SOURCE)
MAX_MATRIX_DOCUMENTS: Final = 40  # wider coverage tables stop being readable on a screen
HEADER: Final = 24  # characters of an outlet's name atop a coverage column (all on hover)
SNIPPET: Final = 90  # characters of a claim's text in the coverage table


class Html(str):
    """Markup that Jupyter shows rendered (``_repr_html_``) and ``print`` shows as source."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Mark:
    """A stretch of a sentence to highlight: a value read, or a value in conflict."""

    start: int
    end: int
    css: str  # "value", "conflict" or "note"
    title: str  # the tooltip: what was read, or why it clashes


def esc(text: object) -> str:
    """Text made safe for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def highlight(text: str, marks: Iterable[Mark]) -> str:
    """``text`` escaped, with each mark wrapped in ``<mark>``; overlaps keep the first.

    >>> highlight("Aid of <$50B> pledged", [Mark(8, 12, "value", "money 5e10")])
    'Aid of &lt;<mark class="value" title="money 5e10">$50B</mark>&gt; pledged'
    """
    out, at = [], 0
    for m in sorted(marks, key=lambda m: (m.start, -m.end)):
        if m.start < at or m.end <= m.start:
            continue
        out.append(esc(text[at : m.start]))
        out.append(
            f'<mark class="{m.css}" title="{esc(m.title)}">{esc(text[m.start : m.end])}</mark>'
        )
        at = m.end
    out.append(esc(text[at:]))
    return "".join(out)


def abbreviate(name: str, most: int = HEADER) -> str:
    """``name`` cut to ``most`` characters at a word where it can be, marked with "…".

    >>> abbreviate("Reuters"), abbreviate("The Nairobi Daily Nation (articles-2)", 24)
    ('Reuters', 'The Nairobi Daily Nation…')
    """
    if len(name) <= most:
        return name
    cut = name[: most + 1]  # a space just past the end makes the last word whole
    kept = cut.rsplit(" ", 1)[0] if " " in cut[most // 2 :] else cut[:most]
    return kept.rstrip(" ,;(") + "…"


def outlet(report: Report, doc_id: str, text: str | None = None) -> str:
    """A document named for a reader, its doc id on hover, a link to its url if it has one.

    The name is ``text`` or else Report.outlets'. Only an http or https url becomes a link:
    nothing else (a ``javascript:`` url) may run from a report.
    """
    name = esc(report.outlets.get(doc_id, doc_id) if text is None else text)
    tip = f' title="{esc(doc_id)}"'
    url = report.urls.get(doc_id, "")
    if web_address(url):
        return f'<a href="{esc(url.strip())}"{tip} rel="noopener noreferrer">{name}</a>'
    return f"<span{tip}>{name}</span>"


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as plain dicts, column name to cell."""
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def plural(n: int, word: str, many: str | None = None) -> str:
    """A count and its noun: "1 source", "2 sources" ("1 story", "2 stories" with ``many``)."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def slot_marks(report: Report) -> dict[str, list[Mark]]:
    """Each sentence's values as marks, conflicting ones marked as such, by sentence id."""
    marks: dict[str, list[Mark]] = defaultdict(list)
    for sid, mark in clash_marks(report):  # first, so they win over the plain value marks
        marks[sid].append(mark)
    for s in rows(report.slots):
        hedge = "" if s["hedge"] == "exact" else f" ({s['hedge']})"
        what = f" of {s['about']}" if s["about"] else ""
        unit = f" {s['unit']}" if s["unit"] else ""
        title = f"{s['kind']}{what}: {s['value']}{unit}{hedge}"
        marks[str(s["sentence_id"])].append(Mark(int(s["start"]), int(s["end"]), "value", title))
    return marks


def clash_marks(report: Report) -> list[tuple[str, Mark]]:
    """Both values of every conflict and note, as marks on their sentences."""
    located = locate(report.sentences)
    out = []
    for c in rows(report.conflicts):
        for side in "ab":
            start, end = int(c[f"start_{side}"]), int(c[f"end_{side}"])
            sid, offset = located(str(c[f"doc_{side}"]), start)
            mark = Mark(start - offset, end - offset, str(c["severity"]), str(c["explanation"]))
            out.append((sid, mark))
    return out


def locate(sentences: pd.DataFrame) -> Locator:
    """A function from (document, offset in it) to (sentence id, the sentence's start)."""
    by_doc: dict[str, tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))
    for r in rows(sentences.sort_values(["doc_id", "start"], kind="stable")):
        starts, ids = by_doc[str(r["doc_id"])]
        starts.append(int(r["start"]))
        ids.append(str(r["sentence_id"]))
    return Locator(dict(by_doc))


@dataclass(frozen=True)
class Locator:
    """Finds the sentence holding a document offset (see ``locate``)."""

    by_doc: Mapping[str, tuple[list[int], list[str]]]

    def __call__(self, doc: str, offset: int) -> tuple[str, int]:
        """The id and start of the sentence of ``doc`` that holds ``offset``."""
        starts, ids = self.by_doc[doc]
        i = bisect.bisect_right(starts, offset) - 1
        return ids[i], starts[i]


def badge(status: str) -> str:
    """A status as a coloured label that also reads without colour."""
    return f'<span class="badge {esc(status)}">{esc(status)}</span>'


ALSO: Final = (
    '<span class="also" title="clustered into another claim that it also states">also</span> '
)


def claim_html(
    report: Report,
    claim_id: str,
    marks: Mapping[str, list[Mark]] | None = None,
    context: Mapping[str, tuple[str, str]] | None = None,
) -> Html:
    """One claim: its status and values, then its sentences side by side, one column a source.

    A sentence clustered into another claim that also states this one is marked "also". A
    sentence in ``context`` (sentence id to the sentences before and after it in its
    document) is shown between them.
    """
    marks = marks if marks is not None else slot_marks(report)
    context = context or {}
    claim = report._claim_records[claim_id]
    by_doc: dict[str, list[str]] = defaultdict(list)
    for r in report._stated_by(claim_id):
        css = "sentence attached" if r["attached"] else "sentence"
        said = highlight(str(r["text"]), marks.get(str(r["sentence_id"]), []))
        if str(r["sentence_id"]) in context:
            before, after = context[str(r["sentence_id"])]
            css += " context"
            said = f'{esc(before)} <span class="said">{said}</span> {esc(after)}'.strip()
        by_doc[str(r["doc_id"])].append(
            f'<p class="{css}">{ALSO if r["attached"] else ""}{said}</p>'
        )
    columns = "".join(
        f'<div class="source"><h4>{outlet(report, doc)}</h4>{"".join(items)}</div>'
        for doc, items in sorted(by_doc.items())
    )
    status, cid = str(claim["status"]), esc(claim_id)
    values = values_line(report, claim_id)
    n, independent = int(claim["n_sources"]), int(claim["n_independent"])
    # Copies of one article count once: "3 sources, 2 independent".
    counts = (
        f"{plural(n, 'source')}, "
        + (f"{independent} independent, " if independent < n else "")
        + plural(int(claim["n_sentences"]), "sentence")
    )
    return Html(
        f'<section class="claim {esc(status)}" id="{cid}"><h3><a href="#{cid}">{cid}</a> '
        f'{badge(status)} <span class="count">{counts}</span></h3>{values}'
        f'<div class="sources">{columns}</div></section>'
    )


def values_line(report: Report, claim_id: str) -> str:
    """The claim's values as written, each with the documents that state it.

    Distinct values (kind and normalised value) in order of first appearance; the tooltip
    gives the normalised form that was compared.
    """
    by_sentence, stated = report._values_by_sentence, report._stated_by(claim_id)
    seen: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for x in (x for r in stated for x in by_sentence.get(r["sentence_id"], [])):
        docs = seen.setdefault((str(x["kind"]), str(x["value"])), (str(x["text"]), []))[1]
        if x["doc_id"] not in docs:
            docs.append(str(x["doc_id"]))
    items = [
        f'<span title="{esc(kind)}: {esc(value)}">“{esc(text)}”</span> '
        + ", ".join(esc(report.outlets.get(d, d)) for d in docs)
        for (kind, value), (text, docs) in seen.items()
    ]
    return f'<p class="values">{" · ".join(items)}</p>' if items else ""


def conflicts_html(report: Report, marks: Mapping[str, list[Mark]] | None = None) -> Html:
    """Every conflict, then every note: the two sentences side by side, values highlighted."""
    if report.conflicts.empty:
        return Html('<p class="empty">No two sources state values that disagree.</p>')
    marks = marks if marks is not None else slot_marks(report)
    located = locate(report.sentences)
    text = dict(zip(report.sentences.sentence_id, report.sentences.text, strict=True))
    published = dict(zip(report.documents.doc_id, report.documents.published, strict=True))
    cards = []
    hard_first = report.conflicts.sort_values(
        "severity", key=lambda s: s != CONFLICT, kind="stable"
    )
    for c in rows(hard_first):
        sides = []
        for side in "ab":
            doc = str(c[f"doc_{side}"])
            date = published.get(doc, "")
            dated = f' <span class="date">published {esc(date)}</span>' if date else ""
            sid, _ = located(doc, int(c[f"start_{side}"]))
            said = highlight(str(text[sid]), marks.get(sid, []))
            sides.append(
                f'<div class="source"><h4>{outlet(report, doc)}{dated}</h4>'
                f'<p class="sentence">{said}</p></div>'
            )
        severity, cid = str(c["severity"]), esc(c["claim_id"])
        cards.append(
            f'<div class="pair {esc(severity)}"><h3>{badge(severity)} {esc(c["kind"])} in '
            f'<a href="#{cid}">{cid}</a></h3><p class="why">{esc(c["explanation"])}</p>'
            f'<div class="sources">{"".join(sides)}</div></div>'
        )
    return Html("".join(cards))


def single_source_html(report: Report, marks: Mapping[str, list[Mark]] | None = None) -> Html:
    """Each single-source claim, its sentence between the sentences before and after it."""
    table = report.single_source()
    if table.empty:
        return Html('<p class="empty">Every claim has two or more sources.</p>')
    marks = marks if marks is not None else slot_marks(report)
    context = {str(r["sentence_id"]): (str(r["before"]), str(r["after"])) for r in rows(table)}
    return Html(
        "".join(claim_html(report, str(r["claim_id"]), marks, context) for r in rows(table))
    )


def claims_html(report: Report, status: str, marks: Mapping[str, list[Mark]]) -> str:
    """The cards of every claim with ``status``, in the claims table's order."""
    chosen = report.claims.claim_id[report.claims.status == status]
    return "".join(claim_html(report, str(c), marks) for c in chosen)


def folded(summary: str, content: str) -> str:
    """``content`` closed under a line that opens it (``<details>``: no script needed)."""
    return f'<details class="folded"><summary>{esc(summary)}</summary>{content}</details>'


def counts_html(report: Report) -> str:
    """The headline counts as one short table."""
    s = report.summary()
    cells = [
        ("documents", s["documents"]),
        ("independent sources", s["independent"]),
        ("sentences kept", s["sentences"]),
        ("spans dropped", s["dropped"]),
        ("claims", s["claims"]),
        (CORROBORATED, s[CORROBORATED]),
        (SINGLE_SOURCE, s[SINGLE_SOURCE]),
        ("claims in conflict", s[CONFLICT]),
        ("values read", s["slots"]),
        ("conflicts", s["conflicts"]),
        ("notes", s["notes"]),
        ("updates", s["updates"]),
    ]
    head = "".join(f"<th>{esc(k)}</th>" for k, _ in cells)
    values = "".join(f"<td>{v:,}</td>" for _, v in cells)
    return f'<table class="counts"><tr>{head}</tr><tr>{values}</tr></table>'


def summary_html(report: Report, top: int = 5) -> Html:
    """A notebook's view of a Report: counts, the first conflicts and single-source claims."""
    hard = report.conflicts[report.conflicts.severity == CONFLICT]
    conflict_items = "".join(
        f"<li>{esc(c['claim_id'])} ({esc(c['kind'])}): {esc(c['explanation'])}</li>"
        for c in rows(hard.head(top))
    )
    single = report.claims[report.claims.status == SINGLE_SOURCE]
    single_items = "".join(
        f'<li>{esc(c["claim_id"])} <span class="doc">{outlet(report, c["doc_id"])}</span>: '
        f"{esc(c['text'])}</li>"
        for c in rows(single.head(top))
    )
    none = '<p class="empty">none</p>'
    return Html(
        f'<div class="consistency-report"><style>{CSS}</style>{counts_html(report)}'
        f"<h4>Conflicts (first {min(top, len(hard))} of {len(hard)})</h4>"
        + (f"<ol>{conflict_items}</ol>" if conflict_items else none)
        + f"<h4>Single-source claims (first {min(top, len(single))} of {len(single)})</h4>"
        + (f"<ol>{single_items}</ol>" if single_items else none)
        + "</div>"
    )


def documents_html(report: Report) -> str:
    """One row a document: where it came from, its date, what was kept and how it fares."""
    agreement = {str(a["doc_id"]): a for a in rows(report.agreement())}
    copied = set(report.documents.family[report.documents.family != report.documents.doc_id])
    lines = []
    for d in rows(report.documents):
        a = agreement.get(str(d["doc_id"]))
        claims = "" if a is None else str(a["claims"])
        share = "" if a is None or not a["claims"] else f"{a['corroborated_share']:.0%}"
        conflicts = "" if a is None else str(a["conflicts"])
        dup = f" (duplicate of {esc(d['duplicate_of'])})" if d["duplicate_of"] else ""
        family = str(d["family"])
        copy = (
            f'<a href="#family-{esc(family)}">copy in {esc(family)}’s family</a>'
            if family != d["doc_id"] or family in copied
            else ""
        )
        lines.append(
            f"<tr><td>{esc(d['doc_id'])}{dup}</td><td>{esc(d['story'])}</td><td>{copy}</td>"
            f"<td>{outlet(report, str(d['doc_id']), None if d['source'] else str(d['title']))}</td>"
            f"<td>{esc(d['published'])}</td><td>{d['n_sentences']}</td><td>{d['n_dropped']}</td>"
            f"<td>{claims}</td><td>{share}</td><td>{conflicts}</td></tr>"
        )
    return (
        '<div class="wide"><table class="grid"><tr><th>document</th><th>story</th>'
        '<th title="documents that are copies of one article count as one source">family</th>'
        "<th>outlet or title</th>"
        "<th>published</th>"
        "<th>sentences kept</th><th>spans dropped</th><th>claims</th>"
        '<th title="share of its claims another source also states">corroborated</th>'
        "<th>conflicts</th></tr>" + "".join(lines) + "</table></div>"
    )


CHANGES: Final = (("changed", "changed"), ("added", "added by the copy"),
                  ("dropped", "left out by the copy"))  # fmt: skip


def families_html(report: Report) -> str:
    """Each family of copies: its members, then what each copy changed in what it copies.

    The sentences two members share word for word are counted, not shown; a changed
    sentence is shown in both versions.
    """
    docs = report.documents
    copied = docs[docs.family != docs.doc_id]
    if copied.empty:
        return '<p class="empty">No document is a copy of another: every source counts.</p>'
    table = report.families
    cards = []
    for family in sorted(set(copied.family)):
        members = docs.doc_id[docs.family == family].tolist()
        parts = []
        for doc in [m for m in members if m != family]:
            mine = rows(table[table.doc_id == doc])
            if not mine:  # a duplicate: not read, nothing to compare
                dup = esc(docs.set_index("doc_id").duplicate_of[doc])
                parts.append(f"<h4>{esc(doc)}: the same text as {dup}</h4>")
                continue
            base, rule = esc(mine[0]["compared_with"]), esc(mine[0]["rule"])
            count = {c: sum(r["change"] == c for r in mine) for c in ("same", *dict(CHANGES))}
            head = (
                f"<h4>{esc(doc)} against {base} ({rule}): {count['same']} the same, "
                f"{count['changed']} changed, {count['added']} added, "
                f"{count['dropped']} left out</h4>"
            )
            items = []
            for change, label in CHANGES:
                for r in (r for r in mine if r["change"] == change):
                    if change == "changed":
                        said = (f'<p class="sentence">{esc(r["text"])}</p><p class="was">was: '
                                f"{esc(r['compared_text'])}</p>")  # fmt: skip
                    else:
                        said = f'<p class="sentence">{esc(r["text"] or r["compared_text"])}</p>'
                    items.append(f'<li><span class="change">{esc(label)}</span>{said}</li>')
            parts.append(head + f'<ul class="changes">{"".join(items)}</ul>')
        fid = esc(family)
        cards.append(
            f'<div class="family" id="family-{fid}"><h3>{esc(family)}’s family: '
            f"{plural(len(members), 'document')}, one independent source</h3>"
            f'<p class="members">{esc(", ".join(members))}</p>{"".join(parts)}</div>'
        )
    return "".join(cards)


def coverage_html(report: Report) -> str:
    """Claims (rows, most-sourced first) by documents (columns): who states what."""
    matrix = report.coverage()
    if matrix.shape[1] > MAX_MATRIX_DOCUMENTS:
        return (
            f'<p class="empty">{matrix.shape[1]} documents are too many columns to show; '
            "Report.coverage() gives the table.</p>"
        )
    docs = [str(d) for d in matrix.columns]
    names = {d: report.outlets.get(d, d) for d in docs}
    full = {d: names[d] if d in names[d] else f"{names[d]} ({d})" for d in docs}
    short = {d: abbreviate(names[d]) for d in docs}
    if len(set(short.values())) < len(docs):  # cut alike ("Reuters (doc-1)"): whole names
        short = names
    head = "".join(f'<th class="doc" title="{esc(full[d])}">{esc(short[d])}</th>' for d in docs)
    lines = []
    for c, counts in zip(rows(report.claims), matrix.to_numpy().tolist(), strict=True):
        cid, status, text = esc(c["claim_id"]), str(c["status"]), str(c["text"])
        snippet = text if len(text) <= SNIPPET else text[: SNIPPET - 1].rstrip() + "…"
        cells = "".join(
            f'<td class="{esc(status)}" title="{esc(names[d])}: {plural(n, "sentence")}">●</td>'
            if n
            else "<td></td>"
            for d, n in zip(docs, counts, strict=True)
        )
        lines.append(
            f'<tr><th><a href="#{cid}">{cid}</a></th><td>{badge(status)}</td>'
            f'{cells}<td class="text" title="{esc(text)}">{esc(snippet)}</td></tr>'
        )
    head_row = f"<tr><th>claim</th><th>status</th>{head}<th>text</th></tr>"
    return f'<div class="wide"><table class="coverage">{head_row}{"".join(lines)}</table></div>'


def page(report: Report, title: str = "Claim consistency report") -> str:
    """The whole report as one self-contained HTML page."""
    marks = slot_marks(report)
    s = report.summary()
    warnings = "".join(f"<li>{esc(w)}</li>" for w in report.warnings)
    # What a reader has to act on comes first: values that disagree, then what only one
    # source says; the claims that sources agree on are folded away below them.
    conflicts: str = conflicts_html(report, marks)
    if s[CONFLICT]:  # folded too: with two sources, the card repeats the pair above it
        them = "it" if s[CONFLICT] == 1 else "them"
        conflicts += folded(
            f"Show the {plural(s[CONFLICT], 'claim')} in conflict with every source that "
            f"states {them}",
            claims_html(report, CONFLICT, marks),
        )
    agreed = (
        folded(
            f"Show the {plural(s[CORROBORATED], 'claim')} that two or more sources state "
            "without a conflict",
            claims_html(report, CORROBORATED, marks),
        )
        if s[CORROBORATED]
        else '<p class="empty">No claim is stated by two or more sources without a conflict.</p>'
    )
    sections: list[tuple[str, str, str]] = [
        ("conflicts", f"Conflicts ({s['conflicts']}) and notes ({s['notes']})", conflicts),
        ("single-source", f"Single-source claims ({s[SINGLE_SOURCE]})",
         single_source_html(report, marks)),
        ("corroborated", f"Corroborated claims ({s[CORROBORATED]})", agreed),
        ("documents", "Documents", documents_html(report)),
        ("copies", f"Copies: {s['sources']} outlets, {s['independent']} independent",
         families_html(report)),
        ("coverage", "Who states what", coverage_html(report)),
    ]  # fmt: skip
    nav = " · ".join(f'<a href="#{key}">{esc(name)}</a>' for key, name, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{esc(name)}</h2>{content}</section>'
        for key, name, content in sections
    )
    legend = (
        '<p class="legend">Values read are <mark class="value">marked</mark>; a value in '
        'conflict is <mark class="conflict">marked</mark>, one a person should look at '
        '<mark class="note">marked</mark>. Hover over a mark for what was read.</p>'
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{esc(title)}</h1>{counts_html(report)}"
        + (f'<ul class="warnings">{warnings}</ul>' if warnings else "")
        + f"<nav>{nav}</nav>{legend}</header><main>{body}</main></body></html>\n"
    )


CSS: Final = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;
 margin:0 auto;max-width:80rem;padding:0 1.5rem 4rem}
h1{font-size:1.6rem;margin:1.2rem 0 .6rem}h2{border-bottom:2px solid #ddd;margin-top:2.5rem}
h3{font-size:1.05rem;margin:.2rem 0 .4rem}h4{font-size:.85rem;margin:0 0 .3rem;color:#555;
 word-break:break-all}
nav{margin:.6rem 0;font-weight:600}a{color:#0b57d0;text-decoration:none}
a:hover{text-decoration:underline}
table{border-collapse:collapse;font-size:.85rem}th,td{padding:.25rem .5rem;text-align:left;
 vertical-align:top}
table.counts th{font-weight:500;color:#555;border-bottom:1px solid #ccc}
table.counts td{font-size:1.2rem;font-weight:600}
table.grid th,table.grid td{border-bottom:1px solid #e3e3e3}
table.coverage td,table.coverage th{border-bottom:1px solid #f0f0f0;white-space:nowrap}
table.coverage th.doc{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:500;
 font-family:ui-monospace,monospace}
table.coverage td.corroborated,table.coverage td.single-source,table.coverage td.conflict{
 text-align:center}
table.coverage td.corroborated{color:#1b7a36}table.coverage td.single-source{color:#b35c00}
table.coverage td.conflict{color:#c5221f}
table.coverage td.text{white-space:normal;color:#444;min-width:20rem}
.badge{display:inline-block;font-size:.72rem;font-weight:600;padding:.05rem .45rem;
 border-radius:.7rem;border:1px solid;white-space:nowrap;vertical-align:middle}
.badge.corroborated{color:#1b7a36;background:#e7f4ea}
.badge.single-source{color:#8a4700;background:#fff1dc}
.badge.conflict{color:#fff;background:#c5221f;border-color:#c5221f}
.badge.note{color:#6b5000;background:#fff7cc}
.count,.doc{color:#666;font-size:.85rem}.doc{font-family:ui-monospace,monospace}
.values{font-size:.8rem;color:#555;margin:.1rem 0 .4rem}
.sources{display:grid;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));gap:.6rem}
.source{background:#fafafa;border:1px solid #e6e6e6;border-radius:.4rem;padding:.5rem .7rem}
.sentence{margin:.2rem 0 .5rem}.sentence.attached{color:#555}
.also{font-size:.7rem;color:#666;border:1px solid #bbb;border-radius:.3rem;padding:0 .25rem}
section.claim{margin:1.1rem 0;padding:.6rem .8rem;border-left:4px solid #1b7a36;background:#fff}
section.claim.single-source{border-left-color:#e38a00}
section.claim.conflict{border-left-color:#c5221f;background:#fff8f7}
.pair{margin:1rem 0;padding:.6rem .8rem;border-left:4px solid #c5221f;background:#fff8f7}
.pair.note{border-left-color:#d4a800;background:#fffdf0}.why{margin:.2rem 0 .5rem}
mark{border-radius:.2rem;padding:0 .1rem;-webkit-box-decoration-break:clone;
 box-decoration-break:clone}.date{font-weight:400;color:#777}
.wide{overflow-x:auto}mark.value{background:#dbe9ff}
mark.conflict{background:#c5221f;color:#fff;font-weight:600}
mark.note{background:#ffe27a;outline:1px dashed #a07c00}
.context{color:#777}.said{color:#1d1d1f;background:#fff1dc}
details.folded>summary{cursor:pointer;font-weight:600;color:#0b57d0;padding:.4rem 0}
.empty{color:#666;font-style:italic}.legend{font-size:.85rem;color:#444}
.warnings{color:#8a4700}
.family{margin:1rem 0;padding:.6rem .8rem;border-left:4px solid #6b6b6b;background:#fafafa}
.members{font-family:ui-monospace,monospace;font-size:.85rem;color:#555}
ul.changes{list-style:none;padding-left:0}.change{font-size:.72rem;font-weight:600;color:#555}
.was{margin:0 0 .4rem;color:#777;text-decoration:line-through}
.consistency-report table.counts{margin-bottom:.5rem}
"""
