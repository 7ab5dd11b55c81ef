"""GET /api/tasks (the ledger, paged, with facets), /api/tasks.csv and /api/tasks.xlsx (the same rows, all)."""

from __future__ import annotations

import time
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..deps import get_ledger
from ..errors import ApiError
from ..ledger import FILTER_NAMES, ExportTooLarge, Ledger, TaskFilters
from ..schemas import Text

router = APIRouter()
MAX_SIZE = 500
_PAGING = ("page", "size")


class TaskQuery(BaseModel):
    """The ledger's filters as the edge takes them: unknown names refused, text cleaned."""

    model_config = ConfigDict(extra="forbid")

    department: Text | None = Field(None, max_length=100)
    lead_department: Text | None = Field(None, max_length=100)
    leader: Text | None = Field(None, max_length=50)
    area: Text | None = Field(None, max_length=100)
    district: Text | None = Field(None, max_length=20)
    year: int | None = Field(None, ge=0, le=2100)
    doc_id: Text | None = Field(None, max_length=200)
    section: Text | None = Field(None, max_length=100)
    q: Text | None = Field(None, max_length=200)
    page: int = Field(1, ge=1, le=1_000_000)
    size: int = Field(50, ge=1, le=MAX_SIZE)

    def filters(self) -> TaskFilters:
        return TaskFilters(**{name: getattr(self, name) for name in FILTER_NAMES})


def task_query(
    request: Request,
    department: Annotated[str | None, Query(max_length=100, description="责任单位（任一角色），按规范名与别名匹配")] = None,
    lead_department: Annotated[str | None, Query(max_length=100, description="★牵头单位")] = None,
    leader: Annotated[str | None, Query(max_length=50, description="分管领导")] = None,
    area: Annotated[str | None, Query(max_length=100, description="板块、镇（街道）")] = None,
    district: Annotated[str | None, Query(max_length=20, description="区县")] = None,
    year: Annotated[int | None, Query(ge=0, le=2100, description="年份")] = None,
    doc_id: Annotated[str | None, Query(max_length=200, description="文件编号")] = None,
    section: Annotated[str | None, Query(max_length=100, description="分组标题中的词，如 打好三场硬仗")] = None,
    q: Annotated[str | None, Query(max_length=200, description="任务内容中的词（空格分隔，须都出现）")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_SIZE, description="每页条数 1–500")] = 50,
) -> TaskQuery:
    unknown = sorted(set(request.query_params) - set(FILTER_NAMES) - set(_PAGING))
    if unknown:
        known = "、".join((*FILTER_NAMES, *_PAGING))
        raise ApiError(422, f"未知的筛选条件：{'、'.join(unknown)}（可用：{known}）")
    values = dict(department=department, lead_department=lead_department, leader=leader, area=area, district=district)
    values |= dict(year=year, doc_id=doc_id, section=section, q=q, page=page, size=size)
    try:
        return TaskQuery(**values)
    except ValidationError as exc:  # worded by the same handler as any other bad request
        raise RequestValidationError(exc.errors()) from None


Params = Annotated[TaskQuery, Depends(task_query)]
LedgerDep = Annotated[Ledger, Depends(get_ledger)]


@router.get("/api/tasks")
def tasks(params: Params, ledger: LedgerDep) -> JSONResponse:
    started = time.perf_counter()
    selection = ledger.select(params.filters())
    body = ledger.response(selection, params.page, params.size)
    body["took_ms"] = round((time.perf_counter() - started) * 1000, 3)
    return JSONResponse(body)


MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _download(params: TaskQuery, ledger: Ledger, fmt: str) -> Response:
    selection = ledger.select(params.filters(), facets=False)
    try:
        content, filename = ledger.export(selection, fmt)
    except ExportTooLarge as exc:
        raise ApiError(422, str(exc)) from None
    disposition = f"attachment; filename=\"tasks.{fmt}\"; filename*=UTF-8''{quote(filename)}"
    headers = {"Content-Disposition": disposition, "X-Total-Count": str(selection.total)}
    return Response(content, media_type=MEDIA[fmt], headers=headers)


@router.get("/api/tasks.csv")
def tasks_csv(params: Params, ledger: LedgerDep) -> Response:
    return _download(params, ledger, "csv")


@router.get("/api/tasks.xlsx")
def tasks_xlsx(params: Params, ledger: LedgerDep) -> Response:
    return _download(params, ledger, "xlsx")
