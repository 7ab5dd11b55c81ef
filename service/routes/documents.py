"""The indexed documents, with their metadata and passage counts."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..errors import ApiError

router = APIRouter()


@router.get("/api/documents")
def documents(request: Request) -> dict[str, object]:
    index = request.app.state.engine.index
    if index is None:
        raise ApiError(503, request.app.state.engine.error or "索引尚未加载")
    return {
        "documents": [d.public() for d in index.documents],
        "skipped": index.skipped,
        "duplicates": index.duplicates,
        "build_id": index.manifest["build_id"],
        "created": index.manifest["created"],
    }
