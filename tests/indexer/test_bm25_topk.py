"""BM25Index.search reads only the query tokens' postings; it must return exactly what scoring
every passage returns: same rows, same scores, score descending and ties by row ascending."""

from __future__ import annotations

import random

import numpy as np
import pytest

from indexer.keyword.bm25 import BM25Index
from indexer.tokenize import Tokenizer
from tests.conftest import REPORTS


@pytest.fixture(scope="module")
def corpus() -> list[list[str]]:
    tokenizer = Tokenizer()
    lines = [line.strip() for path in sorted(REPORTS.iterdir()) for line in path.read_text(encoding="utf-8").splitlines()]
    passages = [tokenizer(line) for line in lines if len(line) >= 8][:400]
    assert len(passages) == 400
    # Exact copies give exact ties, and an empty passage still has a row.
    return passages + passages[:40] + [[]] + passages[100:120]


@pytest.fixture(scope="module")
def index(corpus) -> BM25Index:
    return BM25Index.build(corpus)


def reference(index: BM25Index, tokens: list[str], k: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Score every passage with bm25s itself, then sort all of them."""
    model = index._model
    known = [t for t in tokens if t in model.vocab_dict]
    if not known:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    scores = np.asarray(model.get_scores(known), dtype=np.float32)
    rows = np.flatnonzero(scores > 0)
    if mask is not None:
        rows = rows[mask[rows]]
    rows = rows[np.lexsort((rows, -scores[rows]))][:k]
    return scores[rows], rows


def queries(corpus: list[list[str]], n: int, seed: int) -> list[list[str]]:
    """Token lists drawn from the passages: common and rare words, repeats, unknown words."""
    rng = random.Random(seed)
    vocab = sorted({t for p in corpus for t in p})
    counts: dict[str, int] = {}
    for p in corpus:
        for t in set(p):
            counts[t] = counts.get(t, 0) + 1
    common = sorted(vocab, key=lambda t: -counts[t])[:15]
    out = []
    for _ in range(n):
        tokens = rng.sample(rng.choice([p for p in corpus if p]), k=1) + rng.sample(vocab, k=rng.randint(0, 6))
        tokens += rng.sample(common, k=rng.randint(0, 4))
        if rng.random() < 0.4:
            tokens += rng.choices(tokens, k=rng.randint(1, 3))  # repeated tokens count again
        if rng.random() < 0.3:
            tokens.insert(rng.randrange(len(tokens) + 1), "从未出现过的词")
        rng.shuffle(tokens)
        out.append(tokens)
    return out


def assert_same(got, want) -> None:
    got_scores, got_rows = got
    want_scores, want_rows = want
    assert got_rows.dtype == np.int64 and got_scores.dtype == np.float32
    assert got_rows.tolist() == want_rows.tolist()
    np.testing.assert_allclose(got_scores, want_scores, rtol=1e-6)


@pytest.mark.parametrize("k", [1, 3, 10, 100, 10_000])
def test_unmasked_top_k_equals_full_scoring(index, corpus, k):
    for tokens in queries(corpus, 150, seed=k):
        assert_same(index.search(tokens, k), reference(index, tokens, k, None))


@pytest.mark.parametrize("density", [0.02, 0.3, 0.9, 1.0])
@pytest.mark.parametrize("k", [1, 10, 100])
def test_masked_top_k_equals_full_scoring(index, corpus, density, k):
    rng = np.random.default_rng(int(density * 100) + k)
    for i, tokens in enumerate(queries(corpus, 80, seed=1000 + k)):
        mask = rng.random(index.size) < density if i % 2 else np.zeros(index.size, dtype=bool)
        if i % 2:
            mask[rng.integers(0, index.size, 3)] = True
        assert_same(index.search(tokens, k, mask), reference(index, tokens, k, mask))


def test_ties_come_in_row_order(index, corpus):
    # Passages 0-39 are repeated at the end of the corpus: equal scores, lower row first.
    tokens = corpus[5][:3]
    scores, rows = index.search(tokens, 10_000)
    twin = 400 + 5
    assert 5 in rows and twin in rows
    assert scores[list(rows).index(5)] == scores[list(rows).index(twin)]
    assert list(rows).index(5) < list(rows).index(twin)
    assert all(a > b or (a == b and r < s) for a, b, r, s in zip(scores, scores[1:], rows, rows[1:], strict=False))


def test_repeated_token_weighs_twice(index, corpus):
    token = corpus[7][0]
    once, rows = index.search([token], 5)
    twice, rows2 = index.search([token, token], 5)
    assert rows.tolist() == rows2.tolist()
    np.testing.assert_allclose(twice, 2 * once, rtol=1e-6)


def test_nothing_to_find(index):
    for tokens, k in (([], 10), (["从未出现过的词"], 10), (["的"], 10)):
        scores, rows = index.search(tokens, k)
        assert len(scores) == len(rows) == 0 and rows.dtype == np.int64
    scores, rows = index.search(["工作"], 10, np.zeros(index.size, dtype=bool))
    assert len(rows) == 0


def test_saved_and_memory_mapped_index_answers_the_same(index, corpus, tmp_path):
    index.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    assert loaded.size == index.size
    assert isinstance(loaded._model.scores["indices"], np.memmap)
    mask = np.random.default_rng(3).random(index.size) < 0.5
    for tokens in queries(corpus, 60, seed=99):
        assert_same(loaded.search(tokens, 10), reference(index, tokens, 10, None))
        assert_same(loaded.search(tokens, 10, mask), reference(index, tokens, 10, mask))
        assert [loaded.doc_freq(t) for t in tokens] == [index.doc_freq(t) for t in tokens]
