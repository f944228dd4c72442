from __future__ import annotations

import gc
import importlib.metadata
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from consistency.cli import app
from consistency.records import REPORT_MANIFEST

from .conftest import DATA, SEEDS

runner = CliRunner()


def test_check_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["check", str(SEEDS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "5 documents" in result.output
    assert "single-source" in result.output
    for name in ("claims", "sentences", "dropped", "documents", "slots", "conflicts"):
        assert (out / f"{name}.csv").is_file()
    claims = pd.read_csv(out / "claims.csv")
    assert list(claims.columns)[:3] == ["claim_id", "status", "n_sources"]
    assert not list(out.glob(".consistency-*")), "temporary folder left behind"
    assert not (out / "report.html").exists()  # only with --html
    assert "embedding" not in result.output  # no progress bars when stderr is no terminal
    assert gc.get_freeze_count() == 0  # the collector is spared at the exit, not before


def test_one_document_says_corroboration_needs_two(tmp_path: Path) -> None:
    one = SEEDS / "003_81d8d45a0979f314.txt"
    result = runner.invoke(app, ["check", str(one), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "corroboration needs two or more sources" in result.output
    assert result.output.startswith("1 document in 1 story, 18 sentences kept, ")


def test_copies_of_one_article_are_counted_once(tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    for name in ("a_harbour_gazette.txt", "b_valley_courier.txt"):
        shutil.copy(DATA / "wire_copies" / name, folder)
    result = runner.invoke(app, ["check", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 documents (1 independent) in 1 story, ")
    assert "the 2 documents are copies of one article (families.csv)" in result.output
    shutil.copy(DATA / "wire_copies" / "c_continental_post.txt", folder)
    result = runner.invoke(app, ["check", str(folder), "--out", str(tmp_path / "out")])
    assert result.output.startswith("3 documents (2 independent) in 1 story, ")
    assert "copies of one article" not in result.output


def test_an_update_is_counted_on_the_console(tmp_path: Path) -> None:
    table = tmp_path / "ferry.csv"
    table.write_text(
        "id,source,published,text\n"
        "a,Coast Times,2024-03-12,Twenty-three people died when the ferry capsized.\n"
        'b,Nairobi Daily,2024-03-14,"The death toll from the ferry capsizing rose to 31, '
        'police said."\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", str(table), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "0 notes, 1 update (conflicts.csv)" in result.output
    rows = pd.read_csv(tmp_path / "out" / "conflicts.csv")
    assert rows.severity.tolist() == ["update"]


def test_bad_input_exits_2_and_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = runner.invoke(app, ["check", str(missing), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert str(missing) in result.output
    assert not (tmp_path / "out").exists()


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "check" in result.output


def test_fail_on_conflict_exits_3_only_for_a_hard_conflict(tmp_path: Path) -> None:
    clean = runner.invoke(app, ["check", str(SEEDS), "--out", str(tmp_path / "a"),
                                "--fail-on", "conflict"])  # fmt: skip
    assert clean.exit_code == 0, clean.output
    story = tmp_path / "story"
    shutil.copytree(SEEDS, story)
    wire = (DATA / "outlets" / "005_wire.txt").read_text(encoding="utf-8")
    (story / "005_wire.txt").write_text(wire.replace("$50 billion", "$35 billion"), "utf-8")
    changed = runner.invoke(app, ["check", str(story), "--out", str(tmp_path / "b"),
                                  "--fail-on", "conflict", "--html"])  # fmt: skip
    assert changed.exit_code == 3, changed.output
    assert "1 conflict in 1 claim" in changed.output
    assert changed.output.endswith("exit 3: 1 conflict, 1 claim in conflict (--fail-on conflict)\n")
    claims = pd.read_csv(tmp_path / "b" / "claims.csv")
    by_status = claims.status.value_counts()
    assert (
        f"{len(claims)} claims: {by_status['corroborated']} corroborated, "
        f"{by_status['single-source']} single-source, 1 in conflict (claims.csv)"
    ) in changed.output
    page = (tmp_path / "b" / "report.html").read_text(encoding="utf-8")
    assert str(tmp_path / "b" / "report.html") in changed.output
    assert '<mark class="conflict"' in page and "$35 billion</mark>" in page
    conflicts = pd.read_csv(tmp_path / "b" / "conflicts.csv")
    assert set(conflicts.value_a) | set(conflicts.value_b) == {35e9, 50e9}


def test_a_second_run_in_the_same_folder_does_not_read_its_report(tmp_path: Path) -> None:
    for name in ("002_cde27cff9f0fd582.txt", "003_81d8d45a0979f314.txt"):
        shutil.copy(SEEDS / name, tmp_path)
    out = tmp_path / "out"
    first = runner.invoke(app, ["check", str(tmp_path), "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert (out / REPORT_MANIFEST).is_file()
    before = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    second = runner.invoke(app, ["check", str(tmp_path), "--out", str(out)])
    assert second.exit_code == 0, second.output
    assert f"warning: {out}: not read as input: the report is written here (--out)." in (
        second.output
    )
    assert {p.name: p.read_bytes() for p in out.glob("*.csv")} == before


@pytest.mark.parametrize(
    ("out", "what"),
    [("notes.txt", "is a file"), ("notes.txt/today", "is inside {file}, which is a file")],
)
def test_out_naming_a_file_exits_2_naming_it_and_the_fix(
    tmp_path: Path, out: str, what: str
) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("my own notes", encoding="utf-8")
    target = tmp_path / out
    result = runner.invoke(app, ["check", str(SEEDS), "--out", str(target)])
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"error: {target}: {what.format(file=file)}, and the report is a folder of files; "
        "give --out a folder (a new one is created), such as out/.\n"
    )
    assert file.read_text(encoding="utf-8") == "my own notes"


def test_a_run_without_html_leaves_no_page_of_an_earlier_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["check", str(SEEDS / "003_81d8d45a0979f314.txt"), "--out", str(out)]
    assert runner.invoke(app, [*args, "--html"]).exit_code == 0
    assert (out / "report.html").is_file()
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert not (out / "report.html").exists()
    assert "report.html" not in result.output


def test_skip_bad_files_lists_each_in_dropped_csv_and_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEEDS / "003_81d8d45a0979f314.txt", folder)
    for name in ("empty.txt", "article.pdf.txt", "not_text.txt", "missing_text_column.csv"):
        shutil.copy(DATA / "bad" / name, folder)
    stopped = runner.invoke(app, ["check", str(folder), "--out", str(tmp_path / "a")])
    assert stopped.exit_code == 2
    assert stopped.output == (
        f"error: {folder / 'article.pdf.txt'}: this is a PDF document, not text; export the "
        "article as .txt, .html, .csv or .jsonl. Or pass --skip-bad-files to set unreadable "
        "files aside (they are listed in dropped.csv).\n"
    )
    runs = []
    for out in ("a", "b"):
        args = ["check", str(folder), "--skip-bad-files", "--out", str(tmp_path / out)]
        runs.append(runner.invoke(app, args))
        assert runs[-1].exit_code == 0, runs[-1].output
    assert "1 document in 1 story, 18 sentences kept, 0 spans dropped, 4 unreadable files " \
        "set aside (see dropped.csv)" in runs[0].output  # fmt: skip
    dropped = pd.read_csv(tmp_path / "a" / "dropped.csv", keep_default_na=False)
    aside = dropped[dropped.reason.str.startswith("bad file: ")]
    assert list(aside.doc_id) == ["article.pdf", "empty", "missing_text_column", "not_text"]
    assert aside.reason.iloc[1] == (
        f"bad file: {folder / 'empty.txt'}: the file holds no text; remove it, or save the "
        "article in it."
    )
    for name in ("documents", "sentences", "claims", "slots", "conflicts", "dropped"):
        a = (tmp_path / "a" / f"{name}.csv").read_bytes()
        assert a == (tmp_path / "b" / f"{name}.csv").read_bytes(), name


def test_version_is_the_package_s() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"consistency {importlib.metadata.version('consistency')}\n"


@pytest.mark.parametrize("command", ["check", "pairs"])
def test_help_shows_every_help_text_and_default_in_full(command: str) -> None:
    """Rich takes "[...]" in a help text for markup and drops it: each text must survive."""
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    shown = " ".join(result.output.replace("│", " ").split())
    params = typer.main.get_command(app).commands[command].params  # type: ignore[attr-defined]
    for param in params:
        assert " ".join(param.help.split()) in shown, param.name
        if isinstance(param.show_default, str):
            assert f"[default: ({param.show_default})]" in shown, param.name
    assert not re.search(r" \.( |$)", shown)  # where a dropped "[...]" stood


def test_findings_exit_says_which_findings_caused_it(tmp_path: Path) -> None:
    one = SEEDS / "003_81d8d45a0979f314.txt"
    result = runner.invoke(app, ["check", str(one), "--out", str(tmp_path), "--fail-on",
                                 "single-source", "--fail-on", "conflict"])  # fmt: skip
    assert result.exit_code == 3
    assert "18 claims: 0 corroborated, 18 single-source, 0 in conflict" in result.output
    assert result.output.endswith("exit 3: 18 single-source claims (--fail-on single-source)\n")
