"""What county and township staff call (the /overview page's API): sign in, then villages,
forked ledgers, refused uploads, the overview and a village's review, each limited to what the
account may see."""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Query, Request, Response

from app.domain.review import new_seed
from sync import protocol as p
from sync.server import county_view, exports, open_state, review, staff_auth
from sync.server import staff as staff_service
from sync.server.deps import DB, CurrentStaff
from sync.server.routers.refusals import REFUSALS
from sync.server.schemas import (
    ConflictOut,
    CountyFlagOut,
    DeviceReviewOut,
    FlagOut,
    LoginResponse,
    SampledReceiptOut,
    UploadRefusalOut,
    VillageOut,
    VillageOverviewOut,
    VillageReviewOut,
    row_out,
)

router = APIRouter(prefix=f"{p.API}/staff", tags=["staff"], responses=REFUSALS)


def _today() -> date:
    """The county's date (one county, one time zone: the server's local date)."""
    return datetime.now().date()


@router.post("/login", response_model=LoginResponse)
async def login(req: staff_auth.LoginRequest, request: Request) -> LoginResponse:
    """Rate-limited by client and by account, every name answered alike, scrypt off the event
    loop (staff_auth.Guard)."""
    guard: staff_auth.Guard = request.app.state.guard
    token, staff = await guard.login(staff_auth.client_address(request), req.name, req.password)
    return LoginResponse(token=token, role=staff.role, township_code=staff.township_code)


@router.get("/villages", response_model=list[VillageOut])
def villages(s: DB, staff: CurrentStaff) -> list[VillageOut]:
    return [row_out(VillageOut, v) for v in staff_service.visible_villages(s, staff)]


@router.get("/conflicts", response_model=list[ConflictOut])
def conflicts(s: DB, staff: CurrentStaff) -> list[ConflictOut]:
    return [row_out(ConflictOut, c) for c in staff_service.conflicts_for(s, staff)]


@router.get("/overview", response_model=list[VillageOverviewOut])
def county_overview(s: DB, staff: CurrentStaff) -> list[VillageOverviewOut]:
    rows = [VillageOverviewOut(**row.to_json()) for row in review.overview(s, staff, as_of=_today())]
    return open_state.annotate(s, rows, as_of=_today())


Year = Annotated[int | None, Query(ge=2000, le=2100)]
Day = Annotated[str | None, Query(alias="from", max_length=10)]
Until = Annotated[str | None, Query(alias="to", max_length=10)]


Township = Annotated[str | None, Query(pattern=r"^\d{9}$", description="only this township's villages")]
Listing = Annotated[Literal["auto", "all", "none"], Query(
    description="villages listed: all, none (townships and total only), auto (all up to 1,000 villages)")]


def _view(s: DB, staff: CurrentStaff, year: int | None, start: str | None, end: str | None,
          township: str | None = None, villages: str = "all", stages: dict[str, float] | None = None) -> dict[str, Any]:
    today = _today()
    return county_view.build(s, staff, today=today, period=county_view.Period.of(s, today, year, start, end),
                             township=township, villages=villages, stages=stages)


def server_timing(stages: dict[str, float]) -> str:
    """The stages as a Server-Timing header (milliseconds): the benchmarks print them."""
    return ", ".join(f"{name};dur={seconds * 1000:.1f}" for name, seconds in stages.items())


@router.get("/progress", response_class=Response,
            responses={200: {"content": {"application/json": {}}, "description": "county_view.build's document"}})
def progress(s: DB, staff: CurrentStaff, year: Year = None, start: Day = None, end: Until = None,
             township: Township = None, villages: Listing = "auto") -> Response:
    """The overview page's data: every village the account may see with money, open state,
    progress and reporting, each township's subtotal and the total (county_view.py). A province
    (over 1,000 villages) lists its townships first and a township's villages when asked
    (`township`). Encoded with orjson: 300 villages' nested figures, not a model to validate."""
    stages: dict[str, float] = {}
    view = _view(s, staff, year, start, end, township, villages, stages)
    t0 = time.perf_counter()
    body = orjson.dumps(view)
    stages["encode"] = time.perf_counter() - t0
    return Response(body, media_type="application/json", headers={"Server-Timing": server_timing(stages)})


def _download(body: bytes, media: str, name: str) -> Response:
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/progress.xlsx")
def progress_xlsx(s: DB, staff: CurrentStaff, year: Year = None, start: Day = None, end: Until = None,
                  township: Township = None) -> Response:
    view = _view(s, staff, year, start, end, township)
    return _download(exports.xlsx(view), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     exports.filename(view, "xlsx"))


@router.get("/progress.pdf")
def progress_pdf(s: DB, staff: CurrentStaff, year: Year = None, start: Day = None, end: Until = None,
                 township: Township = None) -> Response:
    view = _view(s, staff, year, start, end, township)
    return _download(exports.pdf(view), "application/pdf", exports.filename(view, "pdf"))


@router.get("/review/{village_code}", response_model=VillageReviewOut)
def village_review(village_code: str, s: DB, staff: CurrentStaff,
                   seed: Annotated[str | None, Query(min_length=1, max_length=40)] = None) -> VillageReviewOut:
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
                                      agent=r.agent, status=r.status, flags=v.labels_of(r.number))
                    for r in d.sample]))
    return VillageReviewOut(village_code=village_code, as_of=as_of.isoformat(), seed=seed, devices=devices)


@router.get("/flags", response_model=list[CountyFlagOut])
def flags(s: DB, staff: CurrentStaff) -> list[CountyFlagOut]:
    """What the county's own checks flagged in accepted uploads, for the account's township(s)."""
    return [row_out(CountyFlagOut, f) for f in staff_service.flags_for(s, staff)]


@router.get("/refusals", response_model=list[UploadRefusalOut])
def refusals(s: DB, staff: CurrentStaff) -> list[UploadRefusalOut]:
    """Uploads the county refused by a rule, with the reason the desk was given."""
    return [row_out(UploadRefusalOut, r) for r in staff_service.refusals_for(s, staff)]
