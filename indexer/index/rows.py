"""Reading an index folder by row: passages, embedding rows and the per-row filter codes.

Row n of every file is passage n of the build (document order).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from ..passage import Passage


class PassageStore(Sequence[Passage]):
    """The passages of an index, read from disk when asked for (an index may hold millions).

    Read with pread, not a memory map: a mapped file's pages count against the
    process once touched (the kernel maps whole page-cache folios around each
    read), while pread leaves them to the page cache.
    """

    def __init__(self, path: Path) -> None:
        self._offsets = np.load(path / "offsets.npy")
        self._fd = os.open(path / "passages.jsonl", os.O_RDONLY)

    def __del__(self) -> None:
        try:
            os.close(self._fd)
        except (OSError, AttributeError):
            pass

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        row = int(row)
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        return Passage.from_record(orjson.loads(os.pread(self._fd, end - start, start)))

    def records(self, rows: Sequence[int]) -> Iterator[dict[str, Any]]:
        """The stored records of ascending `rows`, without building Passages: rows next to each
        other are read in one call (an export reads thousands of them)."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        for run in np.split(rows, breaks):
            start, end = int(self._offsets[run[0]]), int(self._offsets[run[-1] + 1])
            block = os.pread(self._fd, end - start, start)
            for line in block.splitlines():
                yield orjson.loads(line)

    def __iter__(self) -> Iterator[Passage]:
        with open(self._fd, "rb", closefd=False) as fh:
            fh.seek(0)
            for line in fh:
                if line.strip():
                    yield Passage.from_record(orjson.loads(line))


class RowReader:
    """Rows of embeddings.npy read with pread, for rescoring a few candidates per query."""

    def __init__(self, path: Path) -> None:
        mapped = np.load(path, mmap_mode="r")
        self.shape, self.dtype, self._start = mapped.shape, mapped.dtype, mapped.offset
        self._row_bytes = int(np.prod(self.shape[1:])) * self.dtype.itemsize
        del mapped
        self._fd = os.open(path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        out = np.empty((len(rows), *self.shape[1:]), dtype=self.dtype)
        for i, row in enumerate(rows):
            buffer = os.pread(self._fd, self._row_bytes, self._start + int(row) * self._row_bytes)
            out[i] = np.frombuffer(buffer, dtype=self.dtype).reshape(self.shape[1:])
        return out

    def __del__(self) -> None:
        try:
            os.close(self._fd)
        except (OSError, AttributeError):
            pass


@dataclass
class RowTable:
    """Per-row codes for filtering without touching the passages."""

    vocab: dict[str, list[str]]  # field → the values its codes stand for
    codes: dict[str, np.ndarray]  # field → int32 code per row ("year" holds the year itself)

    FIELDS = ("district", "kind", "doc_id")

    @classmethod
    def of(cls, passages: Sequence[Passage]) -> RowTable:
        vocab, codes = {}, {}
        for name in cls.FIELDS:
            values = [getattr(p, name) for p in passages]
            vocab[name] = sorted(set(values))
            lookup = {v: i for i, v in enumerate(vocab[name])}
            codes[name] = np.array([lookup[v] for v in values], dtype=np.int32)
        codes["year"] = np.array([p.subject_year() or 0 for p in passages], dtype=np.int32)
        return cls(vocab, codes)

    def mask(self, name: str, wanted: Sequence[Any]) -> np.ndarray:
        if name == "year":
            return np.isin(self.codes["year"], list(wanted))
        lookup = {v: i for i, v in enumerate(self.vocab[name])}
        return np.isin(self.codes[name], [lookup[w] for w in wanted if w in lookup])

    def save(self, path: Path) -> None:
        np.savez(path / "rows.npz", **self.codes)
        (path / "rows_vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> RowTable:
        with np.load(path / "rows.npz") as data:
            codes = {name: data[name] for name in data.files}
        return cls(json.loads((path / "rows_vocab.json").read_text(encoding="utf-8")), codes)
