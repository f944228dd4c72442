from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from consistency import cluster, linkhead
from consistency.errors import ModelError

from .conftest import DATA, ROOT


def test_clauses_separate_two_claims_of_one_sentence() -> None:
    text = (
        "Russian President Vladimir Putin, on his first visit to North Korea in 24 years, "
        "signed a mutual defense pledge with Kim Jong-un on Wednesday."
    )
    parts = cluster.clauses(text)
    assert "on his first visit to North Korea in 24 years" in parts
    assert any(p.startswith("signed a mutual defense pledge") for p in parts)


def test_story_words_weigh_less_than_rare_words(seed_story) -> None:
    ev = seed_story.evidence
    texts = [s.text for s in seed_story.sentences]
    lukin = [i for i, t in enumerate(texts) if "Belarus" in t]
    assert len(lukin) >= 2
    assert "belarus" in ev.rare[lukin[0]]
    assert not any("putin" in r or "korea" in r for r in ev.rare)


def test_relabel_is_first_occurrence_order() -> None:
    assert cluster.relabel(np.array([3, 3, 1, 0, 1])).tolist() == [0, 0, 1, 2, 1]


def test_the_shipped_head_reproduces_from_the_annotation(seed_story) -> None:
    """models/link_head.json is what `make train` fits on tests/data: refit and compare."""
    shipped = json.loads((ROOT / "models" / "link_head.json").read_text())
    gold = linkhead.gold_labels(seed_story, DATA / "seed_claims.csv")
    assert sum(bool(g) for g in gold) == shipped["trained_on"]["annotated_sentences"]
    oof = linkhead.out_of_fold(seed_story.evidence, gold)
    again = linkhead.score(
        cluster.claims_from_links(
            oof,
            seed_story.evidence.doc_ids,
            shipped["link_threshold"],
            shipped["confirm_threshold"],
        ),
        gold,
        seed_story.evidence.doc_ids,
    )
    for key, value in shipped["cross_validated"].items():
        assert again[key] == pytest.approx(value, abs=0.02), key


def links_of(n: int, pairs: dict[tuple[int, int], float]) -> np.ndarray:
    """A symmetric link matrix of ``n`` sentences, diagonal 1, the given pairs set."""
    p = np.eye(n)
    for (i, j), value in pairs.items():
        p[i, j] = p[j, i] = value
    return p


def test_a_topic_sentence_does_not_corroborate_without_a_link_of_its_own() -> None:
    """a0 and b0 state one claim; c0 is on the topic, with a link of 0.2 to each: their
    mean reaches the cut of 0.15, no single link reaches the confirmation of 0.25."""
    p = links_of(3, {(0, 1): 0.9, (0, 2): 0.2, (1, 2): 0.2})
    docs = np.array(["a", "b", "c"])
    before = cluster.claims_from_links(p, docs, 0.15)
    assert before.labels.tolist() == [0, 0, 0]
    after = cluster.claims_from_links(p, docs, 0.15, 0.25)
    assert after.labels.tolist() == [0, 0, 1]
    assert after.also == [frozenset()] * 3  # nor is c0 attached to a0's claim on the mean


def test_a_claim_holds_up_through_a_chain_of_confirmed_links() -> None:
    """c0 confirms b0 (0.3), not a0 (0.1): each sentence needs one held link, not all."""
    p = links_of(3, {(0, 1): 0.9, (0, 2): 0.1, (1, 2): 0.3})
    got = cluster.claims_from_links(p, np.array(["a", "b", "c"]), 0.15, 0.25)
    assert got.labels.tolist() == [0, 0, 0]


def test_a_claim_splits_where_its_halves_meet_only_on_the_mean() -> None:
    """Two confirmed pairs, (a0, b0) and (c0, d0), joined at a mean of 0.2: two claims."""
    p = links_of(
        4,
        {(0, 1): 0.9, (2, 3): 0.9, (0, 2): 0.2, (0, 3): 0.2, (1, 2): 0.2, (1, 3): 0.2},
    )
    docs = np.array(["a", "b", "c", "d"])
    assert cluster.claims_from_links(p, docs, 0.15).labels.tolist() == [0, 0, 0, 0]
    assert cluster.claims_from_links(p, docs, 0.15, 0.25).labels.tolist() == [0, 0, 1, 1]


def test_an_attachment_needs_a_confirmed_link_to_the_claim() -> None:
    """c0 states the (a, b) claim (0.5 to a0) and its own (c0, d0): it is attached; e0,
    at 0.2 to both a0 and b0, is not, though its mean link reaches the cut."""
    p = links_of(
        5,
        {(0, 1): 0.9, (2, 3): 0.9, (2, 0): 0.5, (4, 0): 0.2, (4, 1): 0.2},
    )
    got = cluster.claims_from_links(p, np.array(["a", "b", "c", "d", "e"]), 0.15, 0.25)
    claim = {i: int(c) for i, c in enumerate(got.labels)}
    assert claim[0] == claim[1] and claim[2] == claim[3] and claim[0] != claim[2]
    assert claim[0] in got.also[2]
    assert got.of(4) == frozenset({claim[4]}) and claim[4] not in (claim[0], claim[2])


def test_a_copys_link_vouches_for_no_other_sentence() -> None:
    """b copies a; c states x with them. a's y links to b's x at 0.4 (one story, one topic):
    between documents, but within one family, so y stays the copies' own claim."""
    p = links_of(
        5,
        {(0, 1): 1.0, (0, 2): 0.8, (1, 2): 0.8, (3, 4): 1.0, (3, 1): 0.4, (4, 0): 0.4,
         (3, 2): 0.1, (4, 2): 0.1},
    )  # fmt: skip
    docs = np.array(["a", "b", "c", "a", "b"])
    alone = cluster.claims_from_links(p, docs, 0.15, 0.25)
    assert alone.labels.tolist() == [0, 0, 0, 0, 0]  # as independent reports: one claim
    copies = cluster.claims_from_links(p, docs, 0.15, 0.25, np.array(["a", "a", "c", "a", "a"]))
    assert copies.labels.tolist() == [0, 0, 0, 1, 1]
    assert copies.also == [frozenset()] * 5


@pytest.mark.slow
def test_make_train_head_reproduces_the_shipped_cuts_and_sweep(tmp_path: Path) -> None:
    """`make train-head` from the annotation: the same cuts, scores and sweep as shipped
    (the weights to the rounding of another BLAS build)."""
    out = tmp_path / "link_head.json"
    ecbplus = ROOT / "benchmarks" / "data" / "ecbplus"
    again = linkhead.train(DATA / "seed_claims.csv", ROOT / "seeds", out, ecbplus)
    shipped = json.loads((ROOT / "models" / "link_head.json").read_text())
    assert again["coef"] == pytest.approx(shipped["coef"], abs=1e-5)
    for key in ("link_threshold", "confirm_threshold", "leave_one_set_out", "at_the_cuts"):
        assert again[key] == shipped[key], key
    sweep = (ROOT / "models" / "link_head_sweep.csv").read_text()
    assert (tmp_path / "link_head_sweep.csv").read_text() == sweep


def test_shipped_head_scores_on_the_annotated_seeds(seed_story) -> None:
    """Floors under the measured in-sample figures (models/link_head.json): a regression
    in segmentation, features or clustering shows here first."""
    head = cluster.LinkHead.load()
    gold = linkhead.gold_labels(seed_story, DATA / "seed_claims.csv")
    labels = cluster.cluster(seed_story.evidence, head)
    got = linkhead.score(labels, gold, seed_story.evidence.doc_ids)
    assert got["pair_precision"] >= 0.38
    assert got["pair_recall"] >= 0.25
    assert got["single_source_precision"] >= 0.62
    assert got["single_source_recall"] >= 0.65


def test_a_stale_head_is_refused_with_the_fix(tmp_path: Path) -> None:
    shutil.copy(ROOT / "models" / "embedding.json", tmp_path)
    head = json.loads((ROOT / "models" / "link_head.json").read_text())
    head["features"] = head["features"][:-1]
    (tmp_path / "link_head.json").write_text(json.dumps(head))
    with pytest.raises(ModelError, match="make train"):
        cluster.LinkHead.load(tmp_path)


def test_missing_head_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"link_head\.json"):
        cluster.LinkHead.load(tmp_path)


@pytest.mark.parametrize("block", [1, 7, 512])
def test_clause_similarity_in_blocks_equals_the_whole_product(block: int) -> None:
    rng = np.random.default_rng(1)
    clause_vectors = [
        rng.normal(size=(int(rng.integers(1, 4)), 8)).astype(np.float32) for _ in range(60)
    ]
    flat = np.concatenate(clause_vectors)
    starts = np.cumsum([0] + [len(c) for c in clause_vectors[:-1]])
    whole = np.maximum.reduceat(np.maximum.reduceat(flat @ flat.T, starts, axis=0), starts, axis=1)
    assert np.allclose(cluster.clause_similarity(clause_vectors, block=block), whole)


@pytest.mark.parametrize("common", [0, 5])
def test_gram_equals_the_sparse_product(common: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Columns in a tenth of the rows or more go through a dense product, the rest a sparse
    # one: the sum must be the whole product, with and without such columns.
    rng = np.random.default_rng(common)
    dense = rng.random((200, 400)) * (rng.random((200, 400)) < 0.02)
    dense[:, :common] = rng.random((200, common))  # words every row holds
    x = sparse.csr_array(dense)
    held = np.bincount(x.indices, minlength=400)
    assert int((held * 10 >= 200).sum()) == common
    results = []
    for block in (1024, 64, 7):  # one block, and blocks mirrored across the diagonal
        monkeypatch.setattr(cluster, "GRAM_BLOCK", block)
        got = cluster.gram(x)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, dense @ dense.T, rtol=0, atol=1e-12)
        assert np.array_equal(got, got.T)
        results.append(got)
    assert all(np.array_equal(got, results[0]) for got in results)  # blocks change no bit


@pytest.mark.parametrize("seed", range(40))
def test_neighbourhood_from_distinct_lines_is_the_whole_rows(seed: int) -> None:
    # Lines repeated across and within documents (wire copy, a standing line), documents
    # of one line and of many, fewer other-document sentences than CSLS_K: the means
    # from the distinct lines equal those of the full masked rows to the last bit.
    rng = np.random.default_rng(seed)
    n_lines = int(rng.integers(1, 30))
    n = int(rng.integers(2 * n_lines, 6 * n_lines + 3))
    line = rng.integers(0, n_lines, size=n)
    line[:n_lines] = np.arange(n_lines)  # every line stands at least once
    line = np.unique(line, return_inverse=True)[1]  # numbered 0..L-1, as Evidence.line
    docs = rng.integers(0, int(rng.integers(1, 8)), size=n).astype(str)
    unit = rng.normal(size=(n_lines, 5)).astype(np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    between = unit @ unit.T
    if seed % 3 == 0:
        between = np.round(between, 1)  # ties
    sim = between[np.ix_(line, line)]
    for k in (1, 3, cluster.CSLS_K):
        whole = cluster.neighbourhood(sim, docs, k)
        assert np.array_equal(cluster.neighbourhood(between, docs, k, line), whole)


@pytest.mark.parametrize("seed", range(40))
def test_candidate_pairs_are_every_near_pair_across_documents(seed: int) -> None:
    # Lines repeated across and within documents; documents in runs (as read) and, every
    # fourth case, interleaved; a document of every sentence or of one. The pairs are the
    # near pairs (i < j) of different documents of the whole matrix, in row-major order.
    rng = np.random.default_rng(seed)
    n_lines = int(rng.integers(1, 25))
    n = int(rng.integers(n_lines, 5 * n_lines + 2))
    line = np.unique(rng.integers(0, n_lines, size=n), return_inverse=True)[1]
    docs = np.sort(rng.integers(0, int(rng.integers(1, 9)), size=n))
    if seed % 4 == 0:
        rng.shuffle(docs)
    unit = rng.normal(size=(int(line.max()) + 1, 4)).astype(np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    between = unit @ unit.T
    ev = cluster.Evidence(np.zeros((n, 4), np.float32), docs.astype(str), between, between,
                          between, [set()] * n, [set()] * n, line)  # fmt: skip
    sim = between[np.ix_(line, line)]
    i, j = np.nonzero(sim >= 0.3)
    keep = (i < j) & (docs[i] != docs[j])
    expected = np.stack([i[keep], j[keep]], axis=1)
    assert np.array_equal(cluster.candidate_pairs(ev, 0.3), expected)


def kind_shared(shared: set[str]) -> float:
    """value_kind_shared's definition: 0.5 for a kind in common, 1.0 if also its subject."""
    return 0.5 * any(":" not in k for k in shared) + 0.5 * any(":" in k for k in shared)


def test_set_features_equal_their_pair_by_pair_definition(seed_story) -> None:
    # features() counts shared rare words and value kinds as products of 0/1 rows; every
    # candidate pair of the seeds must get what the sets give one pair at a time.
    ev = seed_story.evidence
    pairs = cluster.candidate_pairs(ev, 0.0)
    got = cluster.pair_features(ev, pairs)
    rare = [min(len(ev.rare[i] & ev.rare[j]), 3) / 3 for i, j in pairs.tolist()]
    kinds = [kind_shared(ev.kinds[i] & ev.kinds[j]) for i, j in pairs.tolist()]
    assert len(pairs) > 5_000 and max(rare) == 1.0 and max(kinds) == 1.0
    assert got[:, cluster.FEATURES.index("rare_shared")].tolist() == rare
    assert got[:, cluster.FEATURES.index("value_kind_shared")].tolist() == kinds


@pytest.mark.parametrize("items", [12, 3_000])
def test_shared_items_from_the_product_equal_those_pair_by_pair(items: int) -> None:
    # Few items (kinds of value) take the dense product, many (rare words) the sparse one.
    rng = np.random.default_rng(items)
    sets = [
        {int(x) for x in rng.integers(0, items, size=int(rng.integers(0, 6)))} for _ in range(300)
    ]
    a, b = np.triu_indices(300, k=1)
    matrix = cluster.indicators([{str(x) for x in s} for s in sets])
    assert (matrix.shape[1] <= 256) == (items == 12)
    expected = [len(sets[i] & sets[j]) for i, j in zip(a.tolist(), b.tolist(), strict=True)]
    assert cluster.shared(matrix, a, b).tolist() == expected  # all pairs: from the product
    assert cluster.shared(matrix, a[:100], b[:100]).tolist() == expected[:100]  # row by row


def test_repeated_lines_get_the_similarities_of_the_whole_product(seed_story) -> None:
    # The seeds, after their first article's lines repeated under another document id, as
    # wire copy is: the similarities, computed between distinct lines and spread, are
    # those of every sentence against every other, and a repeat's rows are its original's.
    i = seed_story.parts[0].inputs
    copy = [k for k, d in enumerate(i.doc_ids.tolist()) if d == i.doc_ids[0]]
    rows = copy + list(range(len(i.texts)))
    texts = [i.texts[k] for k in rows]
    doc_ids = ["copy"] * len(copy) + i.doc_ids.tolist()
    vectors = i.vectors[rows]
    clause_vectors = [i.clause_vectors[k] for k in rows]
    ev = cluster.evidence(texts, doc_ids, vectors, clause_vectors, [i.kinds[k] for k in rows])
    weights, _ = cluster.word_weights(texts)
    assert weights is not None
    assert np.allclose(ev.cosine, vectors @ vectors.T, atol=1e-6)
    assert np.allclose(ev.clause_cosine, cluster.clause_similarity(clause_vectors), atol=1e-6)
    assert np.allclose(ev.tfidf, (weights @ weights.T).toarray(), atol=1e-6)
    c, originals = len(copy), [len(copy) + k for k in copy]
    for m in (ev.cosine, ev.clause_cosine, ev.tfidf):
        assert np.array_equal(m[:c], m[originals]) and np.array_equal(m[:, :c], m[:, originals])


def test_stop_words_are_scikit_learns() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    assert cluster.STOP_WORDS == ENGLISH_STOP_WORDS


def same_csr(a, b) -> bool:
    """Equal bit for bit, in the same storage order."""
    return (
        a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)
    )


def test_tfidf_is_scikit_learns_entry_for_entry(seed_texts) -> None:
    # Real sentences (the seeds and an ECB+ story), with sentences that have no content
    # word, words repeated within a sentence and sentences repeated: the matrix, its storage
    # order and the idf are TfidfVectorizer's, so the similarities computed from them are too.
    from sklearn.feature_extraction.text import TfidfVectorizer

    lines = [line for t in seed_texts.values() for line in t.splitlines() if line.strip()]
    lines += [
        line
        for p in sorted((DATA / "ecbplus_37ecb").glob("*.txt"))
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    lines += ["It was.", "Korea, Korea and Korea again: Korea.", ""]
    docs = [cluster.words(t) for t in lines]
    assert any(not d for d in docs) and any(len(d) > len(set(d)) for d in docs)
    for part in (docs, docs[::-1], docs[:7], docs[:40] + docs + docs[:40]):  # and repeats
        vectorizer = TfidfVectorizer(analyzer=lambda ws: ws)
        expected = vectorizer.fit_transform(part)
        found = cluster.tfidf(part)
        assert found is not None
        weights, idf = found
        assert same_csr(weights, expected)
        assert list(idf) == vectorizer.get_feature_names_out().tolist()
        assert np.array_equal(np.array(list(idf.values())), vectorizer.idf_)
    with pytest.raises(ValueError):
        TfidfVectorizer(analyzer=lambda ws: ws).fit_transform([[], []])
    assert cluster.tfidf([[], []]) is None


def test_unit_rows_is_scikit_learns() -> None:
    from scipy import sparse
    from sklearn.preprocessing import normalize

    rng = np.random.default_rng(7)
    for _ in range(20):
        dense = rng.random((30, 40)) * (rng.random((30, 40)) < 0.2)
        dense[rng.integers(0, 30, 3)] = 0.0  # rows of zeros stay zero
        x = sparse.csr_array(dense)
        order = [rng.permutation(np.arange(a, b)) for a, b in itertools.pairwise(x.indptr)]
        flat = np.concatenate(order)
        x = sparse.csr_array((x.data[flat], x.indices[flat], x.indptr), shape=x.shape)
        assert not x.has_sorted_indices  # a row's sum follows the storage order
        assert same_csr(cluster.unit_rows(x), normalize(x))


def test_a_check_does_not_import_scikit_learn(tmp_path: Path) -> None:
    # Importing scikit-learn costs more than a second per process (see cluster.STOP_WORDS),
    # so the run keeps to the copies above; the notebook's claim map still uses it.
    import subprocess
    import sys

    code = (
        "import sys, consistency; consistency.check([sys.argv[1]]).to_csv(sys.argv[2]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))"
    )
    args = [sys.executable, "-c", code, str(ROOT / "seeds"), str(tmp_path)]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_alike_sentences_share_features_and_only_they(seed_story) -> None:
    # The seeds' first article again under two more ids, once whole (its lines have their
    # originals' neighbours: alike) and once only its first three lines (those lines now see
    # the rest of the article as another document's: not alike). Features computed once per
    # pair of classes are the features of every pair computed on its own, bit for bit.
    i = seed_story.parts[0].inputs
    first = [k for k, d in enumerate(i.doc_ids.tolist()) if d == i.doc_ids[0]]
    rows = list(range(len(i.texts))) + first + first[:3]
    doc_ids = i.doc_ids.tolist() + ["whole"] * len(first) + ["part"] * 3
    ev = cluster.evidence(
        [i.texts[k] for k in rows],
        doc_ids,
        i.vectors[rows],
        [i.clause_vectors[k] for k in rows],
        [i.kinds[k] for k in rows],
    )
    head = cluster.LinkHead.load()
    pairs = cluster.candidate_pairs(ev, head.candidate_cosine)
    matrices = (ev.cosine, ev.clause_cosine, ev.tfidf)
    near = [cluster.neighbourhood(m, ev.doc_ids, cluster.CSLS_K) for m in matrices]
    a, b = pairs[:, 0], pairs[:, 1]
    each = cluster.features([m[a, b].astype(np.float64) for m in matrices], near, a, b,
                            ev.rare, ev.kinds)  # fmt: skip
    assert np.array_equal(cluster.pair_features(ev, pairs), each)
    of_class = cluster.classes(ev, near)
    n = len(rows)
    whole, part = range(len(i.texts), n - 3), range(n - 3, n)
    assert all(of_class[w] == of_class[o] for w, o in zip(whole, first, strict=True))
    assert any(of_class[p] != of_class[o] for p, o in zip(part, first, strict=False))
    assert len(set(of_class.tolist())) < n


def test_link_matrix_is_canonical(seed_story) -> None:
    # Built from the pairs, it is stored as the dense matrix converted would be (rows
    # sorted, no stored zeros), so every later sum over it runs in the same order.
    from scipy import sparse

    links = cluster.link_matrix(seed_story.parts[0].evidence, cluster.LinkHead.load())
    assert links.nnz > 2 * links.shape[0]
    assert same_csr(links, sparse.csr_array(links.toarray()))
