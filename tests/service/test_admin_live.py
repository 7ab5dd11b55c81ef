"""Administration on real uvicorn servers: an upload, a replacement and a removal published while
8 clients search, picked up by both workers without a restart and without one failed request;
and a server killed in the middle of a job, which leaves the published index as it was and the
job marked failed when the service comes back."""

from __future__ import annotations

import os
import signal
import time
from urllib.parse import quote

from govqa.server import running_server
from indexer.index.folder import load_index
from tests.conftest import REPORTS, SHORT_QUESTION, WUJIANG_2022
from tests.service.contract import call_json, multipart
from tests.service.test_admin import LIUYANG
from tests.service.test_reload import Load, _assert_nothing_failed, _build_id, _eventually

QUESTION = SHORT_QUESTION


def _upload(port: int, files: list[tuple[str, bytes]], query: str = "") -> dict:
    body, headers = multipart(files)
    status, _, job = call_json(port, "POST", "/admin/documents" + query, body=body, headers=headers)
    assert status == 202, job
    return job


def _job(port: int, job_id: str) -> dict:
    status, _, job = call_json(port, "GET", f"/admin/jobs/{job_id}")
    assert status == 200, job
    return job


def _finished(port: int, job_id: str) -> dict:
    seen: list[dict] = []
    _eventually(lambda: seen.append(_job(port, job_id)) or seen[-1]["status"] in ("done", "failed"), f"job {job_id} ends")
    return seen[-1]


def _top(port: int, question: str) -> dict | None:
    status, _, body = call_json(port, "GET", "/api/search?q=" + quote(question))
    assert status == 200, body
    return body["hits"][0] if body["hits"] else None


def test_upload_replace_and_remove_under_load_reach_every_worker_and_drop_nothing(small_site):
    tmp_path = small_site
    index = tmp_path / "var" / "index"
    env = {"GOVQA_WATCH_SECONDS": "0.5", "GOVQA_RATE_LIMIT": "0", "GOVQA_REPORTS": str(tmp_path / "none")}
    with running_server(index, workers=2, env=env) as (port, pid):
        load = Load(port, pid)
        job = _upload(port, [("浏阳分解表.txt", LIUYANG.read_bytes())])
        progress = []
        _eventually(lambda: progress.append(_job(port, job["id"])["progress"]) or progress[-1] == 1.0, "the upload is done")
        assert _job(port, job["id"])["status"] == "done" and progress == sorted(progress), progress
        new = load_index(index).manifest["build_id"]
        # Each fresh connection may land on either worker: both must serve the new document.
        _eventually(lambda: all(_build_id(port) == new for _ in range(20)), "both workers serve the upload")
        assert all(_top(port, QUESTION)["doc_id"] == "浏阳分解表" for _ in range(6))

        edited = LIUYANG.read_text(encoding="gb18030").replace("4.5万亩", "6.5万亩").encode("gb18030")
        job = _upload(port, [("新版.txt", edited)], "?replace=" + quote("浏阳分解表"))
        assert _finished(port, job["id"])["status"] == "done"
        _eventually(lambda: all("6.5万亩" in _top(port, QUESTION)["text"] for _ in range(20)), "both workers serve the replacement")

        status, _, job = call_json(port, "DELETE", "/admin/documents/" + quote("浏阳分解表"))
        assert status == 202 and _finished(port, job["id"])["status"] == "done"
        _eventually(lambda: all((_top(port, QUESTION) or {}).get("doc_id") != "浏阳分解表" for _ in range(20)), "both workers drop it")
        result = load.finish()
    _assert_nothing_failed(result)


def test_a_restart_in_the_middle_of_a_job_leaves_the_index_unchanged_and_the_job_failed(small_site):
    tmp_path = small_site
    index = tmp_path / "var" / "index"
    published = index.resolve()
    env = {"GOVQA_WATCH_SECONDS": "0", "GOVQA_REPORTS": str(tmp_path / "none")}
    with running_server(index, env=env) as (port, pid):
        before = _build_id(port)
        # The largest sample report: about 110 passages to embed, so the job is caught mid-way.
        job = _upload(port, [(f"{WUJIANG_2022}.txt", (REPORTS / f"{WUJIANG_2022}.txt").read_bytes())])
        _eventually(lambda: _job(port, job["id"])["message"].startswith("向量化"), "the job is embedding", seconds=180)
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
    assert index.resolve() == published, "nothing was published"
    with running_server(index, env=env) as (port, _):
        assert _build_id(port) == before
        failed = _job(port, job["id"])
        assert failed["status"] == "failed" and "重启" in failed["message"] and "索引未改变" in failed["message"], failed
        status, _, docs = call_json(port, "GET", "/admin/documents")
        assert WUJIANG_2022 not in {d["doc_id"] for d in docs["documents"]}
        assert not any((tmp_path / "var" / "uploads").iterdir()), "the interrupted upload is tidied away"
        # The service still takes the next job.
        again = _upload(port, [("浏阳分解表.txt", LIUYANG.read_bytes())])
        assert _finished(port, again["id"])["status"] == "done"
