"""What a user would build instead: fixed-size chunks of the raw files, the same embedder, FAISS (or BM25).

LangChain's RecursiveCharacterTextSplitter, 250 characters with 50 overlap,
over every file in the folder as it is (no parsing, no duplicate removal), so
the comparison shows what structure-aware passages and hybrid search add. A
chunk has no task number, so it is judged by document and answer span only:
a lenient rule that favours the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_text_splitters import RecursiveCharacterTextSplitter

from indexer.embedders import Embedder
from indexer.keyword import KeywordIndex, build_keyword
from indexer.readers import SkipFile, read_source
from indexer.tokenize import Tokenizer
from indexer.vectors import VectorStore, build_store

CHUNK_SIZE = 250
CHUNK_OVERLAP = 50


@dataclass(frozen=True, slots=True)
class Chunk:
    id: str
    doc_id: str
    text: str
    task_no: None = None
    section: tuple[str, ...] = ()
    citation: str = ""
    departments: tuple[str, ...] = ()
    leaders: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


@dataclass
class ChunkBaseline:
    chunks: list[Chunk]
    embedder: Embedder | None = None
    tokenizer: Tokenizer = field(default_factory=Tokenizer)
    vectors: VectorStore | None = None
    bm25: KeywordIndex | None = None

    @classmethod
    def build(cls, folder: Path, embedder: Embedder | None) -> ChunkBaseline:
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        chunks: list[Chunk] = []
        for path in sorted(Path(folder).iterdir()):
            try:
                source = read_source(path)
            except SkipFile:
                continue
            for n, text in enumerate(splitter.split_text("\n".join(source.lines))):
                chunks.append(Chunk(id=f"{source.doc_id}#{n}", doc_id=source.doc_id, text=text, citation=f"{source.doc_id} 第{n + 1}块"))
        baseline = cls(chunks, embedder)
        if embedder is not None:
            embeddings = np.vstack([embedder.embed_passages([c.text for c in chunks[i : i + 64]]) for i in range(0, len(chunks), 64)])
            baseline.vectors = build_store(embeddings, kind="faiss-flat")
        baseline.bm25 = build_keyword("bm25s", [baseline.tokenizer(c.text) for c in chunks])
        return baseline

    def search_dense(self, question: str, k: int = 10) -> list[Chunk]:
        _, rows = self.vectors.search(self.embedder.embed_query(question), k)
        return [self.chunks[r] for r in rows[0] if r >= 0]

    def search_bm25(self, question: str, k: int = 10) -> list[Chunk]:
        _, rows = self.bm25.search(self.tokenizer(question), k)
        return [self.chunks[int(r)] for r in rows]

