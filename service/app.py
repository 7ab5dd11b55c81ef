"""The FastAPI application: built once per process around one Engine."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from .engine import Engine
from .errors import install_error_handlers
from .feedback import QueryLog
from .jobs import JobRunner, Jobs
from .limits import HeavyGate
from .middleware import GuardMiddleware
from .routes import admin, ask, documents, feedback, health, pages, search, tasks
from .routes.pages import STATIC
from .settings import Settings
from .state import State


def configure_runtime() -> None:
    """Process-wide settings the service needs, whichever way it is started (one process or workers)."""
    # The model runs outside the GIL; a short switch interval hands the GIL back to its
    # worker thread promptly when request threads are busy in Python.
    sys.setswitchinterval(0.001)
    access = logging.getLogger("govqa.access")
    if not access.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        access.propagate = False
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def create_app(settings: Settings | None = None) -> FastAPI:
    configure_runtime()
    settings = settings or Settings()
    engine = Engine(settings)
    state = State(settings.state_dir / "govqa.sqlite3")
    jobs = Jobs(settings, state)
    runner = JobRunner(jobs, engine)
    querylog = QueryLog(state, settings.query_log_days)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, engine.load)
        app.state.gate = HeavyGate(settings.max_concurrent, settings.queue_timeout, settings.request_timeout)
        stop_watch = engine.watch(settings.watch_seconds) if settings.watch_seconds > 0 else None
        runner.start()
        querylog.start()
        # SIGHUP reloads in place. Only the main thread can take signals: under a test client the
        # app runs in another thread and the signal stays with its default meaning.
        with suppress(ValueError, RuntimeError, NotImplementedError):
            loop.add_signal_handler(signal.SIGHUP, lambda: loop.run_in_executor(None, engine.load))
        try:
            yield
        finally:
            with suppress(ValueError, RuntimeError, NotImplementedError):
                loop.remove_signal_handler(signal.SIGHUP)
            if stop_watch:
                stop_watch.set()
            runner.stop()
            await loop.run_in_executor(None, querylog.stop)
            app.state.gate.close()

    app = FastAPI(title="govqa", version="0.1.0", lifespan=lifespan)
    app.state.engine = engine
    app.state.settings = settings
    app.state.state = state
    app.state.jobs = jobs
    app.state.querylog = querylog
    install_error_handlers(app)
    for module in (health, documents, search, ask, tasks, feedback, admin, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(GuardMiddleware, settings=settings)
    if settings.cors_origin_list:
        # Outside the guard, so that a 401 or 413 still carries the CORS headers the widget needs to read it.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST"],  # the widget's calls: search, ask, feedback
            allow_headers=["Content-Type", "X-API-Key"],
            max_age=600,
        )
    return app
