"""A running govqa service as an evaluation system: the same questions, over HTTP."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any


class ServiceClient:
    """A polite client: when the service says 429 (rate limit) or 503 (busy) it waits as long
    as Retry-After asks, up to `retries` times, instead of counting the question as failed."""

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 30.0, retries: int = 20) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["X-API-Key"] = self.api_key
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), headers=headers, method="POST")
        attempt = 0
        while True:
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as exc:
                detail = exc.read().decode("utf-8", "replace")[:300]
                wait = exc.headers.get("Retry-After")
                if exc.code in (429, 503) and wait and wait.isdigit() and attempt < self.retries:
                    attempt += 1
                    time.sleep(min(int(wait), 30))
                    continue
                raise RuntimeError(f"{self.url}{path} answered {exc.code}: {detail}") from None
            except urllib.error.URLError as exc:
                raise RuntimeError(f"cannot reach {self.url}: {exc.reason}") from None

    def search(self, q: str, k: int = 10) -> list[dict[str, Any]]:
        return self._post("/api/search", {"q": q, "k": k})["hits"]

    def ask(self, q: str, history: list[str] | None = None) -> dict[str, Any]:
        return self._post("/api/ask", {"q": q, **({"history": history} if history else {})})
