"""One pure-ASGI layer in front of the app: request id, API key, body cap, access log.

Pure ASGI rather than Starlette's BaseHTTPMiddleware, which adds a task and
a stream copy to every request; this one only wraps `send` and `receive`.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
import uuid

from .settings import Settings

access = logging.getLogger("govqa.access")
PROTECTED = ("/api/", "/admin/")


def _envelope(status: int, code: str, message: str, request_id: str, extra: list[tuple[bytes, bytes]] = ()) -> tuple[dict, dict]:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"x-request-id", request_id.encode()), *extra]
    return {"type": "http.response.start", "status": status, "headers": headers}, {"type": "http.response.body", "body": body}


class BodyTooLarge(Exception):
    pass


class GuardMiddleware:
    def __init__(self, app, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._key = settings.api_key.encode() if settings.api_key else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        path = scope.get("path", "")
        status_box = {"status": 500}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status_box["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        async def reply(status: int, code: str, message: str, extra=()):
            start, body = _envelope(status, code, message, request_id, extra)
            status_box["status"] = status
            await send(start)
            await send(body)

        try:
            if self._key is not None and path.startswith(PROTECTED) and scope.get("method") != "OPTIONS":
                given = headers.get(b"x-api-key", b"")
                if not hmac.compare_digest(given, self._key):
                    return await reply(401, "unauthorized", "需要有效的 API 密钥（请求头 X-API-Key）", [(b"www-authenticate", b"X-API-Key")])
            declared = headers.get(b"content-length")
            limit = self.settings.max_body_bytes
            if declared is not None:
                try:
                    too_big = int(declared) > limit
                except ValueError:
                    return await reply(400, "bad_request", "Content-Length 无效")
                if too_big:
                    return await reply(413, "payload_too_large", f"请求体过大（上限 {limit} 字节）")
            received = 0

            async def receive_capped():
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        raise BodyTooLarge
                return message

            try:
                await self.app(scope, receive_capped, send_wrapper)
            except BodyTooLarge:
                await reply(413, "payload_too_large", f"请求体过大（上限 {limit} 字节）")
        finally:
            if self.settings.access_log:
                access.info(
                    json.dumps(
                        {
                            "request_id": request_id,
                            "method": scope.get("method"),
                            "path": path,  # never the query string: it may carry questions or keys
                            "status": status_box["status"],
                            "took_ms": round((time.perf_counter() - started) * 1000, 2),
                            "client": (scope.get("client") or ("", 0))[0],
                        },
                        ensure_ascii=False,
                    )
                )
