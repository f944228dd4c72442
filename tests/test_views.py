"""The Report's views for a notebook and the HTML page: coverage, agreement, claim map, markup."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from consistency import check, embed, render
from consistency.errors import InputError
from consistency.report import Report

from .conftest import DATA, SEEDS

TAG = re.compile(r"<[^>]*>")


def visible(markup: str) -> str:
    """The text a browser shows for ``markup`` (tags dropped, entities decoded)."""
    return html.unescape(TAG.sub("", markup))


def stated(report: Report) -> pd.DataFrame:
    """(claim_id, doc_id) for every sentence and every further claim it states."""
    s = report.sentences
    also = s.assign(claim_id=s.other_claims.str.split(";")).explode("claim_id")
    both = pd.concat([s[["claim_id", "doc_id"]], also[["claim_id", "doc_id"]]])
    return both[both.claim_id.fillna("") != ""]


# --- views on the seeds -------------------------------------------------------------------------


def test_coverage_is_the_claims_table_as_a_matrix(seed_report: Report) -> None:
    matrix = seed_report.coverage()
    assert list(matrix.index) == list(seed_report.claims.claim_id)  # most-sourced first
    assert list(matrix.columns) == list(seed_report.documents.doc_id)
    for claim in seed_report.claims.itertuples():
        row = matrix.loc[claim.claim_id]
        assert set(row.index[row > 0]) == set(claim.sources.split(";"))
    assert matrix.to_numpy().sum() == len(stated(seed_report))
    single = seed_report.claims.status == "single-source"
    assert ((matrix > 0).sum(axis=1)[single.to_numpy()] == 1).all()


def test_agreement_counts_each_documents_claims(seed_report: Report) -> None:
    claims = seed_report.claims
    table = seed_report.agreement()
    assert list(table.doc_id) == list(seed_report.documents.doc_id)
    for row in table.itertuples():
        own = claims[claims.sources.str.split(";").map(lambda ids, d=row.doc_id: d in ids)]
        assert row.claims == len(own)
        assert row.corroborated == (own.n_sources > 1).sum()
        assert row.single_source == (own.n_sources == 1).sum()
        assert row.corroborated_share == pytest.approx(row.corroborated / row.claims)
        assert row.conflicts == 0  # the seeds agree on every value


def test_single_source_claims_come_with_their_context(
    seed_report: Report, seed_texts: dict[str, str]
) -> None:
    table = seed_report.single_source()
    assert len(table) == (seed_report.claims.status == "single-source").sum()
    for row in table.itertuples():
        text = seed_texts[row.doc_id]
        at = text.index(row.text)
        assert not row.before or text.rindex(row.before, 0, at) < at
        assert not row.after or text.index(row.after, at) > at
    # The client's example: the humanitarian-aid commitment is one outlet's alone.
    aid = table[table.text.str.contains("humanitarian aid")]
    assert list(aid.doc_id) == ["004_99aaa114161582c3"]


def test_vectors_are_in_the_order_of_the_sentences_table(seed_report: Report) -> None:
    rows = [0, len(seed_report.sentences) // 2, len(seed_report.sentences) - 1]
    again = embed.embed(list(seed_report.sentences.text.iloc[rows]), embed.Manifest.load())
    cosines = (again * seed_report.vectors[rows]).sum(axis=1)
    assert cosines == pytest.approx(1.0, abs=1e-4)


def test_claim_map_puts_a_claims_sentences_near_each_other(seed_report: Report) -> None:
    points = seed_report.claim_map()
    assert list(points.sentence_id) == list(seed_report.sentences.sentence_id)
    assert np.isfinite(points[["x", "y"]].to_numpy()).all()
    xy, label = points[["x", "y"]].to_numpy(), points.claim_id.to_numpy()
    far = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
    same = label[:, None] == label[None]
    np.fill_diagonal(same, False)
    other = label[:, None] != label[None]
    assert far[same].mean() < 0.6 * far[other].mean()
    pd.testing.assert_frame_equal(points, seed_report.claim_map())  # the same map every time


def test_a_claim_shows_its_sources_side_by_side_with_values_marked(seed_report: Report) -> None:
    valued = set(seed_report.slots.sentence_id)
    claim = next(
        c for c in seed_report.claims.itertuples()
        if c.n_sources > 1 and valued & set(seed_report.claim_sentences(c.claim_id).sentence_id)
    )  # fmt: skip
    markup = seed_report.claim(claim.claim_id)._repr_html_()
    sentences = seed_report.claim_sentences(claim.claim_id)
    assert markup.count('<div class="source">') == claim.n_sources == sentences.doc_id.nunique()
    shown = visible(markup)
    assert all(text in shown for text in sentences.text)
    values = seed_report.slots[seed_report.slots.sentence_id.isin(sentences.sentence_id)]
    assert markup.count('<mark class="value"') == len(values) > 0


def test_an_unknown_claim_names_the_known_ones(seed_report: Report) -> None:
    with pytest.raises(KeyError, match="c001"):
        seed_report.claim("c999")


def test_the_notebook_summary_has_the_counts_and_first_single_source_claims(
    seed_report: Report,
) -> None:
    markup = seed_report._repr_html_()
    heads = [visible(h) for h in re.findall(r"<th>(.*?)</th>", markup)]
    values = [int(visible(v).replace(",", "")) for v in re.findall(r"<td>(.*?)</td>", markup)]
    counts = dict(zip(heads, values, strict=True))
    status = seed_report.claims.status.value_counts()
    assert counts["claims"] == len(seed_report.claims)
    assert counts["corroborated"] == status["corroborated"]
    assert counts["single-source"] == status["single-source"]
    assert counts["conflicts"] == 0
    first = seed_report.claims[seed_report.claims.status == "single-source"].iloc[0]
    assert first.text in visible(markup)


# --- the HTML page on a story with a changed figure and markup in an article --------------------

MARKUP = (
    'Officials said <script>alert("pact")</script> the text of the pact would be published.\n\n'
    "Critics called the <b>treaty</b> a risk to the region & its neighbours.\n"
)


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    folder = tmp_path_factory.mktemp("changed") / "story"
    shutil.copytree(SEEDS, folder)
    wire = (DATA / "outlets" / "005_wire.txt").read_text(encoding="utf-8")
    (folder / "005_wire.txt").write_text(wire.replace("$50 billion", "$35 billion"), "utf-8")
    (folder / "007_markup.txt").write_text(MARKUP, encoding="utf-8")
    report = check(folder)
    return report, report.to_html(folder.parent / "report.html")


def test_the_page_is_self_contained(changed: tuple[Report, Path]) -> None:
    page = changed[1].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for outside in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert outside not in page
    assert re.findall(r'href="([^"]*)"', page)
    assert all(target.startswith("#") for target in re.findall(r'(?:href|src)="([^"]*)"', page))


def test_article_markup_is_shown_as_text(changed: tuple[Report, Path]) -> None:
    page = changed[1].read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;pact&quot;)&lt;/script&gt;" in page
    assert "<b>treaty</b>" not in page and "&lt;b&gt;treaty&lt;/b&gt;" in page


def test_every_kept_sentence_and_every_claim_is_on_the_page(changed: tuple[Report, Path]) -> None:
    report, path = changed
    page = path.read_text(encoding="utf-8")
    shown = visible(page)
    assert all(text in shown for text in report.sentences.text)
    assert page.count('<section class="claim ') == len(report.claims)
    single = (report.claims.status == "single-source").sum()
    assert page.count('<section class="claim single-source"') == single > 0


def test_the_conflict_is_highlighted_on_both_sides(changed: tuple[Report, Path]) -> None:
    report, path = changed
    page = path.read_text(encoding="utf-8")
    [row] = report.conflicts[report.conflicts.severity == "conflict"].itertuples()
    assert {row.doc_a, row.doc_b} == {"000_4d7f4bafa4ab37f4", "005_wire"}
    marked = re.findall(r'<mark class="conflict" title="([^"]*)">([^<]*)</mark>', page)
    assert {text for _, text in marked} == {"$50 billion", "$35 billion"}
    assert all(html.unescape(title) == row.explanation for title, _ in marked)
    assert f'<section class="claim conflict" id="{row.claim_id}">' in page


def sections(page: str) -> dict[str, str]:
    """The page's top-level sections' markup by id, in the order they appear."""
    starts = [(m.start(), m.group(1)) for m in re.finditer(r'<section id="([^"]+)">', page)]
    ends = [at for at, _ in starts[1:]] + [page.index("</main>")]
    return {key: page[at:end] for (at, key), end in zip(starts, ends, strict=True)}


def cards(markup: str, status: str) -> list[str]:
    """The ids of the claim cards of ``status`` in ``markup``."""
    return re.findall(rf'<section class="claim {status}" id="([^"]+)">', markup)


def test_the_page_shows_conflicts_then_single_source_then_folds_the_rest(
    changed: tuple[Report, Path],
) -> None:
    report, path = changed
    page = path.read_text(encoding="utf-8")
    parts = sections(page)
    assert list(parts)[:3] == ["conflicts", "single-source", "corroborated"]
    by_status = report.claims.groupby("status").claim_id.apply(list).to_dict()
    assert cards(parts["conflicts"], "conflict") == by_status["conflict"] != []
    pairs_then_cards = parts["conflicts"].split('<details class="folded">')
    assert len(pairs_then_cards) == 2 and '<div class="pair' in pairs_then_cards[0]
    assert cards(parts["single-source"], "single-source") == by_status["single-source"]
    folded = parts["corroborated"]
    assert folded.count("<details") == 1 and "<details open" not in folded
    inside = folded[folded.index("<details") : folded.index("</details>")]
    assert cards(inside, "corroborated") == by_status["corroborated"]
    every = re.findall(r'<section class="claim [^"]+" id="([^"]+)">', page)
    assert sorted(every) == sorted(report.claims.claim_id)  # each claim once
    assert "<script" not in page


def test_a_single_source_claim_is_shown_in_its_context(changed: tuple[Report, Path]) -> None:
    report, path = changed
    single = sections(path.read_text(encoding="utf-8"))["single-source"]
    table = report.single_source()
    cut = [m.start() for m in re.finditer(r'<section class="claim ', single)] + [len(single)]
    for row, at, end in zip(table.itertuples(), cut, cut[1:], strict=False):
        card = single[at:end]
        assert f'id="{row.claim_id}"' in card and row.doc_id in visible(card)
        assert " ".join(t for t in (row.before, row.text, row.after) if t) in visible(card)
    assert len(cut) - 1 == len(table) > 0
    assert (table.before != "").any() and (table.after != "").any()


def test_the_page_never_replaces_an_input(changed: tuple[Report, Path], tmp_path: Path) -> None:
    article = tmp_path / "article.html"
    article.write_text("<p>Putin visited.</p>", encoding="utf-8")
    with pytest.raises(InputError, match=r"article\.html"):
        changed[0].to_html(article, protect=[article])
    assert article.read_text(encoding="utf-8") == "<p>Putin visited.</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["article.html"]


# --- the markup helpers -------------------------------------------------------------------------


@given(
    st.text(max_size=80),
    st.lists(st.tuples(st.integers(0, 90), st.integers(0, 90), st.text(max_size=8)), max_size=6),
)
def test_highlighting_never_changes_the_text(text: str, spans: list[tuple[int, int, str]]) -> None:
    marks = [render.Mark(min(a, b), max(a, b), "value", title) for a, b, title in spans]
    markup = render.highlight(text, marks)
    assert visible(markup) == text
    assert markup.count("<mark ") <= len(marks)


@given(st.text(min_size=1, max_size=60), st.integers(4, 30))
def test_an_abbreviated_name_is_its_start(name: str, most: int) -> None:
    short = render.abbreviate(name, most)
    assert short == name or (short.endswith("…") and name.startswith(short[:-1]))
    assert len(short) <= most + 1


def test_outlets_head_the_columns_and_their_pages_are_links(tmp_path: Path) -> None:
    """A table naming each article's outlet and address: the page names outlets, links the
    web addresses (escaped) and nothing else."""
    ferry = "Twenty-three people died when a ferry capsized on Lake Victoria on Tuesday."
    rows = [
        ("Coast Times", 'https://coast.example/ferry?id=1&s="news"', ferry),
        (
            "The Nairobi Daily Nation and Evening Standard",
            "javascript:alert(1)",
            ferry.replace("Twenty-three people", "At least 25 people"),
        ),
        ("", "", "President William Ruto declared two days of national mourning."),
    ]
    table = tmp_path / "articles.csv"
    pd.DataFrame(rows, columns=["source", "url", "text"]).to_csv(table, index=False)
    report = check([table])
    page = report.to_html(tmp_path / "report.html").read_text(encoding="utf-8")
    ids = list(report.documents.doc_id)
    heads = re.findall(r'<th class="doc" title="([^"]*)">([^<]*)</th>', page)
    assert heads == [
        (f"Coast Times ({ids[0]})", "Coast Times"),
        (f"The Nairobi Daily Nation and Evening Standard ({ids[1]})", "The Nairobi Daily Nation…"),
        (ids[2], ids[2]),
    ]
    link = f'<a href="https://coast.example/ferry?id=1&amp;s=&quot;news&quot;" title="{ids[0]}"'
    assert f"<h4>{link}" in page  # atop the outlet's column of each claim it states
    assert "javascript:" not in "".join(re.findall(r'href="([^"]*)"', page))
    assert f'<span title="{ids[1]}">The Nairobi Daily Nation and Evening Standard</span>' in page
    # The notebook's tables carry the names beside the ids.
    outlets = ["Coast Times", "The Nairobi Daily Nation and Evening Standard", ids[2]]
    assert list(report.agreement().outlet) == outlets
    single = report.single_source()
    assert dict(zip(single.doc_id, single.outlet, strict=True)) == {ids[2]: ids[2]}
