"""What the service serves from: the loaded index, swapped whole on reload."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from indexer.store import IndexLoadError, LoadedIndex, load_index

from .settings import Settings

log = logging.getLogger("govqa.service")


@dataclass
class Engine:
    settings: Settings
    index: LoadedIndex | None = None
    error: str | None = None

    def load(self) -> None:
        """Load the index on disk; on failure keep serving what was loaded before."""
        try:
            index = load_index(self.settings.index)
        except IndexLoadError as exc:
            self.error = str(exc)
            log.warning("index not loaded: %s", exc)
            return
        self.index, self.error = index, None
        log.info("index loaded: %s (%d passages)", index.path, len(index.passages))
