"""Request and response shapes at the HTTP edge (Pydantic lives only here)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

MAX_QUERY = 500
MAX_K = 50


def clean_text(value: str) -> str:
    """Text as the engine can take it. Lone surrogates (JSON can carry "\\ud800") cannot be
    encoded and are refused; control characters become spaces (a NUL would cut the text short
    in the model's C engine); invisible format marks (bidi overrides, zero-width) are dropped;
    runs of space collapse to one."""
    kept = []
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs":
            raise ValueError("含有无效字符（不成对的 UTF-16 代理项）")
        if category == "Cc":
            kept.append(" ")
        elif category != "Cf":
            kept.append(ch)
    return " ".join("".join(kept).split())


def clean_question(value: str) -> str:
    value = clean_text(value)
    if not value:
        raise ValueError("问题不能为空")
    if len(value) > MAX_QUERY:
        raise ValueError(f"问题不能超过 {MAX_QUERY} 个字符")
    return value


Question = Annotated[str, AfterValidator(clean_question)]
Text = Annotated[str, AfterValidator(clean_text)]


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Question = Field(..., description="问题或关键词，1–500 个字符")
    k: int = Field(10, ge=1, le=MAX_K, description="返回条数")
    district: Text | None = Field(None, max_length=20, description="区县，如 吴中区；空字符串表示不按区筛选")
    year: int | None = Field(None, ge=0, le=2100, description="年份；0 表示不按年份筛选")
    doc_id: Text | None = Field(None, max_length=200, description="只在该文档中检索")


MAX_HISTORY = 10


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Question = Field(..., description="问题，1–500 个字符")
    history: list[Question] | None = Field(
        None, max_length=MAX_HISTORY, description="同一对话中此前的问题，按先后顺序，至多 10 条，每条 1–500 个字符；追问据此补全"
    )
    district: Text | None = Field(None, max_length=20, description="区县；空字符串表示不按区筛选")
    year: int | None = Field(None, ge=0, le=2100, description="年份；0 表示不按年份筛选")
    doc_id: Text | None = Field(None, max_length=200, description="只在该文档中检索")


class JSONBytesResponse(JSONResponse):
    """A JSONResponse encoded by orjson: the same compact UTF-8 JSON as Starlette writes, several
    times faster for a page of hits. NaN and infinities become null instead of an error."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
