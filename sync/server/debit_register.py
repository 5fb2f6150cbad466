"""The county receives a township's 《两险批量扣款清册》 (003 第二十六、二十七条; issue 25).

The township compiles and prints it on its own PC from its villages' ledger copies (`daishou report
debit-register`: the server renders no PDF, and the township works without it), has it signed and
sealed, and sends the paper to the tax office. The data file written beside the PDF comes to the
county (`daishou-server debit register FILE`, or a staff account's POST): the county checks every
row against the rosters it issued itself — the village is the township's, the person is on that
village's roster, each once, the totals add up — and keeps it with the digest of the PDF that was
printed, so the county can tell which print carries the seal. A row may not ask the bank for more
than the person still owes by the county's own figures (the dues of the newest roster it issued,
judged under its configuration, less the receipt lines and other-channel payments it holds): a
清册 is a debit order on someone's bank account. A file with any wrong row is refused whole, naming
the row (the township's own compilation cannot be half right); the same file twice is refused."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

import anyio
from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, Text, func
from sqlmodel import Field, Session, col, select

from app.domain.debit_register import DATA_FORMAT
from app.domain.money import format_fen
from sync.server import models as m
from sync.server import progress
from sync.server.body_limit import DEBIT_REGISTERS
from sync.server.core import ServerRefusal, now
from sync.server.debit_lists import roster_owners
from sync.server.deps import DB, CurrentStaff
from sync.server.routers.refusals import REFUSALS
from sync.server.schemas import row_out

PATH = DEBIT_REGISTERS
MAX_ROWS = 300_000


class DebitRegisterFile(m.ServerModel, table=True):
    __tablename__ = "debit_register"
    id: int | None = Field(default=None, primary_key=True)
    township_code: str = Field(index=True)
    year: int
    as_of: str
    people: int
    total_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    pdf_sha256: str
    sha256: str = Field(unique=True)
    rows: str = Field(sa_column=Column(Text, nullable=False))  # JSON, as received
    received_by: str
    received_at: datetime


class RegisterOut(BaseModel):
    id: int
    township_code: str
    year: int
    as_of: str
    people: int
    total_fen: int
    pdf_sha256: str
    received_by: str
    received_at: str


def _bad(message: str) -> ServerRefusal:
    return ServerRefusal(422, "bad_register", message)


def receive(s: Session, text: str, *, by: str, township: str | None = None) -> DebitRegisterFile:
    """Check and keep one 清册 data file; `township` (a township account's) refuses another's."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != DATA_FORMAT:
            raise ValueError(f"不是批量扣款清册数据文件（应为 {DATA_FORMAT}）")
        code, year, as_of = str(data["township_code"]), int(data["year"]), str(data["as_of"])[:10]
        people, total, pdf = int(data["people"]), int(data["total_fen"]), str(data["pdf_sha256"])
        rows: list[Any] = data["rows"]
        if not isinstance(rows, list) or len(rows) > MAX_ROWS:
            raise ValueError("rows 应为不超过 300000 行的列表")
    except (ValueError, KeyError, TypeError) as exc:
        raise _bad(f"清册数据文件读不了：{exc}") from None
    if township is not None and code != township:
        raise ServerRefusal(403, "other_township", f"这是乡镇 {code} 的清册，本账户属于乡镇 {township}")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if s.exec(select(DebitRegisterFile).where(DebitRegisterFile.sha256 == digest)).first() is not None:
        raise ServerRefusal(409, "already_received", "这份清册已经报送过")
    owners = roster_owners(s)
    seen: set[str] = set()
    counted = 0
    for n, row in enumerate(rows, 1):
        try:
            village, ident, amount = str(row["village_code"]), str(row["id_number"]), row["amount_fen"]
        except (KeyError, TypeError):
            raise _bad(f"第 {n} 行缺少村代码、身份证号或金额") from None
        if village[:9] != code:
            raise _bad(f"第 {n} 行：村 {village[:20]} 不属于乡镇 {code}")
        if owners.get(ident) != village:
            raise _bad(f"第 {n} 行：{str(row.get('name', ''))[:20]} 不在县里下发给村 {village} 的征收清册中")
        if ident in seen:
            raise _bad(f"第 {n} 行：{str(row.get('name', ''))[:20]} 在清册中重复")
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= 10**9:
            raise _bad(f"第 {n} 行：缴费金额应为正的整数分")
        seen.add(ident)
        counted += amount
    over = _over_owed(s, rows, year)
    if over is not None:
        n, row, owed = over
        raise ServerRefusal(422, "over_owed", f"第 {n} 行：{str(row.get('name', ''))[:20]} 清册写扣 "
                                              f"{format_fen(row['amount_fen'])} 元，县里核定 {year} 年度尚欠 "
                                              f"{format_fen(owed)} 元")
    if (people, total) != (len(rows), counted):
        raise ServerRefusal(422, "register_mismatch", f"清册写的是 {people} 人 {total} 分，逐行相加是 "
                                                      f"{len(rows)} 人 {counted} 分")
    kept = DebitRegisterFile(township_code=code, year=year, as_of=as_of, people=people, total_fen=total,
                             pdf_sha256=pdf[:64], sha256=digest, rows=json.dumps(rows, ensure_ascii=False),
                             received_by=by, received_at=now())
    s.add(kept)
    s.flush()
    return kept


def _over_owed(s: Session, rows: list[Any], year: int) -> tuple[int, dict[str, Any], int] | None:
    """The first row asking more than the person owes for `year` by the county's own figures:
    (row number, row, what is owed). Rows are already known to be on their village's roster."""
    villages = sorted({str(r["village_code"]) for r in rows})
    if not villages:
        return None
    # Per (person, insurance): a due the roster marks paid (another channel, folded in when the
    # county loaded the payment) owes nothing; the others owe their due less what the county holds.
    owed: dict[tuple[str, str], int] = {}
    sha, config = progress._config(s)
    db = progress.database(s)
    newest = (select(m.RosterVersion.village_code, func.max(m.RosterVersion.version).label("v"))
              .where(col(m.RosterVersion.village_code).in_(villages))
              .group_by(col(m.RosterVersion.village_code)).subquery())
    for version_id, text in s.exec(select(m.RosterVersion.id, m.RosterVersion.rows).join(
            newest, (col(m.RosterVersion.village_code) == newest.c.village_code)
            & (col(m.RosterVersion.version) == newest.c.v))).all():
        for ident, insurance, due_year, due, channel in progress._dues(db, int(version_id or 0), text, sha, config):
            if due_year == year and not channel:
                owed[(ident, insurance)] = owed.get((ident, insurance), 0) + due
    paid = select(m.PaidLine.id_number, m.PaidLine.insurance, m.PaidLine.amount_fen).where(
        col(m.PaidLine.village_code).in_(villages), m.PaidLine.year == year, m.PaidLine.status == "有效")
    elsewhere = select(m.Payment.id_number, m.Payment.insurance, m.Payment.amount_fen).where(
        col(m.Payment.village_code).in_(villages), m.Payment.year == year)
    for query in (paid, elsewhere):
        for ident, insurance, amount in s.exec(query).all():
            key = (str(ident).upper(), str(insurance))
            if key in owed:
                owed[key] -= int(amount)
    left: dict[str, int] = {}
    for (ident, _insurance), fen in owed.items():
        left[ident] = left.get(ident, 0) + max(fen, 0)
    for n, row in enumerate(rows, 1):
        most = left.get(str(row["id_number"]).upper(), 0)
        if row["amount_fen"] > most:
            return n, row, most
    return None


def _out(x: DebitRegisterFile) -> RegisterOut:
    return row_out(RegisterOut, x)


def router() -> APIRouter:
    api = APIRouter(prefix=PATH, tags=["staff"], responses=REFUSALS)

    @api.post("", response_model=RegisterOut)
    async def upload(request: Request, s: DB, staff: CurrentStaff) -> RegisterOut:
        """A township account sends its own township's 清册 data; a county account any."""
        text = (await request.body()).decode("utf-8", errors="replace")
        township = staff.township_code if staff.role == "township" else None
        # Off the event loop: every issued roster is read to check the rows.
        return _out(await anyio.to_thread.run_sync(lambda: receive(s, text, by=staff.name, township=township)))

    @api.get("", response_model=list[RegisterOut])
    def received(s: DB, staff: CurrentStaff) -> list[RegisterOut]:
        query = select(DebitRegisterFile).order_by(col(DebitRegisterFile.id))
        if staff.role == "township":
            query = query.where(DebitRegisterFile.township_code == staff.township_code)
        return [_out(x) for x in s.exec(query).all()]

    return api
