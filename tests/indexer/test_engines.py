"""The engine contract, run against every engine: the local index folder and Milvus (Lite, served
over TCP as a server would be). Both hold the same sample build, so they must also agree."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.engines import Filters, IndexLoadError, open_engine
from indexer.engines.local import LocalEngine
from indexer.index.folder import load_embeddings
from service.search import Searcher
from tests.conftest import WUZHONG_2023, XIANGCHENG_2023

QUESTIONS = ["吴中区今年要新增多少高标准农田？", "碧螺春茶文化节谁牵头？", "什么是双中心", "吴江区2022年城市更新有哪些任务", "相城区数字经济"]


@pytest.fixture(scope="module")
def local(sample_index):
    path, _ = sample_index
    return LocalEngine.open(path)


@pytest.fixture(scope="module", params=["local", "milvus"])
def engine(request, local):
    if request.param == "local":
        return local
    return open_engine(request.getfixturevalue("milvus_sample"))


@pytest.fixture(scope="module")
def embeddings(sample_index):
    path, _ = sample_index
    return np.asarray(load_embeddings(path), dtype=np.float32)


def _task(engine, doc_id: str, task_no: str):
    return next(p for p in engine.by_row if p.doc_id == doc_id and p.task_no == task_no)


def test_dense_finds_a_passage_by_its_own_vector(engine, local, embeddings):
    row = local.row_of(_task(local, WUZHONG_2023, "(35)").id)
    found = engine.dense(embeddings[row], 10, Filters())
    assert found[0][0] == _task(local, WUZHONG_2023, "(35)").id
    scores = [s for _, s in found]
    assert len(found) == 10 and scores == sorted(scores, reverse=True) and scores[0] == pytest.approx(1.0, abs=1e-3)


def test_keyword_ranks_by_bm25_over_the_builds_tokens(engine):
    task = _task(engine, WUZHONG_2023, "(35)")
    found = engine.keyword(engine.tokenizer("新增高标准农田5800亩"), 20, Filters())
    assert task.id in [pid for pid, _ in found[:3]]
    assert all(s > 0 for _, s in found) and [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    assert engine.keyword(["从未出现过的词语"], 10, Filters()) == []


@pytest.mark.parametrize(
    "filters",
    [Filters(districts=("相城区",)), Filters(doc_id=WUZHONG_2023), Filters(year=2022), Filters(kinds=("work_report",)),
     Filters(districts=("吴中区",), year=2025)],
)  # fmt: skip
def test_filters_run_inside_the_engine(engine, embeddings, filters):
    tokens = engine.tokenizer("推进建设城市发展")
    hits = [*engine.dense(embeddings[0], 50, filters), *engine.keyword(tokens, 50, filters)]
    assert hits
    for p in engine.passages([pid for pid, _ in hits]):
        assert not filters.districts or p.district in filters.districts
        assert not filters.doc_id or p.doc_id == filters.doc_id
        assert filters.year is None or p.subject_year() == filters.year
        assert not filters.kinds or p.kind in filters.kinds
    assert engine.count(filters) == sum(
        1 for p in engine.by_row
        if (not filters.districts or p.district in filters.districts) and (not filters.doc_id or p.doc_id == filters.doc_id)
        and (filters.year is None or p.subject_year() == filters.year) and (not filters.kinds or p.kind in filters.kinds)
    )  # fmt: skip


def test_a_filter_nothing_matches_finds_nothing(engine, embeddings):
    nowhere = Filters(districts=("姑苏区",))
    assert engine.dense(embeddings[0], 10, nowhere) == [] and engine.keyword(engine.tokenizer("农田"), 10, nowhere) == []
    assert engine.count(nowhere) == 0
    assert engine.count(Filters(doc_id='x" or doc_id != "')) == 0  # a quote cannot end the filter's string


def test_passages_by_id_keep_the_order_asked_and_skip_unknown_ids(engine, local):
    ids = [local.by_row[i].id for i in (40, 3, 17)]
    assert [p.id for p in engine.passages([ids[0], "nope", ids[1], ids[2]])] == ids
    assert engine.passages([]) == []


def test_every_engine_holds_the_same_build(engine, local):
    assert engine.size == local.size
    assert [d.doc_id for d in engine.documents] == [d.doc_id for d in local.documents]
    assert [p.to_record() for p in engine.by_row] == [p.to_record() for p in local.by_row]
    assert len(engine.ledger) == len(local.ledger) and list(engine.ledger.rows) == list(local.ledger.rows)
    rows = [0, 5, 6, 7, len(local.by_row) - 1]
    assert list(engine.by_row.records(rows)) == list(local.by_row.records(rows))
    tokens = ["农田", "双中心", "碧螺春", "从未出现过的词语"]
    assert engine.doc_freq(tokens) == local.doc_freq(tokens) and engine.doc_freq(tokens)[0] > 0 and engine.doc_freq(tokens)[-1] == 0
    glossary = [p for p in engine.by_row if p.doc_id == XIANGCHENG_2023 and p.role == "glossary"]
    assert any("双中心" in p.text for p in glossary)


def test_searches_agree_across_engines(engine, local, embedder):
    ours, reference = Searcher(engine, embedder), Searcher(local, embedder)
    for q in QUESTIONS:
        left = [h.passage.citation for h in ours.search(q, k=5).hits]
        right = [h.passage.citation for h in reference.search(q, k=5).hits]
        assert left[0] == right[0] and len(set(left) & set(right)) >= 4, (q, left, right)


def test_a_collection_that_does_not_match_its_manifest_is_refused(milvus_uri, sample_index):
    from pymilvus import MilvusClient

    from indexer.engines import write
    from indexer.engines.local import stored_build
    from indexer.index.folder import load_index
    from tests.conftest import milvus_settings

    settings = milvus_settings(milvus_uri, "tampered")
    name = write(settings, stored_build(load_index(sample_index[0])))
    open_engine(settings).close()
    MilvusClient(milvus_uri).delete(name, filter=f'doc_id == "{XIANGCHENG_2023}"')
    with pytest.raises(IndexLoadError, match="与清单不符"):
        open_engine(settings)
