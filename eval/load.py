"""`govqa bench --load` (`make loadtest`): everyone at 9 am, against a real server.

Many clients at once, each on its own keep-alive connection and its own loopback
address (127.0.0.2, 127.0.0.3, …), so that the per-client rate limit stays on as
it is in service. They send a mix of searches (GET and POST), answers and page
requests for a fixed time, bounded also in request count. Questions are the gold
questions made distinct, so that the model really runs. Counted: every status,
every dropped connection (reset, refused, timed out), latencies per kind, and the
server's memory sampled through the run: memory is stable when what it holds at
the end is within a stated margin of what it held once warmed up.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .bench import memory_mb, questions, summary

PAGES = ["/", "/widget.js", "/static/app.js", "/static/style.css", "/api/documents", "/healthz", "/readyz"]
MIX = [("search_get", 40), ("search_post", 20), ("ask", 25), ("page", 15)]
MARGIN_MB = 48.0  # what the query cache (4096 embeddings ≈ 6 MiB) and allocator slack may add


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (the workers), MiB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        total += memory_mb(current).get("VmRSS", 0.0)
    return round(total, 1)


def requests_mix(seed: int, texts: list[str]):
    """An endless stream of (kind, method, path, body), drawn by the MIX weights."""
    rng = random.Random(seed)
    kinds = [k for k, w in MIX for _ in range(w)]
    for text in itertools.cycle(texts):
        kind = rng.choice(kinds)
        if kind == "search_get":
            yield kind, "GET", f"/api/search?q={quote(text)}&k=10", None
        elif kind == "search_post":
            yield kind, "POST", "/api/search", {"q": text, "k": 5}
        elif kind == "ask":
            yield kind, "POST", "/api/ask", {"q": text}
        else:
            yield kind, "GET", rng.choice(PAGES), None


class _Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent = 0
        self.statuses: Counter[int] = Counter()
        self.dropped: Counter[str] = Counter()
        self.latencies: dict[str, list[float]] = {k: [] for k, _ in MIX}
        self.bad_bodies = 0


def run_load(
    port: int,
    pid: int | None = None,
    clients: int = 64,
    seconds: float = 60.0,
    max_requests: int = 200_000,
    distinct_sources: bool = True,
    texts: list[str] | None = None,
    check: Callable[[int, Any, str], None] | None = None,
    until: threading.Event | None = None,
) -> dict[str, Any]:
    """Load 127.0.0.1:port for `seconds` (or `max_requests`, or until `until` is set) from
    `clients` threads. `check(status, body, path)` may inspect every API response; an
    exception it raises is counted as a malformed body."""
    texts = texts or questions(20_000)
    tally = _Tally()
    started = time.monotonic()
    deadline = started + seconds
    memory: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample() -> None:
        while pid and not stop.wait(0.5):
            memory.append((time.monotonic() - started, tree_rss_mb(pid)))

    def client(i: int) -> None:
        source = (f"127.0.{(i + 2) // 256}.{(i + 2) % 256}", 0) if distinct_sources else None
        offset = (len(texts) * i) // clients  # each client asks its own questions first
        stream = requests_mix(i, texts[offset:] + texts[:offset])
        conn = None
        while time.monotonic() < deadline and not (until and until.is_set()):
            with tally.lock:
                if tally.sent >= max_requests:
                    return
                tally.sent += 1
            kind, method, path, body = next(stream)
            conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=source)
            clock = time.perf_counter()
            try:
                headers = {"Content-Type": "application/json"} if body is not None else {}
                conn.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                status, retry = response.status, response.getheader("Retry-After")
            except (OSError, http.client.HTTPException) as exc:
                with tally.lock:
                    tally.dropped[type(exc).__name__] += 1
                conn.close()
                conn = None
                continue
            elapsed = (time.perf_counter() - clock) * 1000
            ok = True
            if check and path.startswith("/api/"):
                try:
                    check(status, json.loads(raw), path.split("?")[0])
                except Exception:  # noqa: BLE001 - counted, and the run goes on
                    ok = False
            with tally.lock:
                tally.statuses[status] += 1
                tally.latencies[kind].append(elapsed)
                tally.bad_bodies += 0 if ok else 1
            if status == 429 and retry and retry.isdigit():
                time.sleep(min(int(retry), 5))  # a polite client, like the page and the widget
        if conn:
            conn.close()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    stop.set()
    sampler.join()
    return _report(tally, memory, clients, seconds, wall)


def _report(tally: _Tally, memory: list[tuple[float, float]], clients: int, seconds: float, wall: float) -> dict[str, Any]:
    every = [x for values in tally.latencies.values() for x in values]
    answered = sum(tally.statuses.values())
    result: dict[str, Any] = {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": answered + sum(tally.dropped.values()),
        "rps": round(answered / wall, 1) if wall else 0.0,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "server_errors": sum(v for k, v in tally.statuses.items() if k >= 500),
        "dropped": sum(tally.dropped.values()),
        "dropped_by_kind": dict(tally.dropped),
        "bad_bodies": tally.bad_bodies,
        "latency": summary(every),
        "by_kind": {kind: summary(values) for kind, values in tally.latencies.items() if values},
    }
    if memory:
        warm_at = min(10.0, seconds / 4)  # the model's and the allocator's first growth is done by then
        warm = next((mb for t, mb in memory if t >= warm_at), memory[0][1])
        end = memory[-1][1]
        result["memory_mb"] = {
            "warm": warm,
            "end": end,
            "peak": max(mb for _, mb in memory),
            "growth": round(end - warm, 1),
            "margin": MARGIN_MB,
            "stable": end - warm <= MARGIN_MB,
            "samples": len(memory),
        }
    return result


def format_report(result: dict[str, Any]) -> str:
    lat = result["latency"]
    lines = [
        f"{result['clients']} clients for {result['seconds']} s: {result['requests']} requests, {result['rps']} answered/s",
        f"statuses {result['statuses']}  5xx {result['server_errors']}  dropped connections {result['dropped']} {result['dropped_by_kind'] or ''}"
        f"  malformed bodies {result['bad_bodies']}",
        f"latency all  p50 {lat['p50_ms']:.1f} ms  p95 {lat['p95_ms']:.1f}  p99 {lat['p99_ms']:.1f}",
    ]
    for kind, s in result["by_kind"].items():
        lines.append(f"  {kind:<12} n {s['n']:>6}  p50 {s['p50_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f}  p99 {s['p99_ms']:7.1f}")
    if "heavy_per_s" in result:
        lines.append(
            f"searches and answers: {result['heavy_per_s']}/s = {result['heavy_rate_over_embed_rate']} × the query-embedding rate "
            f"(embedding p50 {result['embed_query_p50_ms']} ms, same run; {result['workers']} worker(s) on {result['cores']} cores)"
        )
    if "memory_mb" in result:
        m = result["memory_mb"]
        lines.append(
            f"server memory (RSS): warm {m['warm']} MiB, end {m['end']} MiB, peak {m['peak']} MiB, growth {m['growth']:+} MiB "
            f"(margin {m['margin']} MiB: {'stable' if m['stable'] else 'GROWING'})"
        )
    return "\n".join(lines)


def run(index: Path, clients: int = 64, seconds: float = 60.0, max_requests: int = 200_000, workers: int = 1) -> dict[str, Any]:
    """A real `govqa serve` with the service's default settings, loaded as above; the rate
    of searches and answers is also given as a ratio to the query-embedding rate measured
    first in the same run (the floor of every uncached search)."""
    from govqa.server import running_server
    from indexer.embedders import load_embedder

    from .bench import bench_embedding

    floor = bench_embedding(load_embedder(None), questions(200))
    with running_server(index, workers=workers) as (port, pid):
        result = run_load(port, pid, clients=clients, seconds=seconds, max_requests=max_requests)
    heavy = sum(result["by_kind"].get(k, {}).get("n", 0) for k in ("search_get", "search_post", "ask"))
    result["embed_query_p50_ms"] = floor["p50_ms"]
    result["heavy_per_s"] = round(heavy / result["seconds"], 1)
    result["heavy_rate_over_embed_rate"] = round(heavy / result["seconds"] * floor["p50_ms"] / 1000, 2)
    result["workers"] = workers
    result["cores"] = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return result
