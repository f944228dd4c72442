"""A story's sentences and a pair judge's verdicts -> claims (measured; not yet the checker's).

The embeddings propose, the judge decides: each sentence is paired with the few sentences of
other documents nearest to it (``candidates``), a pair judge (judge.py) gives each pair the
probability that both state the same claim, and claims are formed by average linkage over
the pairs of different documents (``claims``), where a pair the judge did not read counts
``UNREAD``. Sentences of one document are never paired (repeating oneself is no
corroboration), so a claim with several sources stands on the judge's word between them.

benchmarks/eval_claims.py and sweep_claims.py score this against people's annotation, beside
the link head that the checker uses (cluster.py); with the judge trained so far it scores
below the head there (docs/judge.md), so check() does not use it yet.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from consistency.cluster import (
    MAX_ALSO,
    Claims,
    find,
    group_indices,
    others_in_claim,
    relabel,
    strongest,
)

__all__ = [
    "MIN_COSINE",
    "PARTNERS",
    "UNREAD",
    "candidates",
    "claims",
    "judged_links",
    "linkage",
]

# Each sentence's nearest lines of other documents that the judge reads it against. On the
# seeds' annotated pairs the same-claim partner is among a sentence's 8 nearest (by cosine)
# for 0.68 of the pairs and its 12 nearest for 0.75; clustering joins the rest through the
# pairs read.
PARTNERS: Final = 8
# Below this cosine no pair is read: the lowest cosine of an annotated same-claim pair on
# the seeds is 0.17, and 0.44 for nine in ten of them.
MIN_COSINE: Final = 0.30
# What a pair of sentences of different documents that the judge did not read counts in
# the mean between two groups: not nothing (a claim that rests on one sentence stating two
# claims would bridge them), not 0 either (a claim twenty outlets state is read on a few of
# each sentence's pairs, not on all).
UNREAD: Final = 0.2
BLOCK: Final = 512  # lines per block of the neighbour search


def candidates(
    vectors: NDArray[np.float32],
    texts: Sequence[str],
    doc_ids: Sequence[str],
    partners: int = PARTNERS,
    min_cosine: float = MIN_COSINE,
) -> NDArray[np.int64]:
    """Pairs (i, j), i < j, of sentences of different documents for the judge to read.

    For each sentence, its ``partners`` nearest distinct lines (by cosine, at least
    ``min_cosine``) that stand in some other document, each met in its first sentence of
    another document; and each copy of a line that wire copy repeats, with the line's first
    sentence. A line is compared with the story once, whatever its number of copies, and
    the pairs grow with the sentences, not with their square. Sorted, each pair once.
    """
    n = len(texts)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    line_of: dict[str, int] = {}
    line = np.array([line_of.setdefault(t, len(line_of)) for t in texts], dtype=np.int64)
    _, doc = np.unique(np.asarray(doc_ids), return_inverse=True)
    first = np.full(len(line_of), -1, dtype=np.int64)  # each line's first sentence
    for i in range(n - 1, -1, -1):
        first[line[i]] = i
    line_vectors = vectors[first]
    # Sentences of each line: (line, doc) -> the first such sentence.
    at: dict[tuple[int, int], int] = {}
    for i in range(n):
        at.setdefault((int(line[i]), int(doc[i])), i)
    docs_of: list[list[int]] = [[] for _ in range(len(line_of))]
    for ln, d in at:
        docs_of[ln].append(d)
    copies: list[list[int]] = [[] for _ in range(len(line_of))]
    for i in range(n):
        copies[line[i]].append(i)
    pairs: set[tuple[int, int]] = set()
    for i in range(n):  # copies of a line, each with the line's first sentence
        j = int(first[line[i]])
        if doc[i] != doc[j]:
            pairs.add((j, i))
    k = min(partners + 1, len(line_of))
    for lo in range(0, len(line_of), BLOCK):
        sim = line_vectors[lo : lo + BLOCK] @ line_vectors.T
        for row in range(sim.shape[0]):
            sim[row, lo + row] = -np.inf  # a line is not its own neighbour
        # More than k nearest lines are looked at, since some stand only in the sentence's
        # own document; ties go to the lower line.
        wide = min(len(line_of), 4 * k)
        top = np.argpartition(-sim, wide - 1, axis=1)[:, :wide]
        for row, cand in enumerate(top):
            ln = lo + row
            order = cand[np.lexsort((cand, -sim[row, cand]))]
            # A line of one document is looked at once; a line in several, once per
            # sentence, since each copy's own document is left out.
            for i in copies[ln] if len(docs_of[ln]) > 1 else copies[ln][:1]:
                taken = 0
                for m in order.tolist():
                    if sim[row, m] < min_cosine or taken == partners:
                        break
                    j = next((at[(m, d)] for d in sorted(docs_of[m]) if d != doc[i]), -1)
                    if j < 0:
                        continue
                    pairs.add((min(i, j), max(i, j)))
                    taken += 1
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    return np.array(sorted(pairs), dtype=np.int64)


def judged_links(
    pairs: NDArray[np.int64], probability: NDArray[np.float64], n: int
) -> sparse.csr_array:
    """The judge's probabilities as a symmetric sparse matrix; unread pairs are not stored.

    A read pair with probability 0 is kept (as the smallest positive float), so that the
    matrix's structure says which pairs were read.
    """
    p = np.maximum(np.asarray(probability, dtype=np.float64), np.finfo(np.float64).tiny)
    a, b = pairs[:, 0], pairs[:, 1]
    return sparse.csr_array((np.r_[p, p], (np.r_[a, b], np.r_[b, a])), shape=(n, n))


def linkage(
    links: sparse.csr_array, doc_ids: Sequence[str], threshold: float, unread: float = UNREAD
) -> NDArray[np.int64]:
    """Average-linkage clusters over the pairs of different documents, merging while mean >= cut.

    The mean between two groups runs over their pairs of sentences of different documents:
    a read pair counts the judge's probability, an unread one ``unread``. Each group keeps
    its documents' counts and, for each neighbouring group, the sum and the number of the
    read pairs between them; a heap holds the candidate merges, stale entries are skipped.
    Ties merge the lower-numbered groups first, so the result is the same on every run.
    """
    n = links.shape[0]
    coo = sparse.coo_array(sparse.triu(links, 1))
    edges: list[dict[int, list[float]]] = [{} for _ in range(n)]
    for i, j, w in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
        edges[i][j] = [w, 1.0]
        edges[j][i] = edges[i][j]
    docs: list[dict[str, int]] = [{d: 1} for d in doc_ids]
    size = [1] * n

    def mean(a: int, b: int) -> float:
        total, read = edges[a][b]
        small, large = sorted((docs[a], docs[b]), key=len)
        pairs = size[a] * size[b] - sum(c * large.get(d, 0) for d, c in small.items())
        return (total + unread * (pairs - read)) / pairs

    parent = list(range(n))
    alive = [True] * n
    heap = [(-mean(i, j), i, j) for i, row in enumerate(edges) for j in row if i < j]
    heapq.heapify(heap)
    while heap:
        neg, a, b = heapq.heappop(heap)
        if -neg < threshold:
            break  # the best merge left is below the cut
        if not (alive[a] and alive[b]) or b not in edges[a] or abs(mean(a, b) + neg) > 1e-12:
            continue  # stale: the two groups have changed since this entry was pushed
        alive[b] = False  # b joins a (the lower number, as a < b)
        parent[b] = a
        del edges[a][b]
        for other, (total, read) in edges[b].items():
            if other == a:
                continue
            del edges[other][b]
            if other in edges[a]:
                edges[a][other][0] += total
                edges[a][other][1] += read
            else:
                edges[a][other] = edges[other][a] = [total, read]
        edges[b] = {}
        size[a] += size[b]
        for d, c in docs[b].items():
            docs[a][d] = docs[a].get(d, 0) + c
        for other in edges[a]:
            heapq.heappush(heap, (-mean(a, other), min(a, other), max(a, other)))
    return relabel(np.array([find(parent, i) for i in range(n)], dtype=np.int64))


def claims(
    links: sparse.csr_array, doc_ids: Sequence[str], threshold: float, unread: float = UNREAD
) -> Claims:
    """Claims of a story's sentences from the judged links, with the other claims each states.

    The clustering runs on each connected group of links at or above the cut (a merge
    needs one such link, so claims never cross them). A sentence also states another claim
    when the judge's mean over the pairs it read between the sentence and that claim's
    sentences in other documents reaches the cut (the strongest such claim).
    """
    from scipy.sparse.csgraph import connected_components

    n = links.shape[0]
    if n < 2:
        return Claims(np.zeros(n, dtype=np.int64), [frozenset()] * n)
    links = sparse.csr_array(links)
    _, component = connected_components(links >= threshold, directed=False)
    raw = np.empty(n, dtype=np.int64)
    offset = 0
    for members in group_indices(component.astype(np.int64)):
        local = (
            np.zeros(len(members), dtype=np.int64)
            if len(members) < 3
            else linkage(
                links[members][:, members], [doc_ids[i] for i in members], threshold, unread
            )
        )
        raw[members] = offset + local
        offset += int(local.max()) + 1
    labels = relabel(raw)
    return Claims(labels, also(links, labels, np.asarray(doc_ids), threshold, unread))


def also(
    links: sparse.csr_array,
    labels: NDArray[np.int64],
    doc_ids: NDArray[np.str_],
    threshold: float,
    unread: float = UNREAD,
) -> list[frozenset[int]]:
    """Each sentence's other claim: the best whose mean with it reaches the cut.

    The mean runs over the claim's sentences in other documents than the sentence's own,
    as in linkage(): a read pair counts the judge's probability, an unread one ``unread``.
    """
    n, k = len(labels), int(labels.max()) + 1
    _, doc = np.unique(doc_ids, return_inverse=True)
    in_claim = sparse.csr_array((np.ones(n), (np.arange(n), labels)), shape=(n, k))
    read = sparse.csr_array((np.ones_like(links.data), links.indices, links.indptr), shape=(n, n))
    total = sparse.coo_array(links @ in_claim)
    count = sparse.csr_array(read @ in_claim)
    rows, cols = total.row, total.col
    others = others_in_claim(doc, labels, rows, cols)
    seen = np.asarray(count[rows, cols]).ravel()
    mean = (total.data + unread * (others - seen)) / np.maximum(others, 1)
    keep = (mean >= threshold) & (cols != labels[rows])
    return strongest(rows[keep], cols[keep], mean[keep], n, MAX_ALSO)
