"""claims.py: candidate pairs from the vectors, and claims from the judge's verdicts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from consistency import claims


def unit(rows: list[list[float]]) -> np.ndarray:
    x = np.asarray(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def links(n: int, verdicts: dict[tuple[int, int], float]) -> sparse.csr_array:
    pairs = np.array(sorted(verdicts), dtype=np.int64).reshape(-1, 2)
    return claims.judged_links(pairs, np.array([verdicts[p] for p in sorted(verdicts)]), n)


def test_candidates_pair_only_other_documents_and_respect_the_cosine_floor() -> None:
    vectors = unit([[1, 0], [1, 0.05], [1, 0.1], [0, 1]])
    pairs = claims.candidates(vectors, ["a", "b", "c", "d"], ["A", "A", "B", "B"], partners=3)
    assert pairs.tolist() == [[0, 2], [1, 2]]  # never A-A or B-B, never the orthogonal "d"


def test_candidates_take_the_nearest_few_per_sentence() -> None:
    # One sentence of A against ten of B, at falling cosines.
    vectors = unit([[1, 0]] + [[1, 0.1 * k] for k in range(1, 11)])
    texts = [f"s{k}" for k in range(11)]
    pairs = claims.candidates(vectors, texts, ["A"] + ["B"] * 10, partners=2, min_cosine=0.0)
    assert [0, 1] in pairs.tolist() and [0, 2] in pairs.tolist()
    # The others are paired with 0 because 0 is among *their* nearest: the union.
    assert len(pairs) == 10


def test_a_line_wire_copy_repeats_is_paired_with_its_copies_and_looked_up_once() -> None:
    vectors = unit([[1, 0], [1, 0], [1, 0], [1, 0.2]])
    texts = ["same", "same", "same", "other"]
    pairs = claims.candidates(vectors, texts, ["A", "B", "C", "D"], partners=1)
    got = {tuple(p) for p in pairs.tolist()}
    assert {(0, 1), (0, 2)} <= got  # the copies, with the first
    assert all(0 <= a < b < 4 for a, b in got)


def test_no_pairs_for_one_sentence_or_one_document() -> None:
    assert claims.candidates(unit([[1, 0]]), ["a"], ["A"]).shape == (0, 2)
    assert claims.candidates(unit([[1, 0], [1, 0]]), ["a", "b"], ["A", "A"]).shape == (0, 2)


def test_a_claim_forms_from_the_judged_pairs_alone() -> None:
    # A claim three outlets state, judged on two of its three pairs: one claim, since an
    # unread pair is no evidence against it.
    found = claims.claims(links(3, {(0, 1): 0.9, (1, 2): 0.8}), ["A", "B", "C"], 0.5)
    assert len(set(found.labels.tolist())) == 1


def test_a_topic_sentence_is_not_absorbed() -> None:
    # 0 and 1 state one claim; 2 is on the topic: the judge says 0.3 to both.
    verdicts = {(0, 1): 0.95, (0, 2): 0.3, (1, 2): 0.3}
    found = claims.claims(links(3, verdicts), ["A", "B", "C"], 0.5)
    assert found.labels[0] == found.labels[1] != found.labels[2]
    assert found.also[2] == frozenset()


def test_one_strong_link_does_not_carry_a_sentence_the_rest_reject() -> None:
    # 3 is judged against three members of a claim: same as one, different from two.
    verdicts = {(0, 1): 0.9, (0, 2): 0.9, (1, 2): 0.9, (0, 3): 0.6, (1, 3): 0.1, (2, 3): 0.1}
    found = claims.claims(links(4, verdicts), ["A", "B", "C", "D"], 0.5)
    assert len(set(found.labels[:3].tolist())) == 1
    assert found.labels[3] != found.labels[0]


def test_a_sentence_stating_two_claims_keeps_the_other() -> None:
    # 0-1 one claim, 2-3 another; 4 says both (its mean to the first is highest).
    verdicts = {(0, 1): 0.9, (2, 3): 0.9, (0, 4): 0.8, (1, 4): 0.8, (2, 4): 0.7, (3, 4): 0.7}
    found = claims.claims(links(5, verdicts), ["A", "B", "A", "B", "C"], 0.5)
    own = found.labels[4]
    assert own == found.labels[0]
    assert found.also[4] == frozenset({int(found.labels[2])})


def test_a_read_pair_at_zero_is_still_a_read_pair() -> None:
    matrix = links(2, {(0, 1): 0.0})
    assert matrix.nnz == 2


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=3, max_size=15), st.randoms(use_true_random=False))
def test_every_claim_of_two_or_more_documents_holds_up_pair_by_pair(
    probabilities: list[float], rng: object
) -> None:
    n = 6
    all_pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    verdicts = dict(zip(all_pairs, probabilities, strict=False))
    docs = ["A", "B", "C", "A", "B", "C"]
    verdicts = {p: v for p, v in verdicts.items() if docs[p[0]] != docs[p[1]]}
    found = claims.claims(links(n, verdicts), docs, 0.5)
    for label in set(found.labels.tolist()):
        members = np.flatnonzero(found.labels == label).tolist()
        for i in members:
            read = [
                verdicts[(min(i, j), max(i, j))]
                for j in members
                if (min(i, j), max(i, j)) in verdicts
            ]
            if len(members) > 1:
                # Each member has a read pair inside its claim, and one at the cut or above.
                assert read and max(read) >= 0.5


@pytest.mark.parametrize("n", [0, 1])
def test_claims_of_tiny_inputs(n: int) -> None:
    found = claims.claims(sparse.csr_array((n, n)), ["A"] * n, 0.5)
    assert found.labels.tolist() == [0] * n
