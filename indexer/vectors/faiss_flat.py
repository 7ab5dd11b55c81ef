"""Exact inner-product search with FAISS: right up to about a hundred thousand passages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faiss
import numpy as np

from . import bitmap_selector


class FlatStore:
    kind = "faiss-flat"

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray) -> FlatStore:
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, len(self) or 1))
        if allowed is None:
            return self._index.search(queries, k)
        return self._index.search(queries, k, params=faiss.SearchParameters(sel=bitmap_selector(allowed)))

    def settings(self) -> dict[str, Any]:
        return {"kind": self.kind, "rows": len(self), "metric": "inner_product"}

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> FlatStore:
        return cls(faiss.read_index(str(path)))
