"""A database that cannot write, answered with what happened and logged for whoever runs the
server: a full disk is `disk_full` (507), anything else the database refused for now is `busy`
(503). Never the SQL parameters (log_safety, db.make_engine)."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from sync import protocol as p

log = logging.getLogger("daishou.server")

DISK_FULL_MESSAGE = "县级服务器的磁盘已满，这一批没有保存（本机的记录都还在）。县里已记录此故障，请过后再同步"


def is_disk_full(exc: OperationalError) -> bool:
    """SQLITE_FULL ("database or disk is full"), or PostgreSQL's disk_full (SQLSTATE 53100) and
    a write that found no space ("could not extend file", "No space left on device")."""
    orig = exc.orig
    if getattr(orig, "sqlite_errorname", "") == "SQLITE_FULL" or getattr(orig, "sqlstate", "") == "53100":
        return True
    text = str(orig).lower()
    return any(s in text for s in ("database or disk is full", "no space left on device", "could not extend file"))


async def answer(request: Request, exc: OperationalError) -> JSONResponse:
    if is_disk_full(exc):
        log.error("disk_full: %s %s: the database could not write (%s)", request.method, request.url.path,
                  type(exc.orig).__name__, exc_info=exc)
        return JSONResponse(p.Refusal(code="disk_full", message=DISK_FULL_MESSAGE).model_dump(), status_code=507)
    log.warning("busy: %s %s: %s", request.method, request.url.path, str(exc.orig).splitlines()[0] if exc.orig else "")
    return JSONResponse(p.Refusal(code="busy", message="服务器繁忙，请稍后重试").model_dump(), status_code=503,
                        headers={"Retry-After": "5"})
