"""Swapping in a new index while people search: POST /admin/reload, SIGHUP, and the watcher that
follows a build published by `govqa index`, on real uvicorn servers under concurrent load. A broken
or mismatched new build is refused with the file or model named, and the old one keeps serving."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import threading
import time
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from eval.load import run_load
from govqa.server import running_server
from indexer.index.folder import load_index
from indexer.index.publish import publish
from indexer.update import add_document, remove_document
from service.app import create_app
from service.settings import Settings
from tests.conftest import SHORT_QUESTION, SHORT_REPORT
from tests.service.contract import call_json, check_response

SHORT_DOC = SHORT_REPORT.stem


def _build_id(port: int) -> str:
    status, _, body = call_json(port, "GET", "/readyz")
    assert status == 200, body
    return body["build_id"]


def _eventually(condition, what: str, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not seen within {seconds:.0f} s: {what}"
        time.sleep(0.2)


class Load:
    """8 clients of mixed traffic in the background, until stopped."""

    def __init__(self, port: int, pid: int) -> None:
        self.stop = threading.Event()
        self.result: dict = {}
        self.thread = threading.Thread(target=self._run, args=(port, pid))
        self.thread.start()

    def _run(self, port: int, pid: int) -> None:
        self.result = run_load(port, pid, clients=8, seconds=600, check=check_response, until=self.stop)

    def finish(self) -> dict:
        self.stop.set()
        self.thread.join()
        return self.result


def _assert_nothing_failed(result: dict) -> None:
    assert result["requests"] > 50, result
    assert set(result["statuses"]) == {"200"} and result["dropped"] == 0 and result["bad_bodies"] == 0, result


def _served_docs(port: int, question: str) -> set[str]:
    status, _, body = call_json(port, "GET", "/api/search?q=" + quote(question))
    assert status == 200
    return {hit["doc_id"] for hit in body["hits"]}


def _broken_copy(index, tmp_path, how: str):
    """A finished build beside the published one, broken in one of the ways a disk or a person breaks it."""
    copy = tmp_path / f"broken-{how}"
    shutil.copytree(index.resolve(), copy)
    if how == "truncated vectors":
        data = (copy / "vectors.faiss").read_bytes()
        (copy / "vectors.faiss").write_bytes(data[: len(data) // 2])
    elif how == "edited passages":
        data = bytearray((copy / "passages.jsonl").read_bytes())
        at = data.index("亩".encode())
        data[at : at + 3] = "公".encode()  # same length: only the checksum can tell
        (copy / "passages.jsonl").write_bytes(bytes(data))
    elif how == "another model":
        manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
        manifest["embedder"] = {"name": "st:bge-small-zh-v1.5", "dim": 512}
        (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return copy


def test_reload_and_sighup_under_load_drop_nothing(small_site, embedder):
    tmp_path = small_site
    target = tmp_path / "var" / "index"
    env = {"GOVQA_WATCH_SECONDS": "0", "GOVQA_RATE_LIMIT": "0"}  # only the reloads this test asks for
    with running_server(target, env=env) as (port, pid):
        first = _build_id(port)
        load = Load(port, pid)

        add_document(SHORT_REPORT, target, embedder=embedder, progress=False)
        time.sleep(1.0)
        assert _build_id(port) == first  # no watcher: a published build waits for a reload
        os.kill(pid, signal.SIGHUP)
        _eventually(lambda: _build_id(port) != first, "SIGHUP swaps in the new build")
        second = _build_id(port)
        assert SHORT_DOC in _served_docs(port, SHORT_QUESTION)

        remove_document(SHORT_DOC, target, embedder=embedder)
        status, _, body = call_json(port, "POST", "/admin/reload")
        assert status == 200 and body["status"] == "reloaded" and body["build_id"] not in (first, second)
        third = body["build_id"]
        assert SHORT_DOC not in _served_docs(port, SHORT_QUESTION)

        publish(_broken_copy(target, tmp_path, "truncated vectors"), target)
        status, _, body = call_json(port, "POST", "/admin/reload")
        assert status == 409 and body["error"]["code"] == "reload_failed" and "vectors.faiss" in body["error"]["message"]
        assert _build_id(port) == third
        result = load.finish()
    _assert_nothing_failed(result)


def test_workers_follow_a_published_build_and_refuse_a_broken_one(small_site, embedder):
    tmp_path = small_site
    target = tmp_path / "var" / "index"
    env = {"GOVQA_WATCH_SECONDS": "0.5", "GOVQA_RATE_LIMIT": "0"}
    with running_server(target, workers=2, env=env) as (port, pid):
        load = Load(port, pid)
        add_document(SHORT_REPORT, target, embedder=embedder, progress=False)
        new = load_index(target).manifest["build_id"]
        # Every fresh connection may land on either worker: both must have swapped.
        _eventually(lambda: all(_build_id(port) == new for _ in range(20)), "both workers serve the new build")

        publish(_broken_copy(target, tmp_path, "edited passages"), target)
        time.sleep(2.0)  # four looks of each worker's watcher
        assert all(_build_id(port) == new for _ in range(20))
        result = load.finish()
    _assert_nothing_failed(result)


@pytest.mark.parametrize(("how", "named"), [("truncated vectors", "vectors.faiss"), ("edited passages", "passages.jsonl"), ("another model", "向量模型")])
def test_a_broken_new_index_is_refused_by_name_and_the_old_one_serves(sample_index, tmp_path, how, named, caplog):
    path, _ = sample_index
    target = tmp_path / "index"
    publish(shutil.copytree(path.resolve(), tmp_path / "builds" / "good"), target)
    with TestClient(create_app(Settings(index=target, watch_seconds=0.1, access_log=False)), client=("127.0.0.1", 50000)) as client:
        before = client.get("/readyz").json()
        with caplog.at_level(logging.WARNING, logger="govqa.service"):
            publish(_broken_copy(target, tmp_path, how), target)
            time.sleep(1.0)  # ten looks of the watcher: it refuses once and does not try again and again
        refusals = [r for r in caplog.records if "index not loaded" in r.getMessage()]
        assert len(refusals) == 1 and named in refusals[0].getMessage()
        assert client.get("/readyz").json() == before
        response = client.post("/admin/reload")
        assert response.status_code == 409 and named in response.json()["error"]["message"]
        assert client.get("/readyz").json() == before
        hit = client.post("/api/search", json={"q": "吴中区新增多少高标准农田"}).json()["hits"][0]
        assert hit["task_no"] == "(35)" and "5800 亩" in hit["text"]
