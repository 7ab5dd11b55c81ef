"""The local engine: the index folder (FAISS vectors + bm25s keyword index) on this machine.

Filters become a boolean mask over the rows (per-row codes in rows.npz),
kept for the last few filter values, so the dense and the keyword side of
one search share it. Passage ids map to rows through two memory-mapped
arrays (ids sorted, and their rows), so a million passages cost no dict.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..index.folder import LoadedIndex, load_index, load_texts
from ..index.folder import write_build as write_folder
from ..index.publish import new_build_dir, publish
from ..keyword import build_keyword
from ..passage import Passage
from ..vectors import build_store
from . import Build, Filters, Scored

KEYWORD_INDEX = "bm25s"
MASKS_KEPT = 8


class LocalEngine:
    name = "local"

    def __init__(self, index: LoadedIndex) -> None:
        self.index = index
        self.key = str(index.path)
        self.manifest = index.manifest
        self.documents = index.documents
        self.skipped = index.skipped
        self.duplicates = index.duplicates
        self.tokenizer = index.tokenizer
        self.ledger = index.ledger
        self.rows = index.rows
        self.by_row = index.passages
        self._ids = np.load(index.path / "ids.npy", mmap_mode="r")
        self._sorted = np.load(index.path / "ids_sorted.npy", mmap_mode="r")
        self._id_rows = np.load(index.path / "id_rows.npy", mmap_mode="r")
        self._masks: OrderedDict[Filters, np.ndarray | None] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, embedder_name: str | None = None) -> LocalEngine:
        return cls(load_index(Path(path), embedder_name=embedder_name))

    @property
    def size(self) -> int:
        return len(self.by_row)

    def mask(self, filters: Filters) -> np.ndarray | None:
        """The rows `filters` allow (None: all of them)."""
        if not filters:
            return None
        with self._lock:
            mask = self._masks.get(filters)
        if mask is None:
            rows = self.rows
            conditions = []
            if filters.districts:
                conditions.append(rows.mask("district", filters.districts))
            if filters.kinds:
                conditions.append(rows.mask("kind", filters.kinds))
            if filters.doc_id:
                conditions.append(rows.mask("doc_id", [filters.doc_id]))
            if filters.year is not None:
                conditions.append(rows.mask("year", [filters.year]))
            mask = np.logical_and.reduce(conditions)
            with self._lock:
                self._masks[filters] = mask
                while len(self._masks) > MASKS_KEPT:
                    self._masks.popitem(last=False)
        return mask

    def _scored(self, scores: np.ndarray, rows: np.ndarray) -> Scored:
        keep = rows >= 0
        ids = self._ids[rows[keep]]
        return [(i.decode(), float(s)) for i, s in zip(ids, scores[keep], strict=True)]

    def dense(self, vector: np.ndarray, k: int, filters: Filters) -> Scored:
        mask = self.mask(filters)
        if mask is not None and not mask.any():
            return []
        scores, rows = self.index.vectors.search(vector, k, mask)
        return self._scored(scores[0], rows[0])

    def keyword(self, tokens: list[str], k: int, filters: Filters) -> Scored:
        mask = self.mask(filters)
        if mask is not None and not mask.any():
            return []
        scores, rows = self.index.keyword.search(tokens, k, mask)
        return self._scored(scores, rows)

    def row_of(self, passage_id: str) -> int | None:
        key = passage_id.encode()
        at = int(np.searchsorted(self._sorted, key))
        if at < len(self._sorted) and self._sorted[at] == key:
            return int(self._id_rows[at])
        return None

    def passages(self, ids: Sequence[str]) -> list[Passage]:
        rows = (self.row_of(i) for i in ids)
        return [self.by_row[r] for r in rows if r is not None]

    def doc_freq(self, tokens: Sequence[str]) -> list[int]:
        return [self.index.keyword.doc_freq(t) for t in tokens]

    def count(self, filters: Filters) -> int:
        mask = self.mask(filters)
        return self.size if mask is None else int(mask.sum())

    def texts(self) -> dict[str, tuple[str, float]]:
        """Each document's letters and digits, for the duplicate check of an added report."""
        return load_texts(self.index.path)

    def close(self) -> None:
        pass


def write_build(index_dir: Path, build: Build) -> str:
    """Vector store and keyword index from the build, its files, then the link swap."""
    clock = time.perf_counter()
    store = build_store(build.embeddings, probes=build.probes)
    build.timings["vectors"] = time.perf_counter() - clock
    clock = time.perf_counter()
    keyword = build_keyword(KEYWORD_INDEX, build.tokens)
    build.timings["keyword"] = time.perf_counter() - clock
    clock = time.perf_counter()
    folder = new_build_dir(index_dir)
    meta = {**build.meta, "timings_s": {k: round(v, 3) for k, v in build.timings.items()}}
    write_folder(
        folder, build.passages, build.documents, build.skipped, build.duplicates, build.texts,
        build.embeddings, store, keyword, build.tokenizer, meta,
    )  # fmt: skip
    publish(folder, index_dir)
    build.timings["write"] = time.perf_counter() - clock
    return str(folder)


def stored_build(index: LoadedIndex) -> Build:
    """A published local build read back as a Build, stored embeddings included, so it can be
    written to another engine without embedding anything again."""
    from ..build import tokenize_passages
    from ..index.folder import load_embeddings

    passages = list(index.passages)
    tokenizer, tokens = tokenize_passages(passages)
    meta = {k: v for k, v in index.manifest.items() if k in ("parser_version", "corpus", "embedder")}
    return Build(
        passages=passages,
        documents=index.documents,
        skipped=index.skipped,
        duplicates=index.duplicates,
        texts=load_texts(index.path),
        embeddings=np.asarray(load_embeddings(index.path), dtype=np.float32),
        tokenizer=tokenizer,
        tokens=tokens,
        meta=meta,
    )
