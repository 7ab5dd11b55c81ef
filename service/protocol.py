"""uvicorn's HTTP protocol with one change: a request it cannot parse (a request line or
header beyond its limits, broken framing) is answered in the error envelope, like every
other error of the service, instead of uvicorn's plain-text line.

The app never sees such a request, so only the protocol can answer it. `govqa serve`
passes this class to uvicorn as "service.protocol:EnvelopeHTTPProtocol".
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.auto import AutoHTTPProtocol

_BODY = json.dumps(
    {"error": {"code": "bad_request", "message": "HTTP 请求无法解析（请求行或请求头过长或格式错误）"}}, ensure_ascii=False
).encode()


class EnvelopeHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    def send_400_response(self, msg: str) -> None:
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [b"content-type: application/json\r\n", b"content-length: %d\r\n" % len(_BODY), b"connection: close\r\n\r\n"]
        self.transport.write(b"".join(head) + _BODY)
        self.transport.close()
