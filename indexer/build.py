"""Build an index from report files: parse, drop duplicates, embed, write, publish.

One bad file never stops a build: it is skipped with its reason. A build
that ends with nothing to index, or fails on the way, leaves the published
index as it was.
"""

from __future__ import annotations

import hashlib
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .dedup import Duplicate, find_duplicates
from .embedders import Embedder, load_embedder
from .keyword import build_keyword
from .parse import PARSER_VERSION, ParsedDocument, parse_source, rename_title
from .passage import ROLE_GLOSSARY, Document, Passage
from .readers import SUPPORTED_SUFFIXES, SkipFile, read_source
from .store import load_embeddings, load_index, load_texts, new_build_dir, publish, read_manifest, write_build
from .synonyms import Synonyms
from .tokenize import Tokenizer
from .vectors import build_store

EMBED_BATCH = 32
KEYWORD_INDEX = "bm25s"


class BuildError(RuntimeError):
    """A build that produced nothing to publish; the published index is untouched."""


@dataclass
class BuildReport:
    index_dir: Path
    build_dir: Path | None = None
    documents: list[Document] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    passages: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    up_to_date: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "index": str(self.index_dir),
            "up_to_date": self.up_to_date,
            "documents": [d.public() for d in self.documents],
            "passages": self.passages,
            "skipped": self.skipped,
            "duplicates": [asdict(d) for d in self.duplicates],
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
        }

    def summary(self) -> str:
        if self.up_to_date:
            return f"索引已是最新：{self.index_dir}（语料、解析器和模型均未变化）"
        lines = [f"索引已写入 {self.index_dir}：{len(self.documents)} 份文档，{self.passages} 个段落"]
        for d in self.documents:
            lines.append(f"  {d.doc_id}  {d.title}（{d.district or '区县未识别'}，{d.year or '年份未识别'}）")
            lines.append(f"    {d.describe()}")
            lines.extend(f"    注意：{note}" for note in d.notes)
        if self.duplicates:
            lines.append(f"去除重复文档 {len(self.duplicates)} 份：")
            lines.extend(f"  {d.dropped}：{d.reason}" for d in self.duplicates)
        if self.skipped:
            lines.append(f"跳过文件 {len(self.skipped)} 个：")
            lines.extend(f"  {s['file']}：{s['reason']}" for s in self.skipped)
        timing = "，".join(f"{k} {v:.1f}s" for k, v in self.timings.items())
        lines.append(f"用时：{timing}")
        return "\n".join(lines)


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[dict[str, str]]]:
    """Files named, and the files in folders named (recursively, hidden ones left out).

    A link whose file is gone is listed too, so that the summary says it was skipped and why."""
    files, missing = [], []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if (p.is_file() or (p.is_symlink() and not p.exists())) and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append({"file": str(path), "reason": "路径不存在"})
    return files, missing


def corpus_fingerprint(files: list[Path]) -> str:
    """What the index was built from: every input file's name and content."""
    digest = hashlib.sha256(f"parser={PARSER_VERSION}".encode())
    for path in sorted(files, key=lambda p: p.name):
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            try:
                digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
            except OSError:
                continue
    return digest.hexdigest()


def is_up_to_date(paths: Iterable[Path], index_dir: Path, embedder_name: str) -> bool:
    files, _ = collect_files(paths)
    try:
        manifest = read_manifest(Path(index_dir))
    except Exception:
        return False
    return (
        manifest.get("corpus", {}).get("fingerprint") == corpus_fingerprint(files)
        and manifest.get("parser_version") == PARSER_VERSION
        and manifest.get("embedder", {}).get("name") == embedder_name
    )


def ocr_cache_for(index_dir: Path) -> Path:
    """OCR results live beside the index (var/ocr-cache for var/index), so every build shares them."""
    return Path(index_dir).resolve().parent / "ocr-cache"


def parse_files(files: list[Path], ocr_cache: Path | None = None, progress: bool = False) -> tuple[list[ParsedDocument], list[dict[str, str]]]:
    parsed: list[ParsedDocument] = []
    skipped: list[dict[str, str]] = []
    seen_ids: dict[str, Path] = {}
    for path in files:
        try:
            source = read_source(path, ocr_cache=ocr_cache, progress=progress)
            if source.doc_id in seen_ids:
                raise SkipFile(f"与 {seen_ids[source.doc_id].name} 的文档编号（文件名）相同")
            doc = parse_source(source)
            if not doc.passages:
                raise SkipFile("没有解析出任何段落（不像是一份报告或任务表）")
        except SkipFile as exc:
            skipped.append({"file": str(path), "reason": str(exc)})
            continue
        except Exception as exc:  # noqa: BLE001 - one broken file must not stop the build
            skipped.append({"file": str(path), "reason": f"解析失败（{type(exc).__name__}: {exc}）"})
            continue
        seen_ids[source.doc_id] = path
        parsed.append(doc)
    return parsed, skipped


def resolve_corpus(parsed: list[ParsedDocument]) -> tuple[list[ParsedDocument], list[Duplicate]]:
    """Drop degraded duplicates, and make titles (so citations) unique across documents."""
    duplicates = find_duplicates([(p.document.doc_id, p.plain, p.broken_rate) for p in parsed])
    dropped = {d.dropped for d in duplicates}
    kept = sorted((p for p in parsed if p.document.doc_id not in dropped), key=lambda p: p.document.doc_id)
    titles: dict[str, int] = {}
    for p in kept:
        titles[p.document.title] = titles.get(p.document.title, 0) + 1
    for p in kept:
        if titles[p.document.title] > 1:
            p.passages, p.document = rename_title(p.passages, p.document, f"{p.document.title}（{p.document.doc_id}）")
    return kept, duplicates


def corpus_terms(passages: list[Passage]) -> set[str]:
    """Words the tokenizer must keep whole: owners, places, glossary terms, group names."""
    terms: set[str] = set()
    for p in passages:
        terms.update(p.departments)
        terms.update(p.areas)
        terms.update(p.leaders)
        if p.role == ROLE_GLOSSARY and p.section:
            terms.add(p.citation.rsplit(" · ", 1)[-1])
    return terms


def embed_all(embedder: Embedder, texts: list[str], progress: bool) -> np.ndarray:
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(texts), desc="向量化", unit="段", file=sys.stderr, dynamic_ncols=True)
    for start in range(0, len(texts), EMBED_BATCH):
        batch = texts[start : start + EMBED_BATCH]
        vectors[start : start + len(batch)] = embedder.embed_passages(batch)
        if bar:
            bar.update(len(batch))
    if bar:
        bar.close()
    return vectors


def build_index(
    paths: Iterable[Path],
    index_dir: Path,
    embedder: Embedder | None = None,
    progress: bool = True,
    if_stale: bool = False,
    log: Callable[[str], None] = lambda _: None,
    ocr_cache: Path | None = None,
) -> BuildReport:
    """Parse, embed and publish; `ocr_cache` defaults to ocr-cache beside the index folder."""
    paths = [Path(p) for p in paths]
    index_dir = Path(index_dir)
    report = BuildReport(index_dir=index_dir)
    clock = time.perf_counter()
    files, missing = collect_files(paths)
    report.skipped.extend(missing)
    if not files:
        raise BuildError(f"在 {', '.join(map(str, paths))} 中没有找到报告文件")
    embedder = embedder or load_embedder()
    if if_stale and is_up_to_date(paths, index_dir, embedder.name):
        report.up_to_date = True
        return report
    log(f"解析 {len(files)} 个文件……")
    parsed, skipped = parse_files(files, ocr_cache or ocr_cache_for(index_dir), progress)
    report.skipped.extend(skipped)
    kept, report.duplicates = resolve_corpus(parsed)
    passages = [p for doc in kept for p in doc.passages]
    report.documents = [doc.document for doc in kept]
    report.passages = len(passages)
    report.timings["parse"] = time.perf_counter() - clock
    if not passages:
        raise BuildError("没有可索引的内容：所有文件都被跳过了\n" + "\n".join(f"  {s['file']}：{s['reason']}" for s in report.skipped))

    clock = time.perf_counter()
    log(f"向量化 {len(passages)} 个段落（{embedder.name}）……")
    embeddings = embed_all(embedder, [p.search_text() for p in passages], progress)
    report.timings["embed"] = time.perf_counter() - clock
    meta = {"corpus": {"fingerprint": corpus_fingerprint(files), "files": [str(f) for f in files]}}
    texts = {doc.document.doc_id: (doc.plain, doc.broken_rate) for doc in kept}
    write_index(index_dir, passages, report, embeddings, embedder, meta, texts)
    return report


def write_index(
    index_dir: Path,
    passages: list[Passage],
    report: BuildReport,
    embeddings: np.ndarray,
    embedder: Embedder,
    meta: dict,
    texts: dict[str, tuple[str, float]],
) -> None:
    """Vector store, keyword index and files of a new build, published in one step."""
    clock = time.perf_counter()
    store = build_store(embeddings, probes=lambda: probe_queries(embedder, passages))
    report.timings["vectors"] = time.perf_counter() - clock

    clock = time.perf_counter()
    tokenizer = Tokenizer(corpus_terms(passages) | Synonyms.load().terms())
    keyword = build_keyword(KEYWORD_INDEX, [tokenizer(p.search_text()) for p in passages])
    report.timings["keyword"] = time.perf_counter() - clock

    clock = time.perf_counter()
    build = new_build_dir(index_dir)
    meta = {
        "parser_version": PARSER_VERSION,
        **meta,
        "embedder": {"name": embedder.name, "dim": embedder.dim},
        "timings_s": {k: round(v, 3) for k, v in report.timings.items()},
    }
    write_build(
        build,
        passages,
        report.documents,
        report.skipped,
        [asdict(d) for d in report.duplicates],
        texts,
        embeddings,
        store,
        keyword,
        tokenizer,
        meta,
    )
    publish(build, index_dir)
    report.build_dir = build
    report.passages = len(passages)
    report.timings["write"] = time.perf_counter() - clock


def probe_queries(embedder: Embedder, passages: Sequence[Passage], count: int = 100) -> np.ndarray:
    """Question-like embeddings for tuning an approximate store: the opening words of passages
    spread over the corpus, embedded as queries."""
    step = max(1, len(passages) // count)
    texts = [re.split(r"[，。；,;]", passages[i].text, maxsplit=1)[0][:30] for i in range(0, len(passages), step)][:count]
    return np.vstack([embedder.embed_query(t) for t in texts])


def add_document(path: Path, index_dir: Path, embedder: Embedder | None = None, progress: bool = True) -> BuildReport:
    """Add (or replace) one report in a published index, embedding only its passages.

    The result equals a full rebuild of the same files: documents stay in doc_id
    order, and the stores are rebuilt from the stored embeddings.
    """
    index_dir = Path(index_dir)
    embedder = embedder or load_embedder()
    index = load_index(index_dir, embedder_name=embedder.name)
    report = BuildReport(index_dir=index_dir, skipped=list(index.skipped))
    clock = time.perf_counter()
    parsed, skipped = parse_files([Path(path)], ocr_cache_for(index_dir), progress)
    if skipped:
        raise BuildError(f"{path} 未能加入索引：{skipped[0]['reason']}")
    new = parsed[0]
    existing = [d for d in index.documents if d.doc_id != new.document.doc_id]
    texts = load_texts(index.path)
    others = [(d.doc_id, *texts[d.doc_id]) for d in existing]
    duplicates = find_duplicates([*others, (new.document.doc_id, new.plain, new.broken_rate)])
    if duplicates:
        raise BuildError(f"{path} 未加入索引：{duplicates[0].dropped} {duplicates[0].reason}（如需替换，请先 --remove 再 --add）")
    report.timings["parse"] = time.perf_counter() - clock
    clock = time.perf_counter()
    fresh = embed_all(embedder, [p.search_text() for p in new.passages], progress)
    report.timings["embed"] = time.perf_counter() - clock
    texts[new.document.doc_id] = (new.plain, new.broken_rate)
    _rewrite(index, report, embedder, keep=existing, extra=(new.document, new.passages, fresh), texts=texts, meta_note=f"added {new.document.doc_id}")
    return report


def remove_document(doc_id: str, index_dir: Path, embedder: Embedder | None = None) -> BuildReport:
    """Drop one document from a published index without re-embedding anything."""
    index_dir = Path(index_dir)
    embedder = embedder or load_embedder()
    index = load_index(index_dir, embedder_name=embedder.name)
    if not any(d.doc_id == doc_id for d in index.documents):
        raise BuildError(f"索引中没有文档 {doc_id}")
    report = BuildReport(index_dir=index_dir, skipped=list(index.skipped))
    keep = [d for d in index.documents if d.doc_id != doc_id]
    texts = {k: v for k, v in load_texts(index.path).items() if k != doc_id}
    _rewrite(index, report, embedder, keep=keep, extra=None, texts=texts, meta_note=f"removed {doc_id}")
    return report


def _rewrite(index, report: BuildReport, embedder: Embedder, keep: list[Document], extra, texts: dict, meta_note: str) -> None:
    """A new build from the kept documents' stored rows plus, optionally, a new document."""
    stored = load_embeddings(index.path)
    rows: dict[str, list[int]] = {}
    for row, passage in enumerate(index.passages):
        rows.setdefault(passage.doc_id, []).append(row)
    documents = list(keep)
    if extra:
        documents.append(extra[0])
    documents.sort(key=lambda d: d.doc_id)
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
    meta = {"corpus": {**index.manifest.get("corpus", {}), "fingerprint": None, "change": meta_note}}
    write_index(report.index_dir, passages, report, embeddings, embedder, meta, texts)
