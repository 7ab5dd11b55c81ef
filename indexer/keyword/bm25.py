"""BM25 with bm25s: sparse matrices, fast, saved as plain numpy files."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np


class BM25Index:
    kind = "bm25s"

    def __init__(self, model: bm25s.BM25, size: int) -> None:
        self._model = model
        self._size = size

    @classmethod
    def build(cls, corpus_tokens: list[list[str]]) -> BM25Index:
        model = bm25s.BM25()
        # An empty passage still needs a row, so that rows line up with the vector store.
        model.index([tokens or [""] for tokens in corpus_tokens], show_progress=False)
        return cls(model, len(corpus_tokens))

    def search(self, tokens: list[str], k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        known = [t for t in tokens if t in self._model.vocab_dict]
        if not known or self._size == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        weights = mask.astype(np.float32) if mask is not None else None
        scores = np.asarray(self._model.get_scores(known, weight_mask=weights), dtype=np.float32)
        k = min(k, self._size)
        top = np.argpartition(-scores, k - 1)[:k] if k < self._size else np.arange(self._size)
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        return scores[top], top.astype(np.int64)

    @property
    def size(self) -> int:
        return self._size

    def doc_freq(self, token: str) -> int:
        row = self._model.vocab_dict.get(token)
        indptr = self._model.scores["indptr"]
        if row is None or row + 1 >= len(indptr):
            return 0
        return int(indptr[row + 1] - indptr[row])

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._model.save(str(path), show_progress=False)
        (path / "size.txt").write_text(str(self._size))

    @classmethod
    def load(cls, path: Path) -> BM25Index:
        # Memory-mapped, like the vectors: a query reads only its tokens' postings.
        model = bm25s.BM25.load(str(path), mmap=True, show_progress=False)
        return cls(model, int((path / "size.txt").read_text()))
