"""The request body cap, counted on the bytes actually read (a chunked body has no Content-Length
to check up front). A pure ASGI middleware: it wraps `receive`, and once the count passes the cap
the app's own answer is dropped and a 413 `too_large` goes out instead, before the app has
buffered more than the cap and one chunk."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from sync import protocol as p

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SMALL_BODY_BYTES = 64 * 1024  # a login, an enrolment, a password change: a few hundred bytes
ATTACHMENT_BYTES = 2 * 1024 * 1024  # a township's scanned page with its answer to a 疑点 (doubts.py)
_ATTACHMENT = re.compile(r"^/api/v1/staff/doubts/[^/]+/attachments$")


class BodyTooLarge(Exception):
    """Raised from `receive` once the body passed the cap (whatever the app makes of it, the
    middleware answers 413)."""


DEBIT_LISTS = f"{p.API}/staff/debit-lists"  # a tax office file (sync/server/debit_lists.py)
DEBIT_REGISTERS = f"{p.API}/staff/debit-registers"  # a township's 清册 data (sync/server/debit_register.py)
DEBIT_LIST_BYTES = 16 * 1024 * 1024


def cap_for(path: str) -> int:
    """Only the batch upload, a 疑点's attachment, a tax office file and a township's 清册 carry a
    large body; every other route gets the small cap."""
    path = path.rstrip("/")
    if path == p.BATCHES:
        return p.MAX_BODY_BYTES
    if path in (DEBIT_LISTS, DEBIT_REGISTERS):
        return DEBIT_LIST_BYTES
    return ATTACHMENT_BYTES if _ATTACHMENT.match(path) else SMALL_BODY_BYTES


def too_large_body(cap: int) -> bytes:
    size = f"{cap // 1024 // 1024} MB" if cap >= 1024 * 1024 else f"{cap // 1024} KB"
    if cap == ATTACHMENT_BYTES:
        refusal = p.Refusal(code="attachment_too_large", message=f"附件最大 {size}，请压缩或分页上传")
    else:
        refusal = p.Refusal(code="too_large", message=f"请求太大（超过 {size}）：请分批上传")
    return json.dumps(refusal.model_dump(), ensure_ascii=False).encode("utf-8")


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = cap_for(str(scope.get("path", "")))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            await _refuse(send, cap)  # the body is never read
            return
        read = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal read, over
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > cap:
                    over = True
                    raise BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over:
                return  # the app's answer to a cut body (a 400, a 500): ours goes instead
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _refuse(send, cap)


async def _refuse(send: Send, cap: int) -> None:
    body = too_large_body(cap)
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        (p.TIME_HEADER.lower().encode(), datetime.now(UTC).isoformat(timespec="seconds").encode())]})
    await send({"type": "http.response.body", "body": body})
