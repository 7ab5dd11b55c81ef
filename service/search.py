"""Hybrid search: dense (FAISS) and keyword (BM25) rankings fused, under the question's filters.

Fusion is a weighted sum, 0.3 · min-max(cosine) + 0.7 · BM25/max(BM25), over
each side's candidates. Measured on the gold sets in one run (`govqa eval`):
main.jsonl hit@1 0.969 / hit@5 1.000 against 0.890 / 0.987 for reciprocal-rank
fusion (k=60), which gives the weaker dense ranking as much say as the
keyword one; dev.jsonl 0.975 / 1.000 against 0.950 / 1.000. Dense keeps a
third of the say because it is what finds paraphrases that share no words
with the passage. RRF stays available (`fusion="rrf"`) for embedders whose
scores do not normalise well.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

from indexer.embedders import Embedder
from indexer.engines import Filters, SearchEngine
from indexer.passage import Hit, Passage
from indexer.synonyms import Synonyms
from indexer.textnorm import normalize_chars, to_simplified

from .query import ParsedQuery, QueryParser

MODES = ("fused", "dense", "keyword")
FUSIONS = ("rrf", "weighted")
RRF_K = 60
CANDIDATES = 100  # per ranking, before fusion
NEAR_DUPLICATE = 0.9  # bigram Jaccard above which two hits are the same passage
_KEY_NOISE = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z]")
# Passages kept read, with their bigrams: a search reads a few dozen, and the same ones come up
# again and again; a passage id names its content, so a kept one never goes stale.
PASSAGES_KEPT = 4096
V = TypeVar("V")


@dataclass
class SearchResult:
    query: str
    parsed: ParsedQuery
    hits: list[Hit]
    took_ms: float
    message: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)

    def hits_passages(self) -> list[Passage]:
        return [h.passage for h in self.hits]

    def public(self) -> dict[str, object]:
        body: dict[str, object] = {
            "query": self.query,
            "filters": self.parsed.filters(),
            "hits": [h.public() for h in self.hits],
            "took_ms": round(self.took_ms, 3),
        }
        if self.message:
            body["message"] = self.message
        return body


class LRU(Generic[V]):
    """A bounded, thread-safe least-recently-used map: the query embeddings (a repeated question
    skips the model) and the passages hits are made of (a passage found again is not read again)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: str, value: V) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


# Full-width digits, Latin letters, % and the ideographic space, as the documents write them
# (half-width); full-width Chinese punctuation (，？（）) stays, as in the documents.
_FULL_WIDTH = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for c in range(r[0], r[1] + 1)}
_FULL_WIDTH |= {0xFF05: ord("%"), 0x3000: ord(" "), 0xFF0E: ord(".")}


def normalize_question(q: str) -> str:
    """A question in the characters the index holds: full-width digits and letters made half-width,
    radical look-alikes mapped, 繁體 in 简体 — before anything else reads it."""
    return to_simplified(normalize_chars(q.translate(_FULL_WIDTH)))[0]


class Searcher:
    def __init__(
        self,
        engine: SearchEngine,
        embedder: Embedder,
        synonyms: Synonyms | None = None,
        cache_size: int = 4096,
        fusion: str = "weighted",
        dense_weight: float = 0.3,
    ) -> None:
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}")
        self.fusion, self.dense_weight = fusion, dense_weight
        built_with = engine.manifest["embedder"]["name"]
        if built_with != embedder.name:
            raise ValueError(f"index built with {built_with}, embedder is {embedder.name}")
        self.engine = engine
        self.embedder = embedder
        self.synonyms = synonyms or Synonyms.load()
        self.parser = QueryParser(engine.documents)
        self.cache: LRU[np.ndarray] = LRU(cache_size)
        self._read: LRU[tuple[Passage, set[str]]] = LRU(PASSAGES_KEPT)

    def dense_text(self, q: str, canonical: list[str] | None = None) -> str:
        """What the embedder sees: the question, with the long forms of its shorthand appended."""
        if canonical is None:
            _, canonical = self.synonyms.expand(q)
        return q if not canonical else f"{q}（{'、'.join(canonical)}）"

    def embed_query(self, text: str) -> np.ndarray:
        vector = self.cache.get(text)
        if vector is None:
            vector = self.embedder.embed_query(text)
            self.cache.put(text, vector)
        return vector

    def search(
        self,
        q: str,
        k: int = 10,
        district: str | None = None,
        year: int | None = None,
        doc_id: str | None = None,
        kind: str | None = None,
        mode: str = "fused",
    ) -> SearchResult:
        started = time.perf_counter()
        q = normalize_question(q)
        parsed = self.parser.parse(q, district=district, year=year, doc_id=doc_id, kind=kind)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        filters = Filters.of(parsed.districts, parsed.kind, parsed.doc_id, parsed.year)
        timings: dict[str, float] = {}
        extra, canonical = self.synonyms.expand(q)
        dense: list[tuple[str, float]] = []
        keyword: list[tuple[str, float]] = []
        if mode in ("fused", "dense"):
            clock = time.perf_counter()
            vector = self.embed_query(self.dense_text(q, canonical))
            timings["embed"] = (time.perf_counter() - clock) * 1000
            clock = time.perf_counter()
            dense = self.engine.dense(vector, CANDIDATES, filters)
            timings["dense"] = (time.perf_counter() - clock) * 1000
        if mode in ("fused", "keyword"):
            clock = time.perf_counter()
            tokens = self.engine.tokenizer(q)
            for word in extra:
                tokens.extend(self.engine.tokenizer(word))
            keyword = self.engine.keyword(tokens, CANDIDATES, filters)
            timings["keyword"] = (time.perf_counter() - clock) * 1000
        if not dense and not keyword and filters and not self.engine.count(filters):
            message = f"未找到{parsed.describe()}的相关内容：索引中没有{parsed.describe()}的文档"
            return SearchResult(q, parsed, [], (time.perf_counter() - started) * 1000, message)
        if mode == "fused":
            fused = _rrf([dense, keyword]) if self.fusion == "rrf" else _weighted(dense, keyword, self.dense_weight)
        else:
            fused = dict(dense or keyword)
        clock = time.perf_counter()
        hits = self._top(fused, k)
        timings["passages"] = (time.perf_counter() - clock) * 1000
        return SearchResult(q, parsed, hits, (time.perf_counter() - started) * 1000, timings_ms=timings)

    def _top(self, fused: dict[str, float], k: int) -> list[Hit]:
        """Best first, skipping passages that say the same as one already taken; passages are
        fetched a few more than still needed at a time, so most searches ask the engine once."""
        ranked = sorted(fused.items(), key=lambda item: -item[1])
        hits: list[Hit] = []
        taken: list[set[str]] = []
        start = 0
        while start < len(ranked) and len(hits) < k:
            batch = ranked[start : start + 2 * (k - len(hits)) + 2]
            start += len(batch)
            found = self._passages([pid for pid, _ in batch])
            for pid, score in batch:
                if pid not in found:
                    continue
                passage, grams = found[pid]
                if any(_jaccard(grams, other) >= NEAR_DUPLICATE for other in taken):
                    continue
                taken.append(grams)
                hits.append(Hit(passage, score))
                if len(hits) >= k:
                    break
        return hits

    def _passages(self, ids: list[str]) -> dict[str, tuple[Passage, set[str]]]:
        """Each id's passage and the character bigrams of its text, from those kept or the engine."""
        found = {}
        for pid in ids:
            kept = self._read.get(pid)
            if kept is not None:
                found[pid] = kept
        for passage in self.engine.passages([pid for pid in ids if pid not in found]) if len(found) < len(ids) else ():
            key = _KEY_NOISE.sub("", passage.text)
            found[passage.id] = kept = (passage, {key[i : i + 2] for i in range(len(key) - 1)})
            self._read.put(passage.id, kept)
        return found


def open_searcher(settings, embedder: Embedder | None = None, cache_size: int | None = None, fusion: str | None = None) -> Searcher:
    """The one way every entry point (serve, search, ask, eval, bench) opens a searcher from settings,
    so they search the same engine the same way."""
    from indexer.embedders import load_embedder
    from indexer.engines import open_engine

    embedder = embedder or load_embedder(settings.embedder)
    engine = open_engine(settings, embedder.name)
    return Searcher(
        engine,
        embedder,
        cache_size=settings.cache_size if cache_size is None else cache_size,
        fusion=fusion or settings.fusion,
    )


def _rrf(rankings: list[list[tuple[str, float]]]) -> dict[str, float]:
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, (pid, _) in enumerate(ranking, start=1):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank)
    return fused


def _weighted(dense: list[tuple[str, float]], keyword: list[tuple[str, float]], dense_weight: float) -> dict[str, float]:
    """w · min-max(cosine) + (1 − w) · BM25 / max(BM25), over each ranking's candidates."""
    fused: dict[str, float] = {}
    if dense:
        values = [v for _, v in dense]
        low = min(values)
        span = (max(values) - low) or 1.0
        for pid, value in dense:
            fused[pid] = dense_weight * (value - low) / span
    if keyword:
        top = max(v for _, v in keyword) or 1.0
        for pid, value in keyword:
            fused[pid] = fused.get(pid, 0.0) + (1.0 - dense_weight) * value / top
    return fused


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 1.0 if a == b else 0.0
    return len(a & b) / len(a | b)
