"""Liveness and readiness: the process answers; an index is loaded and can be served."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..errors import ApiError

router = APIRouter()


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> dict[str, object]:
    state = request.app.state.engine
    if state.index is None:
        raise ApiError(503, state.error or "索引尚未加载")
    return {"status": "ready", "build_id": state.index.manifest["build_id"], "passages": len(state.index.passages)}
