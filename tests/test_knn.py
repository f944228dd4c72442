"""The nearest-neighbour path for large stories against the exact all-pairs path."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from consistency import cluster, embed, knn, pipeline

from .conftest import SEEDS


@pytest.fixture(scope="module")
def both() -> tuple[pipeline.Story, pipeline.Story]:
    m = embed.Manifest.load()
    exact = pipeline.read_story([SEEDS], m)
    sparse = pipeline.read_story([SEEDS], m, exact_max=0)  # the large-story path, forced
    assert isinstance(exact.evidence, cluster.Evidence)
    assert isinstance(sparse.evidence, knn.Inputs)
    return exact, sparse


def test_with_every_neighbour_the_links_and_claims_are_the_exact_ones(
    both: tuple[pipeline.Story, pipeline.Story],
) -> None:
    exact, sparse = both
    head = cluster.LinkHead.load()
    assert isinstance(exact.evidence, cluster.Evidence)
    assert isinstance(sparse.evidence, knn.Inputs)
    dense = cluster.link_matrix(exact.evidence, head).toarray()
    links = knn.links(sparse.evidence, head, k=len(sparse.sentences))
    np.testing.assert_allclose(links.toarray(), dense, atol=1e-5)
    ids = exact.evidence.doc_ids
    a = cluster.claims_from_links(dense, ids, head.link_threshold, head.confirm_threshold)
    b = cluster.claims_from_links(links, ids, head.link_threshold, head.confirm_threshold)
    assert np.array_equal(a.labels, b.labels) and a.also == b.also


def test_both_paths_give_the_seeds_the_same_claims(
    both: tuple[pipeline.Story, pipeline.Story],
) -> None:
    exact, sparse = both
    head = cluster.LinkHead.load()
    a = pipeline.conclude(exact, head)
    b = pipeline.conclude(sparse, head)  # the default number of neighbours
    assert adjusted_rand_score(a.sentences.claim_id, b.sentences.claim_id) == 1.0
    # The neighbour lists' CSLS moves a link by up to 0.02 (measured on the seeds): one
    # that close to the confirmation cut may fall on either side and move an attachment.
    also_a, also_b = a.sentences.other_claims.fillna(""), b.sentences.other_claims.fillna("")
    assert ((also_a == "") != (also_b == "")).sum() <= len(also_a) // 50
    counts_a, counts_b = a.claims.status.value_counts(), b.claims.status.value_counts()
    assert (counts_a - counts_b).abs().max() <= 1
    assert a.conflicts.equals(b.conflicts)


def test_neighbour_lists_hold_other_documents_only_best_first() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(40, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    doc_ids = np.array([f"d{i % 4}" for i in range(40)])
    near = knn.nearest(vectors, doc_ids, k=5)
    full = vectors @ vectors.T
    for i in range(40):
        others = np.flatnonzero(doc_ids != doc_ids[i])
        best = others[np.argsort(-full[i, others], kind="stable")[:5]]
        assert near.index[i].tolist() == best.tolist()
        assert np.all(np.diff(near.cosine[i]) <= 0)
    few = knn.nearest(vectors[:3], np.array(["a", "a", "b"]), k=2)
    assert few.index.tolist() == [[2, -1], [2, -1], [0, 1] if full[2, 0] >= full[2, 1] else [1, 0]]


@pytest.mark.parametrize("seed", range(40))
def test_sparse_average_linkage_is_scikit_learns(seed: int) -> None:
    from scipy import sparse as sp
    from sklearn.cluster import AgglomerativeClustering

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    p = np.triu(rng.random((n, n)) * (rng.random((n, n)) < 0.3), 1)
    p = p + p.T
    np.fill_diagonal(p, 1.0)
    cut = float(rng.choice([0.05, 0.15, 0.3]))
    dense = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=1 - cut
    ).fit_predict(1 - p)
    assert cluster.average_linkage(sp.csr_array(p), cut).tolist() == cluster.relabel(dense).tolist()


@pytest.mark.parametrize("seed", range(90))
def test_dense_average_cut_is_scikit_learns(seed: int) -> None:
    from sklearn.cluster import AgglomerativeClustering

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    cut = float(rng.choice([0.05, 0.15, 0.3, 0.5]))
    # Coarse values, so that ties, and links exactly at the cut, are common; from seed 60
    # groups linked throughout (copies of a line), some links at or a hair above the cut.
    values = [0.0, cut, 0.2, 0.5, 0.7, 1.0] if seed < 60 else [cut, cut + 1e-12, 0.6, 0.9, 1.0]
    if seed >= 75:
        values = values[2:]  # every link well above the cut: one claim
        n = int(rng.integers(2, 8))
    p = np.triu(rng.choice(values, size=(n, n)), 1)
    p = p + p.T
    np.fill_diagonal(p, 1.0)
    dense = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=1 - cut
    ).fit_predict(1 - p)
    assert cluster.average_cut(p, cut).tolist() == cluster.relabel(dense).tolist()


def test_large_groups_of_links_give_the_claims_of_the_dense_clustering(
    both: tuple[pipeline.Story, pipeline.Story], monkeypatch: pytest.MonkeyPatch
) -> None:
    exact, _ = both
    assert isinstance(exact.evidence, cluster.Evidence)
    head = cluster.LinkHead.load()
    links = cluster.link_matrix(exact.evidence, head)
    ids = exact.evidence.doc_ids
    a = cluster.claims_from_links(links, ids, head.link_threshold, head.confirm_threshold)
    monkeypatch.setattr(cluster, "DENSE_COMPONENT", 0)  # every group through average_linkage
    b = cluster.claims_from_links(links, ids, head.link_threshold, head.confirm_threshold)
    assert np.array_equal(a.labels, b.labels) and a.also == b.also
