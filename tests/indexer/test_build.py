"""The index folder: what a build writes, how it is published, and what it refuses."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from indexer.build import BuildError, build_index
from indexer.index.folder import IndexLoadError, load_index
from tests.conftest import REPORTS, SHORT_REPORT, WUZHONG_2023, WUZHONG_2023_DEGRADED


def test_build_report_and_counts(sample_index):
    path, report = sample_index
    counts = {d.doc_id: d.passages for d in report.documents}
    assert WUZHONG_2023_DEGRADED not in counts
    assert len(counts) == 4
    assert report.passages == sum(counts.values())
    assert [d.dropped for d in report.duplicates] == [WUZHONG_2023_DEGRADED]
    text = report.summary()
    assert "去除重复文档 1 份" in text and WUZHONG_2023_DEGRADED in text


def test_index_folder_explains_itself(sample_index, embedder):
    path, report = sample_index
    assert path.is_symlink()
    index = load_index(path, embedder_name=embedder.name)
    manifest = index.manifest
    assert manifest["embedder"] == {"name": embedder.name, "dim": 384}
    assert manifest["passages"] == len(index.passages) == len(index.vectors) == report.passages
    assert manifest["vector_store"]["kind"] == "faiss-flat"
    assert set(manifest["files"]) >= {"passages.jsonl", "ids.npy", "documents.json", "vectors.faiss", "terms.txt"}
    assert [i.decode() for i in np.load(path / "ids.npy")] == [p.id for p in index.passages]
    assert not any(p.doc_id == WUZHONG_2023_DEGRADED for p in index.passages)
    assert "农业农村局" in index.tokenizer.terms and "农业农村局" in index.tokenizer("牵头单位 农业农村局")


def test_citations_and_ids_are_unique_and_stable(sample_index, tmp_path, embedder):
    path, _ = sample_index
    first = load_index(path).passages
    assert len({p.citation for p in first}) == len(first)
    assert len({p.id for p in first}) == len(first)
    again = build_index([REPORTS / f"{WUZHONG_2023}.txt"], tmp_path / "again", embedder=embedder, progress=False)
    rebuilt = {p.citation: p.id for p in load_index(again.index_dir).passages}
    assert {p.citation: p.id for p in first if p.doc_id == WUZHONG_2023} == rebuilt


def test_model_mismatch_is_refused(sample_index):
    path, _ = sample_index
    with pytest.raises(IndexLoadError, match="向量模型"):
        load_index(path, embedder_name="st:bge-small-zh-v1.5")


def test_corrupted_file_is_named(sample_index, tmp_path):
    path, _ = sample_index
    copy = tmp_path / "copy"
    shutil.copytree(path.resolve(), copy)
    with (copy / "passages.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    with pytest.raises(IndexLoadError, match="passages.jsonl"):
        load_index(copy)


def test_failed_build_leaves_published_index_alone(tmp_path, embedder):
    target = tmp_path / "index"
    first = build_index([SHORT_REPORT], target, embedder=embedder, progress=False)
    published = os.readlink(target)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    with pytest.raises(BuildError, match="空文件"):
        build_index([bad], target, embedder=embedder, progress=False)
    assert os.readlink(target) == published
    assert len(load_index(target).passages) == first.passages


def test_rebuild_swaps_the_link_and_prunes_old_builds(tmp_path, embedder):
    target = tmp_path / "index"
    source = [SHORT_REPORT]  # the test is about the link, not the content
    links = [os.readlink(build_index(source, target, embedder=embedder, progress=False).index_dir) for _ in range(3)]
    assert len(set(links)) == 3
    builds = sorted(p.name for p in (tmp_path / ".index.builds").iterdir())
    assert len(builds) == 2 and links[-1].endswith(builds[-1])


def test_if_stale_skips_an_up_to_date_index(tmp_path, embedder):
    target = tmp_path / "index"
    source = tmp_path / "reports"
    source.mkdir()
    shutil.copy(SHORT_REPORT, source)
    build_index([source], target, embedder=embedder, progress=False)
    assert build_index([source], target, embedder=embedder, progress=False, if_stale=True).up_to_date
    (source / "extra.txt").write_text((REPORTS / f"{WUZHONG_2023}.txt").read_text(encoding="utf-8")[:3000], encoding="utf-8")
    assert not build_index([source], target, embedder=embedder, progress=False, if_stale=True).up_to_date
