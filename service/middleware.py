"""One pure-ASGI layer in front of the app: request id, rate limit, API key, admin
from loopback only when no key is set, JSON bodies only, body cap, access log.

Pure ASGI rather than Starlette's BaseHTTPMiddleware, which adds a task and
a stream copy to every request; this one only wraps `send` and `receive`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import time

from .limits import RateLimiter, retry_after
from .settings import Settings, cookie_token, match_key

access = logging.getLogger("govqa.access")
PROTECTED = ("/api/", "/admin/")
ADMIN_COOKIE = "govqa_admin"
LOGIN = "/admin/session"  # where the page trades the key for a cookie: rate limited, not key-checked
UPLOAD = "/admin/documents"  # streamed to disk by its route, under its own limits
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_json(content_type: bytes) -> bool:
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (media.startswith(b"application/") and media.endswith(b"+json"))


def _envelope(status: int, code: str, message: str, request_id: str, extra: list[tuple[bytes, bytes]] = ()) -> tuple[dict, dict]:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"x-request-id", request_id.encode()), *extra]
    return {"type": "http.response.start", "status": status, "headers": headers}, {"type": "http.response.body", "body": body}


def _cookie(header: bytes, name: str) -> str:
    for part in header.decode("latin-1").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


async def _login_page(send, request_id: str, status_box: dict) -> None:
    """GET /admin from a browser without the key: 401, with the page that asks for it."""
    from .routes.pages import STATIC

    body = (STATIC / "login.html").read_bytes()
    status_box["status"] = 401
    headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()), (b"x-request-id", request_id.encode()), (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class GuardMiddleware:
    def __init__(self, app, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._keys = settings.named_keys()
        self._keyed = bool(self._keys)
        self._cookies = {cookie_token(key): name for key, name in self._keys.items()}
        self.limiter = RateLimiter(settings.rate_limit, settings.rate_burst)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        given_id = headers.get(b"x-request-id", b"")
        # A caller's id is kept only when it is plain, since it goes into logs and messages.
        request_id = given_id.decode() if _REQUEST_ID.fullmatch(given_id) else os.urandom(8).hex()
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

        client = (scope.get("client") or ("local", 0))[0]
        method = scope.get("method")
        try:
            admin = path == "/admin" or path.startswith("/admin/")
            guarded = (admin or path.startswith(PROTECTED)) and method != "OPTIONS"
            if guarded and self.limiter.enabled and (wait := self.limiter.wait(client)) > 0:
                # Before the key check, so that guessing keys is rate limited too.
                after = retry_after(wait)
                return await reply(429, "rate_limited", f"请求过于频繁，请 {after} 秒后再试", [(b"retry-after", after.encode())])
            if self._keyed and guarded and path != LOGIN:
                given = headers.get(b"x-api-key", b"").decode("latin-1")
                name = match_key(self._keys, given) if given else None
                if name is None and not given and admin:  # the admin page's own requests carry a same-site cookie
                    cookie = _cookie(headers.get(b"cookie", b""), ADMIN_COOKIE)
                    name = match_key(self._cookies, cookie) if cookie else None
                if name is None:
                    if path == "/admin" and b"text/html" in headers.get(b"accept", b""):
                        return await _login_page(send, request_id, status_box)
                    return await reply(401, "unauthorized", "需要有效的 API 密钥（请求头 X-API-Key）", [(b"www-authenticate", b"X-API-Key")])
                scope["state"]["who"] = name
            if not self._keyed and admin and not is_loopback(client):
                return await reply(403, "forbidden", "未设置 API 密钥时，管理页面和接口只接受本机请求（设置 GOVQA_API_KEY 后可远程使用）")
            if method == "POST" and path.startswith("/api/") and not is_json(headers.get(b"content-type", b"")):
                return await reply(415, "unsupported_media_type", "请求体须为 JSON（Content-Type: application/json，UTF-8 编码）")
            if method == "POST" and path == UPLOAD:
                return await self.app(scope, receive, send_wrapper)  # streamed to disk by the route, which applies its limits
            declared = headers.get(b"content-length")
            limit = self.settings.max_body_bytes
            too_large = f"请求体过大（上限 {limit} 字节）"
            if declared is not None:
                try:
                    too_big = int(declared) > limit
                except ValueError:
                    return await reply(400, "bad_request", "Content-Length 无效")
                if too_big:
                    return await reply(413, "payload_too_large", too_large)
            if method in ("GET", "HEAD", "OPTIONS"):
                return await self.app(scope, receive, send_wrapper)
            # The whole body is read here, up to the cap, whether its length was declared or it
            # came in chunks; the app then reads it from memory. (A cap raised inside the app's
            # own reading would come out as FastAPI's 400 "error parsing the body".)
            body, more = b"", True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                body += message.get("body", b"")
                if len(body) > limit:
                    return await reply(413, "payload_too_large", too_large)
                more = message.get("more_body", False)
            replayed = False

            async def receive_body():
                nonlocal replayed
                if replayed:
                    return await receive()  # after the body: only a disconnect can come
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}

            await self.app(scope, receive_body, send_wrapper)
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
                            "client": client,
                        },
                        ensure_ascii=False,
                    )
                )
