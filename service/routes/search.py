"""GET/POST /api/search: validate, search (through the gate), shape."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from ..deps import get_gate, get_searcher
from ..errors import ApiError
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
    except ValueError as exc:
        raise ApiError(422, "请求参数无效：" + _first_error(exc)) from None
    return await _run(searcher, gate, body)


@router.post("/api/search")
async def search_post(
    body: SearchRequest, searcher: Annotated[Searcher, Depends(get_searcher)], gate: Annotated[HeavyGate, Depends(get_gate)]
) -> JSONResponse:
    return await _run(searcher, gate, body)


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        message = str(first.get("msg")).removeprefix("Value error, ")
        return f"{'.'.join(map(str, first.get('loc', ())))}: {message}"
    return str(exc)
