"""The response shapes of ../shared/CONTRACT.md, checked the same way by every test that sends
hostile or heavy traffic, and the one raw HTTP call those tests make to a real server."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterable


def call(
    port: int,
    method: str,
    path: str,
    body: bytes | Iterable[bytes] | None = None,
    headers: dict | None = None,
    source: str = "127.0.0.1",
    chunked: bool = False,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection from `source` (a loopback address): status, headers (lower-case names), raw body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def multipart(files: list[tuple[str, bytes]], field: str = "file") -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body with one `field` part per (name, data), as a browser sends it."""
    boundary = "govqa-test-boundary-7MA4YWxkTrZu0gW"
    parts = []
    for name, data in files:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        parts.append(head.encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def call_json(port: int, method: str, path: str, **kwargs) -> tuple[int, dict[str, str], dict]:
    status, headers, raw = call(port, method, path, **kwargs)
    return status, headers, json.loads(raw)


HIT_KEYS = {
    "id", "doc_id", "title", "district", "year", "section", "task_no", "citation", "text",
    "departments", "lead_departments", "areas", "leaders", "deadline", "ocr_confidence", "score",
}  # fmt: skip


def check_hit(hit: dict) -> None:
    assert HIT_KEYS <= set(hit), set(hit) ^ HIT_KEYS
    assert isinstance(hit["id"], str) and isinstance(hit["citation"], str) and isinstance(hit["text"], str)
    assert isinstance(hit["year"], int) and isinstance(hit["score"], float | int)
    assert hit["task_no"] is None or isinstance(hit["task_no"], str)
    assert hit["deadline"] is None or isinstance(hit["deadline"], str)
    for key in ("section", "departments", "lead_departments", "areas", "leaders"):
        assert isinstance(hit[key], list) and all(isinstance(x, str) for x in hit[key]), key


def check_response(status: int, body: object, path: str) -> None:
    """2xx with the route's shape, or 4xx in the error envelope; never a 5xx."""
    assert status < 500, (status, body)
    assert isinstance(body, dict), body
    if status >= 400:
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
        assert isinstance(body["error"]["code"], str) and body["error"]["message"].strip(), body
        return
    if path == "/api/search":
        assert {"query", "filters", "hits", "took_ms"} <= set(body) and isinstance(body["filters"], dict)
        for hit in body["hits"]:
            check_hit(hit)
    elif path == "/api/ask":
        assert {"query", "answer", "citations", "took_ms"} <= set(body) and isinstance(body["answer"], str)
        for hit in body["citations"]:
            check_hit(hit)
    elif path == "/api/documents":
        assert isinstance(body["documents"], list)
    elif path == "/api/tasks":
        assert {"total", "page", "size", "filters", "facets", "tasks"} <= set(body) and isinstance(body["total"], int)
        assert set(body["facets"]) == {"lead_departments", "departments", "leaders", "areas", "documents"}
        assert len(body["tasks"]) <= body["size"]
        for task in body["tasks"]:
            check_hit({**task, "score": 0.0})
    elif path == "/admin/documents" and "id" in body or path.startswith("/admin/jobs/"):
        check_job(body)
        for job in body.get("jobs", []):
            check_job(job)
    elif path.startswith("/api/documents/"):
        assert isinstance(body["document"], dict) and isinstance(body["passages"], list)
        for passage in body["passages"]:
            check_hit({**passage, "score": 0.0})


JOB_STATUSES = {"queued", "running", "done", "failed"}


def check_job(job: dict) -> None:
    """The contract's job: id, status, progress, message, doc_ids."""
    assert isinstance(job["id"], str) and job["status"] in JOB_STATUSES, job
    assert isinstance(job["progress"], float | int) and 0 <= job["progress"] <= 1, job
    assert isinstance(job["message"], str) and isinstance(job["doc_ids"], list), job


def check_export(content_type: str, content: bytes) -> None:
    """A CSV export is UTF-8 with a byte-order mark and the ledger's header; an XLSX is a zip workbook."""
    if content_type.startswith("text/csv"):
        assert content.startswith("\ufeff文件,序号,分组,工作任务".encode()), content[:60]
    else:
        assert content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" and content[:2] == b"PK"
