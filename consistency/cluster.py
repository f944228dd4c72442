"""Sentence vectors -> claim ids: embeddings propose links, more evidence confirms them.

Within one story every sentence shares the topic, so cosine alone cannot tell "the same claim"
from "the same story" (on the seeds no single threshold separates them). Candidate pairs come
from the embeddings; a small logistic head in ``models/link_head.json`` then weighs the evidence
for each pair -- the sentence cosine, the best clause-to-clause cosine (news sentences carry two
claims at once), tf-idf overlap whose idf is taken over the story (so the topic's own words
count for little), shared rare words, and whether both state a value of the same kind -- and
average-linkage clustering over the link probabilities groups the sentences into claims.

The evidence is blind to the values themselves (numbers are no tf-idf words; only the kinds
of value and what they count are compared): two outlets that give one claim different
numbers must land in one claim, or compare.py could never see them disagree.
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Final, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from consistency import slots
from consistency.embed import models_dir
from consistency.errors import ModelError

__all__ = [
    "CSLS_K",
    "FEATURES",
    "MAX_ALSO",
    "POSSESSIVE",
    "TOKEN",
    "Claims",
    "Evidence",
    "LinkHead",
    "candidate_pairs",
    "claims_from_links",
    "clauses",
    "cluster",
    "confirmed",
    "evidence",
    "features",
    "find",
    "gram",
    "group_indices",
    "link_matrix",
    "neighbourhood",
    "others_in_claim",
    "pair_features",
    "relabel",
    "row_dots",
    "strongest",
    "top_mean",
    "unit_rows",
    "value_kinds",
    "word_weights",
]

FEATURES: Final = (
    "cosine",
    "clause_cosine",
    "tfidf",
    "cosine_csls",
    "clause_cosine_csls",
    "tfidf_csls",
    "rare_shared",
    "value_kind_shared",
)
# CSLS (cross-domain similarity local scaling) subtracts from a pair's similarity how similar
# each side is to its CSLS_K nearest sentences in other documents. A topic sentence is near
# everything; a claim's paraphrase is near its twin in particular. On the seeds it lifts the
# average precision of the pair decision by about a tenth (benchmarks/eval_clustering.py).
CSLS_K: Final = 10
# A sentence is attached to at most this many claims besides its own (the strongest): news
# sentences carry two claims often, three rarely, while a long sentence full of the story's
# words links weakly to many claims.
MAX_ALSO: Final = 1
# Claims of a connected group of links up to this size are found on its dense matrix
# (average_cut); larger groups, which mixed or huge inputs chain together, on the sparse
# links themselves (average_linkage), whose memory grows with the links.
DENSE_COMPONENT: Final = 2_000
# Shared words and kinds of value are counted from the product of a story's 0/1 matrix with
# itself when the pairs asked for are at least this share of all pairs, and the story has
# at most PRODUCT_MAX sentences (the product is n x n): see shared().
PRODUCT_SHARE: Final = 1 / 16
PRODUCT_MAX: Final = 4_096

# A group whose links are all this close above the cut is one claim without clustering:
# every merge is at a mean of them, far from the cut beside the rounding of a mean.
CUT_MARGIN: Final = 1 - 1e-9
# gram() works through this many rows at a time.
GRAM_BLOCK: Final = 1024
# The distinct pairs of classes of a story's candidate pairs are found in a table of every
# pair of classes (a byte each) up to this size, in one pass; beyond it by sorting the pairs.
CLASS_TABLE: Final = 1 << 25

TOKEN: Final = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_](?:[^\W_]|['’-](?=[^\W_]))*")
POSSESSIVE: Final = re.compile(r"['’]s$")
# Clause boundaries: punctuation, and the words that open a new clause in news prose.
CLAUSE_BREAK: Final = re.compile(
    r"\s*[,;:()\[\]“”\"—–]\s*|\s+(?:and|but|while|which|who|whose|where|as|after|"
    r"because|although|though|despite|including|with)\s+",
    re.IGNORECASE,
)
MIN_CLAUSE_WORDS: Final = 3


# scikit-learn's English stop words (sklearn.feature_extraction.text.ENGLISH_STOP_WORDS),
# copied so that a run never imports scikit-learn: the import costs 1.3 s here (SciPy 1.17's
# scipy.stats, which it imports, rewrites hundreds of docstrings at import). Without it a
# cached check of the seeds takes 2.6 s instead of 4.1 s. tests/test_cluster.py holds the
# copy to the original; the notebook's claim map (report.claim_map) still imports it.
_STOP_WORDS = """
a about above across after afterwards again against all almost alone along already also
although always am among amongst amoungst amount an and another any anyhow anyone anything
anyway anywhere are around as at back be became because become becomes becoming been before
beforehand behind being below beside besides between beyond bill both bottom but by call can
cannot cant co con could couldnt cry de describe detail do done down due during each eg eight
either eleven else elsewhere empty enough etc even ever every everyone everything everywhere
except few fifteen fifty fill find fire first five for former formerly forty found four from
front full further get give go had has hasnt have he hence her here hereafter hereby herein
hereupon hers herself him himself his how however hundred i ie if in inc indeed interest into
is it its itself keep last latter latterly least less ltd made many may me meanwhile might
mill mine more moreover most mostly move much must my myself name namely neither never
nevertheless next nine no nobody none noone nor not nothing now nowhere of off often on once
one only onto or other others otherwise our ours ourselves out over own part per perhaps
please put rather re same see seem seemed seeming seems serious several she should show side
since sincere six sixty so some somehow someone something sometime sometimes somewhere still
such system take ten than that the their them themselves then thence there thereafter thereby
therefore therein thereupon these they thick thin third this those though three through
throughout thru thus to together too top toward towards twelve twenty two un under until up
upon us very via was we well were what whatever when whence whenever where whereafter whereas
whereby wherein whereupon wherever whether which while whither who whoever whole whom whose
why will with within without would yet you your yours yourself yourselves
"""
STOP_WORDS: Final = frozenset(_STOP_WORDS.split())


def tokens(text: str) -> list[str]:
    """Content words of ``text``: lower case, possessives and plural -s removed, no stop words.

    >>> tokens("Putin’s first visit to North Korea in 24 years")
    ['putin', 'visit', 'north', 'korea', '24', 'year']
    >>> tokens("Belarus, analogous to the allies")
    ['belarus', 'analogous', 'ally']
    """
    return [w for raw in TOKEN.findall(text) if (w := token_word(raw))]


@lru_cache(maxsize=1 << 16)
def token_word(raw: str) -> str:
    """One token as ``tokens`` keeps it, or "" (cached: a story's words recur)."""
    word = POSSESSIVE.sub("", raw.lower())
    if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
        return ""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def value_kinds(values: Sequence[slots.Slot]) -> set[str]:
    """The kinds of value a sentence states, alone and with what they count, values left out.

    >>> sorted(value_kinds(slots.extract("his first visit in 24 years")))
    ['duration', 'duration:in', 'ordinal', 'ordinal:visit']
    """
    return {v.kind for v in values} | {f"{v.kind}:{v.about}" for v in values if v.about}


def words(text: str) -> list[str]:
    """``tokens`` without numbers: what a claim is about, whatever values it gives.

    >>> words("first visit to North Korea in 24 years")
    ['visit', 'north', 'korea', 'year']
    """
    return [w for w in tokens(text) if not w[0].isdigit()]


def clauses(text: str) -> list[str]:
    """Split a sentence into clauses of at least three words (the sentence itself if none).

    >>> clauses("Putin, on his first visit to North Korea in 24 years, signed a defense pledge.")
    ['on his first visit to North Korea in 24 years', 'signed a defense pledge.']
    """
    parts = [p for p in CLAUSE_BREAK.split(text) if p and p.strip()]
    out = [p.strip() for p in parts if len(p.split()) >= MIN_CLAUSE_WORDS]
    return out or [text]


@dataclass(frozen=True)
class LinkHead:
    """Logistic weights over FEATURES giving the probability that two sentences share a claim."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    candidate_cosine: float  # pairs below this sentence cosine are not considered at all
    link_threshold: float  # average-linkage cut, in link probability
    # The link each sentence of a claim of several sources needs to a sentence of another
    # source in it: a claim's sources hold up pair by pair, not only on the group's mean.
    confirm_threshold: float

    @classmethod
    def load(cls, folder: str | Path | None = None) -> LinkHead:
        """Read ``link_head.json`` from the models folder."""
        path = models_dir(folder) / "link_head.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            head = cls(
                features=tuple(data["features"]),
                coef=tuple(float(x) for x in data["coef"]),
                intercept=float(data["intercept"]),
                candidate_cosine=float(data["candidate_cosine"]),
                link_threshold=float(data["link_threshold"]),
                confirm_threshold=float(data["confirm_threshold"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ModelError(
                f"{path}: cannot read the link head ({e}); run `make train` to refit it."
            ) from None
        if head.features != FEATURES or len(head.coef) != len(FEATURES):
            raise ModelError(
                f"{path}: trained on features {list(head.features)}, the code computes "
                f"{list(FEATURES)}; run `make train` to refit it."
            )
        return head

    def probability(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Link probability for each row of pair features."""
        z = x @ np.asarray(self.coef) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)))


@dataclass(frozen=True)
class Evidence:
    """Similarity matrices and word sets for one story's sentences, computed once.

    The similarities are held between distinct lines (``line_*``, a line that wire copy
    repeats counts once); ``cosine``, ``clause_cosine`` and ``tfidf`` spread them to
    sentence x sentence matrices on first use. The link features read the line matrices.
    """

    vectors: NDArray[np.float32]  # sentence vectors, unit length
    doc_ids: NDArray[np.str_]
    line_cosine: NDArray[np.float32]  # line x line
    line_clause_cosine: NDArray[np.float32]  # best clause-to-clause cosine of two lines
    line_tfidf: NDArray[np.float32]  # tf-idf cosine, idf over the story's sentences
    rare: list[set[str]]  # per sentence, its words rarer than the story's topic words
    kinds: list[set[str]]  # per sentence, its kinds of value ("duration", "duration:in")
    line: NDArray[np.int64]  # per sentence, its text's number: equal for repeated lines

    @cached_property
    def cosine(self) -> NDArray[np.float32]:
        """Sentence x sentence cosine."""
        return spread(self.line_cosine, self.line)

    @cached_property
    def clause_cosine(self) -> NDArray[np.float32]:
        """Sentence x sentence best clause-to-clause cosine."""
        return spread(self.line_clause_cosine, self.line)

    @cached_property
    def tfidf(self) -> NDArray[np.float32]:
        """Sentence x sentence tf-idf cosine."""
        return spread(self.line_tfidf, self.line)

    def line_matrices(self) -> tuple[NDArray[np.float32], ...]:
        """The three similarities between lines, in FEATURES order."""
        return self.line_cosine, self.line_clause_cosine, self.line_tfidf


def evidence(
    texts: Sequence[str],
    doc_ids: Sequence[str],
    vectors: NDArray[np.float32],
    clause_vectors: Sequence[NDArray[np.float32]],
    kinds: Sequence[set[str]] | None = None,
) -> Evidence:
    """Gather the per-story evidence; idf is taken over these sentences (one story).

    ``kinds``: each sentence's ``value_kinds``, when the caller has extracted its slots.
    """
    if kinds is None:
        kinds = [value_kinds(slots.extract(t)) for t in texts]
    weights, rare = word_weights(texts)
    # A line repeated in several documents (wire copy) has one vector, one set of clauses and
    # one row of words (idf counts every repeat): its similarities are computed once, between
    # distinct lines, and spread to the repeats.
    index: dict[str, int] = {}
    line = np.array([index.setdefault(t, len(index)) for t in texts], dtype=np.int64)
    first = np.unique(line, return_index=True)[1]  # each distinct line's first row, in order
    if weights is None:
        tfidf = np.zeros((len(first), len(first)), dtype=np.float32)
    else:
        rows = sparse.csr_array(weights[first])
        tfidf = np.asarray((rows @ rows.T).toarray(), dtype=np.float32)
    distinct = vectors[first]
    return Evidence(
        vectors=vectors,
        doc_ids=np.asarray(doc_ids),
        line_cosine=np.asarray(distinct @ distinct.T, dtype=np.float32),
        line_clause_cosine=clause_similarity([clause_vectors[i] for i in first]),
        line_tfidf=tfidf,
        rare=rare,
        kinds=[set(k) for k in kinds],
        line=line,
    )


Cell = TypeVar("Cell", bound=np.generic)


def spread(between: NDArray[Cell], line: NDArray[np.int64]) -> NDArray[Cell]:
    """A matrix over distinct lines -> one over the sentences (``line``: each one's line).

    Without repeats (``line`` is 0, 1, 2...) the matrix itself.
    """
    if len(line) == len(between):
        return between
    return between[np.ix_(line, line)]


def word_weights(texts: Sequence[str]) -> tuple[sparse.csr_array | None, list[set[str]]]:
    """Unit-length tf-idf rows (idf over these sentences) and each sentence's rare words.

    The rows are None when no sentence has a content word. A word is "rare" when it is in
    at most 2% of the story's sentences (and so not a topic word such as the leaders'
    names): sharing one is evidence of a shared claim.
    """
    n = len(texts)
    known: dict[str, list[str]] = {}  # each distinct sentence split into words once
    split = [known[t] if t in known else known.setdefault(t, words(t)) for t in texts]
    found = tfidf(split)
    if found is None:  # no sentence has a content word
        return None, [set() for _ in texts]
    weights, idf = found
    rare_idf = np.log((1 + n) / (1 + max(2.0, 0.02 * n))) + 1
    rare = {t: {w for w in ws if idf.get(w, 0) >= rare_idf} for t, ws in known.items()}
    return weights, [rare[t] for t in texts]  # a repeated sentence shares its set


def tfidf(docs: Sequence[Sequence[str]]) -> tuple[sparse.csr_array, dict[str, float]] | None:
    """scikit-learn's TfidfVectorizer on word lists (raw counts, smooth idf, unit rows).

    The same matrix entry for entry and in the same storage order (so every later sum is
    the same), and each word's idf; None when no document has a word, where scikit-learn
    raises. A run does not import scikit-learn (see STOP_WORDS); tests hold this to it.
    Repeated documents (wire copy) are counted once per repeat but weighed once.
    """
    numbers: dict[tuple[str, ...], int] = {}
    which = np.array([numbers.setdefault(tuple(ws), len(numbers)) for ws in docs], dtype=np.int64)
    repeats = np.bincount(which, minlength=len(numbers))
    vocab: dict[str, int] = {}  # word -> the order it was first seen in
    indptr, indices, counts = [0], [], []
    for ws in numbers:
        row: dict[int, int] = {}
        for w in ws:
            j = vocab.setdefault(w, len(vocab))
            row[j] = row.get(j, 0) + 1
        for j in sorted(row):  # scikit-learn sorts a row by first-seen order ...
            indices.append(j)
            counts.append(row[j])
        indptr.append(len(indices))
    if not vocab:
        return None
    names = sorted(vocab)  # ... then numbers the words alphabetically, keeping that order
    rank = np.empty(len(names), dtype=np.int64)
    rank[[vocab[w] for w in names]] = np.arange(len(names))
    cols = rank[np.asarray(indices, dtype=np.int64)]
    starts = np.asarray(indptr, dtype=np.int64)
    in_docs = np.repeat(repeats, np.diff(starts))  # each entry's document, as many as repeat
    df = np.bincount(cols, weights=in_docs, minlength=len(names)) + 1.0  # whole numbers: exact
    idf = np.full_like(df, len(docs) + 1.0)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    data = np.asarray(counts, dtype=np.float64) * idf[cols]
    x = sparse.csr_array((data, cols, starts), shape=(len(numbers), len(names)))
    return sparse.csr_array(unit_rows(x)[which]), dict(zip(names, idf.tolist(), strict=True))


def unit_rows(x: sparse.csr_array) -> sparse.csr_array:
    """A copy of ``x`` with each row scaled to unit length, rows of zeros left as they are.

    scikit-learn's ``normalize`` for CSR: each row's squares are summed in storage order, as
    its loop does (a sparse product with a vector of ones sums that way), so the results are
    its own bit for bit.
    """
    y = sparse.csr_array(x, dtype=np.float64, copy=True)
    squares = sparse.csr_array((y.data * y.data, y.indices, y.indptr), shape=y.shape)
    norms = np.repeat(np.sqrt(squares @ np.ones(y.shape[1])), np.diff(y.indptr))
    some = norms != 0.0
    y.data[some] /= norms[some]
    return y


def gram(x: sparse.csr_array) -> NDArray[np.float64]:
    """``x @ x.T`` as a dense array: the dot product of every two rows of a sparse matrix.

    A column held by many rows costs a sparse product the square of its count, and makes
    most of the result non-zero anyway: such columns (in a tenth of the rows or more, the
    words all articles share) are multiplied densely, the rest sparsely, and the two
    added. Equal to the sparse product but for the order of summation (1e-15 on ECB+);
    the story grouping of the 100k benchmark level took a third of the time.
    """
    n = x.shape[0]
    held = np.bincount(x.indices, minlength=x.shape[1])
    dense_columns = held * 10 >= n
    by_column = sparse.csc_array(x)
    common = by_column[:, np.flatnonzero(dense_columns)].toarray()
    rest = sparse.csr_array(by_column[:, np.flatnonzero(~dense_columns)])
    rest.sort_indices()
    out = np.asarray(common @ common.T, dtype=np.float64)
    # The sparse part by blocks of rows, each against itself and the rows after it,
    # mirrored below: half the products, in little memory. A sparse product sums each dot
    # product in the order of the columns either way round, so the mirror is exact.
    for lo in range(0, n, GRAM_BLOCK):
        hi = min(lo + GRAM_BLOCK, n)
        block = sparse.csr_array(rest[lo:hi] @ rest[lo:].T).toarray()
        out[lo:hi, lo:] += block
        out[hi:, lo:hi] += block[:, hi - lo :].T
    return out


def clause_similarity(
    clause_vectors: Sequence[NDArray[np.float32]], block: int = 512
) -> NDArray[np.float32]:
    """For each two sentences, the highest cosine between a clause of one and of the other.

    Computed ``block`` sentences at a time: the full clause-by-clause matrix is about nine
    times the size of the sentence matrix, and one product that large crashed OpenBLAS here
    (10,000 sentences, 30,000 clauses).
    """
    n = len(clause_vectors)
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    flat = np.concatenate(clause_vectors).astype(np.float32)
    sizes = np.array([len(c) for c in clause_vectors])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    out = np.empty((n, n), dtype=np.float32)
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        rows = flat[starts[lo] : starts[hi - 1] + sizes[hi - 1]]
        per_sentence = np.maximum.reduceat(rows @ flat.T, starts, axis=1)
        out[lo:hi] = np.maximum.reduceat(per_sentence, starts[lo:hi] - starts[lo], axis=0)
    return out


def neighbourhood(
    sim: NDArray[np.float32],
    doc_ids: NDArray[np.str_],
    k: int,
    line: NDArray[np.int64] | None = None,
) -> NDArray[np.float64]:
    """Mean similarity of each sentence to its ``k`` nearest sentences of other documents.

    ``sim`` is sentence x sentence, or with ``line`` (each sentence's distinct text, as
    Evidence.line) line x line. Where half the sentences or more are repeats the means are
    found from the distinct lines (line_neighbourhood), otherwise from the full rows.
    """
    _, doc = np.unique(doc_ids, return_inverse=True)  # integers compare faster than strings
    k = min(k, max(len(doc_ids) - 1, 1))
    if line is not None:
        if 2 * len(sim) <= len(line):
            return line_neighbourhood(sim, line, doc, k)
        sim = spread(sim, line)
    masked = np.where(doc[:, None] == doc[None, :], sim.dtype.type(-np.inf), sim)
    return top_mean(masked, k)


def line_neighbourhood(
    between: NDArray[np.float32], line: NDArray[np.int64], doc: NDArray[np.int64], k: int
) -> NDArray[np.float64]:
    """neighbourhood() of sentences whose lines repeat, bit for bit, from the distinct lines.

    A sentence's nearest sentences elsewhere are the nearest lines, each as many times as
    it stands in other documents than the sentence's own. Each distinct line's row is
    ranked once; a sentence then takes its k highest values off that ranking, skipping
    what only its own document holds. Those are the values top_mean would pick, summed
    in the same order, so the means are equal to the last bit; on the 100k benchmark
    level, where every line stands seven times, it reads a 49th of the matrix.
    """
    n_lines = len(between)
    # Lines a document holds, with their counts: a sentence skips at most its document's
    # lines, so its k highest lie among the k + (most lines of one document) highest.
    pairs, counts = np.unique(doc * n_lines + line, return_counts=True)
    owner, owned = pairs // n_lines, pairs % n_lines
    width = min(n_lines, k + int(np.bincount(owner).max()))
    if width < n_lines:
        top = np.argpartition(-between, width - 1, axis=1)[:, :width]
    else:
        top = np.broadcast_to(np.arange(n_lines), (n_lines, n_lines))
    values = np.take_along_axis(between, top, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    top, values = np.take_along_axis(top, order, 1), np.take_along_axis(values, order, 1)
    total = np.bincount(line, minlength=n_lines)
    own = sparse.csr_array((counts, (owner, owned)), shape=(int(doc.max()) + 1, n_lines))
    out = np.empty(len(line), dtype=np.float64)
    for lo in range(0, len(line), 1024):  # 1,024 sentences' rows at a time
        at = np.arange(lo, min(lo + 1024, len(line)))
        cand = top[line[at]]
        mine = own[doc[at]].toarray()
        left = total[cand] - np.take_along_axis(mine, cand, axis=1)  # copies elsewhere
        reach = np.cumsum(left, axis=1)
        # The p-th highest value elsewhere is the first candidate whose copies reach p + 1:
        # the count of candidates that reach at most p, found by one binary search of all
        # the rows laid end to end, each raised above the one before.
        rise = np.arange(len(at))[:, None] * (int(reach[:, -1].max()) + k + 1)
        ends = np.searchsorted((reach + rise).ravel(), (rise + np.arange(k)).ravel(), "right")
        pick = ends.reshape(len(at), k) - np.arange(len(at))[:, None] * width
        got = np.take_along_axis(values[line[at]], np.minimum(pick, width - 1), axis=1)
        chosen = np.where(pick < width, got.astype(np.float64), 0.0)
        out[at] = chosen.mean(axis=1)
    return out


def top_mean(values: NDArray[np.floating], k: int) -> NDArray[np.float64]:
    """Mean of each row's ``k`` highest values, a missing one (-inf) counting 0, in float64.

    >>> top_mean(np.array([[0.9, 0.1, 0.5], [0.4, -np.inf, -np.inf]]), 2).tolist()
    [0.7, 0.2]
    """
    # The k highest of each row by partition (linear, where a sort of the row is not), in
    # the values' own type (float32 widens to float64 exactly and in order), then in
    # descending order, so that the mean adds them up as it always has.
    highest = np.partition(values, values.shape[1] - k, axis=1)[:, -k:].astype(np.float64)
    top = -np.sort(-highest, axis=1)
    top[~np.isfinite(top)] = 0.0
    return np.asarray(top.mean(axis=1))


def candidate_pairs(ev: Evidence, min_cosine: float) -> NDArray[np.int64]:
    """Pairs (i, j), i < j, of sentences from different documents with cosine >= min_cosine.

    In row-major order. Where each document's sentences stand together, as read, the
    pairs of sentence i are the sentences near its line from the end of its document on:
    a slice of one list per distinct line, so a line that wire copy repeats is matched
    against the story once, not once per copy. Otherwise every pair is looked at.
    """
    n = len(ev.doc_ids)
    _, doc = np.unique(ev.doc_ids, return_inverse=True)  # integers compare faster than strings
    near = ev.line_cosine >= min_cosine
    ends = np.append(np.flatnonzero(doc[1:] != doc[:-1]) + 1, n)
    if n < 2 or len(ends) != doc.max() + 1:  # no pairs, or documents interleaved
        i, j = np.nonzero(spread(near, ev.line))
        keep = (i < j) & (doc[i] != doc[j])
        return np.stack([i[keep], j[keep]], axis=1).astype(np.int64, copy=False)
    doc_end = np.repeat(ends, np.diff(ends, prepend=0))  # each sentence's document's end
    line, j = np.nonzero(near[:, ev.line])  # per line, the sentences near it, ascending
    bounds = np.searchsorted(line, np.arange(len(near) + 1))
    # Each sentence's slice of its line's list: from its document's end to the list's end.
    start = np.searchsorted(line * (n + 1) + j, ev.line * (n + 1) + doc_end)
    size = bounds[ev.line + 1] - start
    at = np.repeat(start - np.cumsum(size) + size, size) + np.arange(int(size.sum()))
    return np.stack([np.repeat(np.arange(n), size), j[at]], axis=1).astype(np.int64, copy=False)


def pair_features(ev: Evidence, pairs: NDArray[np.int64]) -> NDArray[np.float64]:
    """One row of FEATURES per pair."""
    rows, index = class_pair_features(ev, pairs)
    return rows if index is None else rows[index]


def class_pair_features(
    ev: Evidence, pairs: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.int64] | None]:
    """Rows of FEATURES once per ordered pair of classes, and each pair's row among them.

    A pair's features are a function of what each side brings: its line (similarities, rare
    words), its kinds of value and its neighbourhood means. Sentences alike in all of these
    (a line that wire copy repeats, whose copies are each other's nearest neighbours) are
    one class, and the features are computed once per ordered pair of classes: the same
    numbers, for a 25th of the work on the 100k benchmark level. The index is None when no
    two sentences are alike: one row per pair.
    """
    i, j = pairs[:, 0], pairs[:, 1]
    near = [neighbourhood(m, ev.doc_ids, CSLS_K, ev.line) for m in ev.line_matrices()]
    of_class = classes(ev, near)
    count = int(of_class.max()) + 1 if len(of_class) else 0
    index = None
    if count < len(of_class):  # some sentences alike: one pair of each two classes
        key = of_class[i] * count + of_class[j]
        if count * count <= CLASS_TABLE:  # the pairs present marked in a table, in key order
            present = np.zeros(count * count, dtype=bool)
            present[key] = True
            distinct = np.flatnonzero(present)
            where = np.zeros(count * count, dtype=np.int64)
            where[distinct] = np.arange(len(distinct))
            index = where[key]
        else:
            distinct, inverse = np.unique(key, return_inverse=True)
            index = inverse.ravel()
        # Any two sentences of the two classes have the pair's features: their first ones.
        first = np.unique(of_class, return_index=True)[1]
        i, j = first[distinct // count], first[distinct % count]
    sims = [m[ev.line[i], ev.line[j]].astype(np.float64) for m in ev.line_matrices()]
    return features(sims, near, i, j, ev.rare, ev.kinds), index


def classes(ev: Evidence, near: Sequence[NDArray[np.float64]]) -> NDArray[np.int64]:
    """A class number per sentence: equal for sentences of one line, kinds and neighbourhood."""
    kinds: dict[frozenset[str], int] = {}
    kind = [kinds.setdefault(frozenset(k), len(kinds)) for k in ev.kinds]
    alike = np.column_stack([ev.line, kind, *near]) if len(kind) else np.zeros((0, 5))
    return np.asarray(np.unique(alike, axis=0, return_inverse=True)[1], dtype=np.int64).ravel()


def features(
    sims: Sequence[NDArray[np.float64]],
    near: Sequence[NDArray[np.float64]],
    a: NDArray[np.int64],
    b: NDArray[np.int64],
    rare: Sequence[set[str]],
    kinds: Sequence[set[str]],
) -> NDArray[np.float64]:
    """Rows of FEATURES for the pairs (a[m], b[m]).

    ``sims``: the pairs' cosine, clause cosine and tf-idf cosine; ``near``: each sentence's
    neighbourhood mean of the same three, for the CSLS terms.
    """
    if not len(a):
        return np.zeros((0, len(FEATURES)))
    columns = [*sims, *(2 * sim - r[a] - r[b] for sim, r in zip(sims, near, strict=True))]
    # Only the sentences the pairs name (a class's first, where classes were formed).
    used, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    a, b = inverse[: len(a)], inverse[len(a) :]
    rare = [rare[i] for i in used.tolist()]
    kinds = [kinds[i] for i in used.tolist()]
    # rare_shared: rare words in common (up to 3); value_kind_shared: 0.5 for a kind of value
    # both state, 1.0 if also about the same thing. Set intersections as products of 0/1
    # rows, without a Python loop over a million pairs.
    columns.append(np.minimum(shared(indicators(rare), a, b), 3) / 3)
    plain = indicators([{k for k in ks if ":" not in k} for ks in kinds])
    about = indicators([{k for k in ks if ":" in k} for ks in kinds])
    columns.append(0.5 * (shared(plain, a, b) > 0) + 0.5 * (shared(about, a, b) > 0))
    return np.stack(columns, axis=1)


def shared(
    sets: sparse.csr_array, a: NDArray[np.int64], b: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Items that the sets of a[k] and b[k] have in common, from ``indicators`` rows.

    A story's candidate pairs are a large share of all its pairs: they are read off the
    product of the whole matrix with itself (counts, so exact in any order), which costs
    less than a product per pair. Few pairs, or a matrix too large to square, go by
    row_dots.
    """
    n = sets.shape[0]
    if n > PRODUCT_MAX or len(a) < PRODUCT_SHARE * n * n:
        return row_dots(sets, a, b)
    if sets.shape[1] <= 256:  # few items (kinds of value): a dense product
        dense = sets.toarray()
        product = dense @ dense.T
    else:  # many items, each in few sets (rare words): a sparse one
        product = sparse.csr_array(sets @ sets.T).toarray()
    return np.asarray(product[a, b], dtype=np.float64)


def indicators(sets: Sequence[set[str]]) -> sparse.csr_array:
    """A 0/1 matrix: one row per set, one column per item found in any of them."""
    columns: dict[str, int] = {}
    rows = [i for i, items in enumerate(sets) for _ in items]
    cols = [columns.setdefault(x, len(columns)) for items in sets for x in sorted(items)]
    return sparse.csr_array(
        (np.ones(len(rows)), (rows, cols)), shape=(len(sets), max(len(columns), 1))
    )


def row_dots(
    m: sparse.csr_array, rows: NDArray[np.int64], cols: NDArray[np.int64]
) -> NDArray[np.float64]:
    """For each pair (rows[k], cols[k]), the dot product of those two rows of ``m``.

    Taken 200,000 pairs at a time, so the row copies stay small.
    """
    out = np.empty(len(rows), dtype=np.float64)
    for lo in range(0, len(rows), 200_000):
        hi = min(lo + 200_000, len(rows))
        product = m[rows[lo:hi]].multiply(m[cols[lo:hi]])
        out[lo:hi] = np.asarray(product.sum(axis=1)).ravel()
    return out


def link_matrix(ev: Evidence, head: LinkHead) -> sparse.csr_array:
    """Symmetric sparse matrix of link probabilities, diagonal 1; pairs not candidates absent.

    Sentences of one document are never linked directly (repeating oneself is no
    corroboration), but they may meet in a claim through sentences of other documents.
    The matrix is canonical (sorted, no stored zeros), as one converted from dense is.
    """
    n = len(ev.doc_ids)
    pairs = candidate_pairs(ev, head.candidate_cosine)
    prob = np.zeros(0)
    if len(pairs):  # each distinct pair of classes weighed once (class_pair_features)
        rows, index = class_pair_features(ev, pairs)
        prob = head.probability(rows)
        prob = prob if index is None else prob[index]
    # The pairs in row-major order are the upper triangle in CSR form as they stand; the
    # lower is its transpose, converted (rows come out sorted); the sum of the three has
    # no entry twice and keeps no zero.
    # In 32-bit indices where they fit, as scipy keeps them: the transpose, the sum and
    # every later pass over the links (attach, dense_blocks) move half the bytes.
    fits = 2 * len(pairs) + n < np.iinfo(np.int32).max
    index_type = np.int32 if fits else np.int64
    starts = np.searchsorted(pairs[:, 0], np.arange(n + 1)).astype(index_type)
    upper = sparse.csr_array((prob, pairs[:, 1].astype(index_type), starts), shape=(n, n))
    lower = sparse.csr_array(upper.T)
    return sparse.csr_array(lower + sparse.eye_array(n, format="csr") + upper)


@dataclass(frozen=True)
class Claims:
    """Each sentence's claim, and the other claims it also states.

    News sentences often carry two claims ("Putin, on his first visit in 24 years, signed a
    pledge"). A sentence belongs to one claim in the clustering (``labels``) and is attached
    to any other claim whose sentences in other documents it links to as strongly as the
    clustering requires inside a claim (``also``): it then counts as a source of both.
    """

    labels: NDArray[np.int64]  # 0..k-1, numbered in order of first sentence
    also: list[frozenset[int]]  # per sentence, other claims it states

    def members(self) -> dict[int, list[int]]:
        """Sentences of each claim, its own first, then those attached to it."""
        out: dict[int, list[int]] = {}
        for i, label in enumerate(self.labels.tolist()):
            out.setdefault(label, []).append(i)
        for i, extra in enumerate(self.also):
            for label in sorted(extra):
                out[label].append(i)
        return out

    def of(self, i: int) -> frozenset[int]:
        """Every claim sentence ``i`` states."""
        return self.also[i] | {int(self.labels[i])}


def cluster(ev: Evidence, head: LinkHead) -> Claims:
    """Claims of the story's sentences: average linkage over link probabilities, then attach."""
    return claims_from_links(
        link_matrix(ev, head), ev.doc_ids, head.link_threshold, head.confirm_threshold
    )


def claims_from_links(
    p: NDArray[np.float64] | sparse.spmatrix | sparse.sparray,
    doc_ids: NDArray[np.str_],
    threshold: float,
    confirm: float | None = None,
    families: NDArray[np.str_] | None = None,
) -> Claims:
    """Average-linkage claims cut at link probability ``threshold``, with attachments.

    ``confirm`` (default: ``threshold``, which changes nothing) is the link a sentence needs
    to a sentence of another source of its claim to stay in it (confirmed()), and to a
    claim's sentence of another source to be attached to that claim: a topic sentence
    whose mean link to a group reaches the cut, with no single link that says it states
    the group's claim, does not make that claim corroborated. ``families``: each
    sentence's source family (default: its document), so that a copy's link vouches for
    no one.

    ``p`` is the matrix of link probabilities, dense or sparse (missing pairs are 0).
    Average linkage joins two groups only when their mean link reaches the cut, so only
    when some pair between them reaches it: the claims never cross the connected
    components of the links at or above the cut. Each component is clustered on its own,
    densely, which gives the partition of one clustering of the whole matrix while the
    memory grows with the largest component, not with the square of the input.
    """
    n = len(doc_ids)
    if n < 2:
        return Claims(np.zeros(n, dtype=np.int64), [frozenset()] * n)
    from scipy.sparse.csgraph import connected_components

    links = sparse.csr_array(p)
    strong = links >= threshold
    count, component = connected_components(strong, directed=False)
    groups = group_indices(component)
    blocks, close = dense_blocks(links, component, count, threshold)
    raw = np.empty(n, dtype=np.int64)
    offset = 0
    for label, members in enumerate(groups):
        if len(members) > DENSE_COMPONENT:
            local = average_linkage(links[members][:, members], threshold)
        elif close[label]:  # a single sentence, or linked above the cut throughout
            local = np.zeros(len(members), dtype=np.int64)
        else:
            local = average_cut(blocks(label, members), threshold)
        raw[members] = offset + local
        offset += int(local.max()) + 1
    labels = relabel(raw)
    cut = threshold if confirm is None else confirm
    if cut > threshold:
        labels = confirmed(links, labels, doc_ids, cut, families)
    return Claims(labels, attach(links, labels, doc_ids, threshold, confirm=cut, families=families))


def confirmed(
    links: sparse.csr_array,
    labels: NDArray[np.int64],
    doc_ids: NDArray[np.str_],
    cut: float,
    families: NDArray[np.str_] | None = None,
) -> NDArray[np.int64]:
    """Claims split where their sentences do not hold up pair by pair.

    Within each claim, the sentences joined by links of at least ``cut`` between different
    sources (``families``, default the documents) stay together; a sentence with no such
    link leaves its claim, with those of its copies (other documents of its family) that
    have none either. Renumbered in order of first sentence.

    >>> links = sparse.csr_array(np.array([[1, .9, .1], [.9, 1, .1], [.1, .1, 1]]))
    >>> confirmed(links, np.array([0, 0, 0]), np.array(["a", "b", "c"]), 0.5).tolist()
    [0, 0, 1]
    >>> confirmed(links, np.array([0, 0, 0]), np.array(["a", "b", "c"]), 0.5,
    ...           np.array(["a", "a", "c"])).tolist()  # b copies a: no one vouches for them
    [0, 0, 1]
    """
    from scipy.sparse.csgraph import connected_components

    n = len(labels)
    _, doc = np.unique(doc_ids, return_inverse=True)
    _, family = np.unique(doc_ids if families is None else families, return_inverse=True)
    coo = sparse.coo_array(links)
    row, col = coo.row, coo.col
    keep = (row < col) & (labels[row] == labels[col]) & (doc[row] != doc[col]) & (coo.data >= cut)
    # A link between copies keeps copies together only where no other source vouches for
    # either: it must not carry a copy's other sentence into a claim the copy confirms.
    independent = keep & (family[row] != family[col])
    vouched = np.zeros(n, dtype=bool)
    vouched[row[independent]] = vouched[col[independent]] = True
    keep = independent | (keep & ~vouched[row] & ~vouched[col])
    held = sparse.coo_array((np.ones(int(keep.sum())), (row[keep], col[keep])), shape=(n, n))
    _, component = connected_components(held, directed=False)
    return relabel(component.astype(np.int64))


def dense_blocks(
    links: sparse.csr_array, component: NDArray[np.int32], count: int, threshold: float
) -> tuple[Callable[[int, NDArray[np.int64]], NDArray[np.float64]], NDArray[np.bool_]]:
    """Each component's dense matrix of links (diagonal 1), and which are one claim outright.

    The links inside components are sorted by component once, so that thousands of small
    components cost one pass over the links, not a sparse slice each. A component whose
    every two sentences are linked above the cut is one claim (average_cut's first test,
    for all of them at once): on the 100k benchmark level, most are a line that wire copy
    repeats, whose copies are linked to each other alone.
    """
    coo = sparse.coo_array(links)
    inside = component[coo.row] == component[coo.col]
    rows, cols, values = coo.row[inside], coo.col[inside], coo.data[inside]
    near = (rows != cols) & (1.0 - values < (1.0 - threshold) * CUT_MARGIN)
    sizes = np.bincount(component, minlength=count)
    close = np.bincount(component[rows[near]], minlength=count) == sizes * (sizes - 1)
    order = np.argsort(component[rows], kind="stable")
    rows, cols, values = rows[order], cols[order], values[order]
    bounds = np.searchsorted(component[rows], np.arange(count + 1))
    position = np.empty(len(component), dtype=np.int64)  # a sentence's place in its component

    def block(label: int, members: NDArray[np.int64]) -> NDArray[np.float64]:
        position[members] = np.arange(len(members))
        lo, hi = bounds[label], bounds[label + 1]
        out = np.zeros((len(members), len(members)), dtype=np.float64)
        out[position[rows[lo:hi]], position[cols[lo:hi]]] = values[lo:hi]
        np.fill_diagonal(out, 1.0)
        return out

    return block, close


def average_cut(links: NDArray[np.float64], threshold: float) -> NDArray[np.int64]:
    """Average-linkage clusters of a dense link matrix, cut at link probability ``threshold``.

    scikit-learn's AgglomerativeClustering(metric="precomputed", linkage="average",
    distance_threshold=1 - threshold) on distances 1 - links, computed as it computes
    it (SciPy's tree, then every merge at or beyond the cut undone) without its input
    checks, which cost more than the clustering on the thousands of small groups a large
    input has (tests/test_knn.py compares the two).
    """
    from scipy.cluster.hierarchy import linkage

    n = len(links)
    i, j = np.triu_indices(n, k=1)
    distances = (1.0 - links)[i, j]
    if distances.max() < (1.0 - threshold) * CUT_MARGIN:
        # Every merge is at a mean of these distances, so below the cut: one claim (the
        # margin is far above the rounding of a mean). A line that wire copy repeats is
        # such a group: its copies are linked to each other alone.
        return np.zeros(n, dtype=np.int64)
    tree = linkage(distances, method="average")
    kept = n - 1 - int(np.count_nonzero(tree[:, 2] >= 1.0 - threshold))
    parent = list(range(2 * n - 1))
    for k, (a, b) in enumerate(tree[:kept, :2].astype(np.int64).tolist()):
        parent[a] = parent[b] = n + k
    return relabel(np.array([find(parent, i) for i in range(n)], dtype=np.int64))


def average_linkage(links: sparse.csr_array, threshold: float) -> NDArray[np.int64]:
    """Average-linkage clusters of a sparse link matrix, merging while the mean link > cut.

    The mean runs over all pairs of two groups, a missing pair counting 0: the clustering
    scikit-learn computes from the dense matrix, in memory that grows with the links, not
    with the square of the sentences. Each group keeps the sum of its links to each
    neighbouring group; a heap holds the candidate merges, stale entries are skipped.
    """
    n = links.shape[0]
    coo = sparse.coo_array(sparse.triu(links, 1))
    edges: list[dict[int, float]] = [{} for _ in range(n)]
    for i, j, w in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
        edges[i][j] = edges[i].get(j, 0.0) + w
        edges[j][i] = edges[j].get(i, 0.0) + w
    size = [1] * n
    parent = list(range(n))
    alive = [True] * n
    heap = [(-w, i, j) for i, row in enumerate(edges) for j, w in row.items() if i < j]
    heapq.heapify(heap)
    while heap:
        neg, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]) or -neg <= threshold:
            if alive[a] and alive[b]:
                break  # the best live merge is below the cut: done
            continue
        if abs(edges[a].get(b, 0.0) / (size[a] * size[b]) + neg) > 1e-12:
            continue  # stale: the two groups have changed since this entry was pushed
        if len(edges[a]) < len(edges[b]):
            a, b = b, a
        alive[b] = False  # b joins a
        parent[b] = a
        size[a] += size[b]
        edges[a].pop(b, None)
        for c, w in edges[b].items():
            if c == a:
                continue
            edges[a][c] = edges[a].get(c, 0.0) + w
            edges[c][a] = edges[c].get(a, 0.0) + w
            edges[c].pop(b, None)
        edges[b] = {}
        for c, w in edges[a].items():
            heapq.heappush(heap, (-w / (size[a] * size[c]), min(a, c), max(a, c)))
    roots = np.array([find(parent, i) for i in range(n)], dtype=np.int64)
    return relabel(roots)


def find(parent: list[int], i: int) -> int:
    """The root of ``i`` in a union-find forest, compressing the path on the way."""
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        parent[i], i = root, parent[i]
    return root


def group_indices(labels: NDArray[np.int64]) -> list[NDArray[np.int64]]:
    """Indices of each label's members, labels in increasing order.

    >>> [g.tolist() for g in group_indices(np.array([1, 0, 1, 2]))]
    [[1], [0, 2], [3]]
    """
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    return np.split(order, bounds)


def attach(
    p: sparse.csr_array,
    labels: NDArray[np.int64],
    doc_ids: NDArray[np.str_],
    threshold: float,
    max_also: int = MAX_ALSO,
    confirm: float = 0.0,
    families: NDArray[np.str_] | None = None,
) -> list[frozenset[int]]:
    """Other claims each sentence states: mean link to their other-document sentences >= cut.

    The mean runs over the claim's sentences in other documents than the sentence's own
    (repeating oneself is no corroboration), and one of its links to a sentence of another
    source (``families``, default the documents) must reach ``confirm``; ties go to the
    claim numbered first.
    """
    n, k = len(labels), int(labels.max()) + 1
    _, doc_index = np.unique(doc_ids, return_inverse=True)
    # The links with those inside a document (and the diagonal) set to 0, in place: a
    # zero adds nothing to a sum, and the structure is not rebuilt.
    row_of = np.repeat(np.arange(n), np.diff(p.indptr))
    same_doc = doc_index[row_of] == doc_index[p.indices]
    off = sparse.csr_array((np.where(same_doc, 0.0, p.data), p.indices, p.indptr), shape=(n, n))
    in_claim = sparse.csr_array((np.ones(n), (np.arange(n), labels)), shape=(n, k))
    link_sum = sparse.coo_array(off @ in_claim)  # n x k, only where some link exists
    rows, cols = link_sum.row, link_sum.col
    others = others_in_claim(doc_index, labels, rows, cols)
    mean = np.where(others > 0, link_sum.data / np.maximum(others, 1), 0.0)
    keep = (mean >= threshold) & (cols != labels[rows])
    if confirm > threshold and len(rows):  # else a mean at the cut means a link at it too
        _, family = np.unique(doc_ids if families is None else families, return_inverse=True)
        other_source = family[row_of] != family[off.indices]
        strong = ((off.data >= confirm) & other_source).astype(np.float64)
        held = sparse.csr_array((strong, off.indices, off.indptr), shape=(n, n))
        held_count = sparse.csr_array(held @ in_claim)
        keep &= np.asarray(held_count[rows, cols]).ravel() > 0
    return strongest(rows[keep], cols[keep], mean[keep], n, max_also)


def others_in_claim(
    doc_index: NDArray[np.intp],
    labels: NDArray[np.int64],
    rows: NDArray[np.int32] | NDArray[np.int64],
    cols: NDArray[np.int32] | NDArray[np.int64],
) -> NDArray[np.int64]:
    """For each (sentence rows[m], claim cols[m]): the claim's sentences in other documents.

    >>> docs, labels = np.array([0, 1, 1]), np.array([0, 0, 0])
    >>> others_in_claim(docs, labels, np.array([0, 1]), np.array([0, 0])).tolist()
    [2, 1]
    """
    k = int(labels.max()) + 1
    size = np.bincount(labels, minlength=k)
    # How many of a claim's sentences each document holds, for the (document, claim) keys.
    keys, counts = np.unique(doc_index * k + labels, return_counts=True)
    wanted = doc_index[rows] * k + cols
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    out: NDArray[np.int64] = size[cols] - np.where(keys[at] == wanted, counts[at], 0)
    return out


def strongest(
    rows: NDArray[np.int32] | NDArray[np.int64],
    cols: NDArray[np.int32] | NDArray[np.int64],
    mean: NDArray[np.float64],
    n: int,
    most: int,
) -> list[frozenset[int]]:
    """Each sentence's ``most`` claims of highest mean among (rows, cols, mean); ties: lower id."""
    best: dict[int, list[tuple[float, int]]] = {}
    for i, c, m in zip(rows.tolist(), cols.tolist(), mean.tolist(), strict=True):
        best.setdefault(i, []).append((-m, c))
    out = [frozenset[int]()] * n
    for i, options in best.items():
        out[i] = frozenset(c for _, c in sorted(options)[:most])
    return out


def relabel(raw: NDArray[np.int64]) -> NDArray[np.int64]:
    """Renumber labels 0..k-1 in order of each label's first occurrence (deterministic ids).

    >>> relabel(np.array([5, 5, 2, 7, 2])).tolist()
    [0, 0, 1, 2, 1]
    """
    mapping: dict[int, int] = {}
    return np.array([mapping.setdefault(int(r), len(mapping)) for r in raw], dtype=np.int64)
