"""The indexed documents: the list with metadata and counts, and each document whole, as JSON and as a page."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse, JSONResponse

from indexer.engines import SearchEngine
from indexer.passage import Document, Passage

from ..deps import get_index, get_ledger
from ..docpage import render_document
from ..errors import ApiError
from ..examples import examples
from ..ledger import Ledger

router = APIRouter()
DocId = Annotated[str, Path(max_length=200, description="文件编号（文件名去掉扩展名）")]


@router.get("/api/documents")
def documents(ledger: Annotated[Ledger, Depends(get_ledger)]) -> dict[str, object]:
    index = ledger.index
    return {
        "documents": [d.public() for d in index.documents],
        "skipped": index.skipped,
        "duplicates": index.duplicates,
        "build_id": index.manifest["build_id"],
        "created": index.manifest["created"],
        "examples": examples(ledger),
    }


def document_and_passages(index: SearchEngine, doc_id: str) -> tuple[Document, list[Passage]]:
    """One document and its passages in document order, or a 404 naming the id."""
    document = next((d for d in index.documents if d.doc_id == doc_id), None)
    vocab = index.rows.vocab["doc_id"]
    if document is None or doc_id not in vocab:
        raise ApiError(404, f"索引中没有编号为“{doc_id}”的文件：可在 /api/documents 查看已收录的文件")
    rows = np.flatnonzero(index.rows.codes["doc_id"] == vocab.index(doc_id))
    return document, [Passage.from_record(r) for r in index.by_row.records(rows)]


@router.get("/api/documents/{doc_id}")
def document(doc_id: DocId, index: Annotated[SearchEngine, Depends(get_index)]) -> JSONResponse:
    doc, passages = document_and_passages(index, doc_id)
    return JSONResponse({"document": doc.public(), "passages": [p.public() for p in passages]})


@router.get("/documents/{doc_id}", include_in_schema=False)
def document_page(doc_id: DocId, index: Annotated[SearchEngine, Depends(get_index)]) -> HTMLResponse:
    doc, passages = document_and_passages(index, doc_id)
    return HTMLResponse(render_document(doc, passages))
