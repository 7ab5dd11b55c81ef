"""What routes depend on: the parts of the engine, or a 503 saying why they are missing."""

from __future__ import annotations

from fastapi import Request

from indexer.store import LoadedIndex

from .answer import ExtractiveAnswerer
from .engine import Engine
from .errors import ApiError
from .search import Searcher


def ready_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    if engine.searcher is None:
        raise ApiError(503, engine.error or "索引尚未加载")
    return engine


def get_searcher(request: Request) -> Searcher:
    return ready_engine(request).searcher


def get_answerer(request: Request) -> ExtractiveAnswerer:
    return ready_engine(request).answerer


def get_index(request: Request) -> LoadedIndex:
    return ready_engine(request).index
