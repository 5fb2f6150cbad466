"""The answers every route may give besides its own: a refusal (protocol.Refusal) with a named
code and a Chinese message, never a 500. The handlers are installed by app.create_app."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync import protocol as p
from sync.server import storage_errors
from sync.server.core import ServerRefusal

REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"model": p.Refusal} for code in (400, 401, 403, 404, 409, 413, 422, 429, 503)}


def install(app: FastAPI) -> None:
    @app.exception_handler(ServerRefusal)
    async def refused(_request: Request, exc: ServerRefusal) -> JSONResponse:
        return JSONResponse(exc.refusal().model_dump(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return JSONResponse(p.Refusal(code="invalid_request", message=f"请求格式不对：{where} {first.get('msg', '')}")
                            .model_dump(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        what = {404: "没有这个地址", 405: "这个地址不接受这种请求方法"}.get(exc.status_code, str(exc.detail))
        return JSONResponse(p.Refusal(code=f"http_{exc.status_code}", message=what).model_dump(),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    # A full disk is logged and named (disk_full, 507); any other database failure is busy (503).
    app.add_exception_handler(OperationalError, storage_errors.answer)  # type: ignore[arg-type]
