"""What routes depend on: the parts of the engine, or a 503 saying why they are missing.

Plain `async def` functions: they only read attributes, so they need no thread. The
search routes call `ready` directly instead of through `Depends`: FastAPI's dependency
solving cost more than the rest of such a route.
"""

from __future__ import annotations

from fastapi import Request

from indexer.engines import SearchEngine

from .answer import ExtractiveAnswerer
from .engine import Engine
from .errors import ApiError
from .ledger import Ledger
from .limits import HeavyGate
from .search import Searcher


def ready(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    if engine.searcher is None:
        raise ApiError(503, engine.error or "索引尚未加载")
    return engine


async def ready_engine(request: Request) -> Engine:
    return ready(request)


async def get_searcher(request: Request) -> Searcher:
    return ready(request).searcher


async def get_answerer(request: Request) -> ExtractiveAnswerer:
    return ready(request).answerer


async def get_ledger(request: Request) -> Ledger:
    return ready(request).ledger


async def get_index(request: Request) -> SearchEngine:
    return ready(request).index


async def get_gate(request: Request) -> HeavyGate:
    return request.app.state.gate
