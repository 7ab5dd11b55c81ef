"""API key, body cap, request ids, the access log and the 500 envelope, on the real app."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings

KEY = "s3cret-key-for-tests"


@pytest.fixture(scope="module")
def keyed(sample_index):
    path, _ = sample_index
    with TestClient(create_app(Settings(index=path, api_key=KEY))) as c:
        yield c


def test_api_key_required_when_configured(keyed):
    refused = keyed.get("/api/search", params={"q": "农田"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    assert keyed.get("/api/search", params={"q": "农田"}, headers={"X-API-Key": "wrong"}).status_code == 401
    assert keyed.get("/api/search", params={"q": "农田"}, headers={"X-API-Key": KEY}).status_code == 200
    assert keyed.post("/admin/reload").status_code == 401
    assert keyed.post("/admin/reload", headers={"X-API-Key": KEY}).json()["status"] == "reloaded"
    # The page, the widget and health checks stay open: they carry no report content.
    for path in ("/", "/widget.js", "/healthz", "/readyz"):
        assert keyed.get(path).status_code == 200, path


def test_key_is_never_logged(keyed, caplog):
    with caplog.at_level(logging.INFO, logger="govqa.access"):
        keyed.get("/api/search", params={"q": "农田", "key": KEY}, headers={"X-API-Key": KEY, "X-Request-ID": "req-1"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "govqa.access"]
    assert lines and lines[-1]["request_id"] == "req-1" and lines[-1]["path"] == "/api/search" and lines[-1]["status"] == 200
    assert set(lines[-1]) == {"request_id", "method", "path", "status", "took_ms", "client"}
    assert all(KEY not in r.getMessage() for r in caplog.records)


def test_body_cap(sample_index):
    path, _ = sample_index
    with TestClient(create_app(Settings(index=path, max_body_bytes=2048))) as client:
        big = client.post("/api/search", content=json.dumps({"q": "农" * 1200}).encode(), headers={"content-type": "application/json"})
        assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"


def test_unexpected_errors_are_500_envelopes_with_a_request_id(sample_index, caplog):
    path, _ = sample_index
    app = create_app(Settings(index=path))

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("internal detail that must not leak")

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.get("/api/boom", headers={"X-Request-ID": "abc123"})
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["code"] == "internal_error" and "abc123" in body["error"]["message"]
    assert "internal detail" not in response.text and "Traceback" not in response.text
    assert any("abc123" in r.getMessage() for r in caplog.records)

