"""日清日结: settle a day (counted cash against the journal), remit cash to the bank."""

from __future__ import annotations

from datetime import date

from app.domain.entries import RemittanceEntry, SettlementEntry
from app.domain.money import MOST_FEN, format_fen
from app.domain.records import CashPosition, Remittance, Settlement, UserInfo
from app.services.errors import InvalidInput, NotFound, Refused, checked_reason
from app.services.ledger import refuse_if_clock_behind
from app.services.months import refuse_if_month_closed
from app.services.signoff import CASH_ROLES, check_countersign, check_not_own, require_pin, signers
from app.storage import projection as ledger
from app.storage import settlements as table
from app.storage.database import Clock, Database
from app.storage.projections import (
    expected_cash,
    first_unsettled_day_before,
    settled_rounds,
    unsettled_days,
)

# 100, 50, 20, 10, 5, 1 元, 5 角, 1 角 — what a village office counts.
DENOMINATIONS_FEN = (10000, 5000, 2000, 1000, 500, 100, 50, 10)
MAX_NOTES = 100_000  # of one denomination in one day's count: more is a typing slip


class Settlements:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def preview(self, day: date) -> tuple[int, int, int]:
        """(expected fen, receipts, voids) for a day, before settling it."""
        with self._db.read() as conn:
            expected, n, voids, _ = expected_cash(conn, day)
            return expected, n, voids

    def settle(self, day: date, *, agent: UserInfo, head: UserInfo, counted_fen: int | None = None,
               denominations: dict[int, int] | None = None, reason: str | None = None) -> Settlement:
        now = self._clock()
        if day > now.date():
            raise Refused(f"不能日结未来的日期 {day.isoformat()}")
        check_countersign("日结", agent=agent, head=head)
        denominations = {int(k): int(v) for k, v in (denominations or {}).items() if int(v)}
        for denom, count in denominations.items():
            if denom not in DENOMINATIONS_FEN:
                raise InvalidInput(f"不认识的面额 {format_fen(denom)} 元")
            if count < 0:
                raise InvalidInput(f"面额 {format_fen(denom)} 元的张数不能为负")
            if count > MAX_NOTES:
                raise InvalidInput(f"面额 {format_fen(denom)} 元的张数 {count} 不合常理（最多 {MAX_NOTES} 张），请重新清点")
        by_notes = sum(d * c for d, c in denominations.items())
        if counted_fen is None:
            if not denominations:
                raise InvalidInput("请填写清点的现金金额")
            counted_fen = by_notes
        elif denominations and by_notes != counted_fen:
            raise InvalidInput(
                f"按面额清点合计 {format_fen(by_notes)} 元，与填写的 {format_fen(counted_fen)} 元不一致")
        if not 0 <= counted_fen <= MOST_FEN:
            raise InvalidInput(f"清点现金 {format_fen(counted_fen)} 元不合常理，请重新清点")
        reason = checked_reason(reason, field="差额原因", required=False)
        with self._db.write() as conn:
            earlier = first_unsettled_day_before(conn, day)
            if earlier is not None:
                raise Refused(f"请先日结更早的 {earlier.isoformat()}")
            expected, n, voids, numbers = expected_cash(conn, day)
            rounds = settled_rounds(conn, day)
            if rounds and not n + voids:
                raise Refused(f"{day.isoformat()} 已经日结，之后没有新的收款；已日结的不能再改")
            check_not_own("日结", head=head, collectors=table.open_collectors(conn, day), conn=conn)
            diff = counted_fen - expected
            if diff and not reason:
                raise Refused(f"清点现金 {format_fen(counted_fen)} 元与应有 {format_fen(expected)} 元"
                              f"相差 {format_fen(diff)} 元，请说明原因")
            entry = SettlementEntry(
                day=day.isoformat(), round=rounds + 1, expected_fen=expected, counted_fen=counted_fen,
                difference_fen=diff, reason=reason,
                denominations={str(k): v for k, v in sorted(denominations.items(), reverse=True)},
                receipts=n, voids=voids, receipt_numbers=tuple(numbers), agent=agent.name, head=head.name)
            refuse_if_clock_behind(conn, now)
            ledger.record(conn, now, entry, signers(agent, head))
        return self.get(day, rounds + 1)

    def get(self, day: date, round_no: int | None = None) -> Settlement:
        """One settlement round of a day; the latest when `round_no` is None."""
        rounds = self.rounds(day)
        if not rounds:
            raise NotFound(f"{day.isoformat()} 尚未日结")
        if round_no is None:
            return rounds[-1]
        for st in rounds:
            if st.round_no == round_no:
                return st
        raise NotFound(f"{day.isoformat()} 没有第{round_no}次日结")

    def rounds(self, day: date) -> list[Settlement]:
        """Every settlement round of a day, first first (usually one)."""
        with self._db.read() as conn:
            return table.settlements(conn, "WHERE day = ?", (day.isoformat(),))

    def all(self) -> list[Settlement]:
        with self._db.read() as conn:
            return table.settlements(conn)

    def unsettled_days(self) -> list[date]:
        with self._db.read() as conn:
            return unsettled_days(conn)

    # -- remittance ------------------------------------------------------------------------

    def remit(self, *, amount_fen: int, slip_no: str, day: date, by: UserInfo) -> Remittance:
        """Record cash handed to the bank or tax office. `by` (signed in) is the agent or head
        who carried it: the cash leaves their hands, and the journal says whose."""
        require_pin(by)
        if by.role not in CASH_ROLES:
            raise Refused(f"「{by.name}」是{by.role.label}，不经手现金，不能登记解缴")
        slip_no = slip_no.strip()
        if not slip_no:
            raise InvalidInput("请填写解缴凭证号（银行缴款单号）")
        if amount_fen <= 0:
            raise InvalidInput("解缴金额必须大于零")
        now = self._clock()
        if day > now.date():
            raise InvalidInput(f"解缴日期 {day.isoformat()} 在未来")
        with self._db.write() as conn:
            refuse_if_month_closed(conn, day, f"解缴日期 {day.isoformat()} 不能记在其中：请按实际交款日期登记")
            if table.slip_recorded(conn, slip_no):
                raise Refused(f"凭证号 {slip_no} 已经登记过")
            open_days = table.settled_not_remitted(conn)
            available = sum(v for _, v in open_days)
            if amount_fen > available:
                raise Refused(f"解缴 {format_fen(amount_fen)} 元超过已日结未解缴的现金 "
                              f"{format_fen(available)} 元（未日结的现金须先日结）")
            covered, left = [], amount_fen
            for d, v in open_days:  # oldest settled cash goes to the bank first
                if left <= 0:
                    break
                if d.isoformat() not in covered:  # two rounds of one day are one day here
                    covered.append(d.isoformat())
                left -= v
            refuse_if_clock_behind(conn, now)
            appended = ledger.record(conn, now, RemittanceEntry(slip_no, amount_fen, day.isoformat(), tuple(covered),
                                                                by.name), signers(by))
        return Remittance(slip_no, amount_fen, day, now, tuple(date.fromisoformat(d) for d in covered),
                          appended.hash)

    def remittances(self) -> list[Remittance]:
        with self._db.read() as conn:
            return table.remittances(conn)

    def cash_position(self) -> CashPosition:
        with self._db.read() as conn:
            return table.cash_position(conn)
