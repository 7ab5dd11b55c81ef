"""The indexed documents, with their metadata and passage counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from indexer.store import LoadedIndex

from ..deps import get_index

router = APIRouter()


@router.get("/api/documents")
def documents(index: Annotated[LoadedIndex, Depends(get_index)]) -> dict[str, object]:
    return {
        "documents": [d.public() for d in index.documents],
        "skipped": index.skipped,
        "duplicates": index.duplicates,
        "build_id": index.manifest["build_id"],
        "created": index.manifest["created"],
    }
