"""The index folder: written atomically, explained by its manifest, checked before use.

Layout of one build (all files listed with sha256 in manifest.json):
    manifest.json    version, corpus fingerprint, parser, embedder, stores, counts, checksums
    passages.jsonl   one Passage per line; line n is row n of the vector and keyword stores
    offsets.npy      byte offset of each line, so a passage is read on demand
    ids.npy          row → passage id; ids_sorted.npy, id_rows.npy: passage id → row (searched, memory-mapped)
    rows.npz         per row: district, kind, document and subject year as small codes (filters)
    ledger.npz, ledger.json, ledger_text.bin
                     the task rows with their owners as canonical-name codes, and their texts (the ledger)
    embeddings.npy   the passage vectors (float32), so adding a report embeds only its passages
    documents.json   indexed documents, skipped files and dropped duplicates
    texts.jsonl.gz   each document's letters and digits, so an added report is checked for duplicates as in a full build
    vectors.faiss    the vector store (flat, or IVF-SQ8 for large indexes)
    keyword/         the keyword index (bm25s files)
    terms.txt        the tokenizer's user dictionary

Publishing (the link swap) is in publish.py; reading rows in rows.py.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..engines import IndexLoadError
from ..keyword import KeywordIndex, load_keyword
from ..ledger import LedgerTable
from ..passage import Document, Passage
from ..tokenize import Tokenizer
from ..vectors import VectorStore, load_store
from .rows import PassageStore, RowTable

FORMAT_VERSION = 4


MANIFEST = "manifest.json"




@dataclass
class LoadedIndex:
    path: Path
    manifest: dict[str, Any]
    passages: Sequence[Passage]
    rows: RowTable
    documents: list[Document]
    skipped: list[dict[str, str]]
    duplicates: list[dict[str, Any]]
    vectors: VectorStore
    keyword: KeywordIndex
    tokenizer: Tokenizer
    ledger: LedgerTable

    @property
    def embedder_name(self) -> str:
        return self.manifest["embedder"]["name"]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_build(
    build: Path,
    passages: list[Passage],
    documents: list[Document],
    skipped: list[dict[str, str]],
    duplicates: list[dict[str, Any]],
    texts: dict[str, tuple[str, float]],
    embeddings: np.ndarray,
    vectors: VectorStore,
    keyword: KeywordIndex,
    tokenizer: Tokenizer,
    meta: dict[str, Any],
) -> dict[str, Any]:
    """Write every file of a build, then its manifest last (a build without one is unfinished)."""
    offsets = [0]
    with (build / "passages.jsonl").open("wb") as fh:
        for passage in passages:
            line = (json.dumps(passage.to_record(), ensure_ascii=False) + "\n").encode()
            fh.write(line)
            offsets.append(offsets[-1] + len(line))
    np.save(build / "offsets.npy", np.array(offsets, dtype=np.int64))
    with gzip.open(build / "texts.jsonl.gz", "wt", encoding="utf-8") as fh:
        for doc_id, (plain, broken) in sorted(texts.items()):
            fh.write(json.dumps({"doc_id": doc_id, "plain": plain, "broken_rate": broken}, ensure_ascii=False) + "\n")
    np.save(build / "embeddings.npy", np.ascontiguousarray(embeddings, dtype=np.float32))
    RowTable.of(passages).save(build)
    LedgerTable.of(passages).save(build)
    ids = np.array([p.id.encode() for p in passages], dtype=bytes)
    order = np.argsort(ids, kind="stable")
    np.save(build / "ids.npy", ids)
    np.save(build / "ids_sorted.npy", ids[order])
    np.save(build / "id_rows.npy", order.astype(np.int64))
    _write_json(
        build / "documents.json",
        {"documents": [d.public() for d in documents], "skipped": skipped, "duplicates": duplicates},
    )
    vectors.save(build / "vectors.faiss")
    keyword.save(build / "keyword")
    tokenizer.save_terms(build / "terms.txt")
    (build / ".pid").unlink(missing_ok=True)
    files = {}
    for path in sorted(p for p in build.rglob("*") if p.is_file()):
        rel = path.relative_to(build).as_posix()
        files[rel] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    manifest = {
        "format_version": FORMAT_VERSION,
        "build_id": build.name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **meta,
        "passages": len(passages),
        "documents": len(documents),
        "vector_store": vectors.settings(),
        "keyword_index": {"kind": keyword.kind, "tokenizer": "jieba-search+corpus-terms"},
        "engine": "local",
        "files": files,
    }
    _write_json(build / MANIFEST, manifest)
    fsync_dir(build)
    return manifest


def read_manifest(path: Path) -> dict[str, Any]:
    manifest_path = path / MANIFEST
    if not manifest_path.exists():
        raise IndexLoadError(f"索引目录 {path} 中没有 {MANIFEST}：请先运行 `govqa index` 建立索引")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexLoadError(f"{manifest_path} 无法读取或不是有效的 JSON（{exc}）") from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexLoadError(
            f"{manifest_path} 的索引格式版本为 {manifest.get('format_version')}，本程序需要 {FORMAT_VERSION}：请重新运行 `govqa index`"
        )
    return manifest


def verify_files(path: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists is present with its recorded size and checksum."""
    for rel, info in manifest.get("files", {}).items():
        file = path / rel
        if not file.exists():
            raise IndexLoadError(f"索引文件缺失：{file}")
        if file.stat().st_size != info["bytes"] or sha256_file(file) != info["sha256"]:
            raise IndexLoadError(f"索引文件已损坏或被修改（校验和不符）：{file}；请重新运行 `govqa index`")


def read_passages(path: Path) -> Sequence[Passage]:
    return PassageStore(path)


def load_index(path: Path, embedder_name: str | None = None) -> LoadedIndex:
    """Load and check an index; raise IndexLoadError naming what is wrong."""
    path = Path(path)
    if not path.exists():
        raise IndexLoadError(f"索引 {path} 不存在：请先运行 `govqa index` 建立索引")
    path = path.resolve()
    manifest = read_manifest(path)
    if embedder_name and manifest["embedder"]["name"] != embedder_name:
        raise IndexLoadError(
            f"索引 {path} 由向量模型 {manifest['embedder']['name']} 建立，当前配置的模型是 {embedder_name}："
            "请用同一模型服务，或用当前模型重新运行 `govqa index`"
        )
    verify_files(path, manifest)
    try:
        passages = PassageStore(path)
        rows = RowTable.load(path)
        docs = json.loads((path / "documents.json").read_text(encoding="utf-8"))
        vectors = load_store(manifest["vector_store"]["kind"], path / "vectors.faiss", manifest["vector_store"])
        keyword = load_keyword(manifest["keyword_index"]["kind"], path / "keyword")
        ledger = LedgerTable.load(path)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexLoadError(f"索引 {path} 无法加载（{type(exc).__name__}: {exc}）") from None
    if not (len(passages) == len(vectors) == len(rows.codes["year"]) == manifest["passages"]):
        raise IndexLoadError(f"索引 {path} 的段落数与向量行数不一致：请重新运行 `govqa index`")
    return LoadedIndex(
        path=path,
        manifest=manifest,
        passages=passages,
        rows=rows,
        documents=[Document.from_record(d) for d in docs["documents"]],
        skipped=docs.get("skipped", []),
        duplicates=docs.get("duplicates", []),
        vectors=vectors,
        keyword=keyword,
        tokenizer=Tokenizer.from_file(path / "terms.txt"),
        ledger=ledger,
    )


def load_texts(path: Path) -> dict[str, tuple[str, float]]:
    with gzip.open(Path(path) / "texts.jsonl.gz", "rt", encoding="utf-8") as fh:
        return {r["doc_id"]: (r["plain"], r["broken_rate"]) for r in map(json.loads, fh)}


def load_embeddings(path: Path) -> np.ndarray:
    """All embeddings, memory-mapped (for builds and benchmarks; the service reads rows with RowReader)."""
    return np.load(Path(path) / "embeddings.npy", mmap_mode="r")


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
