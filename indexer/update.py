"""Changing a published index by one document: add (or replace) a report, or remove one.

The same checks as a full build (the file parses, it is no duplicate of an
indexed document) come first; only the new document's passages are
embedded. The local engine then writes a new build from the stored rows and
swaps it in, so the result equals a full rebuild of the same files; the
Milvus engine changes its live collection in place and publishes the
derived files (documents, ledger, terms) anew.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .build import BuildError, BuildReport, embed_all, ocr_cache_for, parse_files, target_settings, write_index
from .dedup import find_duplicates
from .embedders import Embedder, load_embedder
from .engines import EngineSettings, open_engine
from .engines.local import LocalEngine
from .index.folder import load_embeddings
from .passage import Document, Passage


def add_document(
    path: Path, index_dir: Path | None = None, embedder: Embedder | None = None, progress: bool = True, settings: EngineSettings | None = None
) -> BuildReport:
    """Add (or replace) one report in the published index, embedding only its passages."""
    settings = target_settings(settings, index_dir)
    embedder = embedder or load_embedder()
    engine = open_engine(settings, embedder.name)
    try:
        report = BuildReport(index_dir=settings.where(), skipped=list(engine.skipped))
        clock = time.perf_counter()
        parsed, skipped = parse_files([Path(path)], ocr_cache_for(settings.index), progress)
        if skipped:
            raise BuildError(f"{path} 未能加入索引：{skipped[0]['reason']}")
        new = parsed[0]
        existing = [d for d in engine.documents if d.doc_id != new.document.doc_id]
        texts = engine.texts()
        others = [(d.doc_id, *texts[d.doc_id]) for d in existing if d.doc_id in texts]
        duplicates = find_duplicates([*others, (new.document.doc_id, new.plain, new.broken_rate)])
        if duplicates:
            raise BuildError(f"{path} 未加入索引：{duplicates[0].dropped} {duplicates[0].reason}（如需替换，请先 --remove 再 --add）")
        report.timings["parse"] = time.perf_counter() - clock
        clock = time.perf_counter()
        fresh = embed_all(embedder, [p.search_text() for p in new.passages], progress)
        report.timings["embed"] = time.perf_counter() - clock
        texts[new.document.doc_id] = (new.plain, new.broken_rate)
        if isinstance(engine, LocalEngine):
            _rewrite(engine, settings, report, embedder, keep=existing, extra=(new.document, new.passages, fresh), texts=texts, note=f"added {new.document.doc_id}")
        else:
            report.documents = sorted([*existing, new.document], key=lambda d: d.doc_id)
            report.passages = engine.add_document(new.document, new.passages, fresh, texts, report.timings)
            report.build_dir = engine.key
    finally:
        engine.close()
    return report


def remove_document(doc_id: str, index_dir: Path | None = None, embedder: Embedder | None = None, settings: EngineSettings | None = None) -> BuildReport:
    """Drop one document from the published index without re-embedding anything."""
    settings = target_settings(settings, index_dir)
    embedder = embedder or load_embedder()
    engine = open_engine(settings, embedder.name)
    try:
        if not any(d.doc_id == doc_id for d in engine.documents):
            raise BuildError(f"索引中没有文档 {doc_id}")
        report = BuildReport(index_dir=settings.where(), skipped=list(engine.skipped))
        keep = [d for d in engine.documents if d.doc_id != doc_id]
        if not keep:
            raise BuildError("删除后索引中没有任何段落；如需清空，请删除索引")
        texts = {k: v for k, v in engine.texts().items() if k != doc_id}
        if isinstance(engine, LocalEngine):
            _rewrite(engine, settings, report, embedder, keep=keep, extra=None, texts=texts, note=f"removed {doc_id}")
        else:
            report.documents = keep
            report.passages = engine.remove_document(doc_id, texts, report.timings)
            report.build_dir = engine.key
    finally:
        engine.close()
    return report


def _rewrite(engine: LocalEngine, settings, report: BuildReport, embedder: Embedder, keep: list[Document], extra, texts: dict, note: str) -> None:
    """A new local build from the kept documents' stored rows plus, optionally, a new document."""
    index = engine.index
    stored = load_embeddings(index.path)
    rows: dict[str, list[int]] = {}
    for row, passage in enumerate(index.passages):
        rows.setdefault(passage.doc_id, []).append(row)
    documents = sorted([*keep, *([extra[0]] if extra else [])], key=lambda d: d.doc_id)
    passages: list[Passage] = []
    chunks: list[np.ndarray] = []
    for doc in documents:
        if extra and doc.doc_id == extra[0].doc_id:
            passages.extend(extra[1])
            chunks.append(extra[2])
        else:
            ids = rows.get(doc.doc_id, [])
            passages.extend(index.passages[i] for i in ids)
            chunks.append(np.asarray(stored[ids], dtype=np.float32))
    report.documents = documents
    report.duplicates = []
    embeddings = np.concatenate(chunks) if chunks else np.zeros((0, embedder.dim), dtype=np.float32)
    if not passages:
        raise BuildError("删除后索引中没有任何段落；如需清空，请删除索引目录")
    meta = {"corpus": {**index.manifest.get("corpus", {}), "fingerprint": None, "change": note}}
    write_index(settings, passages, report, embeddings, embedder, meta, texts)



