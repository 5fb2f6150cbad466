"""Render the reports' data (gathered by app/services/paper.py) into PDFs: pure, no Desk."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from app.domain.paper import LedgerReport, PostingReport, Report, SettlementReport, UnpaidReport
from app.domain.records import Device
from app.domain.review import LedgerReview, ReceiptRow
from printing import training_mark
from printing.pdf.inspection import inspection_pdf
from printing.pdf.ledger import ledger_pdf
from printing.pdf.lists import posting_pdf, unpaid_pdf
from printing.pdf.month import month_pdf
from printing.pdf.settlement import settlements_pdf


def render_report(report: Report, *, training: bool = False) -> tuple[bytes, dict[str, Any]]:
    """The PDF of a report, and the figures the command line prints beside it; `training`: the
    practice village's (app/training.py), every page marked 「培训」."""
    with training_mark.marked(training):
        return _render(report)


def _render(report: Report) -> tuple[bytes, dict[str, Any]]:
    if isinstance(report, LedgerReport):
        receipts = report.receipts
        return ledger_pdf(receipts, report.device, start=report.start, end=report.end, context=report.context), {
            "receipts": len(receipts), "total_fen": sum(r.total_fen for r in receipts if r.void is None)}
    if isinstance(report, SettlementReport):
        rounds = [st for st, _ in report.rounds]
        return settlements_pdf(report.rounds, report.device, report.acknowledged), {
            "expected_fen": sum(st.expected_fen for st in rounds), "counted_fen": sum(st.counted_fen for st in rounds),
            "rounds": len(rounds)}
    if isinstance(report, PostingReport):
        pdf = posting_pdf(report.rows, village=report.village, year=report.year, start=report.start,
                          end=report.end, posted=report.posted, report_phone=report.report_phone)
        return pdf, {"rows": len(report.rows), "total_fen": sum(row.amount_fen for row in report.rows)}
    if isinstance(report, UnpaidReport):
        pdf = unpaid_pdf(report.rows, village=report.village, year=report.year, as_of=report.as_of)
        return pdf, {"rows": len(report.rows), "due_fen": sum(r.due_fen for r in report.rows)}
    close = report.close
    return month_pdf(report.device, report.recorded_at, close), {"month": close.month,
                                                                 "difference_fen": close.difference_fen}


class _Check(Protocol):
    @property
    def ok(self) -> bool: ...

    @property
    def reason(self) -> str | None: ...


class Reviewed(Protocol):
    """A reviewed village file (app/services/review.py FileReview), as the report reads it."""

    @property
    def device(self) -> Device: ...

    @property
    def review(self) -> LedgerReview: ...

    @property
    def sample(self) -> list[ReceiptRow]: ...

    @property
    def seed(self) -> str: ...

    @property
    def as_of(self) -> date: ...

    @property
    def check(self) -> _Check: ...


def inspection_report(r: Reviewed, reviewer: str = "") -> tuple[bytes, dict[str, Any]]:
    """The 抽查报告 of a reviewed village file."""
    pdf = inspection_pdf(r.device, r.review, r.sample, seed=r.seed, as_of=r.as_of, check_ok=r.check.ok,
                         check_reason=r.check.reason, reviewer=reviewer)
    return pdf, {"village_code": r.device.village_code, "flags": len(r.review.flags), "sample": len(r.sample),
                 "seed": r.seed, "check_ok": r.check.ok}

