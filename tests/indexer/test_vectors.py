"""Vector stores: the kind follows the size, the approximate one keeps its recall, filters hold."""

from __future__ import annotations

import faiss
import numpy as np

from indexer.vectors import FLAT_MAX, build_store, choose_kind, load_store


def clustered(n: int, dim: int = 384, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(max(50, n // 100), dim)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    v = base[rng.integers(0, len(base), n)] + rng.normal(0, 0.0245, (n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_kind_by_size():
    assert choose_kind(FLAT_MAX - 1) == "faiss-flat"
    assert choose_kind(FLAT_MAX) == "faiss-ivf-sq8"


def test_ivf_keeps_recall_filters_and_settings(tmp_path):
    vectors = clustered(30_000)
    store = build_store(vectors, kind="faiss-ivf-sq8")
    settings = store.settings()
    assert settings["kind"] == "faiss-ivf-sq8" and settings["tuned_recall_at_10"] >= 0.97
    rng = np.random.default_rng(1)
    queries = vectors[rng.choice(len(vectors), 100, replace=False)] + rng.normal(0, 0.02, (100, 384)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    exact = faiss.IndexFlatIP(384)
    exact.add(vectors)
    _, truth = exact.search(queries, 10)
    _, found = store.search(queries, 10)
    assert np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)]) >= 0.95
    mask = np.zeros(len(vectors), bool)
    mask[::7] = True
    _, rows = store.search(queries[:5], 10, mask)
    assert all(r % 7 == 0 for r in rows.ravel() if r >= 0)
    store.save(tmp_path / "vectors.faiss")
    np.save(tmp_path / "embeddings.npy", vectors)  # as in an index folder: rescoring reads it
    again = load_store("faiss-ivf-sq8", tmp_path / "vectors.faiss", settings)
    assert again.settings() == settings
    assert np.array_equal(again.search(queries[:5], 10)[1], store.search(queries[:5], 10)[1])


def test_flat_is_exact_and_filters():
    vectors = clustered(2_000)
    store = build_store(vectors)
    assert store.kind == "faiss-flat"
    _, rows = store.search(vectors[:3], 1)
    assert rows.ravel().tolist() == [0, 1, 2]
    mask = np.arange(2_000) >= 1_000
    _, rows = store.search(vectors[:3], 5, mask)
    assert (rows >= 1_000).all()
