"""GET/POST /api/search: validate, search (through the gate), shape."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ..deps import ready
from ..schemas import JSONBytesResponse, SearchRequest

router = APIRouter()

_FIELDS = tuple(SearchRequest.model_fields)


def _query_parameters() -> list[dict]:
    """GET's parameters for the OpenAPI schema, from the model that validates them."""
    schema = SearchRequest.model_json_schema()
    required = schema.get("required", ())
    return [{"name": name, "in": "query", "required": name in required, "schema": prop} for name, prop in schema["properties"].items()]


async def _run(request: Request, body: SearchRequest) -> JSONBytesResponse:
    # The searcher and the gate are read here rather than through FastAPI's `Depends`, whose
    # solving cost more than the rest of the route; a reload swaps the searcher, this request keeps its own.
    searcher, gate = ready(request).searcher, request.app.state.gate
    result = await gate.run(searcher.search, body.q, k=body.k, district=body.district, year=body.year, doc_id=body.doc_id)
    request.app.state.querylog.record(body.q, "search", len(result.hits), bool(result.hits))
    # Encoded once, by orjson: no response model, no generic encoder walking every hit.
    return JSONBytesResponse(result.public())


@router.get("/api/search", openapi_extra={"parameters": _query_parameters()})
async def search_get(request: Request) -> JSONBytesResponse:
    # The parameters are validated by SearchRequest alone (FastAPI's per-parameter validation
    # would be a second pass); parameters it does not know are ignored, as in any query string.
    params = request.query_params
    given = {name: params[name] for name in _FIELDS if name in params}
    try:
        body = SearchRequest.model_validate(given)
    except ValidationError as exc:  # worded by the same handler as a bad POST body
        raise RequestValidationError(exc.errors()) from None
    return await _run(request, body)


@router.post("/api/search")
async def search_post(request: Request, body: SearchRequest) -> JSONBytesResponse:
    return await _run(request, body)
