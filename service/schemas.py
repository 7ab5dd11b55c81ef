"""Request and response shapes at the HTTP edge (Pydantic lives only here)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_QUERY = 500
MAX_K = 50


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(..., description="问题或关键词，1–500 个字符")
    k: int = Field(10, ge=1, le=MAX_K, description="返回条数")
    district: str | None = Field(None, max_length=20, description="区县，如 吴中区；空字符串表示不按区筛选")
    year: int | None = Field(None, ge=0, le=2100, description="年份；0 表示不按年份筛选")
    doc_id: str | None = Field(None, max_length=200, description="只在该文档中检索")

    @field_validator("q")
    @classmethod
    def _q(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("问题不能为空")
        if len(value) > MAX_QUERY:
            raise ValueError(f"问题不能超过 {MAX_QUERY} 个字符")
        return value


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(..., description="问题，1–500 个字符")
    district: str | None = Field(None, max_length=20)
    year: int | None = Field(None, ge=0, le=2100)
    doc_id: str | None = Field(None, max_length=200)

    _q = field_validator("q")(SearchRequest._q.__func__)
