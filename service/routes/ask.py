"""POST /api/ask: an answer written from the cited passages (through the gate, like a search)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..answer import ExtractiveAnswerer
from ..deps import get_answerer, get_gate
from ..limits import HeavyGate
from ..schemas import AskRequest

router = APIRouter()


@router.post("/api/ask")
async def ask(
    request: Request,
    body: AskRequest, answerer: Annotated[ExtractiveAnswerer, Depends(get_answerer)], gate: Annotated[HeavyGate, Depends(get_gate)]
) -> JSONResponse:
    answer = await gate.run(answerer.ask, body.q, district=body.district, year=body.year, doc_id=body.doc_id, history=body.history)
    request.app.state.querylog.record(body.q, "ask", len(answer.citations), answer.found)
    return JSONResponse(answer.public())
