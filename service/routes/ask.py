"""POST /api/ask: an answer written from the cited passages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from ..answer import ExtractiveAnswerer
from ..deps import get_answerer
from ..schemas import AskRequest

router = APIRouter()


@router.post("/api/ask")
def ask(body: AskRequest, answerer: Annotated[ExtractiveAnswerer, Depends(get_answerer)]) -> JSONResponse:
    answer = answerer.ask(body.q, district=body.district, year=body.year, doc_id=body.doc_id)
    return JSONResponse(answer.public())
