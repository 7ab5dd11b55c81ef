"""Changing a published index by one document: add (or replace) a report, or remove one.

The same checks as a full build (the file parses, it is no duplicate of an
indexed document) come first; only the new document's passages are
embedded. The local engine then writes a new build from the stored rows and
swaps it in, so the result equals a full rebuild of the same files; the
Milvus engine changes its live collection in place and publishes the
derived files (documents, ledger, terms) anew.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .build import BuildError, BuildReport, Progress, embed_all, ocr_cache_for, parse_files, target_settings, write_index
from .dedup import find_duplicates
from .embedders import Embedder, load_embedder
from .engines import EngineSettings, SearchEngine, open_engine
from .engines.local import LocalEngine
from .index.folder import load_embeddings
from .parse import ParsedDocument
from .passage import Document, Passage


def add_document(
    path: Path,
    index_dir: Path | None = None,
    embedder: Embedder | None = None,
    progress: bool | Progress = True,
    settings: EngineSettings | None = None,
    on_parsed: Callable[[ParsedDocument], None] | None = None,
    fingerprint: str | None = None,
    current: SearchEngine | None = None,
) -> BuildReport:
    """Add (or replace) one report in the published index, embedding only its passages.

    `progress` is a terminal bar or a callback for the embedding; `on_parsed` is told what was
    understood before anything is embedded (either may raise to stop, changing nothing);
    `fingerprint` is the corpus the index stands for afterwards, when the caller knows it.
    Parsing and embedding run before the index is locked, so a long OCR or embedding holds up
    no other change; the duplicate check runs before embedding (against `current`, an engine
    already open on the published index, when the caller has one) and again under the lock."""
    settings = target_settings(settings, index_dir)
    embedder = embedder or load_embedder()
    report = BuildReport(index_dir=settings.where())
    clock = time.perf_counter()
    parsed, skipped = parse_files([Path(path)], ocr_cache_for(settings.index), progress is True)
    if skipped:
        raise BuildError(f"{Path(path).name} 未能加入索引：{skipped[0]['reason']}")
    new = parsed[0]
    if on_parsed:
        on_parsed(new)
    if current is not None:
        _check_duplicate(current, new, path)
    else:
        engine = open_engine(settings, embedder.name)
        try:
            _check_duplicate(engine, new, path)
        finally:
            engine.close()
    report.timings["parse"] = time.perf_counter() - clock
    clock = time.perf_counter()
    fresh = embed_all(embedder, [p.search_text() for p in new.passages], progress)
    report.timings["embed"] = time.perf_counter() - clock
    with change_lock(settings):
        engine = open_engine(settings, embedder.name)
        try:
            report.skipped = list(engine.skipped)
            existing, texts = _check_duplicate(engine, new, path)
            texts[new.document.doc_id] = (new.plain, new.broken_rate)
            if isinstance(engine, LocalEngine):
                extra = (new.document, new.passages, fresh)
                _rewrite(engine, settings, report, embedder, keep=existing, extra=extra, texts=texts, note=f"added {new.document.doc_id}", fingerprint=fingerprint)
            else:
                report.documents = sorted([*existing, new.document], key=lambda d: d.doc_id)
                report.passages = engine.add_document(new.document, new.passages, fresh, texts, report.timings)
                report.build_dir = engine.key
        finally:
            engine.close()
    return report


def _check_duplicate(engine, new: ParsedDocument, path: Path) -> tuple[list[Document], dict]:
    """The other indexed documents and their texts; a BuildError when `new` duplicates one of them."""
    existing = [d for d in engine.documents if d.doc_id != new.document.doc_id]
    texts = engine.texts()
    others = [(d.doc_id, *texts[d.doc_id]) for d in existing if d.doc_id in texts]
    duplicates = find_duplicates([*others, (new.document.doc_id, new.plain, new.broken_rate)])
    if duplicates:
        raise BuildError(f"{Path(path).name} 未加入索引：{duplicates[0].dropped} {duplicates[0].reason}（如需替换，请先删除原文档：govqa index --remove，或管理页的“删除”）")
    return existing, texts


def remove_document(
    doc_id: str, index_dir: Path | None = None, embedder: Embedder | None = None, settings: EngineSettings | None = None, fingerprint: str | None = None
) -> BuildReport:
    """Drop one document from the published index without re-embedding anything."""
    settings = target_settings(settings, index_dir)
    embedder = embedder or load_embedder()
    with change_lock(settings):
        return _remove(doc_id, settings, embedder, fingerprint)


def _remove(doc_id: str, settings: EngineSettings, embedder: Embedder, fingerprint: str | None) -> BuildReport:
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
            _rewrite(engine, settings, report, embedder, keep=keep, extra=None, texts=texts, note=f"removed {doc_id}", fingerprint=fingerprint)
        else:
            report.documents = keep
            report.passages = engine.remove_document(doc_id, texts, report.timings)
            report.build_dir = engine.key
    finally:
        engine.close()
    return report


@contextmanager
def change_lock(settings: EngineSettings) -> Iterator[None]:
    """One change to an index at a time, across processes (`govqa index --add` and the service's
    upload jobs alike): each reads the published build and writes the next from it."""
    index = Path(settings.index).absolute()
    index.parent.mkdir(parents=True, exist_ok=True)
    with open(index.parent / f".{index.name}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _rewrite(
    engine: LocalEngine, settings, report: BuildReport, embedder: Embedder, keep: list[Document], extra, texts: dict, note: str, fingerprint: str | None
) -> None:
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
    meta = {"corpus": {**index.manifest.get("corpus", {}), "fingerprint": fingerprint, "change": note}}
    write_index(settings, passages, report, embeddings, embedder, meta, texts)



