"""Real Chromium (Debian's) driven by Playwright against real uvicorn servers."""

from __future__ import annotations

import http.server
import shutil
import threading
from functools import partial

import pytest

from govqa.server import free_port, running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


@pytest.fixture(scope="session")
def host_origin():
    """A port for a plain page of another origin (the intranet page that embeds the widget)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def service(sample_index, host_origin):
    path, _ = sample_index
    with running_server(path, env={"GOVQA_CORS_ORIGINS": host_origin}) as (port, _):
        yield f"http://127.0.0.1:{port}"


def serve_folder(folder, port):
    """A static file server for `folder` on 127.0.0.1:port, in a thread; returns its stop function,
    which also closes the listening socket (else the next test cannot bind the same port)."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return stop
