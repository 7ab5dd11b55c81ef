"""The service answers /healthz always, /readyz once an index is loaded, and errors in one envelope."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.conftest import WUZHONG_2023, WUZHONG_2023_DEGRADED


def test_ready_service_lists_documents(sample_index):
    path, _ = sample_index
    with TestClient(create_app(Settings(index=path))) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        body = client.get("/api/documents").json()
        docs = {d["doc_id"]: d for d in body["documents"]}
        assert docs[WUZHONG_2023]["title"] == "吴中区2023年主要工作任务分解方案"
        assert docs[WUZHONG_2023]["roles"] == {"paragraph": 3, "target": 11, "task": 108}
        assert WUZHONG_2023_DEGRADED not in docs
        assert body["duplicates"][0]["dropped"] == WUZHONG_2023_DEGRADED


def test_service_without_index_is_alive_but_not_ready(tmp_path):
    with TestClient(create_app(Settings(index=tmp_path / "missing"))) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["error"]["code"] == "not_ready"
        assert "govqa index" in ready.json()["error"]["message"]
        assert client.get("/api/documents").status_code == 503


def test_errors_use_the_envelope(sample_index):
    path, _ = sample_index
    with TestClient(create_app(Settings(index=path))) as client:
        missing = client.get("/no/such/page")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        wrong = client.post("/healthz")
        assert wrong.status_code == 405 and set(wrong.json()["error"]) == {"code", "message"}
