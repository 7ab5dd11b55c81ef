"""Data files shipped with the indexer (place names, aliases, synonyms), and their one reader each."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def places() -> tuple[str, ...]:
    """The county-level place names of places.txt, in file order, each once ('#' lines are comments)."""
    text = resources.files(__name__).joinpath("places.txt").read_text(encoding="utf-8")
    words = [w for line in text.splitlines() if not line.lstrip().startswith("#") for w in line.split()]
    return tuple(dict.fromkeys(words))
