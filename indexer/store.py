"""The index folder: written atomically, explained by its manifest, checked before use.

Layout of one build (all files listed with sha256 in manifest.json):
    manifest.json    version, corpus fingerprint, parser, embedder, stores, counts, checksums
    passages.jsonl   one Passage per line; line n is row n of the vector and keyword stores
    offsets.npy      byte offset of each line, so a passage is read on demand
    row_ids.json     row → passage id, the map the stores' row numbers go through
    rows.npz         per row: district, kind, document and subject year as small codes (filters)
    ledger.npz, ledger.json, ledger_text.bin
                     the task rows with their owners as canonical-name codes, and their texts (the ledger)
    embeddings.npy   the passage vectors (float32), so adding a report embeds only its passages
    documents.json   indexed documents, skipped files and dropped duplicates
    texts.jsonl.gz   each document's letters and digits, so an added report is checked for duplicates as in a full build
    vectors.faiss    the vector store (flat, or IVF-SQ8 for large indexes)
    keyword/         the keyword index (bm25s files)
    terms.txt        the tokenizer's user dictionary

`var/index` is a symbolic link to the current build under `var/.index.builds/`.
A new build is written beside it and published by replacing the link in one
rename, so a reader sees the old index or the new one, never half of either;
a build killed on the way leaves only an unfinished folder that the next
build removes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from .keyword import KeywordIndex, load_keyword
from .ledger import LedgerTable
from .passage import Document, Passage
from .tokenize import Tokenizer
from .vectors import VectorStore, load_store

FORMAT_VERSION = 3
MANIFEST = "manifest.json"
KEEP_BUILDS = 2  # the current build and the one before, for a reader still loading it


class IndexLoadError(RuntimeError):
    """An index that must not be served, with the reason and the file concerned."""


class PassageStore(Sequence[Passage]):
    """The passages of an index, read from disk when asked for (an index may hold millions).

    Read with pread, not a memory map: a mapped file's pages count against the
    process once touched (the kernel maps whole page-cache folios around each
    read), while pread leaves them to the page cache.
    """

    def __init__(self, path: Path) -> None:
        self._offsets = np.load(path / "offsets.npy")
        self._fd = os.open(path / "passages.jsonl", os.O_RDONLY)

    def __del__(self) -> None:
        try:
            os.close(self._fd)
        except (OSError, AttributeError):
            pass

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        row = int(row)
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        return Passage.from_record(orjson.loads(os.pread(self._fd, end - start, start)))

    def records(self, rows: Sequence[int]) -> Iterator[dict[str, Any]]:
        """The stored records of ascending `rows`, without building Passages: rows next to each
        other are read in one call (an export reads thousands of them)."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        for run in np.split(rows, breaks):
            start, end = int(self._offsets[run[0]]), int(self._offsets[run[-1] + 1])
            block = os.pread(self._fd, end - start, start)
            for line in block.splitlines():
                yield orjson.loads(line)

    def __iter__(self) -> Iterator[Passage]:
        with open(self._fd, "rb", closefd=False) as fh:
            fh.seek(0)
            for line in fh:
                if line.strip():
                    yield Passage.from_record(orjson.loads(line))


class RowReader:
    """Rows of embeddings.npy read with pread, for rescoring a few candidates per query."""

    def __init__(self, path: Path) -> None:
        mapped = np.load(path, mmap_mode="r")
        self.shape, self.dtype, self._start = mapped.shape, mapped.dtype, mapped.offset
        self._row_bytes = int(np.prod(self.shape[1:])) * self.dtype.itemsize
        del mapped
        self._fd = os.open(path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        out = np.empty((len(rows), *self.shape[1:]), dtype=self.dtype)
        for i, row in enumerate(rows):
            buffer = os.pread(self._fd, self._row_bytes, self._start + int(row) * self._row_bytes)
            out[i] = np.frombuffer(buffer, dtype=self.dtype).reshape(self.shape[1:])
        return out

    def __del__(self) -> None:
        try:
            os.close(self._fd)
        except (OSError, AttributeError):
            pass


@dataclass
class RowTable:
    """Per-row codes for filtering without touching the passages."""

    vocab: dict[str, list[str]]  # field → the values its codes stand for
    codes: dict[str, np.ndarray]  # field → int32 code per row ("year" holds the year itself)

    FIELDS = ("district", "kind", "doc_id")

    @classmethod
    def of(cls, passages: Sequence[Passage]) -> RowTable:
        vocab, codes = {}, {}
        for name in cls.FIELDS:
            values = [getattr(p, name) for p in passages]
            vocab[name] = sorted(set(values))
            lookup = {v: i for i, v in enumerate(vocab[name])}
            codes[name] = np.array([lookup[v] for v in values], dtype=np.int32)
        codes["year"] = np.array([p.subject_year() or 0 for p in passages], dtype=np.int32)
        return cls(vocab, codes)

    def mask(self, name: str, wanted: Sequence[Any]) -> np.ndarray:
        if name == "year":
            return np.isin(self.codes["year"], list(wanted))
        lookup = {v: i for i, v in enumerate(self.vocab[name])}
        return np.isin(self.codes[name], [lookup[w] for w in wanted if w in lookup])

    def save(self, path: Path) -> None:
        np.savez(path / "rows.npz", **self.codes)
        _write_json(path / "rows_vocab.json", self.vocab)

    @classmethod
    def load(cls, path: Path) -> RowTable:
        with np.load(path / "rows.npz") as data:
            codes = {name: data[name] for name in data.files}
        return cls(json.loads((path / "rows_vocab.json").read_text(encoding="utf-8")), codes)


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


def builds_dir(target: Path) -> Path:
    return target.parent / f".{target.name}.builds"


def new_build_dir(target: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = builds_dir(target) / f"{stamp}-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    (path / ".pid").write_text(str(os.getpid()))  # tells a concurrent build this one is alive
    return path


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
    _write_json(build / "row_ids.json", [p.id for p in passages])
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
        "row_map": "row_ids.json",
        "files": files,
    }
    _write_json(build / MANIFEST, manifest)
    _fsync_dir(build)
    return manifest


def publish(build: Path, target: Path) -> None:
    """Make `target` point at `build` in one atomic step, then tidy old builds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    link_text = os.path.relpath(build, target.parent)
    if target.exists() and not target.is_symlink():
        # A plain folder from elsewhere: move it aside first (the only non-atomic case).
        aside = target.parent / f".{target.name}.replaced-{uuid.uuid4().hex[:8]}"
        target.rename(aside)
        shutil.rmtree(aside, ignore_errors=True)
    tmp = target.parent / f".{target.name}.link-{uuid.uuid4().hex[:8]}"
    os.symlink(link_text, tmp)
    os.replace(tmp, target)
    _fsync_dir(target.parent)
    prune_builds(target)


def prune_builds(target: Path) -> None:
    """Remove unfinished builds and all but the newest finished ones (never the current one)."""
    root = builds_dir(target)
    if not root.is_dir():
        return
    current = target.resolve() if target.exists() else None
    finished = sorted((p for p in root.iterdir() if (p / MANIFEST).exists()), key=lambda p: p.name)
    keep = set(finished[-KEEP_BUILDS:])
    for path in root.iterdir():
        if path == current or path in keep:
            continue
        if path.is_dir() and (path / MANIFEST).exists() or _is_abandoned(path):
            shutil.rmtree(path, ignore_errors=True)


def _is_abandoned(path: Path) -> bool:
    """An unfinished build whose writer is gone (older than an hour, or its pid is dead)."""
    return time.time() - path.stat().st_mtime > 3600 or not _writer_alive(path)


def _writer_alive(path: Path) -> bool:
    pid_file = path / ".pid"
    try:
        os.kill(int(pid_file.read_text()), 0)
        return True
    except (OSError, ValueError):
        return False


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


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
