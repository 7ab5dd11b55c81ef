"""POST /api/ask: an answer written from the cited passages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..answer import ExtractiveAnswerer
from ..errors import ApiError
from ..schemas import AskRequest

router = APIRouter()


def get_answerer(request: Request) -> ExtractiveAnswerer:
    engine = request.app.state.engine
    if engine.answerer is None:
        raise ApiError(503, engine.error or "索引尚未加载")
    return engine.answerer


@router.post("/api/ask")
def ask(body: AskRequest, answerer: Annotated[ExtractiveAnswerer, Depends(get_answerer)]) -> JSONResponse:
    answer = answerer.ask(body.q, district=body.district, year=body.year, doc_id=body.doc_id)
    return JSONResponse(answer.public())
