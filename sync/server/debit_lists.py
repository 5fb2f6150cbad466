"""The tax office's lists on the county server (003 第二十五、二十八、二十九条; issue 25): who has no
两两协议, who must re-sign or change card, and each day's failed batch debits.

The county loads each file once (`daishou-server debit load FILE --kind K --day D`, or a county
account's POST to /api/v1/staff/debit-lists). Its rows are read by the desk's own reader and row
rule (app/services/debit_lists.py: one rule for the desk's import and the county's); a row is kept
for the village whose roster, as the county issued it, holds the person, and a row of someone on
no roster is refused with its row number, field and reason, like any bad row. The good rows are
kept even when others are refused: the refused ones are answered, never stored, and nothing
loaded before is touched (rows are only appended; the same file twice is refused).

Down: each device receives its own village's rows of every list it does not hold yet, with the
roster (rosters.changes), signed for that device; the desk takes them through the same checks and
journals them as a debit_list entry (app/services/door.py import_county_list)."""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, Integer, Text, func
from sqlmodel import Field, Session, col, select

from app.domain.door import LIST_KINDS
from app.domain.signing import county_signing_bytes
from app.services.debit_lists import DebitFileError, read_debit_file
from app.services.door import county_list_payload
from sync import protocol as p
from sync.server import models as m
from sync.server.body_limit import DEBIT_LIST_BYTES, DEBIT_LISTS
from sync.server.core import ServerRefusal, now, server_key
from sync.server.deps import DB, CurrentStaff
from sync.server.routers.refusals import REFUSALS

PATH = DEBIT_LISTS
MAX_FILE_BYTES = DEBIT_LIST_BYTES  # a county's daily failures are a few thousand rows
SUFFIXES = (".csv", ".xlsx", ".xlsm")
NOT_ON_ANY_ROSTER = "{name} 不在县里下发的任何村征收清册中"


class DebitListFile(m.ServerModel, table=True):
    """One file of the tax office's, as loaded (never changed)."""

    __tablename__ = "debit_list"
    id: int | None = Field(default=None, primary_key=True)
    list_kind: str  # app/domain/door.LIST_KINDS
    day: str  # the list's day (YYYY-MM-DD)
    file: str  # the file's name as loaded
    sha256: str = Field(unique=True)  # the same file twice is refused
    accepted: int
    rejected: int
    loaded_by: str
    loaded_at: datetime


class DebitListRow(m.ServerModel, table=True):
    """One accepted row, kept for the village whose roster holds the person."""

    __tablename__ = "debit_list_row"
    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"),
                                                           primary_key=True, autoincrement=True))
    list_id: int = Field(index=True)
    village_code: str = Field(index=True)
    id_number: str
    name: str
    on_day: str
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class RejectedRow(BaseModel):
    row: int
    column: str
    reason: str


class LoadResult(BaseModel):
    list_id: int
    list_kind: str
    day: str
    accepted: int
    villages: dict[str, int]  # village code -> rows kept for it
    rejected: list[RejectedRow]


def roster_owners(s: Session) -> dict[str, str]:
    """ID number -> village, from the newest roster version the county issued to each village."""
    newest = (select(m.RosterVersion.village_code, func.max(m.RosterVersion.version).label("v"))
              .group_by(col(m.RosterVersion.village_code)).subquery())
    owners: dict[str, str] = {}
    for village, rows in s.exec(select(m.RosterVersion.village_code, m.RosterVersion.rows).join(
            newest, (col(m.RosterVersion.village_code) == newest.c.village_code)
            & (col(m.RosterVersion.version) == newest.c.v))).all():
        for row in json.loads(rows):
            owners.setdefault(str(row.get("证件号码", "")), village)
    return owners


def load_list(s: Session, data: bytes, *, file: str, list_kind: str, day: date, by: str) -> LoadResult:
    """One tax office file; ServerRefusal (a named code) when nothing of it can be kept."""
    if list_kind not in LIST_KINDS:
        raise ServerRefusal(422, "bad_list_kind", f"名单类型「{list_kind[:20]}」未知（可选：{'、'.join(LIST_KINDS)}）")
    name = Path(file).name[:120] or "名单"
    if Path(name).suffix.lower() not in SUFFIXES:
        raise ServerRefusal(422, "bad_debit_file", f"{name}：税务名单应为 .xlsx 或 .csv 文件")
    if len(data) > MAX_FILE_BYTES:
        raise ServerRefusal(413, "too_large", f"{name} 超过 {MAX_FILE_BYTES // 1024 // 1024} MB")
    digest = hashlib.sha256(data).hexdigest()
    held = s.exec(select(DebitListFile).where(DebitListFile.sha256 == digest)).first()
    if held is not None:
        raise ServerRefusal(409, "already_loaded", f"{name} 已经载入过（第 {held.id} 号名单 {held.file}，"
                                                   f"{held.loaded_at:%Y-%m-%d}）：同一文件不再载入")
    owners = roster_owners(s)
    with tempfile.TemporaryDirectory(prefix="daishou-debit-") as scratch:
        path = Path(scratch) / f"list{Path(name).suffix.lower()}"
        path.write_bytes(data)
        try:
            found = read_debit_file(path, day=day, known=owners, not_known=NOT_ON_ANY_ROSTER)
        except DebitFileError as exc:
            raise ServerRefusal(422, "bad_debit_file", f"{name}：{exc}") from None
    rejected = [RejectedRow(row=r.row, column=r.column, reason=r.reason) for r in found.rejected]
    if not found.rows:
        first = "；".join(str(r) for r in found.rejected[:3])
        raise ServerRefusal(422, "no_rows", f"{name}：没有可载入的行" + (f"（{first}）" if first else ""))
    listed = DebitListFile(list_kind=list_kind, day=day.isoformat(), file=name, sha256=digest,
                           accepted=len(found.rows), rejected=len({r.row for r in found.rejected}),
                           loaded_by=by, loaded_at=now())
    s.add(listed)
    s.flush()
    assert listed.id is not None
    villages: dict[str, int] = {}
    for r in found.rows:
        village = owners[r.id_number]
        villages[village] = villages.get(village, 0) + 1
        s.add(DebitListRow(list_id=listed.id, village_code=village, id_number=r.id_number, name=r.name,
                           on_day=r.on_day, detail=r.detail))
    return LoadResult(list_id=listed.id, list_kind=list_kind, day=day.isoformat(), accepted=len(found.rows),
                      villages=dict(sorted(villages.items())), rejected=rejected)


def changes(s: Session, device: m.Device, after: int) -> list[p.DebitListChange]:
    """The device's village's rows of every list numbered after `after`, one signed change a list."""
    rows = s.exec(select(DebitListRow).where(DebitListRow.village_code == device.village_code,
                                             col(DebitListRow.list_id) > after)
                  .order_by(col(DebitListRow.list_id), col(DebitListRow.id))).all()
    by_list: dict[int, list[p.DebitMark]] = {}
    for r in rows:
        by_list.setdefault(r.list_id, []).append(p.DebitMark(id_number=r.id_number, name=r.name, on_day=r.on_day,
                                                             detail=r.detail))
    if not by_list:
        return []
    key = server_key(s)
    out = []
    for listed in s.exec(select(DebitListFile).where(col(DebitListFile.id).in_(list(by_list)))
                         .order_by(col(DebitListFile.id))).all():
        assert listed.id is not None
        marks = by_list[listed.id]
        payload = county_list_payload(listed.id, listed.list_kind, listed.day, listed.file, listed.sha256,
                                      [x.model_dump() for x in marks])
        out.append(p.DebitListChange(id=listed.id, list_kind=listed.list_kind, day=listed.day, file=listed.file,
                                     sha256=listed.sha256, rows=marks,
                                     signature=p.b64(key.sign(county_signing_bytes("debit_list", device.id,
                                                                                   payload)))))
    return out


# -- what the county and the township see ---------------------------------------------------------

@dataclass
class PersonStatus:
    id_number: str
    name: str
    no_agreement: bool = False
    resign: bool = False
    failed_days: list[str] = field(default_factory=list)
    cash_receipts: list[str] = field(default_factory=list)  # valid receipts for them uploaded since


class PersonStatusOut(BaseModel):
    id_number: str
    name: str
    no_agreement: bool
    resign: bool
    failed_days: list[str]
    cash_receipts: list[str]


def village_status(s: Session, village_code: str) -> list[PersonStatus]:
    """Each person of the village some list names: on the newest 未签协议 / 重签换卡 list, each
    failed debit's day, and the valid cash receipts the village's desks uploaded for them."""
    lists = {x.id: x for x in s.exec(select(DebitListFile).where(col(DebitListFile.id).in_(
        select(DebitListRow.list_id).where(DebitListRow.village_code == village_code)))).all()}
    newest = {kind: max((i for i, x in lists.items() if i is not None and x.list_kind == kind), default=None)
              for kind in ("no_agreement", "resign")}
    people: dict[str, PersonStatus] = {}
    for r in s.exec(select(DebitListRow).where(DebitListRow.village_code == village_code)
                    .order_by(col(DebitListRow.id))).all():
        person = people.setdefault(r.id_number, PersonStatus(r.id_number, r.name))
        kind = lists[r.list_id].list_kind
        if kind == "failed" and r.on_day not in person.failed_days:
            person.failed_days.append(r.on_day)
        elif kind in newest and newest[kind] == r.list_id:
            setattr(person, kind, True)
    if people:
        for line in s.exec(select(m.PaidLine).where(m.PaidLine.village_code == village_code,
                                                    col(m.PaidLine.id_number).in_(list(people)),
                                                    m.PaidLine.status == "有效")).all():
            if line.receipt_number not in people[line.id_number].cash_receipts:
                people[line.id_number].cash_receipts.append(line.receipt_number)
    return list(people.values())


def router() -> APIRouter:
    api = APIRouter(prefix=PATH, tags=["staff"], responses=REFUSALS)

    @api.post("", response_model=LoadResult)
    async def load(request: Request, s: DB, staff: CurrentStaff,
                   kind: Annotated[str, Query(max_length=20)],
                   day: Annotated[str, Query(max_length=10)],
                   file: Annotated[str, Query(min_length=1, max_length=200)]) -> LoadResult:
        """The tax office's file as the request body (county accounts only)."""
        if staff.role != "county":
            raise ServerRefusal(403, "county_only", "税务名单由县级账户载入（乡镇账户只能查看）")
        try:
            list_day = date.fromisoformat(day)
        except ValueError:
            raise ServerRefusal(422, "bad_day", f"名单日期「{day}」应为 YYYY-MM-DD") from None
        data = await request.body()
        # Off the event loop: reading the file and every issued roster takes seconds in a large county.
        return await anyio.to_thread.run_sync(
            lambda: load_list(s, data, file=file, list_kind=kind, day=list_day, by=staff.name))

    @api.get("/{village_code}", response_model=list[PersonStatusOut])
    def status(village_code: str, s: DB, staff: CurrentStaff) -> list[PersonStatusOut]:
        """A village's people on the lists and the cash paid since: township accounts their own."""
        from sync.server.staff import visible_villages

        if village_code not in {v.code for v in visible_villages(s, staff)}:
            raise ServerRefusal(404, "unknown_village", f"没有村 {village_code[:20]}，或本账户不能查看")
        return [PersonStatusOut(**vars(x)) for x in village_status(s, village_code)]

    return api
