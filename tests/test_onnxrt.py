"""The ONNX Runtime backend: exported locally, checked against sentence-transformers, and
giving the seeds the same claims and conflicts as torch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from consistency import check, embed, onnxrt
from consistency.errors import ModelError

from .conftest import SEEDS, models_copy


@pytest.fixture(scope="module")
def torch_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of models/ whose manifest picks the torch backend."""
    return models_copy(tmp_path_factory.mktemp("torch_models"), backend="torch")


def test_the_project_embeds_with_onnx_runtime() -> None:
    m = embed.Manifest.load()
    assert m.backend == "onnx"
    assert isinstance(embed.load_model(m), onnxrt.Encoder)


def test_onnx_vectors_match_sentence_transformers(
    seed_texts: dict[str, str], torch_models: Path
) -> None:
    texts = [line for text in seed_texts.values() for line in text.splitlines() if line]
    onnx = embed.embed(texts, embed.Manifest.load())
    torch = embed.embed(texts, embed.Manifest.load(torch_models))
    assert np.abs(onnx - torch).max() < onnxrt.TOLERANCE


def test_both_backends_give_the_seeds_the_same_claims(seed_report, torch_models: Path) -> None:
    other = check([SEEDS], models=torch_models)
    assert other.sentences.claim_id.tolist() == seed_report.sentences.claim_id.tolist()
    assert other.claims.drop(columns="text").equals(seed_report.claims.drop(columns="text"))
    assert other.conflicts.equals(seed_report.conflicts)


def test_export_writes_a_verified_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(onnxrt.ONNX_ENV, str(tmp_path))
    m = embed.Manifest.load()
    encoder = onnxrt.load(m, m.path())
    assert [p.name for p in tmp_path.iterdir()] == [onnxrt.graph_path(m).name]  # no temp left
    v = encoder.encode(["Putin arrived in Pyongyang."])
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_a_damaged_graph_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(onnxrt.ONNX_ENV, str(tmp_path))
    m = embed.Manifest.load()
    onnxrt.graph_path(m).write_bytes(b"not a graph")
    with pytest.raises(ModelError, match=onnxrt.graph_path(m).name):
        onnxrt.load(m, m.path())


def test_a_graph_that_drifts_from_the_reference_is_refused(tmp_path: Path) -> None:
    # verify() compares the graph with sentence-transformers: checked against a model that
    # pools the first token instead of the mean, the exported (mean) graph must fail.
    m = embed.Manifest.load()
    graph = onnxrt.graph_path(m)
    if not graph.is_file():
        embed.load_model(m)
    for item in m.path().iterdir():
        if item.name != "1_Pooling":
            (tmp_path / item.name).symlink_to(item)
    (tmp_path / "1_Pooling").mkdir()
    config = json.loads((m.path() / "1_Pooling" / "config.json").read_text())
    config["pooling_mode_mean_tokens"], config["pooling_mode_cls_token"] = False, True
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(config))
    assert onnxrt.pooling(tmp_path) == "cls"
    with pytest.raises(ModelError, match="differs from sentence-transformers"):
        onnxrt.verify(m, tmp_path, graph)
