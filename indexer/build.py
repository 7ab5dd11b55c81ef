"""Build an index from report files: parse, drop duplicates, embed, write, publish.

One bad file never stops a build: it is skipped with its reason. A build
that ends with nothing to index, or fails on the way, leaves the published
index as it was.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Iterable
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
from .store import new_build_dir, publish, read_manifest, write_build
from .synonyms import Synonyms
from .tokenize import Tokenizer
from .vectors import new_store

EMBED_BATCH = 32
VECTOR_STORE = "faiss-flat"
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
            roles = "，".join(f"{k} {v}" for k, v in d.roles.items())
            lines.append(f"  {d.doc_id}  {d.title}  [{d.kind}] {d.passages} 段（{roles}）")
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
    """Files named, and the files in folders named (recursively, hidden ones left out)."""
    files, missing = [], []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
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


def parse_files(files: list[Path]) -> tuple[list[ParsedDocument], list[dict[str, str]]]:
    parsed: list[ParsedDocument] = []
    skipped: list[dict[str, str]] = []
    seen_ids: dict[str, Path] = {}
    for path in files:
        try:
            source = read_source(path)
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
    kept = [p for p in parsed if p.document.doc_id not in dropped]
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
) -> BuildReport:
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
    parsed, skipped = parse_files(files)
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
    vectors = embed_all(embedder, [p.search_text() for p in passages], progress)
    store = new_store(VECTOR_STORE, embedder.dim)
    store.add(vectors)
    report.timings["embed"] = time.perf_counter() - clock

    clock = time.perf_counter()
    tokenizer = Tokenizer(corpus_terms(passages) | Synonyms.load().terms())
    keyword = build_keyword(KEYWORD_INDEX, [tokenizer(p.search_text()) for p in passages])
    report.timings["keyword"] = time.perf_counter() - clock

    clock = time.perf_counter()
    build = new_build_dir(index_dir)
    meta = {
        "parser_version": PARSER_VERSION,
        "corpus": {"fingerprint": corpus_fingerprint(files), "files": [str(f) for f in files]},
        "embedder": {"name": embedder.name, "dim": embedder.dim},
        "timings_s": {k: round(v, 3) for k, v in report.timings.items()},
    }
    write_build(
        build,
        passages,
        report.documents,
        report.skipped,
        [asdict(d) for d in report.duplicates],
        store,
        keyword,
        tokenizer,
        meta,
    )
    publish(build, index_dir)
    report.build_dir = build
    report.timings["write"] = time.perf_counter() - clock
    return report
