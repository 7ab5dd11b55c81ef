"""Every error leaves the service in one envelope: {"error": {"code", "message"}}."""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("govqa.service")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "not_ready",
    504: "timeout",
}


NOT_JSON = "请求体不是有效的 JSON（须为 UTF-8 编码的 JSON 对象）"


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.headers = headers


def envelope(status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code or _CODES.get(status, "error"), "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return envelope(exc.status, exc.message, exc.code, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {
            400: NOT_JSON,  # FastAPI's "error parsing the body"
            404: f"没有这个地址：{request.url.path}",
            405: f"{request.url.path} 不支持 {request.method} 方法",
        }
        message = messages.get(exc.status_code) or (exc.detail if isinstance(exc.detail, str) else "请求有误")
        return envelope(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        if any(err.get("type") == "json_invalid" for err in exc.errors()):
            return envelope(422, NOT_JSON)
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query"))
            message = str(err.get("msg", "无效")).removeprefix("Value error, ")  # our validators' own words
            parts.append(f"{where or '请求'}: {message}")
        return envelope(422, "请求参数无效：" + "；".join(parts))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex[:12]
        log.exception("unexpected error on %s (request %s)", request.url.path, request_id)
        return envelope(500, f"服务内部错误，请联系管理员（请求编号 {request_id}）")
