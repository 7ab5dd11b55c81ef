"""Every vector store and keyword index keeps the same contract, through its public protocol only:
shapes, order, filters, its own rows found first, settings, and a save/load round trip."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from indexer.keyword import build_keyword, load_keyword
from indexer.tokenize import Tokenizer
from indexer.vectors import build_store, load_store
from tests.conftest import REPORTS

ROWS, DIM, K = 5000, 64, 10
KINDS = ["faiss-flat", "faiss-ivf-sq8"]


# --- vector stores ---------------------------------------------------------------------------------------------


def unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return unit(np.random.default_rng(0).normal(size=(ROWS, DIM)))


@pytest.fixture(scope="module")
def queries(vectors) -> np.ndarray:
    """Stored vectors nudged a little, and fresh random directions."""
    rng = np.random.default_rng(1)
    near = vectors[rng.choice(ROWS, 40, replace=False)] + rng.normal(0, 0.05, (40, DIM))
    return unit(np.vstack([near, rng.normal(size=(40, DIM))]))


@pytest.fixture(scope="module", params=KINDS)
def saved(request, vectors, tmp_path_factory):
    """(store as built, the same store saved and loaded back) for each kind."""
    store = build_store(vectors, kind=request.param)
    folder = tmp_path_factory.mktemp(request.param)
    store.save(folder / "vectors.faiss")
    np.save(folder / "embeddings.npy", vectors)  # as in an index folder: IVF rescoring reads it on load
    return store, load_store(store.kind, folder / "vectors.faiss", store.settings())


@pytest.fixture(scope="module")
def store(saved):
    return saved[0]


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    scores = queries @ vectors.T
    if allowed is not None:
        scores[:, ~allowed] = -np.inf
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def valid(rows: np.ndarray) -> np.ndarray:
    """The rows a result row holds, checking that -1 (no row) comes only after every real row."""
    found = rows[rows >= 0]
    assert (rows[len(found) :] == -1).all(), rows
    return found


def test_size_kind_and_settings(store):
    assert store.kind in KINDS
    assert len(store) == ROWS
    settings = store.settings()
    assert settings["kind"] == store.kind and settings["rows"] == ROWS


def test_search_shapes_and_order(store, queries):
    scores, rows = store.search(queries, K)
    assert scores.shape == rows.shape == (len(queries), K)
    assert ((rows >= 0) & (rows < ROWS)).all()  # enough rows: no -1 anywhere
    assert (np.diff(scores, axis=1) <= 1e-6).all()  # best first
    for query_rows in rows:
        assert len(set(query_rows.tolist())) == K
    one_scores, one_rows = store.search(queries[0], K)  # a single query, 1-d, is one row of results
    assert one_rows.shape == (1, K) and np.array_equal(one_rows[0], rows[0])
    assert np.allclose(one_scores[0], scores[0], atol=1e-5)


def test_more_than_there_are(vectors):
    small = vectors[:7]
    for kind in ("faiss-flat",):  # an IVF store needs thousands of rows to train
        scores, rows = build_store(small, kind=kind).search(small[:2], 20)
        for score_row, row in zip(scores, rows, strict=True):
            found = valid(row)
            assert sorted(found.tolist()) == list(range(7))
            assert (np.diff(score_row[: len(found)]) <= 1e-6).all()


def test_a_stored_vector_finds_itself_first(store, vectors):
    picks = np.random.default_rng(2).choice(ROWS, 50, replace=False)
    scores, rows = store.search(vectors[picks], K)
    assert rows[:, 0].tolist() == picks.tolist()
    assert np.allclose(scores[:, 0], 1.0, atol=1e-3)


def test_allowed_rows_only(store, vectors, queries):
    rng = np.random.default_rng(3)
    allowed = rng.random(ROWS) < 0.3
    _, rows = store.search(queries, K, allowed)
    for row in rows:
        found = valid(row)
        assert len(found) and allowed[found].all()
    inside = np.flatnonzero(allowed)[:20]
    _, rows = store.search(vectors[inside], K, allowed)
    assert rows[:, 0].tolist() == inside.tolist()  # an allowed stored vector still finds itself first

    three = np.zeros(ROWS, dtype=bool)
    three[[5, 1234, 4321]] = True
    _, rows = store.search(vectors[[5, 1234, 4321, 77]], K, three)
    for row in rows:
        found = valid(row)
        assert len(found) <= 3 and set(found.tolist()) <= {5, 1234, 4321}
    assert rows[:3, 0].tolist() == [5, 1234, 4321]
    if store.kind == "faiss-flat":  # exact search returns every allowed row, in exact order
        assert np.array_equal(rows[:, :3], exact_top(vectors, vectors[[5, 1234, 4321, 77]], 3, three))


def test_recall_against_exact_search(store, vectors, queries):
    _, rows = store.search(queries, K)
    truth = exact_top(vectors, queries, K)
    recall = np.mean([len(set(t) & set(f)) / K for t, f in zip(truth.tolist(), rows.tolist(), strict=True)])
    assert recall >= (1.0 if store.kind == "faiss-flat" else 0.9), recall


def test_save_and_load_give_the_same_results(saved, queries):
    built, loaded = saved
    assert loaded.kind == built.kind and len(loaded) == len(built)
    assert loaded.settings() == built.settings()
    for query in queries[::8]:
        assert np.array_equal(loaded.search(query, K)[1], built.search(query, K)[1])


def test_unknown_store_kind_is_refused(vectors, tmp_path):
    with pytest.raises(ValueError, match="hnsw"):
        build_store(vectors[:10], kind="hnsw")
    with pytest.raises(ValueError, match="hnsw"):
        load_store("hnsw", tmp_path / "vectors.faiss")


# --- keyword index ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> list[list[str]]:
    """Lines of the real sample reports, tokenised by the indexer's tokenizer."""
    tokenizer = Tokenizer()
    lines = [line.strip() for path in sorted(REPORTS.glob("*.txt")) for line in path.read_text(encoding="utf-8").splitlines()]
    passages = [tokenizer(line) for line in lines if len(line.strip()) >= 8][:300]
    assert len(passages) == 300
    return passages


@pytest.fixture(scope="module")
def doc_freq(corpus) -> Counter[str]:
    return Counter(token for tokens in corpus for token in set(tokens))


@pytest.fixture(scope="module")
def saved_keyword(corpus, tmp_path_factory):
    index = build_keyword("bm25s", corpus)
    path = tmp_path_factory.mktemp("keyword") / "keyword"
    index.save(path)
    return index, load_keyword(index.kind, path)


@pytest.fixture(scope="module")
def keyword(saved_keyword):
    return saved_keyword[0]


def test_keyword_size_and_doc_freq(keyword, corpus, doc_freq):
    assert keyword.kind == "bm25s" and keyword.size == len(corpus)
    for token in sorted(doc_freq)[::7]:
        assert keyword.doc_freq(token) == doc_freq[token], token
    assert keyword.doc_freq("没有这个词") == 0


def test_keyword_scores_and_rows(keyword, corpus):
    for query in (["高标准", "农田"], ["公交", "线路"], ["养老", "服务", "设施"], ["碧螺春"]):
        scores, rows = keyword.search(query, 10)
        assert 0 < len(rows) <= 10 and len(scores) == len(rows), query
        assert (scores > 0).all() and (np.diff(scores) <= 0).all()
        assert ((rows >= 0) & (rows < len(corpus))).all() and len(set(rows.tolist())) == len(rows)
        assert all(set(query) & set(corpus[r]) for r in rows)  # a row scores only by a query token it holds


def test_a_passage_is_found_first_by_its_own_rare_tokens(keyword, corpus, doc_freq):
    checked = 0
    for row in range(0, len(corpus), 10):
        rare = [t for t in corpus[row] if doc_freq[t] == 1]
        if not rare:
            continue
        _, rows = keyword.search(rare[:3], 5)
        assert rows.tolist() == [row], (row, rare)
        checked += 1
    assert checked >= 10


def test_keyword_mask_restricts_rows(keyword, corpus):
    query = ["工作", "建设", "推进"]
    full_scores, full_rows = keyword.search(query, len(corpus))
    score_of = dict(zip(full_rows.tolist(), full_scores.tolist(), strict=True))
    mask = np.zeros(len(corpus), dtype=bool)
    mask[::3] = True
    scores, rows = keyword.search(query, len(corpus), mask=mask)
    assert len(rows) and mask[rows].all() and (np.diff(scores) <= 0).all()
    assert set(rows.tolist()) == {r for r in score_of if mask[r]}  # every allowed row that scores, no other
    assert np.allclose(scores, [score_of[r] for r in rows.tolist()])  # a mask filters, it does not rescore
    few = np.zeros(len(corpus), dtype=bool)
    few[full_rows[-2:]] = True  # the two weakest matches
    _, rows = keyword.search(query, 10, mask=few)
    assert sorted(rows.tolist()) == sorted(full_rows[-2:].tolist())
    assert len(keyword.search(query, 10, mask=np.zeros(len(corpus), dtype=bool))[1]) == 0


def test_unknown_tokens_find_nothing(keyword):
    for query in ([], ["没有这个词"], ["没有这个词", "也没有这个"]):
        scores, rows = keyword.search(query, 10)
        assert len(scores) == len(rows) == 0
    known_scores, known_rows = keyword.search(["高标准", "农田"], 10)
    scores, rows = keyword.search(["高标准", "没有这个词", "农田"], 10)
    assert np.allclose(scores, known_scores) and sorted(rows.tolist()) == sorted(known_rows.tolist())


def test_keyword_save_and_load_give_the_same_results(saved_keyword, corpus, doc_freq):
    built, loaded = saved_keyword
    assert loaded.kind == built.kind and loaded.size == built.size
    mask = np.arange(len(corpus)) % 2 == 0
    for query in (["高标准", "农田"], ["公交", "线路"], corpus[17], corpus[123][:4]):
        for m in (None, mask):
            a, b = built.search(query, 10, mask=m), loaded.search(query, 10, mask=m)
            assert np.array_equal(a[1], b[1]) and np.allclose(a[0], b[0])
    for token in sorted(doc_freq)[::11]:
        assert loaded.doc_freq(token) == doc_freq[token]
    assert loaded.doc_freq("没有这个词") == 0


def test_unknown_keyword_kind_is_refused(corpus, tmp_path):
    with pytest.raises(ValueError, match="tantivy"):
        build_keyword("tantivy", corpus)
    with pytest.raises(ValueError, match="tantivy"):
        load_keyword("tantivy", tmp_path)
