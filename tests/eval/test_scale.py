"""The scale benchmark and multi-worker serving, run small but for real."""

from __future__ import annotations

import json
from urllib.parse import quote

from eval.bench import http_load, running_server
from eval.scale import derived_vectors, format_report, run


def test_scale_run_at_small_sizes():
    result = run(sizes=(300, 1500), serve_largest=False, base_size=96, log=lambda m: None)
    assert set(result["sizes"]) == {"300", "1500"}
    for entry in result["sizes"].values():
        assert entry["store"]["kind"] == "faiss-flat" and entry["recall_at_10"] == 1.0
        assert entry["search_without_embedding_p50_ms"] > 0 and entry["keyword_bytes"] > 0
    assert "1500" in format_report(result)


def test_derived_vectors_keep_the_real_ones_first():
    import numpy as np

    base = np.eye(4, dtype=np.float32)
    out = derived_vectors(base, 10, seed=0)
    assert np.array_equal(out[:4], base) and np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_two_workers_serve_the_same_index(sample_index):
    path, _ = sample_index
    questions = ["碧螺春茶文化节谁牵头", "吴中区2023年新增多少高标准农田", "什么是双中心", "吴江区2022年新增停车泊位多少个"] * 10
    # 40 requests from one address in about a second: when the kernel hands most of the 8 connections
    # to one worker, that worker's per-client burst (30) is spent and it answers 429, which tests the
    # rate limit (tests/service/test_limits.py), not the two workers.
    with running_server(path, workers=2, env={"GOVQA_RATE_LIMIT": "0"}) as (port, _):
        latencies, _, failures = http_load(port, [f"/api/search?q={quote(q)}&k=3" for q in questions], 8)
        assert failures == 0 and len(latencies) == len(questions)
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/search?q=" + quote("碧螺春茶文化节谁牵头") + "&k=1")
        top = json.loads(conn.getresponse().read())["hits"][0]
        assert top["citation"] == "吴中区2023年主要工作任务分解方案 · (36)"
