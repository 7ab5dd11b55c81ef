"""Administration: the /admin page, documents uploaded, replaced and removed as jobs, the jobs
themselves, what staff asked and told us, and POST /admin/reload. Thin: the work is in jobs.py,
uploads.py and state.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from ..deps import ready
from ..errors import ApiError
from ..middleware import ADMIN_COOKIE
from ..settings import cookie_token
from ..uploads import receive_files
from .pages import STATIC

router = APIRouter(tags=["admin"])
DocId = Annotated[str, Path(max_length=200, description="文件编号（文件名去掉扩展名）")]
JobId = Annotated[str, Path(max_length=40, description="任务编号")]

_JOB_EXAMPLE = {"id": "3f2a9c1b7d4e", "status": "queued", "progress": 0.0, "message": "排队等待处理", "doc_ids": ["吴中区2024年任务分解"]}
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}, "description": ".docx/.pdf/.html/.txt 等，一个或多个"}},
                    "required": ["file"],
                }
            }
        },
    }
}


def who(request: Request) -> str:
    """For the audit log: the name of the key used, else the client's address."""
    state = request.scope.get("state", {})
    return state.get("who") or (request.client.host if request.client else "local")


def _jobs(request: Request):
    return request.app.state.jobs


@router.get("/admin", include_in_schema=False)
def admin_page() -> FileResponse:
    return FileResponse(STATIC / "admin.html", media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})


class Session(BaseModel):
    key: str = Field(..., min_length=1, max_length=500)


@router.post("/admin/session", include_in_schema=False)
def login(request: Request, body: Session) -> Response:
    """Trade the API key for a same-site cookie, so the page's own requests carry it."""
    settings = request.app.state.settings
    name = settings.key_name(body.key)
    if name is None:
        raise ApiError(401, "API 密钥不正确")
    response = JSONResponse({"status": "ok", "who": name})
    response.set_cookie(ADMIN_COOKIE, cookie_token(body.key), httponly=True, samesite="strict", path="/", secure=request.url.scheme == "https")
    return response


@router.get("/admin/documents", summary="已收录的文档及解析结果")
def list_documents(request: Request) -> dict[str, object]:
    index = ready(request).index
    return {
        "documents": [{**d.public(), "understood_text": d.describe()} for d in index.documents],
        "build_id": index.manifest["build_id"],
        "created": index.manifest["created"],
        "passages": index.size,
    }


@router.post("/admin/documents", status_code=202, summary="上传文档（一个或多个 file 字段），每个文件成为一个任务", openapi_extra=_UPLOAD_BODY)
async def upload(
    request: Request, replace: Annotated[str | None, Query(max_length=200, description="替换这个文档（保留其编号）")] = None
) -> JSONResponse:
    settings = request.app.state.settings
    jobs = _jobs(request)
    if replace is not None and (engine := ready(request)) and not any(d.doc_id == replace for d in engine.index.documents):
        raise ApiError(404, f"索引中没有编号为“{replace}”的文件，无法替换")
    received = await receive_files(request, jobs.new_upload_dir, settings.max_upload_bytes, settings.max_upload_files)
    if replace is not None and len(received) != 1:
        for item in received:
            await run_in_threadpool(_discard, item.folder)
        raise ApiError(400, "替换时只能上传一个文件")
    caller = who(request)
    queued = [
        await run_in_threadpool(jobs.queue_upload, item.job_id, item.folder, item.name, item.size, caller, replace, item.problem) for item in received
    ]
    return JSONResponse({**queued[0], "jobs": queued}, status_code=202)


def _discard(folder) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@router.delete("/admin/documents/{doc_id}", status_code=202, summary="从索引删除一个文档（任务）")
def remove(request: Request, doc_id: DocId) -> JSONResponse:
    index = ready(request).index
    if not any(d.doc_id == doc_id for d in index.documents):
        raise ApiError(404, f"索引中没有编号为“{doc_id}”的文件")
    return JSONResponse(_jobs(request).queue_removal(doc_id, who(request)), status_code=202)


@router.get("/admin/jobs", summary="最近的任务")
def list_jobs(request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, object]:
    return {"jobs": request.app.state.state.jobs(limit)}


@router.get("/admin/jobs/{job_id}", summary="一个任务的状态", responses={200: {"content": {"application/json": {"example": _JOB_EXAMPLE}}}})
def job(request: Request, job_id: JobId) -> dict:
    found = request.app.state.state.job(job_id)
    if found is None:
        raise ApiError(404, f"没有编号为“{job_id}”的任务")
    return found


@router.post("/admin/jobs/{job_id}/cancel", summary="取消排队或进行中的任务（索引不变）")
def cancel(request: Request, job_id: JobId) -> dict:
    state = request.app.state.state
    found = state.request_cancel(job_id)
    if found is None:
        raise ApiError(404, f"没有编号为“{job_id}”的任务")
    state.audit(who(request), "cancel", job_id, found["status"])
    return found


@router.get("/admin/activity", summary="反馈、未找到答案的问题、最常问的问题和审计记录")
def activity(request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, object]:
    state = request.app.state.state
    request.app.state.querylog.flush()
    return {
        "feedback": state.feedback(limit=limit),
        "declined": state.top_queries(limit, found=False),
        "top": state.top_queries(limit),
        "audit": state.audit_log(limit),
        "query_log_days": request.app.state.settings.query_log_days,
    }


@router.post("/admin/reload", summary="载入磁盘上的新索引，不中断请求")
async def reload(request: Request) -> dict[str, object]:
    engine = request.app.state.engine
    if not await run_in_threadpool(engine.load):
        raise ApiError(409, f"新索引未能加载，继续使用原索引：{engine.error}", code="reload_failed")
    index = engine.index
    return {"status": "reloaded", "build_id": index.manifest["build_id"], "passages": index.size}


