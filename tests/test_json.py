"""report.json: what --json writes, the same bytes for the same input, fields as documented."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
from typer.testing import CliRunner

from consistency.cli import app
from consistency.report import Report

from .conftest import DATA, ROOT, SEEDS

runner = CliRunner()


def keys(data: Any) -> set[str]:
    """Every field name anywhere in ``data``, however deep."""
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in keys(v)}
    return set()


def document_texts(folder: Path) -> dict[str, str]:
    """Each article's text as the checker reads it (universal newlines), by doc id."""
    return {p.stem: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.is_file()}


def test_json_is_written_beside_the_csvs_and_matches_them(
    tmp_path: Path, seed_report: Report
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["check", str(SEEDS), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert str(out / "report.json") in result.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert list(data) == [
        "schema", "summary", "warnings", "documents", "claims", "conflicts", "dropped"
    ]  # fmt: skip
    assert data["schema"] == 1
    claims = pd.read_csv(out / "claims.csv")
    assert [c["claim_id"] for c in data["claims"]] == list(claims.claim_id)
    assert [";".join(c["sources"]) for c in data["claims"]] == list(claims.sources)
    assert len(data["documents"]) == len(pd.read_csv(out / "documents.csv"))
    assert len(data["dropped"]) == len(pd.read_csv(out / "dropped.csv"))
    assert data["summary"] == seed_report.summary()
    # Another run over the same input, in this process: the same bytes.
    again = seed_report.to_json(tmp_path / "again.json")
    assert again.read_bytes() == (out / "report.json").read_bytes()


def test_no_json_without_the_option(tmp_path: Path) -> None:
    one = SEEDS / "003_81d8d45a0979f314.txt"
    result = runner.invoke(app, ["check", str(one), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "report.json").exists()


def test_values_are_records_whose_offsets_find_them(seed_report: Report) -> None:
    texts = document_texts(SEEDS)
    data = seed_report.as_json()
    values = [(c, v) for c in data["claims"] for v in c["values"]]
    assert len(values) >= len(seed_report.slots)  # a sentence of two claims gives them twice
    for claim, v in values:
        sentence = next(s for s in claim["sentences"] if s["sentence_id"] == v["sentence_id"])
        assert sentence["text"][v["start"] : v["end"]] == v["text"]
        assert texts[v["doc_id"]][v["doc_start"] : v["doc_end"]] == v["text"]
        assert v["hedge"] in {"exact", "approx", "upper", "lower", "vague"}
    for claim in data["claims"]:
        for s in claim["sentences"]:
            assert texts[s["doc_id"]][s["start"] : s["end"]] == s["text"]
            assert s["attached"] is (s["sentence_id"] not in own_sentences(seed_report, claim))


def own_sentences(report: Report, claim: dict[str, Any]) -> set[str]:
    s = report.sentences
    return set(s.sentence_id[s.claim_id == claim["claim_id"]])


def test_conflict_sides_point_at_their_values(ecb_report: Report, tmp_path: Path) -> None:
    folder = DATA / "ecbplus_37ecb"
    texts = document_texts(folder)
    data = json.loads(ecb_report.to_json(tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["conflicts"], "the ECB+ story has conflicts"
    for c in data["conflicts"]:
        assert c["severity"] in {"conflict", "note"}
        for side in (c["a"], c["b"]):
            written = texts[side["doc_id"]][side["start"] : side["end"]]
            assert written and written in side["text"]
    hard = {c["claim_id"] for c in data["conflicts"] if c["severity"] == "conflict"}
    assert {c["claim_id"] for c in data["claims"] if c["status"] == "conflict"} == hard


def test_docs_json_md_describes_every_field(ecb_report: Report) -> None:
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    described = set(re.findall(r"`([a-z_-]+)`", doc))
    missing = keys(ecb_report.as_json()) - described
    assert not missing, f"docs/json.md does not describe {sorted(missing)}"
