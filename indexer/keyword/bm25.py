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

    def search(self, tokens: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        known = [t for t in tokens if t in self._model.vocab_dict]
        if not known or self._size == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        rows, scores = self._model.retrieve([known], k=min(k, self._size), show_progress=False, n_threads=1)
        rows, scores = rows[0], scores[0]
        keep = scores > 0
        return scores[keep].astype(np.float32), rows[keep].astype(np.int64)

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._model.save(str(path), show_progress=False)
        (path / "size.txt").write_text(str(self._size))

    @classmethod
    def load(cls, path: Path) -> BM25Index:
        model = bm25s.BM25.load(str(path), show_progress=False)
        return cls(model, int((path / "size.txt").read_text()))
