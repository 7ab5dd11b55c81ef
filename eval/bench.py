"""`govqa bench`: what a query and an index build cost, as ratios to the cost of embedding the question.

Embedding the question is the floor of this design (every uncached search
pays it), so it is measured first, in the same run, and the headline figures
are ratios to it: search latency over HTTP on a real uvicorn server (p50/p95/
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


def http_load(port: int, path_for: list, clients: int) -> tuple[list[float], float, int]:
    """Send every request once, spread over `clients` keep-alive connections. A request is a
    GET path, or (path, JSON body) for a POST. Returns (latencies ms, wall seconds, failures)."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    queue = list(enumerate(path_for))
    cursor = iter(queue)

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
                if isinstance(item[1], tuple):
                    path, body = item[1]
                    conn.request("POST", path, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
                else:
                    conn.request("GET", item[1])
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
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


def bench_inprocess(index: Path, texts: list[str]) -> dict[str, float]:
    """The search itself, no HTTP, cache off: what the service adds to the embedding."""
    from service.search import open_searcher
    from service.settings import Settings

    searcher = open_searcher(Settings(index=index), cache_size=0)
    return time_each(searcher.search, texts)


def run(
    index: Path, reports: Path, n: int = 500, clients: tuple[int, ...] = (1, 8, 32), build: bool = True, workers: tuple[int, ...] = (1, 2)
) -> dict[str, Any]:
    from indexer.embedders import load_embedder
    from indexer.engines import open_engine
    from service.settings import Settings

    embedder = load_embedder(None)
    open_engine(Settings(index=index), embedder.name).close()  # refuse early, with the loader's message
    texts = questions(n)
    result: dict[str, Any] = {"queries": n, "embed_query": bench_embedding(embedder, texts)}
    floor_ms = result["embed_query"]["p50_ms"]
    result["search_inprocess"] = bench_inprocess(index, texts)
    searches = [f"/api/search?q={quote(t)}&k=10" for t in texts]
    asks = [("/api/ask", {"q": t}) for t in texts]

    # One load generator is one client address: the per-client rate limit is off for these runs.
    with running_server(index, env={"GOVQA_CACHE_SIZE": "0", "GOVQA_RATE_LIMIT": "0"}) as (port, pid):
        http_load(port, searches[:20], 1)  # warm-up
        for c in clients:
            latencies, wall, failures = http_load(port, searches, c)
            result[f"search_http_{c}c"] = {**summary(latencies), "qps": round(len(searches) / wall, 1), "failures": failures}
        for c in clients[:2]:
            latencies, wall, failures = http_load(port, asks, c)
            result[f"ask_http_{c}c"] = {**summary(latencies), "qps": round(len(asks) / wall, 1), "failures": failures}
        lists = list_questions(port, n)
        if lists:
            latencies, wall, failures = http_load(port, [("/api/ask", {"q": q}) for q in lists], 1)
            result["ask_list_http_1c"] = {**summary(latencies), "qps": round(len(lists) / wall, 1), "failures": failures}
        result["serve_peak_rss_mb"] = peak_rss_mb(pid)
    with running_server(index, env={"GOVQA_RATE_LIMIT": "0"}) as (port, _):
        http_load(port, searches, 1)  # fills the cache
        latencies, wall, failures = http_load(port, searches, 1)
        result["search_http_cached_1c"] = {**summary(latencies), "qps": round(len(searches) / wall, 1), "failures": failures}
    for w in workers:
        if w == 1:
            continue
        with running_server(index, workers=w, env={"GOVQA_CACHE_SIZE": "0", "GOVQA_RATE_LIMIT": "0"}) as (port, _):
            http_load(port, searches[:40], 8)
            latencies, wall, failures = http_load(port, searches, 8)
            result[f"search_http_8c_{w}workers"] = {**summary(latencies), "qps": round(len(searches) / wall, 1), "failures": failures}

    ratios = {
        "search_p50_over_embed_p50": round(result["search_http_1c"]["p50_ms"] / floor_ms, 2),
        "inprocess_search_p50_over_embed_p50": round(result["search_inprocess"]["p50_ms"] / floor_ms, 2),
        "ask_p50_over_embed_p50": round(result[f"ask_http_{clients[0]}c"]["p50_ms"] / floor_ms, 2),
    }
    if "ask_list_http_1c" in result:
        ratios["ask_list_p50_over_embed_p50"] = round(result["ask_list_http_1c"]["p50_ms"] / floor_ms, 2)
    for c in clients:
        ratios[f"qps_{c}c_over_embed_rate"] = round(result[f"search_http_{c}c"]["qps"] * floor_ms / 1000, 2)
    ratios["cached_p50_over_embed_p50"] = round(result["search_http_cached_1c"]["p50_ms"] / floor_ms, 2)
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
