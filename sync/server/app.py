"""The county server's HTTP face (FastAPI). Every answer carries the server clock; every refusal
is a protocol.Refusal naming the reason in Chinese.

Layout: routers/ by audience (device, staff, public); deps.py one dependency per credential;
schemas.py the staff API's bodies; the service by concern (service.py lists the modules)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import anyio
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from sync import protocol as p
from sync.server.db import make_engine
from sync.server.routers import device, public, refusals, staff


def create_app(url_or_engine: str | Engine) -> FastAPI:
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    app = FastAPI(title="Daishou county server", version="1", description=__doc__)
    app.state.engine = engine
    setattr(app.state, device.UPLOADS, anyio.CapacityLimiter(1))

    @app.middleware("http")
    async def clock(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length", "0")
        if not length.isdigit() or int(length) > p.MAX_BODY_BYTES:
            response: Response = JSONResponse(p.Refusal(
                code="too_large", message=f"请求太大（超过 {p.MAX_BODY_BYTES // 1024 // 1024} MB）：请分批上传").model_dump(),
                status_code=413)
            response.headers[p.TIME_HEADER] = datetime.now(UTC).isoformat(timespec="seconds")
            return response
        response = await call_next(request)
        response.headers[p.TIME_HEADER] = datetime.now(UTC).isoformat(timespec="seconds")
        return response

    refusals.install(app)
    app.include_router(device.router)
    app.include_router(staff.router)
    app.include_router(public.router)
    return app


def app_from_environment() -> FastAPI:
    """For `serve --workers N`: each worker process builds its app from DAISHOU_SERVER_DB."""
    import os

    return create_app(os.environ["DAISHOU_SERVER_DB"])
