"""What the service serves from: the loaded index and its searcher, swapped whole on reload."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from indexer.embedders import Embedder, load_embedder
from indexer.store import IndexLoadError, LoadedIndex, load_index

from .answer import ExtractiveAnswerer
from .search import Searcher
from .settings import Settings

log = logging.getLogger("govqa.service")


@dataclass
class Engine:
    settings: Settings
    embedder: Embedder | None = None
    searcher: Searcher | None = None
    answerer: ExtractiveAnswerer | None = None
    error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def index(self) -> LoadedIndex | None:
        return self.searcher.index if self.searcher else None

    def load(self) -> bool:
        """Load the index on disk; on failure keep serving what was loaded before."""
        with self._lock:
            try:
                if self.embedder is None:
                    self.embedder = load_embedder(self.settings.embedder)
                index = load_index(self.settings.index, embedder_name=self.embedder.name)
                searcher = Searcher(index, self.embedder, cache_size=self.settings.cache_size, fusion=self.settings.fusion)
                searcher.search("预热", k=1)  # the model's and the stores' first call is slow; pay it here, not on a user
            except (IndexLoadError, RuntimeError, ValueError) as exc:
                self.error = str(exc)
                log.warning("index not loaded: %s", exc)
                return False
            # One assignment each: a request holds the searcher it started with.
            self.searcher, self.answerer, self.error = searcher, ExtractiveAnswerer(searcher), None
            log.info("index loaded: %s (%d passages)", index.path, len(index.passages))
            return True
