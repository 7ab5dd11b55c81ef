"""Vector stores: rows of unit vectors searched by inner product, behind one protocol."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np


class VectorStore(Protocol):
    kind: str  # recorded in the manifest

    def __len__(self) -> int: ...

    def add(self, vectors: np.ndarray) -> None: ...

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows), each (n_queries, k); rows are -1 where fewer than k exist.
        `allowed` (row numbers) restricts the search to those rows."""
        ...

    def save(self, path: Path) -> None: ...


def new_store(kind: str, dim: int) -> VectorStore:
    if kind == "faiss-flat":
        from .faiss_flat import FlatStore

        return FlatStore(dim)
    raise ValueError(f"unknown vector store {kind!r}")


def load_store(kind: str, path: Path) -> VectorStore:
    if kind == "faiss-flat":
        from .faiss_flat import FlatStore

        return FlatStore.load(path)
    raise ValueError(f"unknown vector store {kind!r}")
