"""POST /api/feedback: 有用/有误 on an answer or a result, with the corrected citation when given."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ..schemas import Question, Text

router = APIRouter()


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: Question = Field(..., description="所问的问题")
    helpful: bool = Field(..., description="有用（true）或有误（false）")
    citation_id: Text | None = Field(None, max_length=200, description="所评价的结果或答案引用的段落编号")
    correct_citation: Text | None = Field(None, max_length=300, description="正确的出处：段落编号、引用，或“文档标题 第(35)项”")
    comment: Text | None = Field(None, max_length=1000, description="说明")
    filters: dict[str, str | int | None] | None = Field(None, description="提问时的筛选条件")
    citations: list[Text] | None = Field(None, max_length=50, description="答案引用的段落编号")


@router.post("/api/feedback", status_code=201)
async def feedback(request: Request, body: FeedbackRequest) -> dict[str, object]:
    app = request.app.state
    record = body.model_dump()
    index = app.engine.index
    record["build_id"] = index.manifest.get("build_id") if index else None
    if app.settings.log_client_address and request.client:
        record["client"] = request.client.host
    feedback_id = await run_in_threadpool(app.state.add_feedback, record)
    return {"id": feedback_id, "status": "recorded"}
