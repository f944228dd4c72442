"""The Python API: what check() takes besides paths, and how a Report shows itself."""

from __future__ import annotations

import html
import importlib
import re
from pathlib import Path

import pandas as pd
import pytest

import consistency
from consistency import ingest
from consistency.errors import InputError
from consistency.records import Document
from consistency.report import Report

from .conftest import SEEDS

TWO = ("000_4d7f4bafa4ab37f4.txt", "003_81d8d45a0979f314.txt")
TAG = re.compile(r"<[^>]*>")


def seed_frame() -> pd.DataFrame:
    """Two seed articles as a DataFrame with every column a table may have."""
    return pd.DataFrame(
        {
            "id": ["kcna", "reuters"],
            "text": [(SEEDS / name).read_text(encoding="utf-8") for name in TWO],
            "title": ["", "Putin in Pyongyang"],
            "source": ["KCNA", "Reuters"],
            "url": ["", "https://example.org/putin"],
            "published": ["2024-06-19", "June 19, 2024"],
        }
    )


def comparable(docs: list[Document]) -> list[tuple[object, ...]]:
    """Documents without where they were read from (a file, or memory)."""
    return [(d.doc_id, d.text, d.title, d.published, d.source, d.url) for d in docs]


@pytest.fixture(scope="module")
def frame_and_csv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Report]:
    frame = seed_frame()
    table = tmp_path_factory.mktemp("csv") / "articles.csv"
    frame.to_csv(table, index=False)
    return consistency.check(frame), consistency.check(table)


# --- inputs ---------------------------------------------------------------------------------


def test_a_dataframe_reads_as_the_same_table_in_a_csv(tmp_path: Path) -> None:
    frame = seed_frame()
    frame.to_csv(tmp_path / "articles.csv", index=False)
    from_csv = ingest.load([tmp_path / "articles.csv"]).documents
    from_frame = ingest.load(ingest.sources(frame)).documents
    assert comparable(from_frame) == comparable(from_csv)
    assert [d.path for d in from_frame] == ["<DataFrame>:1", "<DataFrame>:2"]
    assert from_frame[0].published == "2024-06-19" == from_frame[1].published


def test_the_report_of_a_dataframe_is_the_report_of_its_csv(
    frame_and_csv: tuple[Report, Report],
) -> None:
    frame, table = frame_and_csv
    for name in ("sentences", "claims", "slots", "conflicts", "dropped"):
        pd.testing.assert_frame_equal(getattr(frame, name), getattr(table, name))
    assert list(frame.documents.doc_id) == ["kcna", "reuters"]
    assert list(frame.documents.source) == ["KCNA", "Reuters"]


def test_rows_without_an_id_are_named_by_position_and_missing_cells_are_empty() -> None:
    frame = pd.DataFrame(
        {
            "text": ["Ferry sank off Crete on Tuesday.", "A ferry sank near Crete."],
            "source": ["AP", None],
            "published": [pd.Timestamp("2024-06-19"), pd.NaT],
        }
    )
    docs = ingest.load(ingest.sources(frame)).documents
    assert [d.doc_id for d in docs] == ["text-1", "text-2"]
    assert [d.source for d in docs] == ["AP", ""]  # not "None" or "nan"
    assert [d.published for d in docs] == ["2024-06-19", ""]


def test_texts_and_dicts_are_rows_too() -> None:
    texts = ["Ferry sank off Crete on Tuesday.", "A ferry sank near Crete, officials said."]
    from_texts = ingest.load(ingest.sources(texts=texts)).documents
    assert [(d.doc_id, d.text, d.path) for d in from_texts] == [
        ("text-1", texts[0], "<texts>:1"),
        ("text-2", texts[1], "<texts>:2"),
    ]
    records = [{"id": "ap", "text": texts[0], "source": "AP"}, {"text": texts[1]}]
    from_dicts = ingest.load(ingest.sources(records)).documents
    assert [(d.doc_id, d.source) for d in from_dicts] == [("ap", "AP"), ("text-2", "")]
    # Any iterable of dicts, such as a generator.
    again = ingest.load(ingest.sources(r for r in records)).documents
    assert comparable(again) == comparable(from_dicts)


def test_a_list_of_str_is_paths() -> None:
    names = [str(SEEDS / name) for name in TWO]
    docs = ingest.load(ingest.sources(names)).documents
    assert [d.path for d in docs] == names
    assert ingest.sources(str(SEEDS)) == [str(SEEDS)]
    assert ingest.sources(SEEDS) == [SEEDS]


def test_bad_rows_in_memory_behave_as_in_a_csv() -> None:
    frame = pd.DataFrame({"text": ["Ferry sank off Crete on Tuesday.", "  ", None]})
    with pytest.raises(InputError, match=r"<DataFrame>, row 2: the 'text' value is empty") as e:
        ingest.load(ingest.sources(frame))
    assert "skip_bad_rows=True" in str(e.value)
    got = ingest.load(ingest.sources(frame), skip_bad_rows=True)
    assert [d.doc_id for d in got.documents] == ["text-1"]
    assert [(d.doc_id, d.reason) for d in got.dropped] == [
        ("text:2", "bad row: the 'text' value is empty"),
        ("text:3", "bad row: the 'text' value is empty"),
    ]
    records = [{"text": "Ferry sank."}, {"body": "No text field."}, 7, {"text": 3.5}]
    got = ingest.load(ingest.sources(records), skip_bad_rows=True)
    assert [d.reason for d in got.dropped] == [
        "bad row: no 'text' field (fields: body)",
        "bad row: int is not a dict",
        "bad row: the 'text' value is not text but float",
    ]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["Ferry sank off Crete on Tuesday, officials said."], "check(texts=[...])"),
        ("A ferry sank.\nRescuers pulled 95 people from the water.", "reads as article text"),
        ({"text": "Ferry sank."}, "a dict is not an input"),
        (pd.Series(["Ferry sank."]), "check(texts=series)"),
        ([str(SEEDS), {"text": "Ferry sank."}], "mix paths and dicts"),
        ([SEEDS, 3], "input 2 is a int"),
        (b"Ferry sank.", "bytes are not an input"),
        ([], "no input"),
        (None, "no input"),
        (pd.DataFrame({"body": ["Ferry sank."]}), "no 'text' column (columns: 'body')"),
        (pd.DataFrame([["a", "b"]], columns=["text", "text"]), "column names repeat"),
        (pd.DataFrame({"text": []}), "<DataFrame>: the table has no rows"),
    ],
)
def test_inputs_that_cannot_be_read_say_what_to_pass(given: object, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        ingest.load(ingest.sources(given))  # type: ignore[arg-type]


def test_check_takes_texts() -> None:
    texts = [
        "A ferry carrying 120 passengers sank off Crete on Tuesday, officials said.",
        "A ferry with 130 passengers on board sank near Crete on Tuesday, the coast guard said.",
    ]
    report = consistency.check(texts=texts)
    assert list(report.documents.doc_id) == ["text-1", "text-2"]
    assert set(report.sentences.text) == set(texts)
    assert list(report.conflicts.kind) == ["count"]  # 120 against 130 passengers
    shown = str(report.show_conflicts())  # as a terminal shows it, both values marked
    assert shown.startswith("conflict: count in c001:")
    assert "«120»" in shown and "«130»" in shown


# --- how a report shows itself --------------------------------------------------------------


def test_repr_is_a_short_summary(seed_report: Report) -> None:
    shown = repr(seed_report)
    assert len(shown) < 300
    s = seed_report.summary()
    assert f"{s['documents']} documents" in shown
    assert f"{s['claims']} claims" in shown
    assert str(seed_report).startswith(shown.removeprefix("<Report\n").removesuffix(">"))
    assert "Single-source claims (first 5 of" in str(seed_report)


def test_a_notebook_shows_the_summary_as_html(seed_report: Report) -> None:
    markup = seed_report._repr_html_()
    assert markup.startswith('<div class="consistency-report">')
    assert '<table class="counts">' in markup


def test_views_are_text_at_a_prompt_and_html_in_a_notebook(seed_report: Report) -> None:
    claim_id = str(seed_report.claims.claim_id.iloc[0])
    for view in (
        seed_report.show_conflicts(),
        seed_report.show_single_source(),
        seed_report.claim(claim_id),
    ):
        assert "class=" not in repr(view)
        assert repr(view) == str(view)
        assert "class=" in view._repr_html_()
    claim = seed_report.claim(claim_id)
    # The same sentences in both, their values marked in each.
    for text in seed_report.claim_sentences(claim_id).text:
        assert text in html.unescape(TAG.sub("", claim._repr_html_()))
        assert text in str(claim).replace("«", "").replace("»", "")


# --- what is public -------------------------------------------------------------------------

MODULES = sorted(
    p.stem for p in Path(consistency.__file__).parent.glob("*.py") if p.stem != "__init__"
)


@pytest.mark.parametrize("name", MODULES)
def test_a_modules_all_names_what_it_defines(name: str) -> None:
    module = importlib.import_module(f"consistency.{name}")
    public = getattr(module, "__all__", None)
    assert public is not None, f"{name} has no __all__"
    assert public == sorted(set(public), key=public.index)  # each name once
    assert all(hasattr(module, n) for n in public)
    assert not [n for n in public if n.startswith("_")]


def test_the_reports_lookups_are_private(seed_report: Report) -> None:
    for name in ("stating", "stated_by", "claim_records", "sentence_records", "values_by_sentence"):
        assert not hasattr(seed_report, name)
