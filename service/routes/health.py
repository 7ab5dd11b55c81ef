"""Liveness and readiness: the process answers; an index is loaded and can be served."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..deps import ready_engine

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> dict[str, object]:
    index = (await ready_engine(request)).index
    return {"status": "ready", "build_id": index.manifest["build_id"], "passages": index.size}
