"""The ONNX Runtime backend: exported locally, checked against sentence-transformers, and
giving the seeds the same claims and conflicts as torch; its opt-in int8 form."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from consistency import cache, check, embed, onnxrt
from consistency.errors import ModelError

from .conftest import SEEDS, models_copy
from .test_conflicts import MUTATIONS, story

# Which conflict is found, whatever its claim is named.
FOUND = ["kind", "doc_a", "start_a", "end_a", "value_a", "doc_b", "start_b", "end_b", "value_b"]


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


@pytest.fixture(scope="module")
def int8_models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of models/ picking int8, its graphs in a fresh folder (the float one linked)."""
    graphs = tmp_path_factory.mktemp("int8_graphs")
    m = embed.Manifest.load()
    embed.load_model(m)  # the float32 graph, exported once per machine
    (graphs / onnxrt.graph_path(m).name).symlink_to(onnxrt.graph_path(m))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(onnxrt.ONNX_ENV, str(graphs))
        yield models_copy(tmp_path_factory.mktemp("int8_models"), backend=onnxrt.INT8)


def test_int8_is_quantized_from_the_float_graph(
    int8_models: Path, seed_texts: dict[str, str]
) -> None:
    m = embed.Manifest.load(int8_models)
    assert isinstance(embed.load_model(m), onnxrt.Encoder)
    graph, source = onnxrt.graph_path(m), onnxrt.graph_path(onnxrt.float_manifest(m))
    assert sorted(p.name for p in graph.parent.iterdir()) == sorted([graph.name, source.name])
    assert graph.stat().st_size < source.stat().st_size / 3  # int8 weights, not float32
    texts = [line for text in seed_texts.values() for line in text.splitlines() if line]
    int8 = embed.embed(texts, m)
    full = embed.embed(texts, embed.Manifest.load())
    cosine = (int8 * full).sum(axis=1)
    assert cosine.min() > onnxrt.INT8_MIN_COSINE
    assert np.abs(int8 - full).max() > 100 * onnxrt.TOLERANCE  # really another graph
    assert cache.model_key(m) != cache.model_key(embed.Manifest.load())  # cached apart


def test_int8_gives_the_seeds_nearly_the_same_claims(int8_models: Path, seed_report) -> None:
    # Measured (benchmarks/bench_backends.py): int8 moves a few sentences to other claims,
    # adjusted Rand 0.95 on the seeds.
    int8 = check([SEEDS], models=int8_models)
    assert int8.sentences[["doc_id", "start", "end"]].equals(
        seed_report.sentences[["doc_id", "start", "end"]]
    )
    assert adjusted_rand_score(seed_report.sentences.claim_id, int8.sentences.claim_id) > 0.9


@pytest.mark.parametrize("mutation", [m[:3] for m in MUTATIONS], ids=lambda m: m[2])
def test_int8_finds_a_planted_conflict_as_float32_does(
    int8_models: Path, tmp_path: Path, mutation: tuple[str, str, str]
) -> None:
    want, got = (
        story(tmp_path / name, mutation, models).conflicts
        for name, models in (("float32", None), ("int8", int8_models))
    )
    found = [set(map(tuple, c[c.severity == "conflict"][FOUND].values)) for c in (want, got)]
    assert found[0]
    assert found[1] == found[0]


def test_an_int8_graph_that_strays_is_refused(int8_models: Path, tmp_path: Path) -> None:
    # Zero the embeddings' layer norm: every text then gets one vector, far from float32's.
    import onnx

    m = embed.Manifest.load(int8_models)
    embed.load_model(m)
    graph = onnx.load(str(onnxrt.graph_path(m)))
    (norm,) = [t for t in graph.graph.initializer if t.name.endswith("embeddings.LayerNorm.weight")]
    norm.CopyFrom(onnx.numpy_helper.from_array(np.zeros(m.dim, np.float32), norm.name))
    broken = tmp_path / "broken.onnx"
    onnx.save(graph, str(broken))
    source = onnxrt.graph_path(onnxrt.float_manifest(m))
    with pytest.raises(ModelError, match=r"broken\.onnx: the int8 graph's vectors"):
        onnxrt.verify_int8(source, m.path(), broken, m.max_seq_length)
