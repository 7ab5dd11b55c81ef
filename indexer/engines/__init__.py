"""One seam for "where passages live and are searched".

The service asks an engine for dense and keyword candidates under one frozen
`Filters` value, and for passages by id; it never sees row numbers, masks or
files. Fusion, query parsing and answering stay above the seam, so their
quality figures carry across engines, and one contract test runs against
every engine (tests/indexer/test_engines.py).

Two engines, one file each: `local` (the index folder: FAISS + bm25s) and
`milvus` (Milvus Lite here, a Milvus server or cluster in production). Every
entry point — `govqa serve`, `search`, `ask`, `eval`, `bench`, `index` —
opens them through `open_engine` / `writer` with the same `EngineSettings`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..ledger import LedgerTable
from ..passage import KIND_TASK_LIST, KIND_TASK_TABLE, Document, Passage
from ..tokenize import Tokenizer

ENGINES = ("local", "milvus")
Scored = list[tuple[str, float]]  # (passage id, score), best first


class IndexLoadError(RuntimeError):
    """An index that must not be served, with the reason and what is concerned."""


@dataclass(frozen=True)
class Filters:
    """What a search is restricted to; empty fields restrict nothing."""

    districts: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    doc_id: str | None = None
    year: int | None = None  # the year a passage is about (Passage.subject_year)

    @classmethod
    def of(cls, districts=None, kind: str | None = None, doc_id: str | None = None, year: int | None = None) -> Filters:
        """From a parsed question: a 分解方案 is a task table or a list-style plan alike."""
        kinds = (KIND_TASK_TABLE, KIND_TASK_LIST) if kind == KIND_TASK_TABLE else ((kind,) if kind else ())
        return cls(tuple(districts or ()), kinds, doc_id, year)

    def __bool__(self) -> bool:
        return bool(self.districts or self.kinds or self.doc_id or self.year is not None)


class SearchEngine(Protocol):
    """What the service searches. Ids are passage ids; scores are the engine's own
    (cosine for dense, BM25 for keyword), higher is better."""

    name: str  # "local" | "milvus"
    key: str  # identifies the published build served (a reload compares it)
    manifest: dict[str, Any]
    documents: list[Document]
    skipped: list[dict[str, str]]
    duplicates: list[dict[str, Any]]
    tokenizer: Tokenizer  # the build's tokenizer: queries are cut as passages were
    ledger: LedgerTable
    rows: Any  # RowTable: per-row codes (district, doc_id, kind, year) of the rows the ledger names
    by_row: Sequence[Passage]  # passages in document order, with records(rows) for bulk reads

    @property
    def size(self) -> int: ...

    def dense(self, vector: np.ndarray, k: int, filters: Filters) -> Scored: ...

    def keyword(self, tokens: list[str], k: int, filters: Filters) -> Scored: ...

    def passages(self, ids: Sequence[str]) -> list[Passage]:
        """The passages of `ids`, in that order (ids the engine does not hold are left out)."""
        ...

    def doc_freq(self, tokens: Sequence[str]) -> list[int]:
        """How many passages hold each token (for IDF weights above the seam)."""
        ...

    def count(self, filters: Filters) -> int: ...

    def close(self) -> None: ...


class EngineSettings(BaseSettings):
    """Where the index lives, read from GOVQA_* like every other setting."""

    model_config = SettingsConfigDict(env_prefix="GOVQA_", extra="ignore")

    engine: str = Field("local", description="local (the index folder) or milvus")
    index: Path = Field(Path("var/index"), description="index folder of the local engine (a link to the current build)")
    milvus_uri: str = Field("var/milvus.db", description="a file path runs Milvus Lite embedded; http(s)://host:19530 a Milvus server or cluster")
    milvus_token: str | None = Field(None, description="user:password or API key of a secured Milvus")
    milvus_db: str = Field("default", description="Milvus database")
    milvus_alias: str = Field("govqa", description="the name searched; each build is a collection <alias>_<build id>")
    milvus_tls_ca: str | None = Field(None, description="PEM of the CA or server certificate for https")
    milvus_tls_name: str | None = Field(None, description="server name in the certificate")
    milvus_shards: int = Field(1, ge=1, description="shards of a new collection")
    milvus_replicas: int = Field(1, ge=1, description="in-memory replicas when a collection is loaded")

    def model_post_init(self, _context: Any) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"GOVQA_ENGINE 必须是 {' 或 '.join(ENGINES)}，而不是 {self.engine!r}")

    def where(self) -> str:
        """Where the index is, for messages (no secrets)."""
        return str(self.index) if self.engine == "local" else f"Milvus {redact(self.milvus_uri)} · {self.milvus_alias}"


def redact(uri: str) -> str:
    """A URI without user:password."""
    if "://" in uri and "@" in uri.split("://", 1)[1].split("/", 1)[0]:
        scheme, rest = uri.split("://", 1)
        return f"{scheme}://{rest.split('@', 1)[1]}"
    return uri


@dataclass
class Build:
    """Everything an engine writes for one build, computed once above the seam."""

    passages: list[Passage]
    documents: list[Document]
    skipped: list[dict[str, str]]
    duplicates: list[dict[str, Any]]
    texts: dict[str, tuple[str, float]]  # doc_id → (letters and digits, broken rate), for duplicate checks on --add
    embeddings: np.ndarray
    tokenizer: Tokenizer
    tokens: list[list[str]]  # each passage's keyword tokens
    meta: dict[str, Any]  # parser, corpus, embedder, timings for the manifest
    probes: Any = None  # query embeddings (or a callable) to tune an approximate vector store on
    timings: dict[str, float] = field(default_factory=dict)


def open_engine(settings: EngineSettings, embedder_name: str | None = None) -> SearchEngine:
    """The published index, checked; IndexLoadError says what is wrong."""
    if settings.engine == "milvus":
        from .milvus import MilvusEngine

        return MilvusEngine.open(settings, embedder_name)
    from .local import LocalEngine

    return LocalEngine.open(settings.index, embedder_name)


def published_key(settings: EngineSettings) -> str | None:
    """What identifies the published build, cheaply (the watcher asks every few seconds)."""
    if settings.engine == "milvus":
        from .milvus import published_key as milvus_key

        return milvus_key(settings)
    try:
        return str(Path(settings.index).resolve(strict=True))
    except OSError:
        return None


def published_manifest(settings: EngineSettings) -> dict[str, Any] | None:
    """The published build's manifest, or None when there is none (or it cannot be read)."""
    if settings.engine == "milvus":
        from .milvus import published_manifest as milvus_manifest

        return milvus_manifest(settings)
    from ..index.folder import read_manifest

    try:
        return read_manifest(Path(settings.index))
    except Exception:  # noqa: BLE001 - any unreadable manifest means "rebuild"
        return None


def write(settings: EngineSettings, build: Build) -> str:
    """Write and publish a build; returns where it was written (a folder or a collection)."""
    if settings.engine == "milvus":
        from .milvus import write_build

        return write_build(settings, build)
    from .local import write_build

    return write_build(Path(settings.index), build)
