"""Open state on the county server (issue 24): the latest word of each desk on the cash it holds
that the county cannot see in the entries yet (days not settled, settled cash not remitted), and
what the staff overview makes of it per village — days not settled, cash held, desks silent for
days, cash over the county's 双限 (app/domain/remit_limits.py) — each a flag with its reason.

A module of its own (router, table, overview hook) so that it stands apart from the routes of
create_app: one `include_router` line and one call in the overview handler plug it in.

The report is signed by the device key (the token alone does not make one) and must be newer than
the one held and within the protocol's clock skew of the server's clock: whoever copies an old
report, from the days no cash was held, cannot send it again in place of today's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, Session, col, select

from app.domain.config import ConfigError, load_config_text
from app.domain.money import format_fen
from app.domain.remit_limits import CashHeld, RemitLimits
from sync import protocol as p
from sync.server import models as m
from sync.server.core import ServerRefusal
from sync.server.db import within
from sync.server.deps import DB, CurrentDevice

_LOCAL = ZoneInfo("Asia/Shanghai")
SILENT_DAYS = 3  # a desk that has not tried to sync for this many days is flagged


class DeviceOpenState(m.ServerModel, table=True):
    """The latest open state each device reported (one row per device, replaced by a newer one)."""

    __tablename__ = "device_open_state"
    device_id: str = Field(primary_key=True)
    village_code: str = Field(index=True)
    reported_at: datetime  # the desk's clock, UTC
    received_at: datetime  # the server's
    open_since: str | None = None
    open_days: int = 0
    open_receipts: int = 0
    open_cash_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    held_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    held_since: str | None = None
    newest_seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    signature: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class OpenFlag(BaseModel):
    code: str  # not_settled / over_limits / silent / never_reported
    reason: str  # Chinese, for the county officer


class VillageOpenState(BaseModel):
    devices_reporting: int = 0
    open_since: str | None = None
    days_not_settled: int = 0
    open_receipts: int = 0
    open_cash_fen: int = 0
    held_fen: int = 0  # settled, not remitted
    cash_on_hand_fen: int = 0
    last_report: str | None = None  # ISO 8601, UTC
    silent_days: int | None = None  # since the newest report of any of its desks; None: never
    flags: list[OpenFlag] = []


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _day(text: str | None, what: str) -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ServerRefusal(422, "invalid_request", f"{what} 不是日期：{text[:10]}") from None


def store(s: Session, device: m.Device, report: p.OpenState) -> p.OpenStateResult:
    if report.device_id != device.id:
        raise ServerRefusal(403, "wrong_device", f"凭证属于 {device.id}，报告却写的是 {report.device_id}")
    if device.public_key is None:
        raise ServerRefusal(401, "not_enrolled", "本机尚未注册到县里")
    try:
        Ed25519PublicKey.from_public_bytes(p.unb64(device.public_key)).verify(
            p.unb64(report.signature), p.open_state_signing_bytes(report))
    except (InvalidSignature, ValueError):
        raise ServerRefusal(400, "bad_signature", "未日结情况的签名不对（不是本机的密钥签的）") from None
    try:
        at = _aware(datetime.fromisoformat(report.reported_at))
    except ValueError:
        raise ServerRefusal(422, "invalid_request", "reported_at 不是时间") from None
    now = _now()
    if abs((now - at).total_seconds()) > p.MAX_CLOCK_SKEW_SECONDS:
        raise ServerRefusal(409, "stale_report", "这份未日结情况不是刚刚生成的（时间与县服务器相差超过5分钟）")
    row = s.get(DeviceOpenState, device.id)
    if row is not None and at <= _aware(row.reported_at):
        raise ServerRefusal(409, "stale_report", "县里已有本机更新的未日结情况")
    if row is None:
        row = DeviceOpenState(device_id=device.id, village_code=device.village_code, reported_at=at,
                              received_at=now)
    row.reported_at, row.received_at = at, now
    row.open_since = _day(report.open_since, "open_since")
    row.held_since = _day(report.held_since, "held_since")
    row.open_days, row.open_receipts = report.open_days, report.open_receipts
    row.open_cash_fen, row.held_fen, row.newest_seq = report.open_cash_fen, report.held_fen, report.newest_seq
    row.signature = report.signature
    s.add(row)
    return p.OpenStateResult(stored=True)


def _limits(s: Session) -> RemitLimits:
    newest = s.exec(select(m.CountyConfigVersion).order_by(col(m.CountyConfigVersion.id).desc())).first()
    if newest is None:
        return RemitLimits()
    try:
        return load_config_text(newest.text).remit_limits
    except ConfigError:
        return RemitLimits()


class _Row(Protocol):
    code: str
    open_state: VillageOpenState | None


R = TypeVar("R", bound=_Row)


def annotate(s: Session, rows: Sequence[R], *, as_of: date, whole: bool = False) -> list[R]:
    """The overview hook: each village row gets its open state and flags. `whole`: the rows
    are every village's (no list of codes to match)."""
    by_code = {r.code: r for r in rows}
    if not by_code:
        return list(rows)
    limits = _limits(s)
    states: dict[str, list[DeviceOpenState]] = {}
    for row in s.exec(select(DeviceOpenState).where(within(s, col(DeviceOpenState.village_code), by_code, whole))).all():
        states.setdefault(row.village_code, []).append(row)
    enrolled: dict[str, int] = {}
    for code in s.exec(select(m.Device.village_code).where(within(s, col(m.Device.village_code), by_code, whole),
                                                           col(m.Device.public_key).is_not(None))).all():
        enrolled[code] = enrolled.get(code, 0) + 1
    # A village none of whose desks reported says the same as any other with as many enrolled:
    # one summary each (a province has thousands of them), shared and not to be changed.
    quiet: dict[int, VillageOpenState] = {}
    for code, village in by_code.items():
        n = enrolled.get(code, 0)
        if code in states:
            village.open_state = summarise(states[code], n, limits, as_of)
        else:
            village.open_state = quiet.get(n) or quiet.setdefault(n, summarise([], n, limits, as_of))
    return list(rows)


def summarise(reports: Sequence[DeviceOpenState], enrolled: int, limits: RemitLimits,
              as_of: date) -> VillageOpenState:
    out = VillageOpenState(devices_reporting=len(reports))
    opens = [r.open_since for r in reports if r.open_since]
    helds = [r.held_since for r in reports if r.held_since]
    out.open_since = min(opens) if opens else None
    out.days_not_settled = max(0, (as_of - date.fromisoformat(out.open_since)).days) if out.open_since else 0
    out.open_receipts = sum(r.open_receipts for r in reports)
    out.open_cash_fen = sum(r.open_cash_fen for r in reports)
    out.held_fen = sum(r.held_fen for r in reports)
    out.cash_on_hand_fen = out.open_cash_fen + out.held_fen
    if reports:
        last = max(_aware(r.received_at) for r in reports)
        out.last_report = last.isoformat(timespec="seconds")  # UTC; people read it in Beijing time
        out.silent_days = max(0, (as_of - last.date()).days)
    if out.days_not_settled >= 1:
        out.flags.append(OpenFlag(code="not_settled", reason=(
            f"{out.open_since} 起的现金尚未日结（已 {out.days_not_settled} 天），未日结现金 "
            f"{format_fen(out.open_cash_fen)} 元、收据 {out.open_receipts} 张")))
    oldest = min(helds) if helds else None
    held = CashHeld(out.held_fen, date.fromisoformat(oldest) if oldest else None,
                    max(0, (as_of - date.fromisoformat(oldest)).days) if oldest else 0, limits)
    if held.past_days or held.past_amount:
        out.flags.append(OpenFlag(code="over_limits", reason=f"超过解缴双限：{held.describe()}"))
    if out.silent_days is not None and out.silent_days >= SILENT_DAYS:
        out.flags.append(OpenFlag(code="silent", reason=(
            f"已 {out.silent_days} 天没有同步（最后一次 {last.astimezone(_LOCAL):%Y-%m-%d %H:%M} 北京时间）："
            "县里看不到这期间收的现金")))
    elif not reports and enrolled:
        out.flags.append(OpenFlag(code="never_reported", reason="已注册的收款电脑从未报告未日结情况"))
    return out


def router() -> APIRouter:
    r = APIRouter()

    @r.post(p.OPEN_STATE, response_model=p.OpenStateResult,
            responses={code: {"model": p.Refusal} for code in (400, 401, 403, 409, 422)})
    def open_state(report: p.OpenState, s: DB, device: CurrentDevice) -> p.OpenStateResult:
        return store(s, device, report)

    return r

