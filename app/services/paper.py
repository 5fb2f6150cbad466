"""What goes on paper, gathered in one call: a receipt's print context and each report's data.

printing/ renders these values and never holds a Desk: the data goes one way, from the ledger
to the renderer (before, the report builders called back into the services between renderer
calls). The reads of one report share one snapshot of the file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from app.domain.paper import (
    LedgerContext,
    LedgerReport,
    MonthReport,
    PostingReport,
    PostingRow,
    Report,
    SettlementReport,
    UnpaidReport,
    UnpaidRow,
    receipt_context,
)
from app.domain.records import Receipt, ReceiptContext
from app.services.errors import InvalidInput

if TYPE_CHECKING:
    from app.services.desk import Desk

NO_GROUP = "未分组"
REPORTS = ("ledger", "settlement", "posting", "unpaid")


class Paper:
    def __init__(self, desk: Desk) -> None:
        self._desk = desk

    def receipt_context(self, receipt: Receipt) -> ReceiptContext:
        """What a receipt (or its 缴费证明) needs beyond its record: read at print time, so a
        reprint shows the same record with today's county details."""
        if receipt.print_context is not None:  # gathered when it was recorded
            return receipt.print_context
        desk = self._desk
        with desk.db.read():
            categories, _standard = self._roster_facts([receipt])
            return receipt_context(desk.setup.device, desk.setup.config, categories,
                                   training=desk.training)

    def report(self, kind: str, period: tuple[date, date] | None, *, today: date,
               year: int | None = None) -> Report:
        """One report's data (`kind` one of REPORTS), read in one snapshot."""
        with self._desk.db.read():
            if kind == "ledger":
                assert period is not None
                receipts = self._receipts(period)
                return LedgerReport(tuple(receipts), self._desk.setup.device, period[0], period[1],
                                    self._ledger_context(receipts))
            if kind == "settlement":
                assert period is not None
                return self._settlement(period)
            if kind == "posting":
                return self._posting(period, today)
            if kind == "unpaid":
                return self._unpaid(today, year)
        raise InvalidInput(f"未知的报表：{kind}")

    def month(self, month: str) -> MonthReport:
        """The 月结单 of a closed month."""
        found = self._desk.months.closed_record(month)
        if found is None:
            raise InvalidInput(f"{month.strip()} 尚未月结：先月结（「日结与解缴 F4」，Ctrl+M），再生成月结单",
                               command="daishou month close")
        at, close = found
        return MonthReport(self._desk.setup.device, at, close)

    # -- gathering -------------------------------------------------------------------------

    def _receipts(self, period: tuple[date, date] | None) -> list[Receipt]:
        if period is None:
            return self._desk.receipts.list()
        return self._desk.receipts.list(start=period[0], end=period[1])

    def _roster_facts(self, receipts: Iterable[Receipt]) -> tuple[dict[str, str], dict[tuple[str, int], int]]:
        """What paper shows beside each line: the person's 人员类别 and the county's standard
        amount (to spell out the subsidy); one read of the roster for all the lines."""
        desk = self._desk
        people = desk.roster.people(line.id_number for r in receipts for line in r.lines)
        standard = {("medical", year): yc.medical_fen for year, yc in desk.setup.config.years.items()}
        return {idn: p.category for idn, p in people.items() if p.category}, standard

    def _ledger_context(self, receipts: list[Receipt]) -> LedgerContext:
        categories, standard = self._roster_facts(receipts)
        signatures = {}
        for r in receipts:
            if r.signature_sha256 and r.signature_sha256 not in signatures:
                png = self._desk.receipts.signature(r.signature_sha256)
                if png is not None:
                    signatures[r.signature_sha256] = png
        agents = sorted({r.agent for r in receipts})
        heads = sorted({r.countersign.head for r in receipts if r.countersign})
        return LedgerContext(categories=categories, standard_fen=standard, signatures=signatures,
                             prepared_by="、".join(agents), reviewer="、".join(heads))

    def _settlement(self, period: tuple[date, date]) -> SettlementReport:
        desk = self._desk
        if period[0] != period[1]:
            raise InvalidInput("日结单一次只能生成一天：请选一天", command="--date YYYY-MM-DD")
        rounds = desk.settlements.rounds(period[0])
        if not rounds:
            desk.settlements.get(period[0])  # raises NotFound with the message the user reads
        day_receipts = desk.receipts.list(period[0])

        def round_of(r: Receipt) -> int | None:  # the settlement round that covered it
            return r.countersign.round_no if r.countersign else None

        return SettlementReport(
            tuple((st, tuple(r for r in day_receipts if round_of(r) == st.round_no)) for st in rounds),
            desk.setup.device, desk.sync.acknowledged([st.hash for st in rounds]))

    def _posting(self, period: tuple[date, date] | None, today: date) -> PostingReport:
        desk = self._desk
        receipts = [r for r in self._receipts(period) if r.void is None]
        people = desk.roster.people(line.id_number for r in receipts for line in r.lines)
        rows = []
        for r in receipts:
            for line in r.lines:
                person = people.get(line.id_number)
                rows.append(PostingRow(person.group if person and person.group else NO_GROUP,
                                       line.name, line.id_number, person.phone if person else "",
                                       line.insurance, line.year, line.amount_fen, r.day))
        years = Counter(row.year for row in rows)
        year = years.most_common(1)[0][0] if years else (period[1] if period else today).year
        from app.services.posting import paid_elsewhere_rows  # 第四十三条: every channel

        rows += paid_elsewhere_rows(desk, year, no_group=NO_GROUP)
        device, paper = desk.setup.device, desk.setup.config.paper
        return PostingReport(
            tuple(rows), village=f"{device.township_name}{device.village_name}",
            year=year,
            start=period[0] if period else min((r.day for r in receipts), default=today),
            end=period[1] if period else max((r.day for r in receipts), default=today),
            posted=(today, today + timedelta(days=paper.posting_days - 1)), report_phone=paper.report_phone)

    def _unpaid(self, today: date, year: int | None) -> UnpaidReport:
        people = self._desk.roster.unpaid(year)
        year = year or max((d.year for p in people for d in p.dues), default=today.year)
        rows = tuple(UnpaidRow(p.group or NO_GROUP, p.name, p.id_number, p.phone, d.insurance, d.year,
                               d.due_fen, p.category)
                     for p in people for d in p.dues if d.year == year)
        device = self._desk.setup.device
        return UnpaidReport(rows, f"{device.township_name}{device.village_name}", year, today)

