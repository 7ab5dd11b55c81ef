"""Approximate search for large indexes: an inverted file over 8-bit scalar-quantised vectors.

nlist ≈ 4·√n clusters, trained on a sample; a quarter of the memory of
float32 vectors in RAM. The quantised scores pick RESCORE × k candidates,
which are scored again exactly against the float32 embeddings the index
folder keeps on disk (memory-mapped, so only the rows read are paged in):
quantisation then costs no recall, only the clusters not visited do. nprobe
(clusters visited) is tuned at build time, on query embeddings when the
builder has them (passage vectors are easier neighbours than questions), to
the smallest value whose recall@10 against exact search reaches
RECALL_TARGET, and recorded in the manifest.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from . import bitmap_selector

RECALL_TARGET = 0.97
TRAIN_MAX = 200_000
RESCORE = 4
NPROBES = (4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)


class IVFStore:
    kind = "faiss-ivf-sq8"

    def __init__(self, index: faiss.Index, nprobe: int, tuned_recall: float | None = None, exact: np.ndarray | None = None) -> None:
        self._index = index  # the object FAISS returned: a view taken from it would dangle once it is freed
        self.nprobe = nprobe
        self.tuned_recall = tuned_recall
        self.exact = exact  # float32 rows (a memmap when loaded) for rescoring

    @classmethod
    def build(cls, vectors: np.ndarray, nlist: int | None = None, seed: int = 0, probes: np.ndarray | None = None) -> IVFStore:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = vectors.shape
        nlist = nlist or max(16, min(16384, int(4 * math.sqrt(n))))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(seed)
        sample = vectors[rng.choice(n, size=min(n, TRAIN_MAX), replace=False)] if n > TRAIN_MAX else vectors
        index.train(sample)
        index.add(vectors)
        store = cls(index, nprobe=NPROBES[0], exact=vectors)
        store.tune(vectors, rng, probes)
        return store

    def tune(self, vectors: np.ndarray, rng: np.random.Generator, probes: np.ndarray | None = None, queries: int = 200, k: int = 10) -> None:
        """Smallest nprobe with recall@k ≥ RECALL_TARGET against exact search, on query embeddings
        when given, else on perturbed stored vectors."""
        if probes is not None and len(probes):
            probe = np.ascontiguousarray(probes, dtype=np.float32)
        else:
            picks = rng.choice(len(vectors), size=min(queries, len(vectors)), replace=False)
            probe = vectors[picks] + rng.normal(0, 0.02, size=(len(picks), vectors.shape[1])).astype(np.float32)
            probe /= np.linalg.norm(probe, axis=1, keepdims=True)
        exact = faiss.IndexFlatIP(vectors.shape[1])
        exact.add(vectors)
        _, truth = exact.search(probe, k)
        for nprobe in NPROBES:
            self.nprobe = nprobe
            _, found = self.search(probe, k)
            recall = float(np.mean([len(set(t) & set(f)) / k for t, f in zip(truth, found, strict=True)]))
            self.tuned_recall = recall
            if recall >= RECALL_TARGET:
                return

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def nlist(self) -> int:
        return int(faiss.extract_index_ivf(self._index).nlist)

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, len(self) or 1))
        params = faiss.SearchParametersIVF(nprobe=self.nprobe)
        if allowed is not None:
            params.sel = bitmap_selector(allowed)
            params.nprobe = min(self.nlist, self.nprobe * 4)  # filters thin out each cluster
        if self.exact is None:
            return self._index.search(queries, k, params=params)
        scores, rows = self._index.search(queries, max(k * RESCORE, 40), params=params)
        out_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        out_rows = np.full((len(queries), k), -1, dtype=np.int64)
        for i, (query, found) in enumerate(zip(queries, rows, strict=True)):
            found = found[found >= 0]
            if not len(found):
                continue
            order = np.sort(found)  # ascending rows read the file in order
            exact = np.asarray(self.exact[order], dtype=np.float32) @ query
            best = np.argsort(-exact, kind="stable")[:k]
            out_scores[i, : len(best)] = exact[best]
            out_rows[i, : len(best)] = order[best]
        return out_scores, out_rows

    def settings(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": len(self),
            "metric": "inner_product",
            "nlist": self.nlist,
            "nprobe": self.nprobe,
            "tuned_recall_at_10": None if self.tuned_recall is None else round(self.tuned_recall, 4),
            "rescore": RESCORE,
        }

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, settings: dict[str, Any]) -> IVFStore:
        # Memory-mapped: the inverted lists stay in the page cache, shared by every worker process,
        # and only the clusters queries visit are read.
        index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP)
        embeddings = path.parent / "embeddings.npy"
        exact = None
        if embeddings.exists():
            from ..index.rows import RowReader

            exact = RowReader(embeddings)
        return cls(index, nprobe=int(settings.get("nprobe", 16)), tuned_recall=settings.get("tuned_recall_at_10"), exact=exact)
