"""Articles -> stories: which articles report the same event, from their text alone.

An input may mix stories (a newsroom's day of copy, a scrape of several events): claims are
found within each story and never across. The grouping must above all never split one
story, the tool's main input, so it works in two stages:

1. Every article is a bag of words weighted by how rare each word is in general English
   (wordfreq), not in the input: a single story keeps the words its articles share, which
   an idf over the input would remove. Names count more, and name pairs, years, dates and
   numbers are features of their own. Average linkage with a loose cut groups articles
   of one story, often with those of a similar event (two earthquakes).
2. Each group is split in two only when it is clearly two: names, years, dates and numbers
   re-weighted by the group's own idf (the topic's shared words drop out), the top split of
   their average-linkage tree with each article then moved to the side it is closer to,
   kept when the sides are far apart. Then each side again. With the sentences' vectors
   (the pipeline has them by then), a split whose sides are only fairly apart (CLAIM_RATIO)
   is also kept when the sides share claims: two reports of one event state the same facts
   in near-identical sentences (CLAIM_COS), two events of a kind do not (CLAIM_GAP).

Scored by benchmarks/eval_stories.py on the labelled half of ECB+ (stories.csv there).
The parameters were chosen on half of those topics, and the others held out.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components

from consistency import rarity
from consistency.cluster import gram, unit_rows

__all__ = ["TOKEN", "group"]

# Word weight = max(0, RARE - Zipf frequency): "the" (Zipf 7.7) weighs almost nothing, a
# word wordfreq has never seen weighs RARE.
RARE: Final = 8.0
NAME_BOOST: Final = 4.0  # a capitalised word inside a sentence: events differ by names, places
PAIR_WEIGHT: Final = 8.0  # a pair of capitalised words ("Tara Reid"), as heavy as an unseen word
YEAR_WEIGHT: Final = 5.0  # two events of a kind are often years apart
DATE_WEIGHT: Final = 5.0  # a month and day ("Dec 14")
NUMBER_WEIGHT: Final = 3.0  # other numbers of two characters or more: tolls, scores, magnitudes
MERGE: Final = 0.06  # stage 1 joins groups while their mean cosine is above this (loose)
MIN_SIDE: Final = 3  # stage 2: a side has 3 articles or more; smaller bits join the nearer side
SPLIT_RATIO: Final = 0.15  # stage 2 splits when between/within similarity is below this...
SPLIT_APART: Final = 0.20  # ...or when the sides' stage-1 mean cosine is below this
# Texts this close in stage 1 are copies of one article (syndicated copy, a re-post with a
# new headline): grouped as one, so that copies neither count as a story's side of their
# own in stage 2 nor skew its idf. ECB+ with five copies of every article, each under an
# added first line: 22 of 982 articles had copies in another story without this, 2 with it
# (articles of 2 and 7 lines, where the added line weighs too much to count as a copy).
NEAR_COPY: Final = 0.95
# near_copies multiplies out only the pairs that share a feature of a row's prefix: its
# rarest entries up to where the rest of the row weighs less than this (a norm, at most
# NEAR_COPY). Lower finds fewer candidates in a longer product; 0.85-0.95 all took 0.3 s
# for the 5,902 articles of the 100k benchmark level.
PREFIX_REST: Final = 0.9
PAIR_BLOCK: Final = 20_000  # pairs whose rows near_pairs multiplies out at a time
# Stage 2: rounds of moving each article to the side it is on average more similar to,
# after the tree's top split (an early merge of average linkage can leave one on the
# wrong side, and it then drags the sides together).
REASSIGN: Final = 5
# Stage 2 with sentence vectors: two sentences state the same claim above this cosine...
CLAIM_COS: Final = 0.7
# ...and a split whose between/within ratio is below CLAIM_RATIO is kept when each side's
# articles share more of their claims with each other than with the other side's, by more
# than CLAIM_GAP (as a share of sentences). Chosen on the ECB+ tune topics, where the gain
# holds for a cosine of 0.60-0.72 and a gap of 0.06-0.14, but the ratio has a narrow margin:
# no gain at 0.28, a single story split at 0.31.
CLAIM_RATIO: Final = 0.30
CLAIM_GAP: Final = 0.10
# A group of more articles skips the claim test: its cost grows with the square of the
# group's sentences, and a group this large is most likely one story, never to be split.
CLAIM_MAX: Final = 100

TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:[.,:/]\d+)*")
YEAR = re.compile(r"(?:19|20)\d\d")
DAY = re.compile(r"\d{1,2}")
_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTHS: Final = (
    {m: i for i, m in enumerate(_NAMES, 1)}
    | {m[:3]: i for i, m in enumerate(_NAMES, 1)}
    | {"sept": 9}
)
# Capitalised inside a sentence without being a name.
NOT_NAMES: Final = frozenset(
    (
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "of",
        "and",
        "but",
        "or",
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "this",
        "that",
        "these",
        "those",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mr",
        "mrs",
        "ms",
        "dr",
        "said",
        "says",
    )
) | frozenset(MONTHS)


@lru_cache(maxsize=1 << 17)
def line_features(line: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """One line's features and their counts (see matrices); cached, as wire copy repeats lines."""
    out: defaultdict[str, float] = defaultdict(float)
    tokens = TOKEN.findall(line)
    run: list[str] = []
    for i, token in enumerate(tokens):
        low = token.lower()
        name = False
        if token[0].isdigit():
            number = token.replace(",", "")
            out[("Y:" if YEAR.fullmatch(number) else "N:") + number] += 1
            before = tokens[i - 1].lower() if i else ""
            if before in MONTHS and DAY.fullmatch(number):
                out[f"D:{MONTHS[before]}-{int(number)}"] += 1
        else:
            capital = token[0].isupper() and (not token.isupper() or len(token) > 1)
            name = capital and i > 0 and low not in NOT_NAMES
            out["W:" + low] += NAME_BOOST if name else 1
            if name:
                out["P:" + low] += 1
        if name:
            run.append(low)
            continue
        pairs(run, out)
        run = []
    pairs(run, out)
    return tuple(out), tuple(out.values())


def pairs(run: list[str], out: defaultdict[str, float]) -> None:
    """Count each two names in a row of ``run`` ("tara reid") into ``out``."""
    for a, b in itertools.pairwise(run):
        out[f"B:{a}_{b}"] += 1


def weight(feature: str, local: bool, zipf: Mapping[str, float]) -> float:
    """A feature's weight: stage 1 (``local`` False) or stage 2's names, dates and numbers.

    ``zipf``: how common each word is in English (rarity.zipf).
    """
    kind, token = feature[0], feature[2:]
    if kind == "W":
        return 0.0 if local else max(0.0, RARE - zipf[token])
    if kind == "P":
        return max(0.0, RARE - zipf[token]) if local else 0.0
    if kind == "B":
        return PAIR_WEIGHT
    if kind == "Y":
        return YEAR_WEIGHT
    if kind == "D":
        return DATE_WEIGHT
    return NUMBER_WEIGHT if len(token) >= 2 else 0.0


def matrices(texts: Sequence[str]) -> tuple[sparse.csr_array, sparse.csr_array]:
    """Sublinear feature counts weighted for stage 1 and (unweighted by idf yet) stage 2.

    An article's features are the sums of its lines' (line_features): W, a word (a name
    counts NAME_BOOST times); P, a name; B, a pair of names in a row; Y, a year; D, a month
    and day; N, another number. They are summed as a product of articles x lines by
    lines x features, so a line that wire copy repeats is read once. Columns are numbered
    by first article, then by name.
    """
    line_ids: dict[str, int] = {}
    in_doc = [[line_ids.setdefault(line, len(line_ids)) for line in t.split("\n")] for t in texts]
    found = [line_features(line) for line in line_ids]
    features = list(itertools.chain.from_iterable(f for f, _ in found))
    vocab = {f: k for k, f in enumerate(dict.fromkeys(features))}  # numbered as met
    per_line = sparse.csr_array(
        (
            np.fromiter(itertools.chain.from_iterable(c for _, c in found), dtype=np.float64),
            np.fromiter(map(vocab.__getitem__, features), dtype=np.int64, count=len(features)),
            np.cumsum([0] + [len(f) for f, _ in found]),
        ),
        shape=(len(line_ids), len(vocab)),
    )
    rows = np.repeat(np.arange(len(texts)), [len(ids) for ids in in_doc])
    cols = np.fromiter(itertools.chain.from_iterable(in_doc), dtype=np.int64, count=len(rows))
    lines = sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(line_ids)))
    by_feature = sparse.csc_array(lines @ per_line)  # whole numbers: exact in any order
    by_feature.sort_indices()
    first = by_feature.indices[by_feature.indptr[:-1]]  # each feature's first article
    counts = sparse.coo_array(by_feature)
    names = np.array(list(vocab) or [""])[: len(vocab)]
    rank = np.empty(len(vocab), dtype=np.int64)
    order = np.lexsort((names, first))
    rank[order] = np.arange(len(vocab))
    logs = sublinear(counts.data)
    x = sparse.csr_array((logs, (counts.row, rank[counts.col])), shape=counts.shape)
    ordered = names[order].tolist()
    zipf = rarity.zipf(f[2:] for f in ordered if f[0] in "WP")
    stage1 = sparse.diags_array(np.array([weight(f, False, zipf) for f in ordered]))
    stage2 = sparse.diags_array(np.array([weight(f, True, zipf) for f in ordered]))
    return sparse.csr_array(x @ stage1), sparse.csr_array(x @ stage2)


def near_copies(x: sparse.csr_array, threshold: float = NEAR_COPY) -> NDArray[np.int32]:
    """A label per row of ``x``: rows whose dot product reaches ``threshold`` share one (chained).

    ``x`` has rows of unit length (or zero) and no negative entry; the pairs are near_pairs'.
    """
    n = x.shape[0]
    i, j, _ = near_pairs(x, threshold)
    graph = sparse.csr_array((np.ones(len(i)), (i, j)), shape=(n, n))
    labels: NDArray[np.int32] = connected_components(graph, directed=False)[1]
    return labels


def near_pairs(
    x: sparse.csr_array, threshold: float
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Every two rows of ``x`` whose dot product reaches ``threshold``: rows i < j and the dots.

    ``x`` has rows of unit length (or zero) and no negative entry. Exact without the dot
    product of every two rows (prefix filtering, after Bayardo et al. 2007, "Scaling up all
    pairs similarity search"): with each row's features taken rarest first, its prefix is
    its entries up to where the rest weighs less than PREFIX_REST (or ``threshold``, if
    lower). As a.b <= a_prefix.b +
    |a_rest| (Cauchy-Schwarz, |b| <= 1), two rows at ``threshold`` have a_prefix.b >=
    threshold - |a_rest| > 0 both ways round, which one sparse product finds; only those
    pairs are multiplied out. For the 100k benchmark level's 5,902 articles: 26,000 pairs
    to multiply instead of 17 million, 0.3 s instead of 1.1 s. In ascending order of (i, j).
    """
    y = sparse.csr_array(x, dtype=np.float64, copy=True)
    y.eliminate_zeros()
    n, m = y.shape
    # Columns renumbered rarest first (fewest rows), so that each row sorted by column is
    # sorted rarest first.
    held = np.bincount(y.indices, minlength=m)
    rank = np.empty(m, dtype=y.indices.dtype)
    rank[np.lexsort((np.arange(m), held))] = np.arange(m)
    y = sparse.csr_array((y.data, rank[y.indices], y.indptr), shape=y.shape)
    y.sort_indices()
    row = np.repeat(np.arange(n), np.diff(y.indptr))
    squares = y.data * y.data
    # Each entry's row weighed from that entry to the row's end (rows laid end to end).
    to_end = np.cumsum(squares[::-1])[::-1]
    from_here = to_end - np.append(to_end, 0.0)[y.indptr[1:]][row]
    prefix = from_here >= min(PREFIX_REST, threshold) ** 2 - 1e-9
    rest = np.sqrt(np.bincount(row[~prefix], weights=squares[~prefix], minlength=n))
    heads = sparse.csr_array((y.data[prefix], (row[prefix], y.indices[prefix])), shape=y.shape)
    found = sparse.coo_array(heads @ y.T)
    able = found.data + rest[found.row] >= threshold - 1e-9
    a, b = found.row[able], found.col[able]
    low, high = np.minimum(a, b), np.maximum(a, b)
    twice = sparse.coo_array(
        sparse.csr_array((np.ones(len(a)), (low, high)), shape=(n, n))  # duplicates summed
    )
    both = (twice.data == 2) & (twice.row != twice.col)  # able both ways round
    i, j = twice.row[both], twice.col[both]
    order = np.lexsort((j, i))
    i, j = i[order].astype(np.int64), j[order].astype(np.int64)
    # Multiplied out a block of pairs at a time: the rows of every pair at once can take
    # gigabytes where many articles are alike (wire copy in many outlets).
    dots = np.concatenate(
        [np.zeros(0)]
        + [
            np.asarray(
                y[i[k : k + PAIR_BLOCK]].multiply(y[j[k : k + PAIR_BLOCK]]).sum(axis=1)
            ).ravel()
            for k in range(0, len(i), PAIR_BLOCK)
        ]
    )
    near = dots >= threshold
    return i[near], j[near], dots[near]


def sublinear(counts: NDArray[np.float64]) -> NDArray[np.float64]:
    """1 + log(count) of each count, by math.log once per distinct count.

    Counts are whole numbers (a name counts NAME_BOOST), so a table indexed by the count
    serves them, faster than sorting 1.8 million of them for np.unique (100k level).
    """
    whole = counts.astype(np.int64)
    if len(counts) and np.array_equal(whole, counts) and whole.min() >= 1:
        table = np.array([0.0] + [1.0 + math.log(c) for c in range(1, int(whole.max()) + 1)])
        return table[whole]
    distinct, which = np.unique(counts, return_inverse=True)
    return np.array([1.0 + math.log(c) for c in distinct.tolist()])[which.ravel()]


def average_tree(sims: NDArray[np.float64]) -> NDArray[np.float64]:
    """The average-linkage tree (scipy) over cosine distances."""
    dist = np.clip(1.0 - sims, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    tree: NDArray[np.float64] = linkage(dist[np.triu_indices(len(sims), 1)], method="average")
    return tree


def within(sims: NDArray[np.float64], side: NDArray[np.bool_]) -> float:
    """Mean similarity between distinct members of one side (nan for fewer than two)."""
    k = int(side.sum())
    if k < 2:
        return math.nan
    block = sims[np.ix_(side, side)]
    return float((block.sum() - np.trace(block)) / (k * (k - 1)))


def local_similarity(x: sparse.csr_array) -> NDArray[np.float64]:
    """Cosines of a group's articles under the group's own idf (shared features drop out)."""
    n = x.shape[0]
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    idf = np.log((n + 1.0) / (df + 0.5))
    idf[df < 2] = 0.0  # a feature of one article cannot define a side
    y = unit_rows(sparse.csr_array(x @ sparse.diags_array(idf)))
    return np.asarray((y @ y.T).toarray())


def candidate_split(sims: NDArray[np.float64]) -> NDArray[np.bool_] | None:
    """The top split of the group's tree, outliers below MIN_SIDE given to the nearer side."""
    n = len(sims)
    if n < 2 * MIN_SIDE:
        return None
    tree = average_tree(sims)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for k, (a, b, _, _) in enumerate(tree):
        members[n + k] = members[int(a)] + members[int(b)]
    node, aside = 2 * n - 2, []
    while True:
        if node < n:
            return None
        a, b = int(tree[node - n, 0]), int(tree[node - n, 1])
        if (len(members[a]), -min(members[a])) < (len(members[b]), -min(members[b])):
            a, b = b, a  # a is the larger side (the one holding the lower index on a tie)
        if len(members[b]) >= MIN_SIDE:
            break
        aside += members[b]
        node = a
    big, small = list(members[a]), list(members[b])
    for i in sorted(aside):
        (big if sims[i, big].mean() >= sims[i, small].mean() else small).append(i)
    side = np.zeros(n, dtype=bool)
    side[small] = True
    return reassign(sims, side)


def reassign(sims: NDArray[np.float64], side: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """``side`` with each article moved to the side of higher mean similarity, REASSIGN rounds.

    Stops early when nothing moves or a side would fall below MIN_SIDE.
    """
    others = sims.copy()
    np.fill_diagonal(others, np.nan)  # an article's similarity to itself is no evidence
    for _ in range(REASSIGN):
        to_side = np.nanmean(np.where(side[None, :], others, np.nan), axis=1)
        to_rest = np.nanmean(np.where(side[None, :], np.nan, others), axis=1)
        moved = to_side > to_rest
        if (moved == side).all() or min(moved.sum(), (~moved).sum()) < MIN_SIDE:
            break
        side = moved
    return side


def shared_claims(vectors: Sequence[NDArray[np.float32]]) -> NDArray[np.float64]:
    """Share of two articles' sentences with a near-copy (CLAIM_COS) in the other, averaged.

    ``vectors``: each article's unit sentence vectors; the diagonal is 1.
    """
    n = len(vectors)
    sizes = np.array([len(v) for v in vectors])
    if n < 2 or not sizes.all():
        return np.ones((n, n))  # an article without sentences: no evidence for a split
    flat = np.concatenate(vectors)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    share = np.empty((n, n))
    for i, v in enumerate(vectors):
        best = np.maximum.reduceat(v @ flat.T, starts, axis=1)  # each sentence, each article
        share[i] = (best >= CLAIM_COS).mean(axis=0)
    out = (share + share.T) / 2
    np.fill_diagonal(out, 1.0)
    return out


def claim_gap(shared: NDArray[np.float64], side: NDArray[np.bool_]) -> float:
    """How much more of their claims (``shared``) each side's articles share within than across."""
    between = float(shared[np.ix_(~side, side)].mean())
    return min(within(shared, ~side), within(shared, side)) - between


def refine(
    local: sparse.csr_array,
    global_sims: NDArray[np.float64],
    idx: list[int],
    vectors: Sequence[NDArray[np.float32]] | None,
) -> list[list[int]]:
    """A stage-1 group cut into stories: split in two while the sides are clearly apart.

    A split kept by the claim test then moves articles by names and shared claims together
    (it errs by an article or two where the names alone part the two events poorly).
    """
    sims = local_similarity(sparse.csr_array(local[idx]))
    side = candidate_split(sims)
    if side is None:
        return [idx]
    a, b = ~side, side
    ratio = sims[np.ix_(a, b)].mean() / np.nanmean([within(sims, a), within(sims, b)])
    apart = global_sims[np.ix_(idx, idx)][np.ix_(a, b)].mean()
    if not (ratio < SPLIT_RATIO or apart < SPLIT_APART):
        if vectors is None or ratio >= CLAIM_RATIO or len(idx) > CLAIM_MAX:
            return [idx]
        shared = shared_claims([vectors[i] for i in idx])
        if claim_gap(shared, side) <= CLAIM_GAP:
            return [idx]
        side = reassign(sims + shared, side)
        a, b = ~side, side
    where = np.asarray(idx)
    return refine(local, global_sims, where[a].tolist(), vectors) + refine(
        local, global_sims, where[b].tolist(), vectors
    )


def group(texts: Sequence[str], vectors: Sequence[NDArray[np.float32]] | None = None) -> list[int]:
    """A story number per article text (one sentence a line), 0 for the first text's story.

    ``vectors``, when given: each text's unit sentence vectors, a row per sentence (stage
    2's claim test); without them stage 2 reads names, dates and numbers alone.

    Identical texts and near-copies (NEAR_COPY) get the same story, and the grouping does
    not depend on the input's order: the distinct texts are grouped in sorted order, then
    numbered by first appearance in ``texts``.
    """
    distinct = sorted(set(texts))
    if len(distinct) <= 1:
        return [0] * len(texts)
    first, local = matrices(distinct)
    x = unit_rows(first)
    copy_of = near_copies(x)
    heads = np.unique(copy_of, return_index=True)[1]  # the first text of each set of copies
    if len(heads) == 1:  # near-copies of one text, all of them: one story, nothing to split
        return [0] * len(texts)
    global_sims = gram(sparse.csr_array(x[heads]))
    local = sparse.csr_array(local[heads])
    head_vectors = None
    if vectors is not None:
        vector_of = dict(zip(texts, vectors, strict=True))
        head_vectors = [vector_of[distinct[h]] for h in heads]
    found = fcluster(average_tree(global_sims), t=1.0 - MERGE, criterion="distance")
    label = np.zeros(len(heads), dtype=np.int64)
    stories = 0
    for g in sorted({int(f) for f in found}, key=lambda f: int(np.argmax(found == f))):
        for part in refine(local, global_sims, np.flatnonzero(found == g).tolist(), head_vectors):
            label[part] = stories
            stories += 1
    of_text = dict(zip(distinct, label[copy_of].tolist(), strict=True))
    numbers: dict[int, int] = {}
    return [numbers.setdefault(of_text[t], len(numbers)) for t in texts]
