"""What the service serves from: the loaded index and its searcher, swapped whole on reload.

A reload builds the new searcher beside the old one and swaps one attribute;
a request keeps the searcher it started with, so nothing in flight is dropped.
Reloads come from POST /admin/reload, SIGHUP, or a watcher that sees the
index link point at a newly published build (`govqa index` while serving).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from indexer.embedders import Embedder, load_embedder
from indexer.store import IndexLoadError, LoadedIndex, load_index

from .answer import ExtractiveAnswerer
from .ledger import Ledger
from .search import Searcher
from .settings import Settings

log = logging.getLogger("govqa.service")


@dataclass
class Engine:
    settings: Settings
    embedder: Embedder | None = None
    searcher: Searcher | None = None
    answerer: ExtractiveAnswerer | None = None
    ledger: Ledger | None = None
    error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _refused: Path | None = None  # a published build that failed to load: not retried until the link moves

    @property
    def index(self) -> LoadedIndex | None:
        return self.searcher.index if self.searcher else None

    def load(self) -> bool:
        """Load the index on disk; on failure keep serving what was loaded before."""
        with self._lock:
            target = self._published()
            try:
                if self.embedder is None:
                    self.embedder = load_embedder(self.settings.embedder)
                index = load_index(self.settings.index, embedder_name=self.embedder.name)
                searcher = Searcher(index, self.embedder, cache_size=self.settings.cache_size, fusion=self.settings.fusion)
                searcher.search("预热", k=1)  # the model's and the stores' first call is slow; pay it here, not on a user
                ledger = Ledger(index)
            except (IndexLoadError, RuntimeError, ValueError, OSError) as exc:
                self.error, self._refused = str(exc), target
                log.warning("index not loaded%s: %s", " (still serving the previous one)" if self.searcher else "", exc)
                return False
            # One assignment: a request holds the searcher and ledger it started with.
            self.searcher, self.answerer, self.ledger = searcher, ExtractiveAnswerer(searcher, ledger), ledger
            self.error, self._refused = None, None
            log.info("index loaded: %s (%d passages)", index.path, len(index.passages))
            return True

    def _published(self) -> Path | None:
        try:
            return Path(self.settings.index).resolve(strict=True)
        except OSError:
            return None

    def reload_if_changed(self) -> bool | None:
        """Load the published build when it is not the one being served (nor one already refused)."""
        target = self._published()
        current = self.index.path if self.index else None
        if target is None or target == current or target == self._refused:
            return None
        return self.load()

    def watch(self, every: float) -> threading.Event:
        """Check for a new build every `every` seconds in a daemon thread; set the event to stop."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(every):
                try:
                    self.reload_if_changed()
                except Exception:  # noqa: BLE001 - the watcher must outlive any one bad build
                    log.exception("index watcher")

        threading.Thread(target=loop, name="govqa-index-watch", daemon=True).start()
        return stop
