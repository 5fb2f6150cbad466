"""日清月结 (004): at a month's end, cash, ledger and receipt numbers are reconciled and
countersigned. The close states what the month's receipts, voids, settlements and remittances
add up to and the cash on hand counted against the ledger; the chain rules check every figure,
and nothing may be dated in a closed month afterwards."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from app.domain.entries import MonthCloseEntry
from app.domain.money import MOST_FEN, format_fen
from app.domain.records import UserInfo
from app.domain.rules import closed_month_refusal
from app.services.errors import InvalidInput, Refused, checked_reason
from app.services.ledger import refuse_if_clock_behind
from app.services.signoff import check_countersign, check_not_own, signers
from app.storage import journal, months
from app.storage import projection as ledger
from app.storage import settings as store
from app.storage.database import Clock, Database

CLOSED_KEY = "month.closed"  # the newest closed month, for the refusal's message (the chain is the proof)
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class MonthFigures:
    month: str
    receipts: int
    voids: int
    collected_fen: int
    settled_fen: int
    remitted_fen: int
    on_hand_fen: int
    first_number: str | None
    last_number: str | None
    serials: int  # 统一票据 used in the month (by its receipts, or spoiled)
    serials_spoiled: int
    first_serial: str | None
    last_serial: str | None
    unsettled_days: tuple[str, ...]
    closed: bool
    counted_fen: int | None = None
    difference_fen: int | None = None
    reason: str | None = None
    hash: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__, unsettled_days=list(self.unsettled_days))


def parse_month(text: str) -> str:
    text = text.strip()
    if not _MONTH.match(text):
        raise InvalidInput(f"月份「{text}」应为 YYYY-MM，如 2026-11")
    return text


def closed_month(conn: Any) -> str:
    """The newest month closed ("" before any): months close in order, so every month up to it
    is closed. Kept beside the ledger for the receipt's hot path; the chain rules are the proof."""
    return store.get(conn, CLOSED_KEY) or ""


def refuse_if_month_closed(conn: Any, day: date, what: str) -> None:
    """Nothing is dated in a closed month: cash, a remittance, a spoiled form."""
    refusal = closed_month_refusal(day.isoformat(), closed_month(conn) or "", what)
    if refusal is not None:
        raise Refused(refusal)


class Months:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def figures(self, month: str) -> MonthFigures:
        month = parse_month(month)
        with self._db.read() as conn:
            return self._figures(conn, month)

    def _figures(self, conn: Any, month: str) -> MonthFigures:
        f = months.figures(conn, month)
        last = months.bounds(month)[1]
        return MonthFigures(**f, unsettled_days=tuple(months.unsettled_days_until(conn, last)),
                            closed=month <= closed_month(conn))

    def closed_record(self, month: str) -> tuple[str, MonthCloseEntry] | None:
        """(when, what) the month's close recorded, as journalled; None while it is open."""
        month = parse_month(month)
        with self._db.read() as conn:
            for _seq, at, close in journal.of_kind(conn, MonthCloseEntry):
                if close.month == month:
                    return at, close
        return None

    def due(self) -> MonthFigures | None:
        """The month to close next: the oldest one with any cash in it, not yet closed, that has
        ended (or ends today); None when there is none."""
        today = self._clock().date().isoformat()
        with self._db.read() as conn:
            closed = closed_month(conn)
            for month in months.active_months(conn):
                if month > closed and months.bounds(month)[1] <= today:
                    return self._figures(conn, month)
        return None

    def close(self, month: str, *, agent: UserInfo, head: UserInfo, counted_fen: int,
              reason: str | None = None) -> MonthFigures:
        month = parse_month(month)
        check_countersign("月结", agent=agent, head=head)
        if not 0 <= counted_fen <= MOST_FEN:
            raise InvalidInput(f"清点现金 {format_fen(counted_fen)} 元不合常理，请重新清点")
        reason = checked_reason(reason, field="差额原因", required=False)
        now = self._clock()
        last = months.bounds(month)[1]
        if date.fromisoformat(last) > now.date():
            raise Refused(f"{month} 尚未结束：月结在当月最后一天（{last}）或之后进行")
        with self._db.write() as conn:
            closed = closed_month(conn)
            if month <= closed:
                raise Refused(f"{month} 已经月结" if month == closed else f"{month} 早于已月结的 {closed}")
            earlier = [m for m in months.active_months(conn) if closed < m < month]
            if earlier:
                raise Refused(f"请先月结 {earlier[0]}（按月份先后月结）")
            f = self._figures(conn, month)
            if f.unsettled_days:
                raise Refused(f"{f.unsettled_days[0]} 的现金尚未日结：日清月结，请先日结再月结")
            check_not_own("月结", head=head, collectors=months.collectors(conn, month), conn=conn)
            diff = counted_fen - f.on_hand_fen
            if diff and not reason:
                raise Refused(f"清点手头现金 {format_fen(counted_fen)} 元与账面已日结未解缴 {format_fen(f.on_hand_fen)} 元"
                              f"相差 {format_fen(diff)} 元，请说明原因")
            entry = MonthCloseEntry(
                month=month, receipts=f.receipts, voids=f.voids, collected_fen=f.collected_fen,
                settled_fen=f.settled_fen, remitted_fen=f.remitted_fen, on_hand_fen=f.on_hand_fen,
                counted_fen=counted_fen, difference_fen=diff, reason=reason, first_number=f.first_number,
                last_number=f.last_number, agent=agent.name, head=head.name)
            if f.serials:  # 钱票一致: only where the village uses the county's uniform receipts
                entry = replace(entry, serials=f.serials, serials_spoiled=f.serials_spoiled,
                                first_serial=f.first_serial, last_serial=f.last_serial)
            refuse_if_clock_behind(conn, now)
            appended = ledger.record(conn, now, entry, signers(agent, head))
            store.put(conn, CLOSED_KEY, month)
        return MonthFigures(**{**f.__dict__, "closed": True, "counted_fen": counted_fen, "difference_fen": diff,
                               "reason": reason, "hash": appended.hash})
