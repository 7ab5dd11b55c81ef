"""Keyword indexes over tokenised passages, behind one protocol."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np


class KeywordIndex(Protocol):
    kind: str

    def search(self, tokens: list[str], k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows) for one tokenised query, best first; only rows with a positive score
        and, when `mask` (bool per row) is given, only rows where it is True."""
        ...

    def doc_freq(self, token: str) -> int:
        """How many rows contain the token (0 for a token the index never saw)."""
        ...

    @property
    def size(self) -> int: ...

    def save(self, path: Path) -> None: ...


def build_keyword(kind: str, corpus_tokens: list[list[str]]) -> KeywordIndex:
    if kind == "bm25s":
        from .bm25 import BM25Index

        return BM25Index.build(corpus_tokens)
    raise ValueError(f"unknown keyword index {kind!r}")


def load_keyword(kind: str, path: Path) -> KeywordIndex:
    if kind == "bm25s":
        from .bm25 import BM25Index

        return BM25Index.load(path)
    raise ValueError(f"unknown keyword index {kind!r}")
