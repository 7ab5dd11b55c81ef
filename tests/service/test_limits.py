"""Rate limits per client, the cap on concurrent searches, time limits, and who may reload."""

from __future__ import annotations

import threading
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from govqa.server import running_server
from service.app import create_app
from service.limits import RateLimiter
from service.settings import Settings
from tests.service.contract import call_json

TOPICS = ["高标准农田", "保障性租赁住房", "公交线路", "碧螺春茶文化节", "养老服务", "停车泊位", "屋顶光伏", "学校建设"]


def test_token_bucket_arithmetic():
    limiter = RateLimiter(rate=2.0, burst=3)
    assert [limiter.wait("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.wait("a", now=0.0) == pytest.approx(0.5)  # one token every half second
    assert limiter.wait("b", now=0.0) == 0.0  # another client has its own bucket
    assert limiter.wait("a", now=0.25) == pytest.approx(0.25)
    assert limiter.wait("a", now=0.5) == 0.0
    assert limiter.wait("a", now=100.0) == 0.0 and limiter._buckets["a"][0] == pytest.approx(2.0)  # refilled to the burst, no more


def test_the_limiter_forgets_the_clients_seen_longest_ago():
    limiter = RateLimiter(rate=1.0, burst=1, max_clients=100)
    for i in range(1000):
        limiter.wait(f"10.0.{i // 256}.{i % 256}", now=float(i))
    assert len(limiter._buckets) == 100 and "10.0.3.231" in limiter._buckets


def test_a_client_over_its_rate_gets_429_and_others_are_served(sample_index):
    path, _ = sample_index
    search = "/api/search?q=" + quote("高标准农田")
    with running_server(path, env={"GOVQA_RATE_LIMIT": "0.2", "GOVQA_RATE_BURST": "2"}) as (port, _):
        assert [call_json(port, "GET", search)[0] for _ in range(2)] == [200, 200]
        status, headers, body = call_json(port, "GET", search)
        assert status == 429 and body["error"]["code"] == "rate_limited" and "请求过于频繁" in body["error"]["message"]
        assert 1 <= int(headers["retry-after"]) <= 5
        assert call_json(port, "GET", search, source="127.0.0.2")[0] == 200  # another address, another bucket
        for page in ("/healthz", "/readyz"):  # health checks are never limited
            assert call_json(port, "GET", page)[0] == 200


def _burst(port: int, texts: list[str]) -> list[tuple[int, dict, dict]]:
    """One search per text, all sent at the same moment from their own threads."""
    results: list[tuple[int, dict, dict]] = []
    start = threading.Barrier(len(texts))

    def one(text: str) -> None:
        start.wait()
        results.append(call_json(port, "GET", "/api/search?q=" + quote(text)))

    threads = [threading.Thread(target=one, args=(text,)) for text in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_searches_beyond_the_cap_wait_then_get_503_with_retry_after(sample_index):
    path, _ = sample_index
    env = {"GOVQA_MAX_CONCURRENT": "1", "GOVQA_QUEUE_TIMEOUT": "0.001", "GOVQA_RATE_LIMIT": "0", "GOVQA_CACHE_SIZE": "0"}
    texts = iter(f"{topic}有哪些任务 {i}" for i in range(50) for topic in TOPICS)  # distinct: none answered from memory
    with running_server(path, env=env) as (port, _):
        refused: list[tuple[int, dict, dict]] = []
        for _ in range(5):  # one slot and no time to wait: a burst of 16 cannot all get it
            results = _burst(port, [next(texts) for _ in range(16)])
            assert {status for status, _, _ in results} <= {200, 503}
            refused = [r for r in results if r[0] == 503]
            if refused:
                break
        assert refused, "16 simultaneous searches through one slot with no queue time were all served"
        _, headers, body = refused[0]
        assert body["error"]["code"] == "busy" and headers["retry-after"] == "1"
        assert call_json(port, "GET", "/api/search?q=" + quote("碧螺春茶文化节"))[0] == 200  # the slot is free again


def test_work_over_the_time_limit_gets_504(sample_index):
    path, _ = sample_index
    app = create_app(Settings(index=path, request_timeout=0.001, cache_size=0, access_log=False))
    with TestClient(app) as client:
        response = client.post("/api/ask", json={"q": "吴江区2022年新增多少高标准农田"})
        assert response.status_code == 504 and response.json()["error"]["code"] == "timeout"
        assert client.get("/healthz").status_code == 200


def test_admin_is_loopback_only_without_a_key_and_anywhere_with_it(sample_index):
    path, _ = sample_index
    with TestClient(create_app(Settings(index=path, access_log=False)), client=("10.1.2.3", 50000)) as remote:
        refused = remote.post("/admin/reload")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert remote.post("/api/search", json={"q": "农田"}).status_code == 200  # the API itself stays open
    with TestClient(create_app(Settings(index=path, api_key="k3y", access_log=False)), client=("10.1.2.3", 50000)) as remote:
        assert remote.post("/admin/reload").status_code == 401
        assert remote.post("/admin/reload", headers={"X-API-Key": "k3y"}).json()["status"] == "reloaded"
