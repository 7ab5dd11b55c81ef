"""Vector stores: rows of unit vectors searched by inner product, behind one protocol.

`build_store` picks the store by size: exact search (FAISS flat) while it is
cheap, an inverted file with 8-bit scalar quantisation above FLAT_MAX rows,
where exact search costs too much time and float32 vectors too much memory.
The kind chosen, and its search settings, are recorded in the manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

FLAT_MAX = 100_000


class VectorStore(Protocol):
    kind: str  # recorded in the manifest

    def __len__(self) -> int: ...

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows), each (n_queries, k); rows are -1 where fewer than k exist.
        `allowed` (a bool per row) restricts the search to the rows where it is True."""
        ...

    def settings(self) -> dict[str, Any]:
        """What the manifest records about this store (kind, parameters)."""
        ...

    def save(self, path: Path) -> None: ...


def choose_kind(rows: int) -> str:
    return "faiss-flat" if rows < FLAT_MAX else "faiss-ivf-sq8"


def build_store(vectors: np.ndarray, kind: str | None = None, probes=None) -> VectorStore:
    """`probes`: query embeddings (or a callable giving them) to tune an approximate store on."""
    kind = kind or choose_kind(len(vectors))
    if kind == "faiss-flat":
        from .faiss_flat import FlatStore

        return FlatStore.build(vectors)
    if kind == "faiss-ivf-sq8":
        from .faiss_ivf import IVFStore

        return IVFStore.build(vectors, probes=probes() if callable(probes) else probes)
    raise ValueError(f"unknown vector store {kind!r}")


def load_store(kind: str, path: Path, settings: dict[str, Any] | None = None) -> VectorStore:
    if kind == "faiss-flat":
        from .faiss_flat import FlatStore

        return FlatStore.load(path)
    if kind == "faiss-ivf-sq8":
        from .faiss_ivf import IVFStore

        return IVFStore.load(path, settings or {})
    raise ValueError(f"unknown vector store {kind!r}")


def bitmap_selector(allowed: np.ndarray):
    """A FAISS selector for a bool mask: one bit per row, constant-time membership."""
    import faiss

    bits = np.packbits(allowed.astype(np.uint8), bitorder="little")
    selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits))
    selector.referenced_bits = bits  # keep the buffer alive as long as the selector
    return selector
