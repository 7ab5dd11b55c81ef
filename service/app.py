"""The FastAPI application: built once per process around one Engine."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from .engine import Engine
from .errors import install_error_handlers
from .routes import documents, health, search
from .settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = Engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        engine.load()
        yield

    app = FastAPI(title="govqa", version="0.1.0", lifespan=lifespan)
    app.state.engine = engine
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(documents.router)
    app.include_router(search.router)
    return app
