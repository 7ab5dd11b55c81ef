"""The reliability that matters, on the Milvus engine: a killed build leaves the published collection
serving, a real server follows publishes and in-place --add/--remove under 8 clients with zero
failures, and a collection that does not match its manifest is refused while the old one serves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from pymilvus import MilvusClient

from govqa.server import running_server
from indexer.engines import published_key, write
from indexer.engines.local import stored_build
from indexer.engines.milvus import current
from indexer.index.folder import load_index
from indexer.update import add_document, remove_document
from tests.conftest import ROOT, SHORT_QUESTION, SHORT_REPORT, XIANGCHENG_2023, milvus_settings
from tests.service.contract import call_json
from tests.service.test_reload import SHORT_DOC, Load, _assert_nothing_failed, _build_id, _eventually, _served_docs


def _env(uri: str, alias: str, watch: str) -> dict[str, str]:
    return {"GOVQA_ENGINE": "milvus", "GOVQA_MILVUS_URI": uri, "GOVQA_MILVUS_ALIAS": alias, "GOVQA_WATCH_SECONDS": watch, "GOVQA_RATE_LIMIT": "0"}


def _collections(uri: str, alias: str) -> set[str]:
    return {c for c in MilvusClient(uri).list_collections() if c.startswith(f"{alias}_2")}


def test_a_killed_build_leaves_the_published_collection(milvus_uri, sample_index):
    settings = milvus_settings(milvus_uri, "killed")
    first = write(settings, stored_build(load_index(sample_index[0])))
    published = published_key(settings)
    script = textwrap.dedent(
        f"""
        import os, signal
        import indexer.engines.milvus as milvus
        from indexer.engines import EngineSettings, write
        from indexer.engines.local import stored_build
        from indexer.index.folder import load_index

        real_insert = milvus._insert

        def die_half_way(client, name, rows):
            rows = iter(rows)
            real_insert(client, name, (next(rows) for _ in range(100)))  # some passages are in the new collection
            os.kill(os.getpid(), signal.SIGKILL)

        milvus._insert = die_half_way
        settings = EngineSettings(engine="milvus", milvus_uri={milvus_uri!r}, milvus_alias="killed")
        write(settings, stored_build(load_index({str(sample_index[0])!r})))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    half = _collections(milvus_uri, "killed") - {first}
    assert len(half) == 1  # the unfinished collection, never published
    assert published_key(settings) == published
    second = write(settings, stored_build(load_index(sample_index[0])))  # the next build succeeds and tidies up
    assert _collections(milvus_uri, "killed") == {first, second}  # the dead half is gone; the previous stays for rollback
    assert current(MilvusClient(milvus_uri), settings)[0] == second


def test_the_server_follows_publishes_and_in_place_changes_under_load(milvus_uri, sample_index, embedder):
    settings = milvus_settings(milvus_uri, "served")
    write(settings, stored_build(load_index(sample_index[0])))
    with running_server(sample_index[0], env=_env(milvus_uri, "served", "0.5")) as (port, pid):
        first = _build_id(port)
        assert SHORT_DOC not in _served_docs(port, SHORT_QUESTION)
        load = Load(port, pid)

        add_document(SHORT_REPORT, embedder=embedder, progress=False, settings=settings)  # in place: same collection, new files
        _eventually(lambda: SHORT_DOC in _served_docs(port, SHORT_QUESTION), "the added report is served")
        assert _build_id(port) == first
        remove_document(SHORT_DOC, embedder=embedder, settings=settings)
        _eventually(lambda: SHORT_DOC not in _served_docs(port, SHORT_QUESTION), "the removal is served")

        second = write(settings, stored_build(load_index(sample_index[0])))  # a full build: a new collection
        _eventually(lambda: _build_id(port) == second, "the new collection is served")
        status, _, body = call_json(port, "GET", "/api/documents")
        assert status == 200 and body["build_id"] == second
        result = load.finish()
    _assert_nothing_failed(result)


def test_a_collection_that_does_not_match_its_manifest_is_refused_while_the_old_one_serves(milvus_uri, sample_index):
    settings = milvus_settings(milvus_uri, "mismatch")
    first = write(settings, stored_build(load_index(sample_index[0])))
    with running_server(sample_index[0], env=_env(milvus_uri, "mismatch", "0")) as (port, pid):
        load = Load(port, pid)
        second = write(settings, stored_build(load_index(sample_index[0])))
        MilvusClient(milvus_uri).delete(second, filter=f'doc_id == "{XIANGCHENG_2023}"')
        status, _, body = call_json(port, "POST", "/admin/reload")
        assert status == 409 and body["error"]["code"] == "reload_failed"
        assert second in body["error"]["message"] and "与清单不符" in body["error"]["message"]
        assert _build_id(port) == first
        os.kill(pid, signal.SIGHUP)  # asked again, still refused, still serving
        assert _build_id(port) == first
        result = load.finish()
    _assert_nothing_failed(result)
