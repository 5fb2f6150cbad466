"""Gather what each report needs from the services and hand plain values to the renderers."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from app.domain.records import Receipt
from app.services.desk import Desk
from app.services.errors import InvalidInput
from app.services.review import FileReview
from app.training import is_training
from printing import training_mark
from printing.pdf.inspection import inspection_pdf
from printing.pdf.ledger import LedgerContext, ledger_pdf
from printing.pdf.lists import PostingRow, UnpaidRow, posting_pdf, unpaid_pdf
from printing.pdf.month import month_pdf
from printing.pdf.settlement import settlements_pdf
from printing.receipt_context import roster_facts

NO_GROUP = "未分组"


def _receipts(desk: Desk, period: tuple[date, date] | None) -> list[Receipt]:
    if period is None:
        return desk.receipts.list()
    return desk.receipts.list(start=period[0], end=period[1])


def _round_of(receipt: Receipt) -> int | None:
    """Which settlement round of its day covered the receipt (None while unsettled)."""
    return receipt.countersign.round_no if receipt.countersign else None


def build_report(desk: Desk, kind: str, period: tuple[date, date] | None, *, today: date,
                 year: int | None = None) -> tuple[bytes, dict[str, Any]]:
    with training_mark.marked(is_training(desk.home)):  # every page of a practice village's paper
        return _build_report(desk, kind, period, today=today, year=year)


def _build_report(desk: Desk, kind: str, period: tuple[date, date] | None, *, today: date,
                  year: int | None = None) -> tuple[bytes, dict[str, Any]]:
    device = desk.setup.device
    if kind == "ledger":
        assert period is not None
        receipts = _receipts(desk, period)
        return ledger_pdf(receipts, device, start=period[0], end=period[1], context=_ledger_context(desk, receipts)), {
            "receipts": len(receipts),
            "total_fen": sum(r.total_fen for r in receipts if r.void is None)}
    if kind == "settlement":
        assert period is not None
        if period[0] != period[1]:
            raise InvalidInput("日结单一次只能生成一天：请选一天", command="--date YYYY-MM-DD")
        rounds = desk.settlements.rounds(period[0])
        if not rounds:
            desk.settlements.get(period[0])  # raises NotFound with the message the user reads
        day_receipts = desk.receipts.list(period[0])
        pdf = settlements_pdf([(st, [r for r in day_receipts if _round_of(r) == st.round_no])
                               for st in rounds], device, desk.sync.acknowledged([st.hash for st in rounds]))
        return pdf, {"expected_fen": sum(st.expected_fen for st in rounds),
                     "counted_fen": sum(st.counted_fen for st in rounds), "rounds": len(rounds)}
    if kind == "posting":
        return _posting(desk, period, today)
    return _unpaid(desk, today, year)


def _posting(desk: Desk, period: tuple[date, date] | None, today: date) -> tuple[bytes, dict[str, Any]]:
    receipts = [r for r in _receipts(desk, period) if r.void is None]
    rows = []
    people = desk.roster.people(line.id_number for r in receipts for line in r.lines)
    for r in receipts:
        for line in r.lines:
            person = people.get(line.id_number)
            rows.append(PostingRow(person.group if person and person.group else NO_GROUP,
                                   line.name, line.id_number, person.phone if person else "",
                                   line.insurance, line.year, line.amount_fen, r.day))
    years = Counter(row.year for row in rows)
    year = years.most_common(1)[0][0] if years else today.year
    start = period[0] if period else min((r.day for r in receipts), default=today)
    end = period[1] if period else max((r.day for r in receipts), default=today)
    device = desk.setup.device
    village = f"{device.township_name}{device.village_name}"
    paper = desk.setup.config.paper
    pdf = posting_pdf(rows, village=village, year=year, start=start, end=end,
                      posted=(today, today + timedelta(days=paper.posting_days - 1)),
                      report_phone=paper.report_phone)
    return pdf, {"rows": len(rows), "total_fen": sum(row.amount_fen for row in rows)}


def _ledger_context(desk: Desk, receipts: list[Receipt]) -> LedgerContext:
    categories, standard = roster_facts(desk, receipts)
    signatures = {}
    for r in receipts:
        if r.signature_sha256 and r.signature_sha256 not in signatures:
            png = desk.receipts.signature(r.signature_sha256)
            if png is not None:
                signatures[r.signature_sha256] = png
    agents = sorted({r.agent for r in receipts})
    heads = sorted({r.countersign.head for r in receipts if r.countersign})
    return LedgerContext(categories=categories, standard_fen=standard, signatures=signatures, prepared_by="、".join(agents), reviewer="、".join(heads))


def _unpaid(desk: Desk, today: date, year: int | None) -> tuple[bytes, dict[str, Any]]:
    people = desk.roster.unpaid(year)
    year = year or max((d.year for p in people for d in p.dues), default=today.year)
    rows = [UnpaidRow(p.group or NO_GROUP, p.name, p.id_number, p.phone, d.insurance, d.year,
                      d.due_fen, p.category)
            for p in people for d in p.dues if d.year == year]
    device = desk.setup.device
    pdf = unpaid_pdf(rows, village=f"{device.township_name}{device.village_name}", year=year,
                     as_of=today)
    return pdf, {"rows": len(rows), "due_fen": sum(r.due_fen for r in rows)}


def inspection_report(r: FileReview, reviewer: str = "") -> tuple[bytes, dict[str, Any]]:
    """The 抽查报告 of a reviewed village file."""
    pdf = inspection_pdf(r.device, r.review, r.sample, seed=r.seed, as_of=r.as_of, check_ok=r.check.ok,
                         check_reason=r.check.reason, reviewer=reviewer)
    return pdf, {"village_code": r.device.village_code, "flags": len(r.review.flags), "sample": len(r.sample),
                 "seed": r.seed, "check_ok": r.check.ok}


def month_report(desk: Desk, month: str) -> tuple[bytes, dict[str, Any]]:
    """The 月结单 of a closed month."""
    found = desk.months.closed_record(month)
    if found is None:
        raise InvalidInput(f"{month.strip()} 尚未月结：先月结（「日结与解缴 F4」，Ctrl+M），再生成月结单",
                           command="daishou month close")
    at, d = found
    with training_mark.marked(is_training(desk.home)):
        pdf = month_pdf(desk.setup.device, at, d)
    return pdf, {"month": d["month"], "difference_fen": d["difference_fen"]}
