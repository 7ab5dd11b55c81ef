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
from .engines import Build, EngineSettings, published_manifest, write
from .parse import PARSER_VERSION, ParsedDocument, parse_source, rename_title
from .passage import ROLE_GLOSSARY, Document, Passage
from .readers import SUPPORTED_SUFFIXES, SkipFile, read_source
from .synonyms import Synonyms
from .tokenize import Tokenizer

EMBED_BATCH = 32


class BuildError(RuntimeError):
    """A build that produced nothing to publish; the published index is untouched."""


@dataclass
class BuildReport:
    index_dir: str  # where the build went (a folder, or Milvus and its alias)
    build_dir: str | None = None
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
        where = self.index_dir if not self.build_dir or self.build_dir.startswith(("/", ".")) else f"{self.index_dir}（集合 {self.build_dir}）"
        lines = [f"索引已写入 {where}：{len(self.documents)} 份文档，{self.passages} 个段落"]
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


def is_up_to_date(paths: Iterable[Path], settings: EngineSettings, embedder_name: str) -> bool:
    files, _ = collect_files(paths)
    manifest = published_manifest(settings)
    return (
        manifest is not None
        and
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


Progress = Callable[[int, int], None]  # (done, total): told after each batch; may raise to stop the work


def embed_all(embedder: Embedder, texts: list[str], progress: bool | Progress) -> np.ndarray:
    """Every text's passage embedding, in batches; `progress` is a terminal bar (True) or a callback."""
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    bar = None
    if progress is True:
        from tqdm import tqdm

        bar = tqdm(total=len(texts), desc="向量化", unit="段", file=sys.stderr, dynamic_ncols=True)
    for start in range(0, len(texts), EMBED_BATCH):
        batch = texts[start : start + EMBED_BATCH]
        vectors[start : start + len(batch)] = embedder.embed_passages(batch)
        if bar:
            bar.update(len(batch))
        elif callable(progress):
            progress(start + len(batch), len(texts))
    if bar:
        bar.close()
    return vectors


def build_index(
    paths: Iterable[Path],
    index_dir: Path | None = None,
    embedder: Embedder | None = None,
    progress: bool = True,
    if_stale: bool = False,
    log: Callable[[str], None] = lambda _: None,
    ocr_cache: Path | None = None,
    settings: EngineSettings | None = None,
) -> BuildReport:
    """Parse, embed and publish to the engine of `settings` (default: the local folder `index_dir`);
    `ocr_cache` defaults to ocr-cache beside the index folder."""
    settings = target_settings(settings, index_dir)
    paths = [Path(p) for p in paths]
    report = BuildReport(index_dir=settings.where())
    clock = time.perf_counter()
    files, missing = collect_files(paths)
    report.skipped.extend(missing)
    if not files:
        raise BuildError(f"在 {', '.join(map(str, paths))} 中没有找到报告文件")
    embedder = embedder or load_embedder()
    if if_stale and is_up_to_date(paths, settings, embedder.name):
        report.up_to_date = True
        return report
    log(f"解析 {len(files)} 个文件……")
    parsed, skipped = parse_files(files, ocr_cache or ocr_cache_for(settings.index), progress)
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
    write_index(settings, passages, report, embeddings, embedder, meta, texts)
    return report


def target_settings(settings: EngineSettings | None, index_dir: Path | None) -> EngineSettings:
    """The engine to write: `settings` as given (with `index_dir` as its folder when named), else the local folder."""
    if settings is None:
        return EngineSettings(engine="local", index=Path(index_dir or "var/index"))
    return settings.model_copy(update={"index": Path(index_dir)}) if index_dir is not None else settings


def tokenize_passages(passages: Sequence[Passage]) -> tuple[Tokenizer, list[list[str]]]:
    """The build's tokenizer (owners, places and glossary terms kept whole) and each passage's tokens."""
    tokenizer = Tokenizer(corpus_terms(passages) | Synonyms.load().terms())
    return tokenizer, [tokenizer(p.search_text()) for p in passages]


def write_index(
    settings: EngineSettings,
    passages: list[Passage],
    report: BuildReport,
    embeddings: np.ndarray,
    embedder: Embedder,
    meta: dict,
    texts: dict[str, tuple[str, float]],
) -> None:
    """Tokenise, then let the engine write and publish the build in one step."""
    clock = time.perf_counter()
    tokenizer, tokens = tokenize_passages(passages)
    report.timings["tokenize"] = time.perf_counter() - clock
    meta = {"parser_version": PARSER_VERSION, **meta, "embedder": {"name": embedder.name, "dim": embedder.dim}}
    build = Build(
        passages=passages,
        documents=report.documents,
        skipped=report.skipped,
        duplicates=[asdict(d) for d in report.duplicates],
        texts=texts,
        embeddings=embeddings,
        tokenizer=tokenizer,
        tokens=tokens,
        meta=meta,
        probes=lambda: probe_queries(embedder, passages),
        timings=report.timings,
    )
    report.build_dir = write(settings, build)
    report.passages = len(passages)


def probe_queries(embedder: Embedder, passages: Sequence[Passage], count: int = 100) -> np.ndarray:
    """Question-like embeddings for tuning an approximate store: the opening words of passages
    spread over the corpus, embedded as queries."""
    step = max(1, len(passages) // count)
    texts = [re.split(r"[，。；,;]", passages[i].text, maxsplit=1)[0][:30] for i in range(0, len(passages), step)][:count]
    return np.vstack([embedder.embed_query(t) for t in texts])
