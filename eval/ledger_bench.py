"""`govqa bench --ledger`: what the task ledger costs, as ratios to the cost of embedding a question.

The ledger embeds nothing, so its floor is the same as search's for comparison:
the query-embedding p50, measured first in the same run. Measured over HTTP on
a real uvicorn server: `/api/tasks` with its facets on the sample index, then on
a synthetic index of --ledger-scale passages (eval.synth; vectors are random,
the ledger never reads them), with a request mix taken from the index's own
facets (each of the top departments, leaders, areas, documents, words from the
tasks' text, and pairs of them); then exporting about 10,000 rows as CSV and
as an Excel workbook.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np

from .bench import bench_embedding, http_load, measuring_server, peak_rss_mb, questions, summary

FACET_KEYS = {"lead_departments": "lead_department", "departments": "department", "leaders": "leader", "areas": "area", "documents": "doc_id"}
EXPORT_ROWS = 10_000


def _get(port: int, path: str) -> tuple[dict[str, Any], bytes, float]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    took = (time.perf_counter() - started) * 1000
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
    return dict(response.getheaders()), body, took


def request_mix(port: int, n: int) -> list[str]:
    """n ledger requests drawn from the index's own facets and task words, single filters and pairs."""
    _, body, _ = _get(port, "/api/tasks?size=50")
    data = json.loads(body)
    singles: list[dict[str, str]] = [{}]
    for facet, key in FACET_KEYS.items():
        singles += [{key: entry["value"]} for entry in data["facets"][facet][:10]]
    words = [w for t in data["tasks"] for w in re.findall(r"[\u4e00-\u9fff]{2,4}", t["text"])[:2]]
    singles += [{"q": w} for w in words[:20]]
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        a = singles[i % len(singles)]
        b = singles[int(rng.integers(len(singles)))] if i % 3 == 2 else {}
        out.append("/api/tasks?" + urlencode({**b, **a, "size": 50}))
    return out


def bench_tasks(port: int, n: int) -> dict[str, Any]:
    paths = request_mix(port, n)
    http_load(port, paths[:20], 1)  # warm-up
    latencies, wall, failures = http_load(port, paths, 1)
    return {**summary(latencies), "qps": round(len(paths) / wall, 1), "failures": failures}


def export_filter(port: int, rows: int) -> tuple[str, int]:
    """A filter of the synthetic index whose rows are nearest `rows` (a year, a district or a lead department)."""
    _, body, _ = _get(port, "/api/tasks?size=1")
    data = json.loads(body)
    candidates = [{FACET_KEYS[f]: e["value"]} for f in ("lead_departments", "departments", "areas", "leaders") for e in data["facets"][f][:5]]
    docs = json.loads(_get(port, "/api/documents")[1])["documents"]
    candidates += [{"year": y} for y in sorted({d["year"] for d in docs if d["year"]})]
    candidates += [{"district": d} for d in sorted({d["district"] for d in docs if d["district"]})[:8]]
    best: tuple[str, int] | None = None
    for filters in candidates:
        total = json.loads(_get(port, "/api/tasks?" + urlencode({**filters, "size": 1}))[1])["total"]
        if best is None or abs(total - rows) < abs(best[1] - rows):
            best = (urlencode(filters), total)
    assert best is not None
    return best


def bench_export(port: int, query: str, repeat: int = 5) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in ("csv", "xlsx"):
        times, size = [], 0
        for _ in range(repeat):
            _, body, took = _get(port, f"/api/tasks.{kind}?{query}")
            times.append(took)
            size = len(body)
        out[kind] = {**summary(times), "bytes": size}
    return out


def run(index: Path, scale: int = 100_000, n: int = 300) -> dict[str, Any]:
    from indexer.embedders import load_embedder
    from indexer.engines import open_engine
    from service.settings import Settings

    from .scale import write_scale_index
    from .synth import synth_passages

    embedder = load_embedder(None)
    sample = open_engine(Settings(index=index), embedder.name)
    result: dict[str, Any] = {"embed_query": bench_embedding(embedder, questions(n))}
    floor = result["embed_query"]["p50_ms"]
    with measuring_server(index) as (port, _):
        result["tasks_sample"] = {**bench_tasks(port, n), "passages": sample.size, "ledger_rows": len(sample.ledger)}
    with tempfile.TemporaryDirectory() as tmp:
        clock = time.perf_counter()
        passages = synth_passages(scale)
        vectors = np.random.default_rng(0).normal(size=(len(passages), embedder.dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        path, _ = write_scale_index(Path(tmp), passages, vectors, embedder)
        ledger_rows = sum(1 for p in passages if p.role in ("task", "target"))
        del passages, vectors
        result["synthetic_build_s"] = round(time.perf_counter() - clock, 1)
        with measuring_server(path) as (port, pid):
            result["tasks_scale"] = {**bench_tasks(port, n), "passages": scale, "ledger_rows": ledger_rows}
            query, rows = export_filter(port, EXPORT_ROWS)
            result["export"] = {"filter": query, "rows": rows, **bench_export(port, query)}
            result["serve_peak_rss_mb"] = peak_rss_mb(pid)
    per_10k = EXPORT_ROWS / max(result["export"]["rows"], 1)
    result["ratios"] = {
        "tasks_sample_p50_over_embed_p50": round(result["tasks_sample"]["p50_ms"] / floor, 2),
        "tasks_scale_p50_over_embed_p50": round(result["tasks_scale"]["p50_ms"] / floor, 2),
        "export_csv_10k_over_embed_p50": round(result["export"]["csv"]["p50_ms"] * per_10k / floor, 2),
        "export_xlsx_10k_over_embed_p50": round(result["export"]["xlsx"]["p50_ms"] * per_10k / floor, 2),
    }
    return result


def format_report(result: dict[str, Any]) -> str:
    e = result["embed_query"]
    lines = [f"query embedding alone (floor): p50 {e['p50_ms']:.2f} ms ({e['n']} questions)"]
    for key, label in (("tasks_sample", "sample index"), ("tasks_scale", "synthetic index")):
        t = result[key]
        lines.append(
            f"/api/tasks with facets, {label} ({t['passages']} passages, {t['ledger_rows']} task rows): "
            f"p50 {t['p50_ms']:.2f} ms  p95 {t['p95_ms']:.2f}  p99 {t['p99_ms']:.2f}  {t['qps']} req/s  failures {t['failures']}"
        )
    x = result["export"]
    for kind in ("csv", "xlsx"):
        lines.append(f"export {kind} of {x['rows']} rows ({x['filter']}): p50 {x[kind]['p50_ms']:.1f} ms, {x[kind]['bytes'] / 1e6:.1f} MB")
    lines.append(f"synthetic index written in {result['synthetic_build_s']} s; serving process peak RSS {result['serve_peak_rss_mb']} MiB")
    lines.append("ratios: " + ", ".join(f"{k} = {v}" for k, v in result["ratios"].items()))
    return "\n".join(lines)
