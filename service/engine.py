"""What the service serves from: the loaded index and its searcher, swapped whole on reload.

A reload builds the new searcher beside the old one and swaps one attribute;
a request keeps the searcher it started with, so nothing in flight is dropped.
Reloads come from POST /admin/reload, SIGHUP, or a watcher that sees a newly
published build (the index link moved, or a new Milvus publish record).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from indexer.embedders import Embedder, load_embedder
from indexer.engines import IndexLoadError, SearchEngine, published_key

from .answer import ExtractiveAnswerer
from .ledger import Ledger
from .search import Searcher, open_searcher
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
    _refused: str | None = None  # a published build that failed to load: not retried until another is published

    @property
    def index(self) -> SearchEngine | None:
        return self.searcher.engine if self.searcher else None

    def load(self) -> bool:
        """Load the index on disk; on failure keep serving what was loaded before."""
        with self._lock:
            target = self._published()
            try:
                if self.embedder is None:
                    self.embedder = load_embedder(self.settings.embedder)
                searcher = open_searcher(self.settings, self.embedder)
                searcher.search("预热", k=1)  # the model's and the stores' first call is slow; pay it here, not on a user
                ledger = Ledger(searcher.engine)
            except (IndexLoadError, RuntimeError, ValueError, OSError) as exc:
                self.error, self._refused = str(exc), target
                log.warning("index not loaded%s: %s", " (still serving the previous one)" if self.searcher else "", exc)
                return False
            # One assignment: a request holds the searcher and ledger it started with.
            self.searcher, self.answerer, self.ledger = searcher, ExtractiveAnswerer(searcher, ledger), ledger
            self.error, self._refused = None, None
            log.info("index loaded: %s (%d passages)", searcher.engine.key, searcher.engine.size)
            return True

    def _published(self) -> str | None:
        try:
            return published_key(self.settings)
        except Exception as exc:  # noqa: BLE001 - an engine out of reach: keep serving, say why
            log.warning("cannot read the published build: %s", exc)
            return None

    def reload_if_changed(self) -> bool | None:
        """Load the published build when it is not the one being served (nor one already refused)."""
        target = self._published()
        current = self.index.key if self.index else None
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
