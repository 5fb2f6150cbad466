"""A day settled twice (cash taken after its first settlement): 台账 and 日结单 show both rounds."""

from __future__ import annotations

from app.domain.records import UserInfo
from app.services.desk import Desk
from printing.reports import render_report
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock
from tests.printing.pdftext import read_pdf


def test_ledger_and_sheet_list_both_settlements_of_a_day(desk: Desk, agent: UserInfo, head: UserInfo,
                                                         clock: FakeClock) -> None:
    day = clock().date()
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.settlements.settle(day, agent=agent, head=head, counted_fen=80000)
    clock.advance(hours=3)
    desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)  # a late villager
    desk.settlements.settle(day, agent=agent, head=head, counted_fen=39000, reason="少收十元")

    ledger, info = render_report(desk.paper.report("ledger", (day, day), today=day))
    text = read_pdf(ledger).all.replace(" ", "")
    assert "第1次日结小计2人次" in text and "第2次日结小计1人次" in text
    assert "本日合计3人次" in text and info["total_fen"] == 120000

    sheet, info = render_report(desk.paper.report("settlement", (day, day), today=day))
    pdf = read_pdf(sheet)
    assert len(pdf.pages) == 2  # one page per round, each with its own count and signatures
    first, second = (page.replace(" ", "") for page in pdf.pages)
    assert "代收现金日结单（第1次）" in first and "800.00" in first and "少收十元" not in first
    assert "代收现金日结单（第2次）" in second and "第2次（共2次）" in second and "少收十元" in second
    assert (info["expected_fen"], info["counted_fen"], info["rounds"]) == (120000, 119000, 2)


def test_a_day_settled_once_prints_as_before(desk: Desk, agent: UserInfo, head: UserInfo,
                                             clock: FakeClock) -> None:
    day = clock().date()
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(day, agent=agent, head=head, counted_fen=40000)
    text = read_pdf(render_report(desk.paper.report("ledger", (day, day), today=day))[0]).all.replace(" ", "")
    assert "次日结小计" not in text and "本日合计1人次" in text  # no round subtotals for a single round
    pdf = read_pdf(render_report(desk.paper.report("settlement", (day, day), today=day))[0])
    assert len(pdf.pages) == 1 and "第1次" not in pdf.all
