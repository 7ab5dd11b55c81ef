"""The Milvus engine: every passage, its embedding and its BM25 tokens in one Milvus collection.

Milvus Lite (a file URI, embedded, for tests and one server) and a Milvus
server or cluster (http(s)://host:19530) are driven by the same MilvusClient
calls. What lives where:

- `<alias>_<build id>`, one collection per build: the passage id, its
  position (`ord`), the filter fields (district, kind, doc_id, year), its
  jieba tokens in a VARCHAR analysed by the whitespace tokenizer feeding a
  BM25 function (so keyword ranking is BM25 over the same tokens as the
  local engine, computed inside Milvus, with the same k1 and b), its
  embedding, and the whole passage record (a replica needs no local file).
- `<alias>_files`: the small derived files of each build (documents, the
  per-row codes and the ledger table, tokenizer terms, document
  frequencies, texts for duplicate checks), in base64 chunks, and one
  publish record per publish.

A build writes a new collection and publishes it by switching the alias (the
engine's own atomic swap) and writing a publish record; the previous
collection stays for rollback until the next successful publish. Milvus Lite
2.5 does not implement aliases (the RPC answers UNIMPLEMENTED): there the
newest publish record alone is the switch. Readers follow the alias where
there is one, else the newest record. `--add/--remove` change the live
collection in place and publish its derived files again.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..index.rows import RowTable
from ..ledger import LedgerTable
from ..passage import Document, Passage
from ..tokenize import Tokenizer
from . import Build, EngineSettings, Filters, IndexLoadError, Scored, redact

FORMAT_VERSION = 1
CHUNK_BYTES = 48_000  # base64 of it stays under VARCHAR's 65 535
MAX_TOKENS_CHARS = 60_000
INSERT_BATCH = 500
READ_BATCH = 1000
FLAT_MAX = 100_000
BM25 = {"bm25_k1": 1.5, "bm25_b": 0.75}  # bm25s's defaults, so both engines rank alike
TIMEOUT = 60.0
_clients: dict[tuple, Any] = {}
_clients_lock = threading.Lock()


# -- connecting ---------------------------------------------------------------------------------


def is_lite(uri: str) -> bool:
    return "://" not in uri and not uri.startswith("unix:")


def connect(settings: EngineSettings):
    """One client per server and database in a process (Milvus Lite allows one process per file)."""
    from pymilvus import MilvusClient
    from pymilvus.exceptions import MilvusException

    uri = settings.milvus_uri
    if is_lite(uri):
        path = Path(uri).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        uri = str(path)
    key = (uri, settings.milvus_token, settings.milvus_db, settings.milvus_tls_ca)
    with _clients_lock:
        client = _clients.get(key)
        if client is not None:
            return client
        options: dict[str, Any] = {"timeout": TIMEOUT}
        if settings.milvus_token:
            options["token"] = settings.milvus_token
        if settings.milvus_db != "default":
            options["db_name"] = settings.milvus_db
        if settings.milvus_tls_ca:
            options.update(secure=True, server_pem_path=settings.milvus_tls_ca)
        if settings.milvus_tls_name:
            options["server_name"] = settings.milvus_tls_name
        try:
            client = MilvusClient(uri, **options)
        except MilvusException as exc:
            if is_lite(settings.milvus_uri):
                raise IndexLoadError(
                    f"无法打开 Milvus Lite 数据文件 {uri}：它可能正被另一个进程使用（Milvus Lite 只允许一个进程打开，"
                    "例如正在运行的 govqa serve）。请先停止该进程，或改用 Milvus 服务器（GOVQA_MILVUS_URI=http://…）"
                ) from None
            raise IndexLoadError(f"无法连接 Milvus {redact(uri)}（{exc.message if hasattr(exc, 'message') else exc}）") from None
        _clients[key] = client
        return client


def _quote(value: str) -> str:
    """A string literal for a filter expression (JSON escaping: quotes and backslashes cannot end it)."""
    return json.dumps(str(value), ensure_ascii=False)


def expression(filters: Filters) -> str:
    """The filter as a Milvus boolean expression, evaluated inside the engine."""
    parts = []
    if filters.districts:
        parts.append(f"district in [{', '.join(map(_quote, filters.districts))}]")
    if filters.kinds:
        parts.append(f"kind in [{', '.join(map(_quote, filters.kinds))}]")
    if filters.doc_id:
        parts.append(f"doc_id == {_quote(filters.doc_id)}")
    if filters.year is not None:
        parts.append(f"year == {int(filters.year)}")
    return " and ".join(parts)


# -- where the published build is -----------------------------------------------------------------


def files_collection(settings: EngineSettings) -> str:
    return f"{settings.milvus_alias}_files"


_has_aliases: dict[int, bool] = {}


def has_aliases(client) -> bool:
    """Whether this Milvus implements aliases: a server does, Milvus Lite 2.5 (embedded or served
    over TCP) answers UNIMPLEMENTED. Asked once per client, with pymilvus's error log silenced."""
    known = _has_aliases.get(id(client))
    if known is None:
        logger = logging.getLogger("pymilvus")
        level = logger.level
        logger.setLevel(logging.CRITICAL)
        try:
            client.describe_alias("govqa_probe_no_such_alias")
            known = True
        except Exception as exc:  # noqa: BLE001 - "alias not found" on a server
            known = "UNIMPLEMENTED" not in str(exc)
        finally:
            logger.setLevel(level)
        _has_aliases[id(client)] = known
    return known


def _alias_target(client, settings: EngineSettings) -> str | None:
    """The collection the alias points at; None where there is none yet, or no aliases at all."""
    if not has_aliases(client):
        return None
    try:
        return client.describe_alias(settings.milvus_alias).get("collection_name")
    except Exception:  # noqa: BLE001 - no such alias yet
        return None


def _publishes(client, settings: EngineSettings) -> list[dict[str, Any]]:
    files = files_collection(settings)
    if not client.has_collection(files):
        return []
    rows = client.query(files, filter='name == "publish"', output_fields=["collection", "version", "data"])
    return sorted(rows, key=lambda r: r["version"])


def current(client, settings: EngineSettings) -> tuple[str, int, dict[str, Any]] | None:
    """(collection, files version, manifest) of the published build: the alias's collection where
    the alias exists, else the newest publish record."""
    records = _publishes(client, settings)
    target = _alias_target(client, settings)
    if target is not None:
        records = [r for r in records if r["collection"] == target]
    if not records:
        return None
    last = records[-1]
    return last["collection"], int(last["version"]), json.loads(last["data"])


def published_key(settings: EngineSettings) -> str | None:
    found = current(connect(settings), settings)
    return None if found is None else f"{found[0]}@{found[1]}"


def published_manifest(settings: EngineSettings) -> dict[str, Any] | None:
    try:
        found = current(connect(settings), settings)
    except Exception:  # noqa: BLE001 - unreachable or unreadable: treated as "no index"
        return None
    return None if found is None else found[2]


# -- writing ------------------------------------------------------------------------------------


def _schema(client, dim: int):
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=256)
    schema.add_field("ord", DataType.INT64)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=256)
    schema.add_field("district", DataType.VARCHAR, max_length=128)
    schema.add_field("kind", DataType.VARCHAR, max_length=64)
    schema.add_field("year", DataType.INT64)
    schema.add_field("tokens", DataType.VARCHAR, max_length=65_535, enable_analyzer=True, analyzer_params={"tokenizer": "whitespace"})
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("record", DataType.JSON)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["tokens"], output_field_names=["sparse"]))
    return schema


def _vector_index(settings: EngineSettings, rows: int) -> dict[str, Any]:
    """FLAT (exact) on Milvus Lite, which has no other, and below FLAT_MAX rows; HNSW above on a server."""
    if is_lite(settings.milvus_uri) or rows < FLAT_MAX:
        return {"index_type": "FLAT", "metric_type": "IP", "params": {}}
    return {"index_type": "HNSW", "metric_type": "IP", "params": {"M": 16, "efConstruction": 200}}


def _create_collection(client, settings: EngineSettings, name: str, dim: int, rows: int) -> dict[str, Any]:
    vector = _vector_index(settings, rows)
    params = client.prepare_index_params()
    params.add_index("vector", **vector)
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25)
    params.add_index("doc_id", index_type="INVERTED")
    params.add_index("district", index_type="INVERTED")
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "created": time.time()}
    client.create_collection(
        name, schema=_schema(client, dim), index_params=params, num_shards=settings.milvus_shards,
        description=json.dumps(owner), consistency_level="Strong",
    )  # fmt: skip
    return vector


def _ensure_files(client, settings: EngineSettings) -> str:
    from pymilvus import DataType

    name = files_collection(settings)
    if client.has_collection(name):
        return name
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=512)
    schema.add_field("collection", DataType.VARCHAR, max_length=256)
    schema.add_field("name", DataType.VARCHAR, max_length=128)
    schema.add_field("version", DataType.INT64)
    schema.add_field("chunk", DataType.INT64)
    schema.add_field("data", DataType.VARCHAR, max_length=65_535)
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector field in every collection
    params = client.prepare_index_params()
    params.add_index("v", index_type="FLAT", metric_type="L2")
    client.create_collection(name, schema=schema, index_params=params, consistency_level="Strong")
    return name


def _row(passage: Passage, ord_: int, tokens: list[str], vector: np.ndarray) -> dict[str, Any]:
    text = " ".join(tokens)
    if len(text) > MAX_TOKENS_CHARS:  # a passage beyond the field's size keeps its first tokens
        text = text[:MAX_TOKENS_CHARS].rsplit(" ", 1)[0]
    return {
        "id": passage.id,
        "ord": ord_,
        "doc_id": passage.doc_id,
        "district": passage.district or "",
        "kind": passage.kind,
        "year": passage.subject_year() or 0,
        "tokens": text or "∅",  # an empty text has no BM25 terms either way; "∅" is no query token
        "vector": np.asarray(vector, dtype=np.float32).tolist(),
        "record": passage.to_record(),
    }


def _insert(client, name: str, rows: Iterable[dict[str, Any]]) -> int:
    batch: list[dict[str, Any]] = []
    count = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= INSERT_BATCH:
            client.insert(name, batch)
            count += len(batch)
            batch = []
    if batch:
        client.insert(name, batch)
        count += len(batch)
    return count


def _count(client, name: str, expr: str = "") -> int:
    return int(client.query(name, filter=expr, output_fields=["count(*)"])[0]["count(*)"])


def derived_files(
    passages: Sequence[Passage],
    tokens: Sequence[Sequence[str]],
    documents: Sequence[Document],
    skipped: list[dict[str, str]],
    duplicates: list[dict[str, Any]],
    texts: dict[str, tuple[str, float]],
    terms: Iterable[str],
    ords: Sequence[int],
) -> dict[str, bytes]:
    """The small files a reader needs beside the collection, as the local folder has them."""
    with tempfile.TemporaryDirectory(prefix="govqa-milvus-") as tmp:
        folder = Path(tmp)
        RowTable.of(passages).save(folder)
        LedgerTable.of(passages).save(folder)
        Tokenizer(list(terms)).save_terms(folder / "terms.txt")
        np.save(folder / "ords.npy", np.asarray(ords, dtype=np.int64))
        out = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    df = Counter(t for toks in tokens for t in set(toks))
    out["df.json"] = json.dumps(df, ensure_ascii=False).encode()
    out["documents.json"] = json.dumps(
        {"documents": [d.public() for d in documents], "skipped": skipped, "duplicates": duplicates}, ensure_ascii=False
    ).encode()
    lines = (json.dumps({"doc_id": k, "plain": v[0], "broken_rate": v[1]}, ensure_ascii=False) for k, v in sorted(texts.items()))
    out["texts.jsonl.gz"] = gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)
    return out


def _write_files(client, settings: EngineSettings, collection: str, version: int, files: dict[str, bytes]) -> dict[str, Any]:
    name = _ensure_files(client, settings)
    rows, listing = [], {}
    for fname, data in sorted(files.items()):
        listing[fname] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for i in range(0, max(len(data), 1), CHUNK_BYTES):
            rows.append({
                "id": f"{collection}/{version}/{fname}/{i // CHUNK_BYTES}", "collection": collection, "name": fname,
                "version": version, "chunk": i // CHUNK_BYTES, "data": base64.b64encode(data[i : i + CHUNK_BYTES]).decode(), "v": [0.0, 0.0],
            })  # fmt: skip
    _insert(client, name, rows)
    return listing


def _read_files(client, settings: EngineSettings, collection: str, version: int, listing: dict[str, Any], folder: Path) -> None:
    name = files_collection(settings)
    rows = client.query(
        name, filter=f"collection == {_quote(collection)} and version == {int(version)} and name != \"publish\"",
        output_fields=["name", "chunk", "data"],
    )  # fmt: skip
    parts: dict[str, list[tuple[int, bytes]]] = {}
    for r in rows:
        parts.setdefault(r["name"], []).append((r["chunk"], base64.b64decode(r["data"])))
    for fname, info in listing.items():
        data = b"".join(chunk for _, chunk in sorted(parts.get(fname, [])))
        if len(data) != info["bytes"] or hashlib.sha256(data).hexdigest() != info["sha256"]:
            raise IndexLoadError(f"Milvus 中集合 {collection} 的文件 {fname} 缺失或与清单不符：请重新运行 `govqa index`")
        (folder / fname).write_bytes(data)


def _publish(client, settings: EngineSettings, collection: str, version: int, manifest: dict[str, Any]) -> None:
    """Switch the alias (where Milvus has aliases), then record the publish (always)."""
    if has_aliases(client):  # else (Milvus Lite) the publish record alone is the switch
        if _alias_target(client, settings) is None:
            client.create_alias(collection, settings.milvus_alias)
        else:
            client.alter_alias(collection, settings.milvus_alias)
    record = {
        "id": f"publish/{collection}/{version}", "collection": collection, "name": "publish", "version": version,
        "chunk": 0, "data": json.dumps(manifest, ensure_ascii=False), "v": [0.0, 0.0],
    }  # fmt: skip
    client.insert(files_collection(settings), [record])


def _next_version() -> int:
    return time.time_ns() // 1000


def _manifest(settings: EngineSettings, collection: str, version: int, build_meta: dict, passages: int, documents: int, vector: dict, files: dict) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "engine": "milvus",
        "uri": redact(settings.milvus_uri),
        "database": settings.milvus_db,
        "collection": collection,
        "alias": settings.milvus_alias,
        "build_id": collection,
        "files_version": version,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **build_meta,
        "passages": passages,
        "documents": documents,
        "vector_store": {"kind": f"milvus-{vector['index_type'].lower()}", "metric": "inner_product", **vector["params"]},
        "keyword_index": {"kind": "milvus-bm25", "tokenizer": "jieba-search+corpus-terms", **BM25},
        "files": files,
    }


def write_build(settings: EngineSettings, build: Build) -> str:
    """A new collection with every passage, its files, then the publish; older builds are pruned."""
    client = connect(settings)
    previous = current(client, settings)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    name = f"{settings.milvus_alias}_{stamp}_{uuid.uuid4().hex[:8]}"
    clock = time.perf_counter()
    vector = _create_collection(client, settings, name, build.embeddings.shape[1], len(build.passages))
    rows = (_row(p, i, toks, v) for i, (p, toks, v) in enumerate(zip(build.passages, build.tokens, build.embeddings, strict=True)))
    _insert(client, name, rows)
    client.flush(name)
    client.load_collection(name, replica_number=settings.milvus_replicas)
    stored = _count(client, name)
    if stored != len(build.passages):
        raise IndexLoadError(f"Milvus 集合 {name} 写入了 {stored} 段，应为 {len(build.passages)} 段；已发布的索引未改变")
    build.timings["milvus"] = time.perf_counter() - clock
    version = _next_version()
    files = derived_files(
        build.passages, build.tokens, build.documents, build.skipped, build.duplicates, build.texts, build.tokenizer.terms, range(len(build.passages))
    )
    listing = _write_files(client, settings, name, version, files)
    meta = {**build.meta, "timings_s": {k: round(v, 3) for k, v in build.timings.items()}}
    manifest = _manifest(settings, name, version, meta, len(build.passages), len(build.documents), vector, listing)
    _publish(client, settings, name, version, manifest)
    prune(client, settings, keep={name, *([previous[0]] if previous else [])})
    return name


def prune(client, settings: EngineSettings, keep: set[str]) -> None:
    """Drop this alias's collections other than `keep` (the current one and the one before, kept for
    rollback) — except a build still being written by a live process — and their files."""
    prefix = f"{settings.milvus_alias}_"
    files = files_collection(settings)
    for name in client.list_collections():
        if not name.startswith(prefix) or name == files or name in keep or not name[len(prefix) :][:1].isdigit():
            continue
        if _being_written(client, name):
            continue
        client.drop_collection(name)
        if client.has_collection(files):
            client.delete(files, filter=f"collection == {_quote(name)}")
    if client.has_collection(files):  # older file versions of the kept collections
        for name in keep:
            versions = sorted({r["version"] for r in client.query(files, filter=f"collection == {_quote(name)} and name == \"publish\"", output_fields=["version"])})
            for old in versions[:-1]:
                client.delete(files, filter=f"collection == {_quote(name)} and version == {int(old)}")


def _being_written(client, name: str) -> bool:
    """A collection no publish names yet, whose writer is alive on this host (or, elsewhere, young)."""
    try:
        owner = json.loads(client.describe_collection(name).get("description") or "{}")
    except (ValueError, TypeError):
        return False
    if owner.get("host") == socket.gethostname():
        try:
            os.kill(int(owner.get("pid", 0)), 0)
            return owner.get("pid") != os.getpid()
        except (OSError, ValueError):
            return False
    return time.time() - float(owner.get("created", 0)) < 3600


# -- reading ------------------------------------------------------------------------------------


class MilvusRows(Sequence[Passage]):
    """Passages by position (document order), read from the collection through the ords file."""

    def __init__(self, client, collection: str, ords: np.ndarray) -> None:
        self._client, self._collection, self._ords = client, collection, ords

    def __len__(self) -> int:
        return len(self._ords)

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [Passage.from_record(r) for r in self.records(range(*row.indices(len(self))))]
        row = int(row)
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        return Passage.from_record(next(iter(self.records([row]))))

    def records(self, rows: Sequence[int]) -> Iterator[dict[str, Any]]:
        """The stored records of `rows`, in that order, a thousand per query."""
        rows = np.asarray(rows, dtype=np.int64)
        for start in range(0, len(rows), READ_BATCH):
            wanted = [int(o) for o in self._ords[rows[start : start + READ_BATCH]]]
            found = self._client.query(self._collection, filter=f"ord in {wanted}", output_fields=["ord", "record"])
            by_ord = {r["ord"]: r["record"] for r in found}
            yield from (by_ord[o] for o in wanted if o in by_ord)

    def __iter__(self) -> Iterator[Passage]:
        for start in range(0, len(self), READ_BATCH):
            yield from (Passage.from_record(r) for r in self.records(range(start, min(start + READ_BATCH, len(self)))))


class MilvusEngine:
    name = "milvus"

    def __init__(self, client, settings: EngineSettings, collection: str, version: int, manifest: dict[str, Any], folder: Path) -> None:
        self._client, self.settings = client, settings
        self.collection, self.version, self.manifest = collection, version, manifest
        self.key = f"{collection}@{version}"
        docs = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
        self.documents = [Document.from_record(d) for d in docs["documents"]]
        self.skipped, self.duplicates = docs.get("skipped", []), docs.get("duplicates", [])
        self.tokenizer = Tokenizer.from_file(folder / "terms.txt")
        self.rows = RowTable.load(folder)
        self.ledger = LedgerTable.load(folder)
        self.by_row = MilvusRows(client, collection, np.load(folder / "ords.npy"))
        self._df: dict[str, int] = json.loads((folder / "df.json").read_text(encoding="utf-8"))
        self._folder = folder
        self._cleanup = weakref.finalize(self, shutil.rmtree, folder, True)

    @classmethod
    def open(cls, settings: EngineSettings, embedder_name: str | None = None) -> MilvusEngine:
        client = connect(settings)
        where = f"Milvus {redact(settings.milvus_uri)}（别名 {settings.milvus_alias}）"
        found = current(client, settings)
        if found is None:
            raise IndexLoadError(f"{where} 中还没有已发布的索引：请先以 GOVQA_ENGINE=milvus 运行 `govqa index`")
        collection, version, manifest = found
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexLoadError(f"{where} 的索引格式版本为 {manifest.get('format_version')}，本程序需要 {FORMAT_VERSION}：请重新运行 `govqa index`")
        built_with = manifest["embedder"]["name"]
        if embedder_name and built_with != embedder_name:
            raise IndexLoadError(
                f"{where} 的索引由向量模型 {built_with} 建立，当前配置的模型是 {embedder_name}：请用同一模型服务，或用当前模型重新运行 `govqa index`"
            )
        if not client.has_collection(collection):
            raise IndexLoadError(f"{where}：清单指向的集合 {collection} 不存在：请重新运行 `govqa index`")
        client.load_collection(collection, replica_number=settings.milvus_replicas)
        stored = _count(client, collection)
        fields = {f["name"]: f for f in client.describe_collection(collection)["fields"]}
        dim = (fields.get("vector") or {}).get("params", {}).get("dim")
        if stored != manifest["passages"] or int(dim or 0) != int(manifest["embedder"]["dim"]):
            raise IndexLoadError(
                f"{where}：集合 {collection} 与清单不符（清单 {manifest['passages']} 段、{manifest['embedder']['dim']} 维，"
                f"集合中 {stored} 段、{dim} 维）：请重新运行 `govqa index`"
            )
        folder = Path(tempfile.mkdtemp(prefix="govqa-milvus-"))
        try:
            _read_files(client, settings, collection, version, manifest["files"], folder)
            return cls(client, settings, collection, version, manifest, folder)
        except (OSError, ValueError, KeyError) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise IndexLoadError(f"{where} 的索引文件无法读取（{type(exc).__name__}: {exc}）") from None
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    @property
    def size(self) -> int:
        return int(self.manifest["passages"])

    def _search(self, data, field: str, metric: str, k: int, filters: Filters) -> Scored:
        params: dict[str, Any] = {"metric_type": metric}
        if self.manifest["vector_store"]["kind"] == "milvus-hnsw" and field == "vector":
            params["params"] = {"ef": max(k, 128)}
        found = self._client.search(self.collection, data=data, anns_field=field, limit=k, filter=expression(filters), search_params=params)
        return [(hit["id"], float(hit["distance"])) for hit in found[0]]

    def dense(self, vector: np.ndarray, k: int, filters: Filters) -> Scored:
        return self._search([np.asarray(vector, dtype=np.float32).ravel().tolist()], "vector", "IP", k, filters)

    def keyword(self, tokens: list[str], k: int, filters: Filters) -> Scored:
        known = [t for t in tokens if t in self._df]  # as the local engine: words no passage holds say nothing
        if not known:
            return []
        return [(pid, s) for pid, s in self._search([" ".join(known)], "sparse", "BM25", k, filters) if s > 0]

    def passages(self, ids: Sequence[str]) -> list[Passage]:
        if not ids:
            return []
        found = {r["id"]: r["record"] for r in self._client.get(self.collection, ids=list(ids), output_fields=["record"])}
        return [Passage.from_record(found[i]) for i in ids if i in found]

    def doc_freq(self, tokens: Sequence[str]) -> list[int]:
        return [self._df.get(t, 0) for t in tokens]

    def count(self, filters: Filters) -> int:
        return _count(self._client, self.collection, expression(filters))

    def texts(self) -> dict[str, tuple[str, float]]:
        with gzip.open(self._folder / "texts.jsonl.gz", "rt", encoding="utf-8") as fh:
            return {r["doc_id"]: (r["plain"], r["broken_rate"]) for r in map(json.loads, fh) if r}

    def close(self) -> None:
        self._cleanup()

    # -- changing the live collection -------------------------------------------------------------

    def add_document(self, document: Document, passages: list[Passage], embeddings: np.ndarray, texts: dict, timings: dict) -> int:
        """Insert one document's passages (replacing an earlier version of it), then publish the derived files."""
        from ..build import corpus_terms

        clock = time.perf_counter()
        self._client.delete(self.collection, filter=f"doc_id == {_quote(document.doc_id)}")
        start = int(self.by_row._ords.max()) + 1 if len(self.by_row) else 0
        tokenizer = Tokenizer(set(self.tokenizer.terms) | corpus_terms(passages))
        rows = (_row(p, start + i, tokenizer(p.search_text()), v) for i, (p, v) in enumerate(zip(passages, embeddings, strict=True)))
        _insert(self._client, self.collection, rows)
        documents = sorted([*(d for d in self.documents if d.doc_id != document.doc_id), document], key=lambda d: d.doc_id)
        count = self._republish(documents, texts, tokenizer.terms, f"added {document.doc_id}")
        timings["milvus"] = time.perf_counter() - clock
        return count

    def remove_document(self, doc_id: str, texts: dict, timings: dict) -> int:
        clock = time.perf_counter()
        self._client.delete(self.collection, filter=f"doc_id == {_quote(doc_id)}")
        documents = [d for d in self.documents if d.doc_id != doc_id]
        count = self._republish(documents, texts, self.tokenizer.terms, f"removed {doc_id}")
        timings["milvus"] = time.perf_counter() - clock
        return count

    def _stream(self) -> Iterator[tuple[Passage, int, list[str]]]:
        """Every passage in the collection now, with its ord and tokens (in no particular order)."""
        iterator = self._client.query_iterator(self.collection, batch_size=READ_BATCH, filter="", output_fields=["ord", "record", "tokens"])
        try:
            while batch := iterator.next():
                for r in batch:
                    yield Passage.from_record(r["record"]), int(r["ord"]), [t for t in r["tokens"].split(" ") if t != "∅"]
        finally:
            iterator.close()

    def _republish(self, documents: list[Document], texts: dict, terms, note: str) -> int:
        self._client.flush(self.collection)
        rank = {d.doc_id: i for i, d in enumerate(documents)}
        rows = sorted(self._stream(), key=lambda r: (rank.get(r[0].doc_id, len(rank)), r[1]))
        passages = [p for p, _, _ in rows]
        version = _next_version()
        files = derived_files(passages, [t for _, _, t in rows], documents, self.skipped, [], texts, terms, [o for _, o, _ in rows])
        listing = _write_files(self._client, self.settings, self.collection, version, files)
        meta = {k: v for k, v in self.manifest.items() if k in ("parser_version", "embedder")}
        meta["corpus"] = {**self.manifest.get("corpus", {}), "fingerprint": None, "change": note}
        vector = {"index_type": self.manifest["vector_store"]["kind"].removeprefix("milvus-").upper(), "params": {}}
        manifest = _manifest(self.settings, self.collection, version, meta, len(passages), len(documents), vector, listing)
        _publish(self._client, self.settings, self.collection, version, manifest)
        prune(self._client, self.settings, keep={self.collection, *self._previous()})
        return len(passages)

    def _previous(self) -> list[str]:
        names = [r["collection"] for r in _publishes(self._client, self.settings) if r["collection"] != self.collection]
        return names[-1:]

