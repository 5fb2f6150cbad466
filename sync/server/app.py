"""The county server's HTTP face (FastAPI). Every answer carries the server clock; every refusal
is a protocol.Refusal naming the reason in Chinese."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.domain.money import format_fen
from app.domain.review import new_seed
from sync import protocol as p
from sync.server import (
    log_safety,
    open_state,
    public_contacts,
    review,
    service,
    staff_auth,
    storage_errors,
)
from sync.server.body_limit import BodyLimit
from sync.server.db import make_engine
from sync.server.open_state import VillageOpenState
from sync.server.overview_page import OVERVIEW_PAGE
from sync.server.service import ServerRefusal

REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"model": p.Refusal} for code in (400, 401, 403, 404, 409, 422, 429, 503)}


class LoginResponse(BaseModel):
    token: str
    role: str
    township_code: str | None


class VillageOut(BaseModel):
    code: str
    township_code: str
    name: str


class VillageOverviewOut(BaseModel):
    code: str
    name: str
    township_code: str
    devices: int
    receipts: int
    collected_fen: int
    settled_fen: int
    remitted_fen: int
    confirmed_fen: int
    flags: int
    conflicts: int
    last_seen: str | None
    flag_codes: dict[str, int]
    open_state: VillageOpenState | None = None  # the desks' own word on cash not yet here


class FlagOut(BaseModel):
    code: str
    label: str
    day: str
    ref: str
    seq: int
    reason: str


class SampledReceiptOut(BaseModel):
    number: str
    day: str
    payer_name: str
    total_fen: int
    agent: str
    status: str
    flags: list[str]


class DeviceReviewOut(BaseModel):
    device_id: str
    receipts: int
    collected_fen: int
    voided_fen: int
    settled_fen: int
    remitted_fen: int
    first_day: str | None
    last_day: str | None
    flags: list[FlagOut]
    sample: list[SampledReceiptOut]


class VillageReviewOut(BaseModel):
    village_code: str
    as_of: str
    seed: str
    devices: list[DeviceReviewOut]


class ConflictOut(BaseModel):
    id: int
    device_id: str
    village_code: str
    first_seq: int
    held_hash: str
    sent_hash: str
    received_at: str


def _db(request: Request) -> Iterator[Session]:
    with service_session(request.app.state.engine) as s:
        yield s


# Module level: with postponed annotations FastAPI resolves these names in the module.
db_session = Annotated[Session, Depends(_db)]
bearer = Annotated[str | None, Header()]


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def create_app(url_or_engine: str | Engine) -> FastAPI:
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    app = FastAPI(title="Daishou county server", version="1", description=__doc__)
    app.state.engine = engine
    # Uploads are checked one at a time in each server process. The check is Python (hashing,
    # parsing, the chain rules): a second thread gains nothing under the GIL, and every database
    # round trip of the other threads then waits for the GIL to come back (measured: 300 devices
    # uploading at once took several times their single-thread sum). More processes, not threads.
    uploads = anyio.CapacityLimiter(1)
    log_safety.install()  # no token, code, password or key in any log line
    app.add_middleware(BodyLimit)  # outermost: counts the bytes actually read, chunked or not
    guard = staff_auth.Guard(engine)  # sign-in and enrolment rate limits, the scrypt pool
    app.include_router(staff_auth.router(guard))
    app.include_router(open_state.router())

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

    app.add_exception_handler(OperationalError, storage_errors.answer)  # type: ignore[arg-type]  # disk_full / busy, logged

    @app.post(p.ENROL, response_model=p.EnrolResponse, responses=REFUSALS)
    def enrol(req: p.EnrolRequest, s: db_session, request: Request) -> p.EnrolResponse:
        with guard.enrolment(staff_auth.client_address(request)):
            return service.enrol(s, req)

    @app.get(p.STATE, response_model=p.DeviceState, responses=REFUSALS)
    def state(s: db_session, authorization: bearer = None) -> p.DeviceState:
        return service.state(s, service.device_for_token(s, _bearer(authorization)))

    @app.post(p.BATCHES, response_model=p.BatchResult, responses=REFUSALS)
    async def batches(batch: p.Batch, request: Request, authorization: bearer = None) -> JSONResponse:
        raw = (await request.body()).decode("utf-8", errors="replace")  # kept as sent when a conflict
        result = await anyio.to_thread.run_sync(_accept, engine, _bearer(authorization), batch, raw, limiter=uploads)
        status = 409 if result.status is p.BatchStatus.CONFLICT else 200
        return JSONResponse(result.model_dump(mode="json"), status_code=status)

    @app.get(p.CHANGES, response_model=p.Changes, responses=REFUSALS)
    def changes(s: db_session, authorization: bearer = None, roster_version: Annotated[int, Query(ge=0)] = 0,
                payments_after: Annotated[int, Query(ge=0)] = 0,
                confirmations_after: Annotated[int, Query(ge=0)] = 0,
                config_sha256: str | None = None) -> Response:
        device = service.device_for_token(s, _bearer(authorization))
        found = service.changes(s, device, roster_version, payments_after, confirmations_after, config_sha256)
        # Serialised once by pydantic's own encoder: a whole roster is 100,000 rows.
        return Response(found.model_dump_json(), media_type="application/json")

    @app.get(p.VERIFY_RECEIPT, response_model=p.ReceiptCheck, responses=REFUSALS)
    def receipt(number: str, s: db_session, code: Annotated[str, Query(min_length=1, max_length=64)]) -> p.ReceiptCheck:
        return service.check_receipt(s, number, code)

    @app.get("/receipt", response_class=HTMLResponse, responses=REFUSALS)
    def receipt_page(s: db_session, no: Annotated[str, Query(min_length=1, max_length=40)],
                     code: Annotated[str, Query(min_length=1, max_length=64)]) -> HTMLResponse:
        """Where a receipt's QR leads (the county configuration's verify_url pointing here): a
        page a payer's phone shows, saying whether the county holds this receipt as printed."""
        found = service.check_receipt(s, no, code)
        if found.found and found.total_fen is not None:
            body = (f"<p>收据 {html.escape(no)}</p><p>状态：{html.escape(found.status)}</p>"
                    f"<p>金额：￥{format_fen(found.total_fen)}　日期：{html.escape(found.day or '')}</p>"
                    "<p>县级服务器已收到此收据。</p>")
        else:
            body = (f"<p>收据 {html.escape(no)}</p><p>县级服务器没有这张收据（或校验码不符）。"
                    f"当天的收据在日结上传后才能查到；{html.escape(public_contacts.report_sentence(s))}。</p>")
        return HTMLResponse(f"<!doctype html><html lang=zh><meta charset=utf-8>"
                            f"<meta name=viewport content='width=device-width'><title>收据查验</title>"
                            f"<body><h1>收据查验</h1>{body}</body></html>")

    @app.post(f"{p.API}/staff/login", response_model=LoginResponse, responses=REFUSALS)
    async def login(req: staff_auth.LoginRequest, request: Request) -> LoginResponse:
        token, staff = await guard.login(staff_auth.client_address(request), req.name, req.password)
        return LoginResponse(token=token, role=staff.role, township_code=staff.township_code)

    @app.get(f"{p.API}/staff/villages", response_model=list[VillageOut], responses=REFUSALS)
    def villages(s: db_session, authorization: bearer = None) -> list[VillageOut]:
        staff = service.staff_for_token(s, _bearer(authorization))
        return [VillageOut(code=v.code, township_code=v.township_code, name=v.name)
                for v in service.visible_villages(s, staff)]

    @app.get(f"{p.API}/staff/conflicts", response_model=list[ConflictOut], responses=REFUSALS)
    def conflicts(s: db_session, authorization: bearer = None) -> list[ConflictOut]:
        staff = service.staff_for_token(s, _bearer(authorization))
        return [ConflictOut(id=c.id or 0, device_id=c.device_id, village_code=c.village_code, first_seq=c.first_seq,
                            held_hash=c.held_hash, sent_hash=c.sent_hash, received_at=c.received_at.isoformat())
                for c in service.conflicts_for(s, staff)]

    @app.get(f"{p.API}/staff/overview", response_model=list[VillageOverviewOut], responses=REFUSALS)
    def county_overview(s: db_session, authorization: bearer = None) -> list[VillageOverviewOut]:
        staff = service.staff_for_token(s, _bearer(authorization))
        return open_state.annotate(s, [VillageOverviewOut(**row.to_json()) for row in review.overview(s, staff, as_of=_today())], as_of=_today())

    @app.get(f"{p.API}/staff/review/{{village_code}}", response_model=VillageReviewOut, responses=REFUSALS)
    def village_review(village_code: str, s: db_session, authorization: bearer = None,
                       seed: Annotated[str | None, Query(min_length=1, max_length=40)] = None) -> VillageReviewOut:
        staff = service.staff_for_token(s, _bearer(authorization))
        seed = seed or new_seed()
        as_of = _today()
        devices = []
        for d in review.village_review(s, staff, village_code, as_of=as_of, seed=seed):
            v = d.review
            devices.append(DeviceReviewOut(
                device_id=d.device_id, receipts=len(v.receipts), collected_fen=v.collected_fen,
                voided_fen=v.voided_fen, settled_fen=v.settled_fen, remitted_fen=v.remitted_fen,
                first_day=v.first_day, last_day=v.last_day,
                flags=[FlagOut(**f.to_json()) for f in v.flags],
                sample=[SampledReceiptOut(number=r.number, day=r.day, payer_name=r.payer_name, total_fen=r.total_fen,
                                          agent=r.agent, status=r.status,
                                          flags=v.labels_of(r.number))
                        for r in d.sample]))
        return VillageReviewOut(village_code=village_code, as_of=as_of.isoformat(), seed=seed, devices=devices)

    @app.get("/overview", response_class=HTMLResponse)
    def overview_page() -> HTMLResponse:
        """The county overview for staff in a browser: sign in, then one row per village (what
        was collected, settled, remitted and confirmed, flags, forked ledgers), and a village's
        flags and sample on a click. The page holds no data itself: it asks the staff API."""
        return HTMLResponse(OVERVIEW_PAGE)

    return app


def _today() -> date:
    """The county's date (one county, one time zone: the server's local date)."""
    return datetime.now().date()


def app_from_environment() -> FastAPI:
    """For `serve --workers N`: each worker process builds its app from DAISHOU_SERVER_DB."""
    import os

    return create_app(os.environ["DAISHOU_SERVER_DB"])


def service_session(engine: Engine) -> Any:
    from sync.server.db import session

    return session(engine)


def _accept(engine: Engine, token: str | None, batch: p.Batch, raw: str) -> p.BatchResult:
    """One upload in one transaction. Two uploads of the same device at once: the second waits
    for the device row (PostgreSQL row lock, SQLite write lock) and then finds the first's entries
    held; a unique (device, seq) is the last guard, answered by trying once more."""
    for attempt in range(2):
        try:
            with service_session(engine) as s:
                device = service.device_for_token(s, token)
                return service.accept_batch(s, device, batch, raw=raw)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")
