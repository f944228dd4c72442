"""Sentences -> sparse link probabilities, for stories too large for sentence-by-sentence matrices.

The exact path (cluster.evidence, cluster.link_matrix) holds several n x n matrices: 5.3 GB
at 10,000 sentences. Here each sentence keeps only its ``k`` nearest sentences of other
documents (by cosine, found block by block), and every feature of cluster.FEATURES is
computed for those pairs alone: the clause cosine, the tf-idf cosine, and the CSLS terms,
whose neighbourhood means are taken over the same lists. Memory grows with n x k. When ``k``
reaches every other-document sentence, the pairs, features and so the claims are those of
the exact path (a test checks this on the seeds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from consistency.cluster import CSLS_K, LinkHead, features, row_dots, top_mean, word_weights

__all__ = ["Inputs", "links"]

# Other-document sentences kept per sentence: on the seeds the claims match the exact
# path's at 100 (adjusted Rand index 1.0) and nearly at 50 (0.97).
NEIGHBOURS: Final = 100
BLOCK: Final = 256  # sentences per block of the neighbour search (block x n values at a time)


@dataclass(frozen=True)
class Inputs:
    """What the sparse links are computed from: the counterpart of cluster.Evidence."""

    texts: list[str]
    doc_ids: NDArray[np.str_]
    vectors: NDArray[np.float32]  # sentence vectors, unit length
    clause_vectors: list[NDArray[np.float32]]
    kinds: list[set[str]]  # per sentence, its kinds of value (cluster.value_kinds)


@dataclass(frozen=True)
class Neighbours:
    """Each sentence's nearest sentences of other documents, best first (-1 pads short rows)."""

    index: NDArray[np.int64]  # n x k
    cosine: NDArray[np.float32]  # n x k, -inf where index is -1


def nearest(vectors: NDArray[np.float32], doc_ids: NDArray[np.str_], k: int) -> Neighbours:
    """The ``k`` nearest other-document sentences of each sentence, exactly, in blocks.

    Ties are broken by the lower index, so the lists are the same on every run.
    """
    n = len(vectors)
    k = max(0, min(k, n - 1))
    _, doc = np.unique(doc_ids, return_inverse=True)
    index = np.full((n, k), -1, dtype=np.int64)
    cosine = np.full((n, k), -np.inf, dtype=np.float32)
    if k == 0:
        return Neighbours(index, cosine)
    for lo in range(0, n, BLOCK):
        hi = min(lo + BLOCK, n)
        sim = vectors[lo:hi] @ vectors.T
        sim[doc[lo:hi, None] == doc[None, :]] = -np.inf
        top = np.argpartition(-sim, k - 1, axis=1)[:, :k] if k < n else np.argsort(-sim, axis=1)
        values = np.take_along_axis(sim, top, axis=1)
        order = np.lexsort((top, -values), axis=1)  # by cosine, then by index
        top, values = np.take_along_axis(top, order, 1), np.take_along_axis(values, order, 1)
        index[lo:hi] = np.where(np.isfinite(values), top, -1)
        cosine[lo:hi] = values
    return Neighbours(index, cosine)


def clause_cosines(
    rows: NDArray[np.int64], cols: NDArray[np.int64], clause_vectors: Sequence[NDArray[np.float32]]
) -> NDArray[np.float32]:
    """For each pair (rows[m], cols[m]), the highest cosine between a clause of each."""
    out = np.empty(len(rows), dtype=np.float32)
    order = np.argsort(rows, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(rows[order]) != 0])
    for first, last in zip(starts, [*starts[1:], len(order)], strict=True):
        at = order[first:last]
        partners = [clause_vectors[j] for j in cols[at]]
        sizes = np.array([len(c) for c in partners])
        sims = clause_vectors[rows[at[0]]] @ np.concatenate(partners).T
        out[at] = np.maximum.reduceat(sims.max(axis=0), np.r_[0, np.cumsum(sizes)[:-1]])
    return out


def neighbourhood(values: NDArray[np.float32], n: int) -> NDArray[np.float64]:
    """Mean of each row's CSLS_K highest values, a missing neighbour counting 0.

    The same quantity as cluster.neighbourhood over the full matrix, when the rows hold
    every other-document sentence.
    """
    return top_mean(values, min(CSLS_K, max(n - 1, 1)))


def links(inputs: Inputs, head: LinkHead, k: int = NEIGHBOURS) -> sparse.csr_array:
    """Link probabilities of each sentence with its ``k`` nearest other-document sentences.

    A symmetric sparse matrix with 1 on the diagonal; pairs below the head's candidate
    cosine are left out, as in cluster.link_matrix.
    """
    texts, n = inputs.texts, len(inputs.texts)
    near = nearest(inputs.vectors, inputs.doc_ids, k)
    rows = np.repeat(np.arange(n), near.index.shape[1])
    cols = near.index.ravel()
    valid = cols >= 0
    cosine = near.cosine.ravel()
    clause = np.full(len(rows), -np.inf, dtype=np.float32)
    clause[valid] = clause_cosines(rows[valid], cols[valid], inputs.clause_vectors)
    weights, rare = word_weights(texts)
    tfidf = np.full(len(rows), -np.inf, dtype=np.float32)
    tfidf[valid] = 0.0 if weights is None else row_dots(weights, rows[valid], cols[valid])
    shape = near.index.shape
    r = [neighbourhood(sim.reshape(shape), n) for sim in (cosine, clause, tfidf)]

    # Candidate pairs, each once (i < j), with the values found in either sentence's list.
    cand = valid & (cosine >= head.candidate_cosine)
    a, b = np.minimum(rows, cols)[cand], np.maximum(rows, cols)[cand]
    key, first = np.unique(a * n + b, return_index=True)
    a, b = key // n, key % n
    sims = [x[cand][first].astype(np.float64) for x in (cosine, clause, tfidf)]
    prob = head.probability(features(sims, r, a, b, rare, inputs.kinds))
    diagonal = np.arange(n)
    return sparse.csr_array(
        (np.r_[prob, prob, np.ones(n)], (np.r_[a, b, diagonal], np.r_[b, a, diagonal])),
        shape=(n, n),
    )
