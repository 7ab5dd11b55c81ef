"""Administration in process, for real: the real model and index, the app's own job runner and
state database. Uploads become jobs that publish through the same atomic add as `govqa index
--add`; replace and remove likewise; hostile uploads get a plain reason and never a 5xx nor a
file outside the state folder; every admin route wants the key; feedback and the query log are
stored, and a correction comes back out of `govqa feedback export` as a gold line `govqa eval` runs.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.build import is_up_to_date
from indexer.library import Library
from service.app import create_app
from service.settings import Settings
from tests.conftest import REPORTS, SHORT_QUESTION, SHORT_REPORT, SHORT_TITLE, WUZHONG_2025, XIANGCHENG_2023, copy_site
from tests.service.contract import check_response

LIUYANG = SHORT_REPORT  # a GB18030 task table: 30 numbered tasks with owners
LIUYANG_TITLE = SHORT_TITLE
LOOPBACK = ("127.0.0.1", 50000)


def wait_job(client: TestClient, job_id: str, seconds: float = 180.0) -> dict:
    """Poll the job until it ends (the bound only keeps a broken runner from hanging the suite)."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(f"/admin/jobs/{job_id}")
        assert response.status_code == 200, response.text
        job = response.json()
        assert set(job) >= {"id", "status", "progress", "message", "doc_ids"}
        assert job["status"] in {"queued", "running", "done", "failed"} and 0.0 <= job["progress"] <= 1.0
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job still {job['status']}: {job}"
        time.sleep(0.2)


def upload(client: TestClient, *files: tuple[str, bytes], query: str = "") -> dict:
    response = client.post(f"/admin/documents{query}", files=[("file", (name, data, "application/octet-stream")) for name, data in files])
    assert response.status_code == 202, response.text
    return response.json()


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def site(small_site_source, tmp_path_factory):
    """A served copy of the small site: the state database, uploads and library beside the index in var/."""
    root = copy_site(small_site_source, tmp_path_factory.mktemp("site"))
    var = root / "var"
    settings = Settings(index=var / "index", reports=root / "reports", watch_seconds=0, rate_limit=0, max_upload_bytes=2 * 1024 * 1024, access_log=False)
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        yield client, root


def top_hit(client: TestClient, question: str) -> dict | None:
    hits = client.get("/api/search", params={"q": question}).json()["hits"]
    return hits[0] if hits else None


def test_an_upload_is_checked_parsed_embedded_published_and_searchable(site):
    client, root = site
    before = client.get("/readyz").json()["build_id"]
    first = upload(client, ("浏阳 2019 分解表.txt", LIUYANG.read_bytes()))
    assert first["status"] in ("queued", "running") and [j["id"] for j in first["jobs"]] == [first["id"]]
    assert first["doc_ids"] == ["浏阳 2019 分解表"]
    job = wait_job(client, first["id"])
    assert job["status"] == "done" and job["progress"] == 1.0, job
    assert "任务 30" in job["understood"] and "牵头单位 30/30" in job["understood"] and LIUYANG_TITLE in job["understood"]
    assert client.get("/readyz").json()["build_id"] != before
    hit = top_hit(client, SHORT_QUESTION)
    assert hit["doc_id"] == "浏阳 2019 分解表" and hit["task_no"] == "(9)" and "4.5万亩" in hit["text"] and hit["lead_departments"] == ["市农业农村局"]
    documents = {d["doc_id"]: d for d in client.get("/admin/documents").json()["documents"]}
    assert documents["浏阳 2019 分解表"]["understood_text"].startswith("任务表：31 段")
    assert (root / "var" / "library" / "浏阳 2019 分解表.txt").read_bytes() == LIUYANG.read_bytes()
    assert not any((root / "var" / "uploads").iterdir()), "the upload folder is emptied once the file is in the library"
    audit = client.get("/admin/activity").json()["audit"]
    assert any(a["action"] == "add" and a["result"].startswith("完成") and a["who"] == "127.0.0.1" for a in audit), audit
    # After a restart `make serve` runs `govqa index --if-stale` on the default corpus: the shipped
    # reports plus the library. The upload is part of it, and the index already stands for it.
    corpus = Library(root / "var" / "library", root / "reports").files()
    assert [p.name for p in corpus] == [f"{WUZHONG_2025}.txt", f"{XIANGCHENG_2023}.txt", "浏阳 2019 分解表.txt"]
    assert is_up_to_date(corpus, Settings(index=root / "var" / "index"), client.app.state.engine.embedder.name)


def test_replace_is_one_publish_under_the_same_id_and_remove_takes_it_out(site):
    client, root = site
    name = "浏阳 2019 分解表"
    if name not in {d["doc_id"] for d in client.get("/admin/documents").json()["documents"]}:
        wait_job(client, upload(client, (f"{name}.txt", LIUYANG.read_bytes()))["id"])
    edited = LIUYANG.read_text(encoding="gb18030").replace("4.5万亩", "6.5万亩").encode("gb18030")
    job = wait_job(client, upload(client, ("修订版.TXT", edited), query="?replace=" + name)["id"])
    assert job["status"] == "done" and job["doc_ids"] == [name], job
    hit = top_hit(client, SHORT_QUESTION)
    assert hit["doc_id"] == name and "6.5万亩" in hit["text"]
    assert sorted(p.name for p in (root / "var" / "library").iterdir() if not p.name.startswith(".")) == [f"{name}.txt"]

    passages = client.get("/readyz").json()
    job = client.delete("/admin/documents/" + name)
    assert job.status_code == 202 and job.json()["doc_ids"] == [name]
    done = wait_job(client, job.json()["id"])
    assert done["status"] == "done", done
    assert name not in {d["doc_id"] for d in client.get("/admin/documents").json()["documents"]}
    hit = top_hit(client, SHORT_QUESTION)
    assert hit is None or hit["doc_id"] != name
    assert not (root / "var" / "library" / f"{name}.txt").exists()
    assert client.get("/readyz").json()["build_id"] != passages["build_id"]
    assert client.delete("/admin/documents/" + name).status_code == 404
    # A shipped report removed in the browser stays out of the default corpus, and the index stands for that.
    job = wait_job(client, client.delete(f"/admin/documents/{WUZHONG_2025}").json()["id"])
    assert job["status"] == "done", job
    corpus = Library(root / "var" / "library", root / "reports").files()
    assert WUZHONG_2025 not in [p.stem for p in corpus] and (root / "reports" / f"{WUZHONG_2025}.txt").exists()
    assert is_up_to_date(corpus, Settings(index=root / "var" / "index"), client.app.state.engine.embedder.name)
    job = wait_job(client, upload(client, (f"{WUZHONG_2025}.txt", (REPORTS / f"{WUZHONG_2025}.txt").read_bytes()))["id"])
    assert job["status"] == "done" and WUZHONG_2025 in [p.stem for p in Library(root / "var" / "library", root / "reports").files()]
    assert client.post("/admin/documents?replace=" + name, files=[("file", ("a.txt", b"x", "text/plain"))]).status_code == 404


def _zip_bomb() -> bytes:
    """A .docx-named zip whose one member unpacks to 300 MiB of zeros (it weighs about 300 KiB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                member.write(block)
        archive.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


MALFORMED_XREF_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n00000000zz 00000 n \nbroken\ntrailer << /Size 4 /Root 1 0 R >>\nstartxref\n999999\n%%EOF\n"
)

SCRIPTED_HTML = """<!doctype html><html><head><title>某区2024年政府工作报告重点任务分解</title>
<script>document.write('<h1>注入</h1>'); alert("xss")</script><style>h1{color:red}</style></head><body>
<h1>某区2024年政府工作报告重点任务分解</h1><table><tr><th>序号</th><th>工作任务</th><th>牵头单位</th></tr>
<tr><td>1</td><td>新建高标准农田2万亩，<script>steal()</script>确保粮食稳产。</td><td>区农业农村局</td></tr>
<tr><td>2</td><td>新增城镇就业1.2万人，城镇登记失业率控制在3%以内。</td><td>区人社局</td></tr></table>
<img src=x onerror="alert(2)"></body></html>""".encode()


def test_hostile_uploads_get_a_plain_reason_never_a_5xx_nor_a_file_outside_var(site):
    client, root = site
    outside_before = {p for p in files_under(root) if (root / "var") not in p.parents}
    limit = 2 * 1024 * 1024

    too_big = client.post("/admin/documents", files=[("file", ("big.txt", b"a" * (limit + 1), "text/plain"))])
    assert too_big.status_code == 413 and "上限" in too_big.json()["error"]["message"], too_big.text
    assert not any((root / "var" / "uploads").glob("*/big.txt")), "a refused upload leaves nothing behind"

    cases = {
        "bomb.docx": (_zip_bomb(), "压缩炸弹"),
        "notzip.docx": (b"this is not a zip archive at all", "不是有效的 .docx"),
        "xref.pdf": (MALFORMED_XREF_PDF, None),
        "scripted.html": (SCRIPTED_HTML, None),
        "../../../escape.txt": (LIUYANG.read_bytes()[:600], None),
        "..\\..\\windows.txt": (b"abc", None),
        "con\x07trol\x1b[31m.txt": (b"abc", None),
        "empty.txt": (b"", "文件为空"),
        "program.exe": (b"MZ\x90\x00", "不支持的文件类型"),
    }
    for name, (data, reason) in cases.items():
        response = client.post("/admin/documents", files=[("file", (name, data, "application/octet-stream"))])
        check_response(response.status_code, response.json(), "/admin/documents")
        assert response.status_code == 202, (name, response.text)
        job = wait_job(client, response.json()["id"])
        assert job["message"].strip(), job
        if reason:
            assert job["status"] == "failed" and reason in job["message"], (name, job)
        assert "/" not in job["name"] and "\\" not in job["name"] and not any(ord(c) < 32 for c in job["name"]), job
        if job["status"] == "done":
            for doc_id in job["doc_ids"]:
                passages = client.get(f"/api/documents/{doc_id}").json()["passages"]
                assert not any(w in p["text"] for p in passages for w in ("alert", "steal", "document.write", "onerror")), passages
                client.delete(f"/admin/documents/{doc_id}")

    many = client.post("/admin/documents", files=[("file", (f"note{i}.txt", f"第{i}号便条，没有任何任务。".encode(), "text/plain")) for i in range(50)])
    assert many.status_code == 202 and len(many.json()["jobs"]) == 50
    ends = [wait_job(client, job["id"]) for job in many.json()["jobs"]]
    assert all(j["status"] in ("done", "failed") and j["message"] for j in ends)

    for bad in (
        client.post("/admin/documents", content=b"plain", headers={"Content-Type": "text/plain"}),
        client.post("/admin/documents", content=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"}),
        client.post("/admin/documents", files=[("other", ("a.txt", b"abc", "text/plain"))]),
        client.post("/admin/documents", files=[("file", ("a.txt", b"abc", "text/plain"))] * 101),
        client.get("/admin/jobs/nope"),
        client.delete("/admin/documents/%2e%2e%2fetc"),
    ):
        check_response(bad.status_code, bad.json(), "/admin/documents")
        assert 400 <= bad.status_code < 500, bad.text
    outside_after = {p for p in files_under(root) if (root / "var") not in p.parents}
    assert outside_after == outside_before, outside_after - outside_before
    assert client.get("/api/search", params={"q": "碧螺春"}).status_code == 200


def _routes(routes):
    """(path, method) of every route, through included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        elif getattr(route, "path", None):
            yield from ((route.path, method) for method in getattr(route, "methods", None) or ())


def test_every_admin_route_wants_the_key_and_the_audit_names_it(tmp_path, sample_index):
    path, _ = sample_index
    settings = Settings(index=path, state=tmp_path / "state", api_key="k-main", api_keys="alice:k/alice=+; x", watch_seconds=0, access_log=False)
    app = create_app(settings)
    routes = sorted({(method, path) for path, method in _routes(app.routes) if path.startswith("/admin")})
    assert ("POST", "/admin/documents") in routes and ("DELETE", "/admin/documents/{doc_id}") in routes and ("GET", "/admin") in routes
    with TestClient(app, client=("10.1.2.3", 40000)) as client:
        for method, route in routes:
            if route == "/admin/session":
                continue
            url = route.replace("{doc_id}", "x").replace("{job_id}", "y")
            response = client.request(method, url)
            assert response.status_code == 401, (method, url, response.text)
            check_response(401, response.json(), url)
        page = client.get("/admin", headers={"Accept": "text/html"})
        assert page.status_code == 401 and 'id="login-form"' in page.text
        assert client.post("/admin/session", json={"key": "wrong"}).status_code == 401
        assert client.get("/admin/jobs", headers={"X-API-Key": "k/alice=+; x"}).status_code == 200
        removal = client.delete("/admin/documents/no-such-doc", headers={"X-API-Key": "k/alice=+; x"})
        assert removal.status_code == 404
        login = client.post("/admin/session", json={"key": "k/alice=+; x"})
        assert login.status_code == 200 and "httponly" in login.headers["set-cookie"].lower() and "samesite=strict" in login.headers["set-cookie"].lower()
        assert client.get("/admin").status_code == 200  # the cookie now
        cancel = client.post("/admin/jobs/none/cancel")
        assert cancel.status_code == 404
        job = client.post("/admin/documents", files=[("file", ("x.exe", b"MZ", "application/octet-stream"))]).json()
        assert job["status"] == "failed"
        audit = client.get("/admin/activity").json()["audit"]
        assert audit[0]["who"] == "alice" and audit[0]["action"] == "upload", audit
    loopback_only = create_app(Settings(index=path, state=tmp_path / "state2", watch_seconds=0, access_log=False))
    with TestClient(loopback_only, client=("10.1.2.3", 40000)) as client:
        assert client.get("/admin").status_code == 403 and client.get("/admin/jobs").status_code == 403


def test_feedback_is_rate_limited_and_kept_as_given(tmp_path, sample_index):
    path, _ = sample_index
    settings = Settings(index=path, state=tmp_path, watch_seconds=0, rate_limit=0.5, rate_burst=3, access_log=False)
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        script = "<script>window.pwned=1</script>答案不对"
        body = {"query": "碧螺春茶文化节谁牵头？", "helpful": False, "citation_id": "abc", "correct_citation": "x", "comment": script}
        assert client.post("/api/feedback", json=body).status_code == 201
        assert client.post("/api/feedback", json={**body, "helpful": "maybe"}).status_code == 422
        statuses = [client.post("/api/feedback", json=body).status_code for _ in range(3)]
        assert 429 in statuses, statuses
    with TestClient(create_app(settings.model_copy(update={"rate_limit": 0})), client=LOOPBACK) as client:
        stored = client.get("/admin/activity").json()["feedback"]
        assert stored[-1]["comment"] == script and stored[-1]["helpful"] is False and stored[-1]["client"] is None
        assert stored[-1]["build_id"] == client.get("/readyz").json()["build_id"]


def test_the_query_log_counts_questions_and_the_ones_that_found_nothing(tmp_path, sample_index):
    path, _ = sample_index
    settings = Settings(index=path, state=tmp_path, watch_seconds=0, rate_limit=0, access_log=False)
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        for _ in range(3):
            client.get("/api/search", params={"q": "碧螺春茶文化节谁牵头"})
        # The search page searches and asks each question at once: one question, found as the answer says.
        client.get("/api/search", params={"q": "火星基地什么时候建成"})
        client.post("/api/ask", json={"q": "火星基地什么时候建成"})
        activity = client.get("/admin/activity").json()
    assert {q["query"]: q["count"] for q in activity["top"]} == {"碧螺春茶文化节谁牵头": 3, "火星基地什么时候建成": 1}
    assert (activity["top"][0]["query"], activity["top"][0]["count"]) == ("碧螺春茶文化节谁牵头", 3)
    assert "火星基地什么时候建成" in [q["query"] for q in activity["declined"]]
    assert "碧螺春茶文化节谁牵头" not in [q["query"] for q in activity["declined"]]


def test_a_correction_comes_out_as_a_gold_line_that_govqa_eval_runs(site, tmp_path):
    client, root = site
    name = "浏阳 2019 分解表"
    if name not in {d["doc_id"] for d in client.get("/admin/documents").json()["documents"]}:
        wait_job(client, upload(client, (f"{name}.txt", LIUYANG.read_bytes()))["id"])
    picked = client.get("/api/search", params={"q": "浏阳 新增高新技术企业"}).json()["hits"]
    picked = next(h for h in picked if h["doc_id"] == name and h["task_no"] == "(5)")
    corrections = [
        {"query": "浏阳今年要建多少高标准农田", "helpful": False, "correct_citation": f"{LIUYANG_TITLE} 第(9)项", "comment": "应是第9项"},
        {"query": "高新技术企业要新增几家", "helpful": False, "citation_id": "whatever", "correct_citation": picked["id"]},
        {"query": "没写出处的更正", "helpful": False, "comment": "不对"},
        {"query": "有用的回答", "helpful": True, "citation_id": picked["id"]},
    ]
    for body in corrections:
        assert client.post("/api/feedback", json=body).status_code == 201
    gold = tmp_path / "from-feedback.jsonl"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    index = root / "var" / "index"
    out = subprocess.run(
        [sys.executable, "-m", "govqa", "feedback", "export", "--gold", str(gold), "--index", str(index), "--since", "2000-01-01"],
        capture_output=True, text=True, env=env, check=True,
    )
    lines = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    by_question = {line["question"]: line for line in lines}
    assert set(by_question) == {"浏阳今年要建多少高标准农田", "高新技术企业要新增几家"}, out.stderr
    assert by_question["浏阳今年要建多少高标准农田"] | {"id": None} == {
        **by_question["浏阳今年要建多少高标准农田"], "doc": name, "task": "(9)", "id": None,
    }
    assert by_question["高新技术企业要新增几家"]["task"] == "(5)"
    assert by_question["浏阳今年要建多少高标准农田"]["answer"] == "新建高标准农田4.5万亩"  # a whole clause of the task's text
    result = subprocess.run(
        [sys.executable, "-m", "govqa", "eval", "--gold", str(gold), "--index", str(index), "--systems", "fused", "--no-html", "--json"],
        capture_output=True, text=True, env=env, check=True,
    )
    report = json.loads(result.stdout)
    fused = report[gold.name]["retrieval"][0]
    assert fused["questions"] == 2 and fused["metrics"]["hit@1"] == 1.0, fused
    future = subprocess.run(
        [sys.executable, "-m", "govqa", "feedback", "export", "--index", str(index), "--since", "2999-01-01"], capture_output=True, text=True, env=env, check=True
    )
    assert future.stdout == ""
