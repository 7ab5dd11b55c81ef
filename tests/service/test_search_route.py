"""The lean path of /api/search: GET parameters validated once by the request model, the body
encoded by orjson, and the gate taking a free slot at once while keeping its queue and limits."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from starlette.responses import JSONResponse

from service.app import create_app
from service.errors import ApiError
from service.limits import HeavyGate
from service.schemas import JSONBytesResponse, SearchRequest
from service.settings import Settings


@pytest.fixture(scope="module")
def client(sample_index):
    path, _ = sample_index
    with TestClient(create_app(Settings(index=path, access_log=False, rate_limit=0))) as c:
        yield c


def _run_apart(scenario) -> None:
    """Run the scenario on its own event loop in its own thread: in the full suite the main thread
    may already run one (Playwright's sync API keeps a loop running there), and asyncio.run refuses.
    The future re-raises the scenario's failure here."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


def test_the_body_is_the_json_starlette_would_write():
    content = {
        "query": "吴中区2023年新增多少高标准农田",
        "filters": {"district": "吴中区", "year": 2023},
        "hits": [{"id": "a-1", "section": ["一、"], "task_no": None, "ocr_confidence": 1.0, "score": 0.734512}],
        "took_ms": 12.345,
    }
    ours, starlette = JSONBytesResponse(content), JSONResponse(content)
    assert ours.body == starlette.body
    assert ours.headers["content-type"] == starlette.headers["content-type"] == "application/json"
    assert ours.headers["content-length"] == starlette.headers["content-length"]


def test_get_parameters_are_documented_from_the_model_that_checks_them():
    operation = create_app(Settings(access_log=False)).openapi()["paths"]["/api/search"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == set(SearchRequest.model_fields) and all(p["in"] == "query" for p in parameters.values())
    assert parameters["q"]["required"] and not any(parameters[name]["required"] for name in ("k", "district", "year", "doc_id"))
    assert (parameters["k"]["schema"]["minimum"], parameters["k"]["schema"]["maximum"]) == (1, 50)


def test_get_follows_the_models_rules_and_ignores_parameters_it_does_not_know(client):
    got = client.get("/api/search", params={"q": "高标准农田", "k": 2, "year": 2023, "utm_source": "mail"})
    assert got.status_code == 200 and got.headers["content-type"] == "application/json"
    body = got.json()
    assert len(body["hits"]) <= 2 and body["filters"]["year"] == 2023 and all(h["year"] == 2023 for h in body["hits"])
    posted = client.post("/api/search", json={"q": "高标准农田", "k": 2, "year": 2023})
    assert [h["id"] for h in body["hits"]] == [h["id"] for h in posted.json()["hits"]]
    too_long = client.get("/api/search", params={"q": "农" * 501})
    assert too_long.status_code == 422 and too_long.json()["error"]["message"] == "请求参数无效：q: 问题不能超过 500 个字符"
    bad_year = client.get("/api/search", params={"q": "农田", "year": "二〇二三"})
    assert bad_year.status_code == 422 and bad_year.json()["error"]["message"].startswith("请求参数无效：year: ")


def test_a_free_slot_is_taken_at_once_a_full_gate_queues_then_refuses():
    async def scenario() -> None:
        gate = HeavyGate(1, queue_timeout=0.05, timeout=5)
        release = threading.Event()
        try:
            assert await gate.run(lambda: "free") == "free" and not gate._free.locked()
            first = asyncio.create_task(gate.run(release.wait, 5))
            await asyncio.sleep(0.01)  # the first holds the only slot
            with pytest.raises(ApiError) as refused:
                await gate.run(lambda: "never")
            assert refused.value.status == 503 and refused.value.headers == {"Retry-After": "1"}
            gate.queue_timeout = 5
            queued = asyncio.create_task(gate.run(lambda: "queued"))
            await asyncio.sleep(0.01)
            assert not queued.done()
            release.set()
            assert await first is True and await queued == "queued"
            assert not gate._free.locked()
        finally:
            release.set()
            gate.close()

    _run_apart(scenario)


def test_work_over_the_time_limit_is_a_504_and_keeps_its_slot_until_it_ends():
    async def scenario() -> None:
        gate = HeavyGate(1, queue_timeout=5, timeout=0.05)
        release = threading.Event()
        try:
            with pytest.raises(ApiError) as late:
                await gate.run(release.wait, 5)
            assert late.value.status == 504 and late.value.code == "timeout"
            assert gate._free.locked()  # the overrun still runs in its thread
            release.set()
            for _ in range(200):
                if not gate._free.locked():
                    break
                await asyncio.sleep(0.01)
            assert not gate._free.locked()
        finally:
            release.set()
            gate.close()

    _run_apart(scenario)
