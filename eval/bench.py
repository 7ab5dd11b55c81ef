"""`govqa bench`: what a query and an index build cost, as ratios to the cost of embedding the question.

Embedding the question is the floor of this design (every uncached search
pays it), so it is measured in the same run, question by question alongside
each one-client measurement, and the headline figures are ratios to it: search latency over HTTP on a real uvicorn server (p50/p95/
p99, one client and several concurrent ones), throughput, and the same with
the query-embedding cache warm. Index build time and peak memory come from a
real `govqa index` run in a child process.
"""

from __future__ import annotations

import http.client
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from govqa.server import free_port, running_server  # noqa: F401 - free_port: docs/screenshots.py imports it from here

from .gold import load_gold
from .runner import default_gold


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * p / 100
    low, high = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summary(latencies_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(latencies_ms),
        "p50_ms": round(percentile(latencies_ms, 50), 3),
        "p95_ms": round(percentile(latencies_ms, 95), 3),
        "p99_ms": round(percentile(latencies_ms, 99), 3),
        "mean_ms": round(statistics.fmean(latencies_ms), 3) if latencies_ms else float("nan"),
    }


def questions(n: int) -> list[str]:
    """n questions from the gold sets, made distinct so that an uncached run never repeats one."""
    base = [q.question for path in default_gold() for q in load_gold(path)]
    out = []
    for i in range(n):
        q = base[i % len(base)]
        out.append(q if i < len(base) else f"{q} {i // len(base)}")
    return out


def list_questions(port: int, n: int) -> list[str]:
    """List and count questions about the index's own departments and leaders (from the ledger's facets)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/api/tasks?size=1")
    facets = json.loads(conn.getresponse().read()).get("facets", {})
    conn.close()
    asks = [f"{f['value']}牵头哪些任务？" for f in facets.get("lead_departments", [])[:20]]
    asks += [f"{f['value']}分管的工作一共有几项？" for f in facets.get("leaders", [])[:10]]
    asks += [f"{f['value']}涉及哪些任务？" for f in facets.get("areas", [])[:10]]
    return [asks[i % len(asks)] for i in range(min(n, 200))] if asks else []


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a live process (VmHWM), MiB."""
    return memory_mb(pid).get("VmHWM", float("nan"))


def memory_mb(pid: int) -> dict[str, float]:
    """Peak and current resident memory of a live process, and how much of it is private
    (RssAnon) versus pages of memory-mapped index files (RssFile), MiB."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                out[key] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return out


def _send(conn: http.client.HTTPConnection, item) -> bool:
    """One request (a GET path, or (path, JSON body) for a POST) on a keep-alive connection: whether it got a 200."""
    if isinstance(item, tuple):
        path, body = item
        conn.request("POST", path, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    else:
        conn.request("GET", item)
    response = conn.getresponse()
    response.read()
    return response.status == 200


def http_load(port: int, path_for: list, clients: int) -> tuple[list[float], float, int]:
    """Send every request once, spread over `clients` keep-alive connections. A request is a
    GET path, or (path, JSON body) for a POST. Returns (latencies ms, wall seconds, failures)."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    cursor = iter(path_for)

    def worker() -> None:
        nonlocal failures
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local, bad = [], 0
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                break
            started = time.perf_counter()
            try:
                ok = _send(conn, item)
            except OSError:
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local.append((time.perf_counter() - started) * 1000)
            bad += 0 if ok else 1
        with lock:
            latencies.extend(local)
            failures += bad

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - started, failures


def measuring_server(index: Path, workers: int = 1, cache: bool = True):
    """A real `govqa serve` for timing: one load generator is one client address, so the
    per-client rate limit is off (its 429s would be counted as fast answers); with
    `cache=False` every question is embedded, as a first-time question is."""
    env = {"GOVQA_RATE_LIMIT": "0", **({} if cache else {"GOVQA_CACHE_SIZE": "0"})}
    return running_server(index, workers=workers, env=env)


BLOCK = 10  # questions per turn when the floor and a measurement alternate


def alternate(embed, call, texts: list[str], items: list | None = None) -> tuple[list[float], list[float], int]:
    """Texts embedded here and their items (the texts themselves if none) passed to `call`, in turns
    of BLOCK questions, each timed: (embedding ms, call ms, failures). The floor and the measured call
    thus see the same stretch of the machine, whose speed drifts over a run on a virtual machine
    (measured one after the other, their ratio moved by a third between runs). Turns, not single
    questions: the model's OpenMP threads spin for a while after each embedding, and on two cores
    a server answering right then is slowed by them."""
    items = items or texts
    embed("预热")
    call(items[0])
    floor_ms, call_ms, failures = [], [], 0
    for start in range(0, len(texts), BLOCK):
        for text in texts[start : start + BLOCK]:
            started = time.perf_counter()
            embed(text)
            floor_ms.append((time.perf_counter() - started) * 1000)
        for item in items[start : start + BLOCK]:
            started = time.perf_counter()
            ok = call(item)
            call_ms.append((time.perf_counter() - started) * 1000)
            failures += ok is False
    return floor_ms, call_ms, failures


def time_each(call, texts: list[str]) -> dict[str, float]:
    """Latency summary of call(text) over the texts, after one warm-up call."""
    call("预热")
    latencies = []
    for text in texts:
        started = time.perf_counter()
        call(text)
        latencies.append((time.perf_counter() - started) * 1000)
    return summary(latencies)


def bench_embedding(embedder, texts: list[str]) -> dict[str, float]:
    return time_each(embedder.embed_query, texts)


def bench_build(reports: Path) -> dict[str, Any]:
    """A real `govqa index` in a child process: wall time, stage timings, peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "govqa", "index", str(reports), "--index", str(Path(tmp) / "index"), "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        report = json.loads(out.stdout)
        size = sum(p.stat().st_size for p in (Path(tmp) / "index").resolve().rglob("*") if p.is_file())
    passages = report["passages"]
    return {
        "wall_s": round(wall, 2),
        "stages_s": report["timings_s"],
        "passages": passages,
        "passages_per_s": round(passages / wall, 1),
        "index_bytes": size,
        "peak_rss_mb": round(max(peak, before) / 1024, 1),
    }


def run(
    index: Path, reports: Path, n: int = 500, clients: tuple[int, ...] = (1, 8, 32), build: bool = True, workers: tuple[int, ...] = (1, 2)
) -> dict[str, Any]:
    from indexer.embedders import load_embedder
    from indexer.engines import open_engine
    from service.search import open_searcher
    from service.settings import Settings

    embedder = load_embedder(None)
    open_engine(Settings(index=index), embedder.name).close()  # refuse early, with the loader's message
    texts = questions(n)
    result: dict[str, Any] = {"queries": n}
    floors: dict[str, list[float]] = {}

    def paired(name: str, call, items: list | None = None, texts: list[str] = texts) -> list[float]:
        floor, took, failures = alternate(embedder.embed_query, call, texts, items)
        floors[name] = floor
        result[name] = {**summary(took), "failures": failures} if items is not None else summary(took)
        return took

    # The search itself, no HTTP, cache off: what the service adds to the embedding.
    paired("search_inprocess", open_searcher(Settings(index=index), embedder=embedder, cache_size=0).search)
    searches = [f"/api/search?q={quote(t)}&k=10" for t in texts]
    asks = [("/api/ask", {"q": t}) for t in texts]

    def one_client(port: int, name: str, items: list, texts: list[str] = texts) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        took = paired(name, lambda item: _send(conn, item), items, texts)
        # Requests per second of the service alone: the embeddings between them are not its time.
        result[name]["qps"] = round(len(items) / (sum(took) / 1000 or (time.perf_counter() - started)), 1)
        conn.close()

    with measuring_server(index, cache=False) as (port, pid):
        http_load(port, searches[:20], 1)  # warm-up
        for c in clients:
            if c == 1:
                one_client(port, "search_http_1c", searches)
                continue
            latencies, wall, failures = http_load(port, searches, c)
            result[f"search_http_{c}c"] = {**summary(latencies), "qps": round(len(searches) / wall, 1), "failures": failures}
        for c in clients[:2]:
            if c == 1:
                one_client(port, "ask_http_1c", asks)
                continue
            latencies, wall, failures = http_load(port, asks, c)
            result[f"ask_http_{c}c"] = {**summary(latencies), "qps": round(len(asks) / wall, 1), "failures": failures}
        lists = list_questions(port, n)
        if lists:
            one_client(port, "ask_list_http_1c", [("/api/ask", {"q": q}) for q in lists], texts=lists)
        result["serve_peak_rss_mb"] = peak_rss_mb(pid)
    with measuring_server(index) as (port, _):
        http_load(port, searches, 1)  # fills the cache
        one_client(port, "search_http_cached_1c", searches)
    for w in workers:
        if w == 1:
            continue
        with measuring_server(index, workers=w, cache=False) as (port, _):
            http_load(port, searches[:40], 8)
            latencies, wall, failures = http_load(port, searches, 8)
            result[f"search_http_8c_{w}workers"] = {**summary(latencies), "qps": round(len(searches) / wall, 1), "failures": failures}

    # Every embedding timed alongside a measurement, pooled: the floor the header shows, and the
    # one the throughput ratios use. Each latency ratio uses the embeddings timed alongside it.
    result["embed_query"] = summary([ms for floor in floors.values() for ms in floor])
    floor_ms = result["embed_query"]["p50_ms"]

    def ratio(name: str) -> float:
        return round(result[name]["p50_ms"] / statistics.median(floors[name]), 2)

    ratios = {
        "search_p50_over_embed_p50": ratio("search_http_1c"),
        "inprocess_search_p50_over_embed_p50": ratio("search_inprocess"),
    }
    if "ask_http_1c" in result:
        ratios["ask_p50_over_embed_p50"] = ratio("ask_http_1c")
    if "ask_list_http_1c" in result:
        ratios["ask_list_p50_over_embed_p50"] = ratio("ask_list_http_1c")
    for c in clients:
        ratios[f"qps_{c}c_over_embed_rate"] = round(result[f"search_http_{c}c"]["qps"] * floor_ms / 1000, 2)
    ratios["cached_p50_over_embed_p50"] = ratio("search_http_cached_1c")
    result["ratios"] = ratios
    if build:
        result["build"] = bench_build(reports)
    return result


def format_report(result: dict[str, Any]) -> str:
    e = result["embed_query"]
    lines = [f"query embedding alone (floor): p50 {e['p50_ms']:.2f} ms  p95 {e['p95_ms']:.2f} ms  ({e['n']} queries)"]
    s = result["search_inprocess"]
    lines.append(f"{'search in-process':<24} p50 {s['p50_ms']:7.2f} ms  p95 {s['p95_ms']:7.2f}  p99 {s['p99_ms']:7.2f}")
    for key, value in result.items():
        if key.startswith(("search_http_", "ask_http_", "ask_list_http_")):
            lines.append(
                f"{key:<24} p50 {value['p50_ms']:7.2f} ms  p95 {value['p95_ms']:7.2f}  p99 {value['p99_ms']:7.2f}  "
                f"{value['qps']:7.1f} q/s  failures {value['failures']}"
            )
    lines.append(f"serving process peak RSS: {result.get('serve_peak_rss_mb')} MiB")
    lines.append("ratios: " + ", ".join(f"{k} = {v}" for k, v in result["ratios"].items()))
    if "build" in result:
        b = result["build"]
        lines.append(
            f"index build: {b['wall_s']} s for {b['passages']} passages ({b['passages_per_s']}/s), stages {b['stages_s']}, "
            f"{b['index_bytes'] / 1e6:.1f} MB on disk, peak RSS {b['peak_rss_mb']} MiB"
        )
    return "\n".join(lines)
