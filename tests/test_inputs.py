"""Real inputs and hard edges: tables, encodings, bad files, CSV safety, nothing lost."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import consistency
from consistency import clean, ingest, segment
from consistency.cli import app
from consistency.errors import InputError
from consistency.records import REPORT_MANIFEST

from .conftest import DATA, SEEDS

BAD = DATA / "bad"
INPUTS = DATA / "inputs"
runner = CliRunner()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "holds no text"),
        ("whitespace_only.txt", "holds no text"),
        ("photo_saved_as.txt", "a PNG image, not text"),
        ("article.pdf.txt", "a PDF document, not text"),
        ("not_text.txt", "not text in any encoding"),
        ("missing_text_column.csv", "no 'text' column (columns: 'id', 'body')"),
        ("malformed_line.jsonl", "line 3: not valid JSON"),
        ("duplicate_ids.csv", "doc id 'x1'"),
    ],
)
def test_bad_file_gets_a_clear_error_naming_it(name: str, message: str) -> None:
    path = BAD / name
    with pytest.raises(InputError) as info:
        ingest.load([path])
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_bad_file_exits_2_through_the_cli(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(BAD / "not_text.txt"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "not_text.txt" in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir()), "no half-written report"


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no article files"):
        ingest.load([tmp_path])


def test_50_mb_text_file_is_refused_by_the_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    line = b"Putin visited Pyongyang on Wednesday and signed a pact with Kim Jong Un.\n"
    with big.open("wb") as f:
        for _ in range(50 * 2**20 // len(line) + 1):
            f.write(line)
    with pytest.raises(InputError, match=r"over the 20 MB limit") as info:
        ingest.load([big])
    assert str(big) in str(info.value)


def test_skip_bad_rows_goes_on_and_lists_the_row() -> None:
    got = ingest.load([BAD / "malformed_line.jsonl"], skip_bad_rows=True)
    assert [d.doc_id for d in got.documents] == ["r1", "r2", "r4"]
    [row] = got.dropped
    assert row.doc_id == "malformed_line:3"
    assert row.reason.startswith("bad row: not valid JSON")
    assert "Unclosed quote" in row.text


def test_skipped_rows_reach_dropped_csv(tmp_path: Path) -> None:
    path = BAD / "malformed_line.jsonl"
    assert runner.invoke(app, ["check", str(path), "--out", str(tmp_path)]).exit_code == 2
    result = runner.invoke(app, ["check", str(path), "--skip-bad-rows", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    dropped = pd.read_csv(tmp_path / "dropped.csv")
    row = dropped[dropped.doc_id == "malformed_line:3"]
    assert row.reason.iloc[0].startswith("bad row: not valid JSON")
    documents = pd.read_csv(tmp_path / "documents.csv")
    assert list(documents.doc_id) == ["r1", "r2", "r4"]


def test_missing_text_column_can_be_named(tmp_path: Path) -> None:
    got = ingest.load([BAD / "missing_text_column.csv"], text_column="body")
    assert got.documents[0].text == "Putin visited Pyongyang on Wednesday."
    assert got.documents[0].doc_id == "a1"


@pytest.mark.parametrize(
    ("name", "encoding"),
    [("legacy_cp1252.txt", "cp1252"), ("utf16_bom.txt", "utf-16"), ("utf8_bom.txt", "utf-8-sig")],
)
def test_encodings_are_detected_and_reported(name: str, encoding: str) -> None:
    [doc] = ingest.load([INPUTS / name]).documents
    assert doc.encoding == encoding
    assert doc.text.startswith("Putin’s visit — “a breakthrough,” he said. The café")
    assert "\ufeff" not in doc.text


def test_tables_give_the_same_documents_as_the_files() -> None:
    files = {d.doc_id: d.text for d in ingest.load([SEEDS]).documents}
    for name in ("seeds.csv", "seeds.tsv", "seeds.jsonl"):
        docs = ingest.load([INPUTS / name]).documents
        assert {d.doc_id: d.text for d in docs} == files, name
        assert {d.source for d in docs} == {f"outlet {i}" for i in range(5)}
        assert {d.published for d in docs} == {"2024-06-19"}
        assert docs[0].url.startswith("https://example.org/")
        first_row = 1 if name.endswith(".jsonl") else 2  # a table's line 1 is its header
        assert docs[0].path.endswith(f"{name}:{first_row}")


def test_a_table_gives_the_same_claims_as_the_files(seed_report) -> None:
    report = consistency.check([INPUTS / "seeds.jsonl"])
    for name in ("claims", "sentences", "dropped"):
        # The table dates every article, the files do not: "Wednesday" resolves only here.
        ours, theirs = getattr(report, name), getattr(seed_report, name)
        pd.testing.assert_frame_equal(ours.drop(columns="slots", errors="ignore"),
                                      theirs.drop(columns="slots", errors="ignore"))  # fmt: skip
    resolved = report.slots[report.slots.text == "Wednesday"].value
    assert set(resolved) == {"2024-06-19"}
    docs = report.documents.set_index("doc_id")
    assert (docs.published == "2024-06-19").all()
    assert (docs.encoding == "utf-8").all()


def test_too_many_sentences_is_refused_before_embedding() -> None:
    with pytest.raises(InputError, match=r"164 sentences in 5 documents.*stops at 100"):
        consistency.check([SEEDS], max_sentences=100)


def test_saved_web_page(tmp_path: Path) -> None:
    """Article kept; navigation, sidebar, form and footer dropped by name; no script text."""
    page = INPUTS / "saved_page.html"
    [doc] = ingest.load([page]).documents
    assert doc.title == "Putin signs defence pact with Kim in Pyongyang"
    assert doc.published == "2024-06-19"
    assert "secret-token" not in doc.text and "font-family" not in doc.text
    kept, dropped = clean.furniture(doc)
    sentences = segment.sentences(doc, kept)
    assert [s.text[:22] for s in sentences] == [
        "Putin signs defence pa",
        "Russian President Vlad",
        "The agreement provides",
        "China, North Korea's m",
    ]
    reasons = {d.text: d.reason for d in dropped}
    assert reasons["Asia Pacific news"] == "navigation"
    assert reasons["Quake hits Aceh province as thousands flee their homes"] == "navigation"
    assert reasons["© 2024 Example News. All rights reserved."] == "copyright"
    assert reasons["Sign up for our daily newsletter"] == "subscribe"
    assert reasons["By Jane Roe"] == "byline"
    spans = [(s.start, s.end) for s in sentences] + [(d.start, d.end) for d in dropped]
    assert segment.coverage_gaps(doc, spans) == []


def test_jsonl_on_stdin(tmp_path: Path) -> None:
    data = (INPUTS / "seeds.jsonl").read_bytes()
    got = ingest.load(["-"], stdin=io.BytesIO(data))
    assert len(got.documents) == 5
    assert got.documents[0].path == "<stdin>:1"


def test_identical_documents_count_once(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        shutil.copy(SEEDS / "003_81d8d45a0979f314.txt", tmp_path / name)
    shutil.copy(SEEDS / "002_cde27cff9f0fd582.txt", tmp_path)
    report = consistency.check([tmp_path])
    docs = report.documents.set_index("doc_id")
    assert docs.loc["b.txt".removesuffix(".txt"), "duplicate_of"] == "a"
    assert docs.loc["b", "n_sentences"] == 0
    assert not report.sentences.doc_id.eq("b").any()
    assert not report.claims.sources.str.contains("b").any()
    [dup] = report.dropped[report.dropped.doc_id == "b"].itertuples()
    assert dup.reason == "duplicate of a"


def test_non_english_is_processed_with_a_warning(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["check", str(BAD / "not_english.txt"), str(SEEDS), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "warning: not_english: this article does not read as English" in result.output
    sentences = pd.read_csv(tmp_path / "sentences.csv")
    assert (sentences.doc_id == "not_english").sum() == 2


def test_formula_cells_are_neutralised(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["check", str(BAD / "formula_injection.txt"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    cells = []
    for name in ("sentences", "claims", "dropped", "documents"):
        with open(tmp_path / f"{name}.csv", encoding="utf-8", newline="") as f:
            cells += [cell for row in csv.reader(f) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert any(c.startswith("'=HYPERLINK(") for c in cells)
    assert any(c.startswith("'+SUM(") for c in cells)


def test_the_report_never_overwrites_an_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    article = out / "claims.csv"
    article.write_text('id,text\nx,"Putin visited Pyongyang on Wednesday."\n', encoding="utf-8")
    before = article.read_bytes()
    result = runner.invoke(app, ["check", str(article), "--out", str(out)])
    assert result.exit_code == 2
    assert "would overwrite" in result.output
    assert article.read_bytes() == before


def test_an_interrupted_write_leaves_the_previous_report(
    seed_report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_report.to_csv(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.csv")}
    calls = {"n": 0}
    real = pd.DataFrame.to_csv

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", failing)
    with pytest.raises(OSError, match="disk full"):
        seed_report.to_csv(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.csv")} == before
    assert not list(tmp_path.glob(".consistency-*"))


def test_links_out_of_a_folder_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("A secret that must not be read.", encoding="utf-8")
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEEDS / "003_81d8d45a0979f314.txt", folder)
    (folder / "link.txt").symlink_to(outside)
    assert [p.name for p in ingest.expand([folder])] == ["003_81d8d45a0979f314.txt"]


def test_fail_on_single_source_exits_3(tmp_path: Path) -> None:
    args = ["check", str(SEEDS), "--out", str(tmp_path)]
    assert runner.invoke(app, [*args, "--fail-on", "single-source"]).exit_code == 3
    assert runner.invoke(app, [*args, "--fail-on", "conflict"]).exit_code == 0
    assert runner.invoke(app, [*args, "--fail-on", "nonsense"]).exit_code == 2


# Properties ------------------------------------------------------------------------------

SUFFIX = st.sampled_from([".txt", ".md", ".html", ".csv", ".tsv", ".jsonl"])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=600), suffix=SUFFIX, skip=st.booleans())
def test_ingest_raises_only_input_errors_on_arbitrary_bytes(
    tmp_path: Path, data: bytes, suffix: str, skip: bool
) -> None:
    path = tmp_path / f"x{suffix}"
    path.write_bytes(data)
    try:
        got = ingest.load([path], skip_bad_rows=skip)
    except InputError as e:
        assert str(path) in str(e)
    else:
        assert all(d.text.strip() for d in got.documents)


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=300,
).filter(lambda t: t.strip())


def _write_table(path: Path, kind: str, text: str) -> None:
    if kind == "jsonl":
        path.write_text(json.dumps({"id": "a", "text": text}) + "\n", encoding="utf-8")
    else:
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, delimiter="\t" if kind == "tsv" else ",")
            writer.writerows([["id", "text"], ["a", text]])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXT, kind=st.sampled_from(["csv", "tsv", "jsonl", "html"]))
def test_nothing_lost_from_tables_and_pages(tmp_path: Path, text: str, kind: str) -> None:
    path = tmp_path / f"x.{kind}"
    if kind == "html":
        import html

        body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
        path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    else:
        _write_table(path, kind, text)
    try:
        docs = ingest.load([path]).documents
    except InputError:
        return  # e.g. a page whose visible text is empty
    for doc in docs:
        kept, dropped = clean.furniture(doc)
        sentences = segment.sentences(doc, kept)
        spans = [(s.start, s.end) for s in sentences] + [(d.start, d.end) for d in dropped]
        assert segment.coverage_gaps(doc, spans) == []
        if kind != "html":
            assert doc.text == text.replace("\r\n", "\n").replace("\r", "\n")


def test_same_csvs_under_another_hash_seed_and_file_order(tmp_path: Path) -> None:
    """Two CLI processes, different PYTHONHASHSEED and argument order: identical bytes."""
    cli = str(Path(sys.executable).parent / "consistency")
    files = sorted(str(p) for p in SEEDS.glob("*.txt"))[:3]
    for seed, order, out in (("1", files, "a"), ("4242", files[::-1], "b")):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([cli, "check", *order, "--out", str(tmp_path / out)], env=env, check=True,
                       capture_output=True)  # fmt: skip
    for name in ("claims", "sentences", "dropped", "conflicts"):
        a = (tmp_path / "a" / f"{name}.csv").read_bytes()
        assert a == (tmp_path / "b" / f"{name}.csv").read_bytes(), name


# Report folders ---------------------------------------------------------------------------


def _article_and_report(tmp_path: Path) -> tuple[Path, Path]:
    """A folder with one article and, inside it, the report of an earlier run."""
    shutil.copy(SEEDS / "003_81d8d45a0979f314.txt", tmp_path)
    old = tmp_path / "reports" / "monday"
    old.mkdir(parents=True)
    (old / "claims.csv").write_text("claim_id,status\nc001,corroborated\n", encoding="utf-8")
    (old / REPORT_MANIFEST).write_text('{"files": ["claims.csv"]}\n', encoding="utf-8")
    return tmp_path, old


def test_a_folder_holding_a_report_is_passed_over_and_named(tmp_path: Path) -> None:
    folder, old = _article_and_report(tmp_path)
    found = ingest.find([folder])
    assert found.files == [folder / "003_81d8d45a0979f314.txt"]
    assert found.skipped == [f"{old}: not read as input: an earlier report is here "
                             f"({REPORT_MANIFEST})."]  # fmt: skip
    got = ingest.load([folder])
    assert [d.doc_id for d in got.documents] == ["003_81d8d45a0979f314"]
    assert got.warnings == found.skipped


def test_the_out_folder_is_passed_over_before_it_has_a_manifest(tmp_path: Path) -> None:
    shutil.copy(SEEDS / "003_81d8d45a0979f314.txt", tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "claims.csv").write_text("claim_id\nc001\n", encoding="utf-8")
    found = ingest.find([tmp_path], exclude=[out])
    assert found.files == [tmp_path / "003_81d8d45a0979f314.txt"]
    assert found.skipped == [f"{out}: not read as input: the report is written here (--out)."]
    unmarked = ingest.find([tmp_path]).files  # without --out, only a manifest marks a report
    assert unmarked == [tmp_path / "003_81d8d45a0979f314.txt", out / "claims.csv"]


@pytest.mark.parametrize(
    ("given", "exclude", "message"),
    [
        ("reports/monday", [], "an earlier report is here (.consistency.json), and a report is "
         "never read as input; give the folder that holds the articles."),
        (".", ["."], "the report is written here (--out), and a report is never read as input; "
         "give --out a folder of its own, apart from the articles."),
    ],
)  # fmt: skip
def test_a_report_folder_given_as_input_is_refused(
    tmp_path: Path, given: str, exclude: list[str], message: str
) -> None:
    folder, _ = _article_and_report(tmp_path)
    with pytest.raises(InputError) as info:
        ingest.find([folder / given], exclude=[folder / e for e in exclude])
    assert str(info.value) == f"{folder / given}: {message}"


def test_writing_a_report_over_a_file_is_refused(seed_report, tmp_path: Path) -> None:
    file = tmp_path / "report.csv"
    file.write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match=r"report.csv: is a file, .* give --out a folder"):
        seed_report.to_csv(file)
    assert file.read_text(encoding="utf-8") == "mine"


def test_a_report_replaces_the_earlier_one_and_nothing_else(seed_report, tmp_path: Path) -> None:
    seed_report.write(tmp_path, html=True)
    assert (tmp_path / "report.html").is_file()
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "summary.csv").write_text("mine", encoding="utf-8")
    seed_report.write(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        REPORT_MANIFEST, "claims.csv", "conflicts.csv", "documents.csv", "dropped.csv",
        "families.csv", "notes.txt", "sentences.csv", "slots.csv", "summary.csv",
    ]  # fmt: skip
    manifest = json.loads((tmp_path / REPORT_MANIFEST).read_text(encoding="utf-8"))
    assert "report.html" not in manifest["files"]
    # A manifest that names other files (edited, or from elsewhere) removes none of them.
    manifest["files"] += ["notes.txt", "summary.csv", "../outside.txt"]
    (tmp_path / REPORT_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path.parent / "outside.txt").write_text("mine", encoding="utf-8")
    seed_report.write(tmp_path)
    assert (tmp_path / "notes.txt").is_file() and (tmp_path / "summary.csv").is_file()
    assert (tmp_path.parent / "outside.txt").is_file()


# Bad files set aside ----------------------------------------------------------------------

SET_ASIDE = [
    # (file, the start of its error, the text kept in dropped.csv)
    ("empty.txt", "the file holds no text", ""),
    ("whitespace_only.txt", "the file holds no text", "   \n\t\n  \n"),
    ("photo_saved_as.txt", "this is a PNG image, not text", ""),
    ("article.pdf.txt", "this is a PDF document, not text", ""),
    ("not_text.txt", "not text in any encoding", ""),
    ("missing_text_column.csv", "no 'text' column", (BAD / "missing_text_column.csv").read_text()),
]


@pytest.mark.parametrize(("name", "error", "text"), SET_ASIDE)
def test_skip_bad_files_sets_a_file_aside_with_its_reason(name: str, error: str, text: str) -> None:
    path = BAD / name
    with pytest.raises(InputError) as info:
        ingest.load([path, SEEDS / "003_81d8d45a0979f314.txt"])
    assert str(info.value).startswith(f"{path}: {error}")
    assert str(info.value).endswith(f". {ingest.SKIP_BAD_FILES}")
    got = ingest.load([path, SEEDS / "003_81d8d45a0979f314.txt"], skip_bad_files=True)
    assert [d.doc_id for d in got.documents] == ["003_81d8d45a0979f314"]
    [aside] = got.dropped
    assert aside.doc_id == path.stem
    assert aside.reason.startswith(f"bad file: {path}: {error}")
    assert ingest.SKIP_BAD_FILES not in aside.reason
    assert aside.text == text


def test_a_bad_row_is_not_a_bad_file() -> None:
    with pytest.raises(InputError, match=r"line 3: not valid JSON.*--skip-bad-rows") as info:
        ingest.load([BAD / "malformed_line.jsonl"], skip_bad_files=True)
    assert "--skip-bad-files" not in str(info.value)


def test_an_empty_table_and_one_over_the_limit_are_set_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "header_only.csv").write_text("id,text\n", encoding="utf-8")
    (tmp_path / "big.jsonl").write_text('{"text": "Putin arrived."}\n' * 100, encoding="utf-8")
    monkeypatch.setattr(ingest, "MAX_TABLE_BYTES", 1000)
    got = ingest.load([tmp_path], skip_bad_files=True)
    assert got.documents == []
    big, empty = got.dropped
    assert (big.doc_id, big.text) == ("big", "")
    assert big.reason.startswith(f"bad file: {tmp_path / 'big.jsonl'}: ")
    assert "MB limit for one file of this kind" in big.reason
    assert (empty.doc_id, empty.text) == ("header_only", "id,text\n")
    assert empty.reason == (
        f"bad file: {tmp_path / 'header_only.csv'}: the table has no rows; remove it, or add "
        "the articles."
    )


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.binary(max_size=400), suffix=SUFFIX)
def test_with_both_skips_every_file_is_read_or_set_aside_whole(
    tmp_path: Path, data: bytes, suffix: str
) -> None:
    path = tmp_path / f"x{suffix}"
    path.write_bytes(data)
    got = ingest.load([path], skip_bad_rows=True, skip_bad_files=True)
    aside = [d for d in got.dropped if d.reason.startswith("bad file: ")]
    if aside:
        assert not got.documents and len(got.dropped) == 1
        assert aside[0].reason.startswith(f"bad file: {path}: ")
        if not data.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK", b"\x7fELF")):
            with contextlib.suppress(InputError):  # text in no encoding: nothing to keep
                assert aside[0].text == ingest.universal_newlines(ingest.decode(data, "")[0])
    else:
        assert got.documents or got.dropped
