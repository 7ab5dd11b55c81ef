"""Reading a multipart upload as it streams in: each `file` part goes straight to its own folder
under var/uploads/ (never the system's temp dir, never the whole body in memory), with the
size and count limits applied while reading, so an oversized file is refused at its first
byte over the limit and leaves nothing behind.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from python_multipart.multipart import MultipartParseError, MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from .errors import ApiError
from .jobs import clean_name


@dataclass
class Received:
    job_id: str
    folder: Path
    name: str  # the cleaned name, or "" when the given one was unusable
    size: int = 0
    problem: str | None = None  # why it cannot become a job


def part_filename(disposition: bytes) -> tuple[str | None, str | None]:
    """(field name, file name) of a part; RFC 5987's filename* wins over filename."""
    _, params = parse_options_header(disposition)
    field = params.get(b"name", b"").decode("utf-8", "replace")
    star = params.get(b"filename*")
    if star:
        charset, _, rest = star.decode("latin-1").partition("''")
        return field, unquote(rest, encoding=charset or "utf-8", errors="replace")
    plain = params.get(b"filename")
    return field, None if plain is None else plain.decode("utf-8", "replace")


def size_text(size: int) -> str:
    return f"{size / 1048576:.0f} MiB" if size >= 1048576 else f"{size / 1024:.0f} KiB"


async def receive_files(request: Request, new_folder: Callable[[], tuple[str, Path]], max_bytes: int, max_files: int) -> list[Received]:
    """Every `file` part of the request, each saved under a new folder; other fields are ignored."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise ApiError(415, "请以 multipart/form-data 上传，文件放在名为 file 的字段中", code="unsupported_media_type")
    received: list[Received] = []
    state: dict = {"headers": {}, "field": b"", "value": b"", "current": None, "fh": None}

    def on_header_field(data, start, end):
        state["field"] += data[start:end]

    def on_header_value(data, start, end):
        state["value"] += data[start:end]

    def on_header_end():
        state["headers"][state["field"].lower()] = state["value"]
        state["field"], state["value"] = b"", b""

    def on_headers_finished():
        field, filename = part_filename(state["headers"].get(b"content-disposition", b""))
        state["headers"] = {}
        if field != "file" or filename is None:
            return  # not a file field: its data is skipped
        if len(received) >= max_files:
            raise ApiError(413, f"一次最多上传 {max_files} 个文件", code="payload_too_large")
        job_id, folder = new_folder()
        item = Received(job_id, folder, "")
        try:
            item.name = clean_name(filename)
        except ValueError:
            item.problem = f"文件名无效（{filename!r}）"
        received.append(item)
        if item.problem is None:
            state["current"], state["fh"] = item, open(folder / item.name, "wb")  # noqa: SIM115 - closed at the part's end

    def on_part_data(data, start, end):
        item: Received | None = state["current"]
        if item is None:
            return
        item.size += end - start
        if item.size > max_bytes:
            raise ApiError(413, f"文件“{item.name}”超过上传上限 {size_text(max_bytes)}", code="payload_too_large")
        state["fh"].write(data[start:end])

    def on_part_end():
        if state["fh"]:
            state["fh"].close()
        state["current"], state["fh"] = None, None

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if state["fh"] is not None:
            raise ApiError(400, "上传内容不完整（multipart 未正常结束）")
    except (ApiError, MultipartParseError, ClientDisconnect, ValueError) as exc:
        if state["fh"]:
            state["fh"].close()
        for item in received:
            shutil.rmtree(item.folder, ignore_errors=True)
        if isinstance(exc, ApiError):
            raise
        raise ApiError(400, f"上传内容不是有效的 multipart/form-data（{type(exc).__name__}）") from None
    if not received:
        raise ApiError(400, "没有收到文件：请把文件放在名为 file 的字段中")
    return received
