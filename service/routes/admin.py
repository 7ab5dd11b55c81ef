"""POST /admin/reload: swap in the index on disk; requests in flight finish on the old one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from ..errors import ApiError

router = APIRouter()


@router.post("/admin/reload")
async def reload(request: Request) -> dict[str, object]:
    engine = request.app.state.engine
    if not await run_in_threadpool(engine.load):
        raise ApiError(409, f"新索引未能加载，继续使用原索引：{engine.error}", code="reload_failed")
    index = engine.index
    return {"status": "reloaded", "build_id": index.manifest["build_id"], "passages": index.size}
