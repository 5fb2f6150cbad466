"""The county server's HTTP face (FastAPI). Every answer carries the server clock; every refusal
is a protocol.Refusal naming the reason in Chinese.

Layout: routers/ by audience (device, staff, public); deps.py one dependency per credential;
schemas.py the staff API's bodies; the service by concern (service.py lists the modules)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import anyio
from fastapi import FastAPI, Request, Response
from sqlalchemy import Engine

from sync import protocol as p
from sync.server import county_view, debit_lists, debit_register, log_safety, open_state, staff_auth
from sync.server.body_limit import BodyLimit
from sync.server.db import make_engine
from sync.server.routers import device, doubts, monthly, pages, public, refusals, staff


def create_app(url_or_engine: str | Engine) -> FastAPI:
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Before this worker accepts anyone: a township's overview once, so its first real
        # request does not open the database, parse the configuration and prepare every query.
        await anyio.to_thread.run_sync(county_view.warm, engine)
        yield

    app = FastAPI(title="Daishou county server", version="1", description=__doc__, lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # served offline by routers/pages.py
    app.state.engine = engine
    setattr(app.state, device.UPLOADS, anyio.CapacityLimiter(1))

    @app.middleware("http")
    async def clock(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # The body's size is BodyLimit's (it counts what is read, declared or chunked).
        response = await call_next(request)
        response.headers[p.TIME_HEADER] = datetime.now(UTC).isoformat(timespec="seconds")
        return response

    log_safety.install()  # no token, code, password or key in any log line
    app.add_middleware(BodyLimit)  # outermost: counts the bytes actually read, chunked or not
    app.state.guard = staff_auth.Guard(engine)  # sign-in and enrolment rate limits, the scrypt pool
    refusals.install(app)
    app.include_router(staff_auth.router(app.state.guard))
    app.include_router(device.router)
    app.include_router(open_state.router())  # desks' open days and cash on hand (issue 24)
    app.include_router(staff.router)
    app.include_router(doubts.me_router)
    app.include_router(doubts.router)  # the 第四十二条 loop (issue 24)
    app.include_router(debit_lists.router())  # the tax office's lists, loaded by the county (issue 25)
    app.include_router(debit_register.router())  # the townships' 批量扣款清册 (issue 25)
    app.include_router(monthly.router)  # issue 25: what the township counts each month
    app.include_router(public.router)
    app.include_router(pages.router)  # /, /doubts, /docs offline
    return app


def app_from_environment() -> FastAPI:
    """For `serve --workers N`: each worker process builds its app from DAISHOU_SERVER_DB."""
    import os

    return create_app(os.environ["DAISHOU_SERVER_DB"])
