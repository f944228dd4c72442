"""judge.py: the learned same-claim judge, `consistency.same_claim` and `consistency pairs`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import consistency
from consistency import judge
from consistency.cli import app
from consistency.errors import InputError, ModelError

from .conftest import ROOT, models_copy

runner = CliRunner()

SAME = (
    "Putin signed a mutual defence pact with Kim Jong Un in Pyongyang on Wednesday.",
    "In Pyongyang on Wednesday, Kim Jong Un and Putin signed a pact of mutual defence.",
)
# The issue's own example of a topic sentence that absorbed a single-source fact.
TOPIC = (
    "Putin invited Kim to visit Moscow for their next meeting.",
    "This meeting between the two leaders has drawn widespread attention.",
)


@pytest.fixture(scope="module")
def shipped() -> judge.CrossEncoder:
    return judge.load()


def test_the_shipped_judge_tells_a_restatement_from_a_topic_sentence(
    shipped: judge.CrossEncoder,
) -> None:
    same, topic = shipped.probability([SAME, TOPIC])
    assert same >= shipped.threshold > topic


def test_scores_come_in_the_order_given_whatever_the_batches(
    shipped: judge.CrossEncoder,
) -> None:
    pairs = [SAME, TOPIC, ("Kim", ""), (SAME[0] * 8, TOPIC[1])] * 20
    together = shipped.probability(pairs)
    alone = np.array([shipped.probability([p])[0] for p in pairs[:4]])
    np.testing.assert_allclose(together[:4], alone, atol=1e-5)
    np.testing.assert_array_equal(together[:4], together[4:8])
    assert ((together >= 0) & (together <= 1)).all()
    assert shipped.probability([]).shape == (0,)


def test_the_order_of_the_two_sentences_does_not_matter(shipped: judge.CrossEncoder) -> None:
    forward = shipped.probability([SAME, TOPIC])
    backward = shipped.probability([SAME[::-1], TOPIC[::-1]])
    np.testing.assert_allclose(forward, backward, atol=1e-6)


def test_same_claim_takes_tuples_or_a_table(shipped: judge.CrossEncoder) -> None:
    table = pd.DataFrame({"sentence1": [SAME[0], TOPIC[0]], "sentence2": [SAME[1], TOPIC[1]]})
    np.testing.assert_array_equal(
        consistency.same_claim(table, judge=shipped),
        consistency.same_claim([SAME, TOPIC], judge=shipped),
    )
    with pytest.raises(ValueError, match="sentence2"):
        consistency.same_claim(pd.DataFrame({"sentence1": ["a"]}), judge=shipped)


def test_an_adapter_that_is_not_the_manifests_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make train"):
        judge.load(models_copy(tmp_path, judge={"sha256": "0" * 64}))


def test_a_judge_for_other_base_weights_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="trained on"):
        judge.load(models_copy(tmp_path, judge={"base_sha256": "1" * 64}))


def test_a_missing_manifest_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make train"):
        judge.JudgeManifest.load(tmp_path)


def test_the_manifest_names_its_data_settings_and_scores() -> None:
    record = json.loads((ROOT / "models" / "judge.json").read_text())
    assert record["sha256"] == judge.sha256(ROOT / "models" / record["adapter_file"])
    assert {"mrpc", "ecbplus"} <= set(record["trained_on"])
    assert record["settings"]["seed"] == 13
    assert (ROOT / "models" / record["adapter_file"]).stat().st_size < 25 * 2**20


def write_pairs(path: Path, rows: list[tuple[str, str]], sep: str) -> None:
    lines = [sep.join(["label", "sentence1", "sentence2"])]
    lines += [sep.join(["1", a, b]) for a, b in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_pairs_writes_one_row_per_pair_in_order(
    tmp_path: Path, shipped: judge.CrossEncoder
) -> None:
    # A quote mark opens no quoted field in a TSV (MRPC's own files quote nothing).
    rows = [SAME, TOPIC, ('"We will win," he said.', "He said they would win.")]
    write_pairs(tmp_path / "pairs.tsv", rows, "\t")
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["pairs", str(tmp_path / "pairs.tsv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out)
    assert list(scores.columns) == ["pair", "sentence1", "sentence2", "score", "same_claim"]
    assert scores.sentence1.tolist() == [a for a, _ in rows]
    expected = shipped.probability(rows)
    np.testing.assert_allclose(scores.score, expected, atol=1e-6)
    assert scores.same_claim.tolist() == (expected >= shipped.threshold).astype(int).tolist()
    assert "3 pairs scored" in result.output


def test_pairs_reads_a_quoted_csv(tmp_path: Path) -> None:
    pd.DataFrame({"id": [7], "sentence1": ['He said, "no."'], "sentence2": ["He said no."]}).to_csv(
        tmp_path / "pairs.csv", index=False
    )
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["pairs", str(tmp_path / "pairs.csv"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out).sentence1.tolist() == ['He said, "no."']


def test_pairs_without_the_columns_exits_2_and_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "pairs.tsv").write_text("a\tb\nx\ty\n", encoding="utf-8")
    result = runner.invoke(app, ["pairs", str(tmp_path / "pairs.tsv")])
    assert result.exit_code == 2
    assert "pairs.tsv" in result.output and "sentence1" in result.output


def test_pairs_refuses_to_overwrite_its_input_or_write_to_a_folder(tmp_path: Path) -> None:
    table = tmp_path / "pairs.tsv"
    write_pairs(table, [SAME], "\t")
    assert runner.invoke(app, ["pairs", str(table), "--out", str(table)]).exit_code == 2
    assert runner.invoke(app, ["pairs", str(table), "--out", str(tmp_path)]).exit_code == 2
    assert table.read_text(encoding="utf-8").startswith("label")


def test_read_pairs_names_an_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "pairs.csv").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match=r"pairs\.csv"):
        judge.read_pairs(tmp_path / "pairs.csv")
