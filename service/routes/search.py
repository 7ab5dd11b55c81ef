"""GET/POST /api/search: validate, search (through the gate), shape."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ..deps import get_gate, get_searcher
from ..limits import HeavyGate
from ..schemas import MAX_K, SearchRequest
from ..search import Searcher

router = APIRouter()


async def _run(searcher: Searcher, gate: HeavyGate, body: SearchRequest) -> JSONResponse:
    result = await gate.run(searcher.search, body.q, k=body.k, district=body.district, year=body.year, doc_id=body.doc_id)
    # A JSONResponse goes out as it is, without FastAPI's generic encoder walking every hit.
    return JSONResponse(result.public())


@router.get("/api/search")
async def search_get(
    searcher: Annotated[Searcher, Depends(get_searcher)],
    gate: Annotated[HeavyGate, Depends(get_gate)],
    q: Annotated[str, Query(max_length=2000)],
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    district: str | None = None,
    year: Annotated[int | None, Query(ge=0, le=2100)] = None,
    doc_id: str | None = None,
) -> JSONResponse:
    try:
        body = SearchRequest(q=q, k=k, district=district, year=year, doc_id=doc_id)
    except ValidationError as exc:  # worded by the same handler as a bad POST body
        raise RequestValidationError(exc.errors()) from None
    return await _run(searcher, gate, body)


@router.post("/api/search")
async def search_post(
    body: SearchRequest, searcher: Annotated[Searcher, Depends(get_searcher)], gate: Annotated[HeavyGate, Depends(get_gate)]
) -> JSONResponse:
    return await _run(searcher, gate, body)

