"""A real `govqa serve` in a child process, for the benchmarks (eval) and the tests alike.

Kept apart from eval so that tests which only need a running server do not
import the benchmark code (gold questions, runners) to get one.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

READY_SECONDS = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(proc: subprocess.Popen, port: int, log, seconds: float = READY_SECONDS) -> None:
    """Until GET /readyz answers 200; raises if the server exits first or takes longer than `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not become ready in {seconds:.0f} s")


@contextmanager
def running_server(index: Path, workers: int = 1, env: dict[str, str] | None = None):
    """A real `govqa serve` (uvicorn) on a free loopback port; yields (port, pid)."""
    port = free_port()
    cmd = [sys.executable, "-m", "govqa", "serve", "--index", str(index), "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    # The server's log goes to a file, never a pipe: an unread pipe fills up and blocks the server.
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=log, text=True)
    try:
        _wait_ready(proc, port, log)
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
