"""`govqa index --add/--remove` change an index without rebuilding it, and end where a full rebuild ends."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from indexer.build import BuildError
from indexer.engines.local import LocalEngine
from indexer.index.folder import load_embeddings, load_index
from indexer.update import add_document, remove_document
from service.search import Searcher
from tests.conftest import REPORTS, WUZHONG_2023, WUZHONG_2023_DEGRADED, XIANGCHENG_2023

QUESTIONS = ["什么是双中心", "相城区2023年新辟优化几条公交线路", "吴中区2023年新增多少高标准农田", "碧螺春茶文化节谁牵头", "口袋公园"]


@pytest.fixture
def copy_of_sample(sample_index, tmp_path):
    path, _ = sample_index
    target = tmp_path / "index"
    shutil.copytree(path.resolve(), target)
    return target


class Counting:
    """The real embedder, counting the passages it is asked to embed."""

    def __init__(self, embedder):
        self.inner, self.name, self.dim, self.embedded = embedder, embedder.name, embedder.dim, 0

    def embed_passages(self, texts):
        self.embedded += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_remove_then_add_equals_the_full_build(sample_index, copy_of_sample, embedder):
    full_path, _ = sample_index
    full = load_index(full_path)
    counting = Counting(embedder)

    removed = remove_document(XIANGCHENG_2023, copy_of_sample, embedder=counting)
    assert counting.embedded == 0
    after_remove = load_index(copy_of_sample)
    assert XIANGCHENG_2023 not in {d.doc_id for d in after_remove.documents}
    kept = [p for p in full.passages if p.doc_id != XIANGCHENG_2023]
    assert [p.id for p in after_remove.passages] == [p.id for p in kept] and removed.passages == len(kept)

    added = add_document(REPORTS / f"{XIANGCHENG_2023}.txt", copy_of_sample, embedder=counting, progress=False)
    assert counting.embedded == sum(p.doc_id == XIANGCHENG_2023 for p in full.passages)  # only the new document
    again = load_index(copy_of_sample)
    assert [p.to_record() for p in again.passages] == [p.to_record() for p in full.passages]
    assert np.allclose(load_embeddings(again.path), load_embeddings(full.path), atol=1e-6)
    assert added.passages == len(full.passages)
    a, b = Searcher(LocalEngine(full), embedder), Searcher(LocalEngine(again), embedder)
    for q in QUESTIONS:
        left, right = a.search(q, k=10).hits, b.search(q, k=10).hits
        assert [h.passage.citation for h in left] == [h.passage.citation for h in right], q
        assert np.allclose([h.score for h in left], [h.score for h in right], atol=1e-5)


def test_adding_a_degraded_copy_is_refused(copy_of_sample, embedder):
    before = load_index(copy_of_sample).manifest["build_id"]
    with pytest.raises(BuildError, match=WUZHONG_2023):
        add_document(REPORTS / f"{WUZHONG_2023_DEGRADED}.txt", copy_of_sample, embedder=embedder, progress=False)
    assert load_index(copy_of_sample).manifest["build_id"] == before


def test_removing_an_unknown_document_is_an_error(copy_of_sample, embedder):
    with pytest.raises(BuildError, match="nope"):
        remove_document("nope", copy_of_sample, embedder=embedder)
