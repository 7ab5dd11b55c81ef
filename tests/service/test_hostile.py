"""Hostile input against a real uvicorn server: every answer is a 2xx or 4xx in the contract's
shapes, never a 5xx, and the service keeps answering afterwards.

A hand list of what people and scripts really send, then schemathesis fuzzing every operation
of the OpenAPI schema (valid and invalid data), then the same real question as at the start.
"""

from __future__ import annotations

import json
import shutil
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from govqa.server import running_server
from service.app import create_app
from service.settings import Settings
from tests.service.contract import call, check_export, check_response

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server(sample_index, tmp_path_factory):
    path, _ = sample_index
    # A copy of the index: the fuzzer uploads and removes documents through /admin, whose jobs
    # change the index they serve (and keep their state beside it).
    copy = tmp_path_factory.mktemp("hostile") / "index"
    shutil.copytree(path.resolve(), copy)
    # No rate limit here: the fuzzer is one client sending as fast as it can.
    with running_server(copy, env={"GOVQA_RATE_LIMIT": "0"}) as (port, _):
        yield port


def post(q: object, path: str = "/api/search", **extra) -> tuple:
    return ("POST", path, json.dumps({"q": q, **extra}).encode(), JSON)


def get(query: str) -> tuple:
    return ("GET", "/api/search?" + query, None, {})


HOSTILE = {
    "empty question": (post(""), {422}),
    "whitespace question": (post(" \t\n\u3000 "), {422}),
    "empty GET question": (get("q="), {422}),
    "10,000-character question (POST)": (post("农" * 10_000), {413, 422}),
    "10,000-character question (GET)": (get("q=" + quote("农" * 10_000)), {400, 422}),  # 400: beyond the HTTP parser
    "control characters": (post("高标准\x00农田\x07\x1b[2J"), {200}),
    "lone surrogates": (("POST", "/api/search", b'{"q": "\\ud800\\udfff\\ud83d \\u519c\\u7530"}', JSON), {422}),
    "lone surrogate in a filter": (("POST", "/api/ask", b'{"q": "\\u519c\\u7530", "district": "\\udc00"}', JSON), {422}),
    "undecodable bytes in GET": (get("q=%ED%A0%80%FF%FE"), {200}),
    "emoji": (post("🌾高标准农田🚜👨‍👩‍👧", "/api/ask"), {200}),
    "right-to-left marks": (post("\u202e田农准标高\u200f\u200e\u2066"), {200}),
    "SQL and shell metacharacters": (post("'; DROP TABLE passages; -- $(rm -rf /) `id` | cat /etc/passwd && \\\" %s %n"), {200}),
    "question of the wrong type": (post(123), {422}),
    "question as a list": (post(["高标准农田"]), {422}),
    "k as a string": (post("农田", k="ten"), {422}),
    "huge k": (post("农田", k=10**30), {422}),
    "negative k": (get("q=%E5%86%9C%E7%94%B0&k=-5"), {422}),
    "fractional k": (post("农田", k=1.5), {422}),
    "NaN k": (("POST", "/api/search", b'{"q": "x", "k": NaN}', JSON), {422}),
    "year as words": (post("农田", year="二〇二三"), {422}),
    "year out of range": (get("q=x&year=99999999999999999999999"), {422}),
    "unknown field": (post("农田", admin=True), {422}),
    "duplicate keys": (("POST", "/api/search", '{"q": "高标准农田", "q": "茶文化节"}'.encode(), JSON), {200}),
    "body is an array": (("POST", "/api/search", b"[1, 2]", JSON), {422}),
    "body is null": (("POST", "/api/search", b"null", JSON), {422}),
    "body is not JSON": (("POST", "/api/search", b"{q: 1", JSON), {400, 422}),
    "GBK body": (("POST", "/api/search", '{"q": "农田"}'.encode("gbk"), JSON), {400, 422}),
    "binary body": (("POST", "/api/search", bytes(range(256)), JSON), {400, 422}),
    "deeply nested JSON": (("POST", "/api/search", b"[" * 5000 + b"]" * 5000, JSON), {400, 422}),
    "text/plain body": (("POST", "/api/search", '{"q": "农田"}'.encode(), {"Content-Type": "text/plain"}), {415}),
    "form body": (("POST", "/api/ask", b"q=%E5%86%9C", {"Content-Type": "application/x-www-form-urlencoded"}), {415}),
    "no content type": (("POST", "/api/search", '{"q": "农田"}'.encode(), {}), {415}),
    "1 MB body": (("POST", "/api/search", b'{"q": "' + b"a" * 1_000_000 + b'"}', JSON), {413}),
    "doc_id that climbs out": (post("农田", doc_id="../../../etc/passwd"), {200}),
    "district that climbs out": (post("农田", district="..\\..\\windows"), {200}),
    "wrong method": (("PUT", "/api/search", b"{}", JSON), {405}),
    "history that is not a list": (post("分管领导是谁？", "/api/ask", history="碧螺春"), {422}),
    "history of eleven questions": (post("分管领导是谁？", "/api/ask", history=["碧螺春"] * 11), {422}),
    "history with a lone surrogate": (("POST", "/api/ask", b'{"q": "x", "history": ["\\udc00"]}', JSON), {422}),
    "unknown ledger filter": (("GET", "/api/tasks?owner=%E6%95%99%E8%82%B2%E5%B1%80", None, {}), {422}),
    "ledger page size out of range": (("GET", "/api/tasks?size=100000", None, {}), {422}),
    "ledger doc_id that climbs out": (("GET", "/api/tasks?doc_id=..%2F..%2Fetc%2Fpasswd", None, {}), {200}),
    "markup and metacharacters in a ledger filter": (("GET", "/api/tasks?department=%3Cscript%3E%27%3B--", None, {}), {200}),
    "unknown path": (("GET", "/api/../../etc/passwd", None, {}), {404}),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_request(server, case):
    (method, path, body, headers), expected = HOSTILE[case]
    status, _, raw = call(server, method, path, body, headers)
    data = json.loads(raw)
    check_response(status, data, path.split("?")[0])
    assert status in expected, (status, data)
    if status == 200 and path.startswith("/api/search"):
        assert not any(ch in data["query"] for ch in "\x00\x07\x1b\u202e\u200f")  # what was searched is clean text
        if "doc_id" in data["filters"]:
            assert data["hits"] == [] and "没有" in data["message"]


def test_chunked_body_over_the_cap_is_refused(server):
    parts = (b'{"q": "' + b"a" * 8192 + b'"' for _ in range(4))
    status, _, raw = call(server, "POST", "/api/search", parts, JSON, chunked=True)
    assert status == 413 and json.loads(raw)["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    "path",
    [
        "/static/../pyproject.toml",
        "/static/%2e%2e/pyproject.toml",
        "/static/..%2f..%2fpyproject.toml",
        "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/static/....//....//etc/passwd",
        "/static/%252e%252e/pyproject.toml",
        "/static/app.js%00.png",
        "/widget.js/../../pyproject.toml",
    ],
)
def test_no_file_outside_the_static_folder_is_served(server, path):
    status, _, raw = call(server, "GET", path)
    assert status == 404 and b"[project]" not in raw and b"root:" not in raw
    check_response(status, json.loads(raw), path)


def test_a_plain_request_id_is_kept_and_any_other_is_replaced(server):
    _, headers, _ = call(server, "GET", "/healthz", headers={"X-Request-ID": "abc-123"})
    assert headers["x-request-id"] == "abc-123"
    _, headers, _ = call(server, "GET", "/healthz", headers={"X-Request-ID": '"}{injected: 1} <script>'})
    assert headers["x-request-id"] != '"}{injected: 1} <script>' and headers["x-request-id"].isalnum()


# The schema the server publishes at /openapi.json, read from the app object so that it is known
# when tests are collected (schemathesis' lazy fixture loader does not run under pytest 9).
schema = schemathesis.openapi.from_dict(create_app(Settings(access_log=False)).openapi())


# Reloading is slow and has its own tests; uploads publish (seconds each) and have their own hostile
# cases by hand in test_admin.py (size, zip bomb, bad PDF, scripts, names, empty, 50 files).
@schema.exclude(path="/admin/reload").exclude(path="/admin/documents", method="POST").parametrize()
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_fuzzed_requests_get_a_2xx_or_4xx_in_the_contract_shapes(case, server):
    response = case.call(base_url=f"http://127.0.0.1:{server}", timeout=60)
    if response.status_code == 200 and case.path.endswith((".csv", ".xlsx")):
        content_type = response.headers["content-type"]  # schemathesis keeps every header as a list
        check_export(content_type[0] if isinstance(content_type, list) else content_type, response.content)
    else:
        check_response(response.status_code, response.json(), case.path)


def test_the_service_still_answers_afterwards(server):
    status, _, raw = call(server, "GET", "/api/search?q=" + quote("吴中区新增多少高标准农田"))
    assert status == 200 and json.loads(raw)["hits"][0]["task_no"] == "(35)"
