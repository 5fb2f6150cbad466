"""日清月结: a month is closed once its days are settled, with the cash on hand counted against
the ledger and countersigned; its figures are what the chain adds up to, and nothing more is
dated in it afterwards."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain.chain import ChainError, ChainRules
from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import InvalidInput, Refused
from tests.core.test_chain_rules import forged, journal
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock

NOV = date(2026, 11, 20)


@pytest.fixture
def november(desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> Desk:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    wrong = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.receipts.void(wrong.number, reason="收错了人", agent=agent, head=head)
    desk.settlements.settle(NOV, agent=agent, head=head, counted_fen=40000)
    desk.settlements.remit(amount_fen=30000, slip_no="YH-1", day=NOV, by=agent)
    return desk


def test_a_month_closes_with_what_it_adds_up_to(november: Desk, agent: UserInfo, head: UserInfo,
                                                 clock: FakeClock) -> None:
    with pytest.raises(Refused, match="尚未结束"):
        november.months.close("2026-11", agent=agent, head=head, counted_fen=10000)
    clock.now = datetime(2026, 11, 30, 18, 0)
    closed = november.months.close("2026-11", agent=agent, head=head, counted_fen=10000)
    assert (closed.receipts, closed.voids, closed.collected_fen, closed.settled_fen, closed.remitted_fen,
            closed.on_hand_fen, closed.difference_fen) == (2, 1, 40000, 40000, 30000, 10000, 0)
    assert (closed.first_number, closed.last_number) == ("341824100201-01-000001", "341824100201-01-000002")
    assert november.months.figures("2026-11").closed and november.verify().ok
    rules = ChainRules()
    for e in journal(november):
        rules.feed(*e)
    assert rules.closed_month == "2026-11"
    # Nothing more in the closed month: cash, a remittance dated in it, a second close.
    with pytest.raises(Refused, match="已月结"):
        november.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    with pytest.raises(Refused, match="已月结"):
        november.settlements.remit(amount_fen=10000, slip_no="YH-2", day=date(2026, 11, 25), by=agent)
    with pytest.raises(Refused, match="已经月结"):
        november.months.close("2026-11", agent=agent, head=head, counted_fen=10000)
    clock.next_day()  # December
    november.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    november.settlements.remit(amount_fen=10000, slip_no="YH-2", day=clock().date(), by=agent)


def test_a_difference_needs_a_reason_and_stays_on_record(november: Desk, agent: UserInfo, head: UserInfo,
                                                          clock: FakeClock) -> None:
    clock.now = datetime(2026, 12, 1, 9, 0)
    with pytest.raises(Refused, match="相差 -100.00 元"):
        november.months.close("2026-11", agent=agent, head=head, counted_fen=0)
    closed = november.months.close("2026-11", agent=agent, head=head, counted_fen=0, reason="备用金垫付了一百元")
    assert closed.difference_fen == -10000 and closed.reason == "备用金垫付了一百元"


def test_unsettled_days_and_earlier_months_come_first(desk: Desk, agent: UserInfo, head: UserInfo,
                                                      clock: FakeClock) -> None:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    clock.now = datetime(2026, 12, 2, 9, 0)
    with pytest.raises(Refused, match="2026-11-20 的现金尚未日结"):
        desk.months.close("2026-11", agent=agent, head=head, counted_fen=40000)
    desk.settlements.settle(NOV, agent=agent, head=head, counted_fen=40000)
    clock.now = datetime(2027, 1, 1, 9, 0)
    with pytest.raises(Refused, match="请先月结 2026-11"):
        desk.months.close("2026-12", agent=agent, head=head, counted_fen=40000)
    desk.months.close("2026-11", agent=agent, head=head, counted_fen=40000)
    empty = desk.months.close("2026-12", agent=agent, head=head, counted_fen=40000)  # nothing taken in it
    assert (empty.receipts, empty.on_hand_fen, empty.first_number) == (0, 40000, None)
    assert desk.verify().ok
    with pytest.raises(InvalidInput, match="YYYY-MM"):
        desk.months.figures("2026-13")
    with pytest.raises(Refused, match="月结需要村委会负责人确认"):
        desk.months.close("2027-01", agent=agent, head=agent, counted_fen=0)


def test_a_close_with_other_figures_breaks_the_chain(november: Desk, agent: UserInfo, head: UserInfo,
                                                     clock: FakeClock) -> None:
    clock.now = datetime(2026, 11, 30, 18, 0)
    november.months.close("2026-11", agent=agent, head=head, counted_fen=10000)
    entries = journal(november)
    close = entries[-1]
    rules = ChainRules()
    for e in entries[:-1]:
        rules.feed(*e)
    with pytest.raises(ChainError) as caught:  # a voided receipt's cash left out of the month
        rules.feed(*forged(close, lambda d: d.update(collected_fen=80000)))
    assert caught.value.code == "month_mismatch"


def test_the_close_counts_the_uniform_receipts_of_the_month(desk: Desk, agent: UserInfo, head: UserInfo,
                                                           clock: FakeClock) -> None:
    """钱票一致: the serials the month used, by its receipts or spoiled in it, are in the close and
    the chain checks their count; nothing more is spoiled in a closed month."""
    desk.receipt_books.add("0000501", "0000600", prefix="皖", by=head)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipt_books.spoil(reason="卡纸", by=agent)
    desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.settlements.settle(NOV, agent=agent, head=head, counted_fen=80000)
    clock.now = datetime(2026, 11, 30, 18, 0)
    closed = desk.months.close("2026-11", agent=agent, head=head, counted_fen=80000)
    assert (closed.serials, closed.serials_spoiled, closed.first_serial, closed.last_serial) == (
        3, 1, "皖0000501", "皖0000503")
    with pytest.raises(Refused, match="已月结，本月不能再登记作废票据"):
        desk.receipt_books.spoil(reason="撕坏", by=agent)
    rules = ChainRules()
    for e in journal(desk):
        rules.feed(*e)
    assert rules.months["2026-11"][5] == 3 and desk.verify().ok
    entries = journal(desk)
    close = entries[-1]
    rules = ChainRules()
    for e in entries[:-1]:
        rules.feed(*e)
    with pytest.raises(ChainError) as caught:  # a form taken out of the count
        rules.feed(*forged(close, lambda d: d.update(serials=2)))
    assert caught.value.code == "month_mismatch"


def test_the_month_sheet_prints_what_was_closed(november: Desk, agent: UserInfo, head: UserInfo,
                                                clock: FakeClock, tmp_path: Path) -> None:
    from tests.core.test_cli import Cli
    from tests.printing.pdftext import read_pdf

    clock.now = datetime(2026, 11, 30, 18, 0)
    november.close()
    run = Cli(november.home, clock)
    out = tmp_path / "月结单.pdf"
    code, _, err = run("report", "month", "--month", "2026-11", "--out", str(out))
    assert code == 1 and "尚未月结" in err
    assert run("month", "close", "--month", "2026-11", "--counted", "90", "--reason", "少十元待查",
               "--agent", "李代收", "--head", "王村长", stdin="1234\n567890\n")[0] == 0
    code, _, err = run("report", "month", "--month", "2026-11", "--out", str(out))
    assert code == 0, err
    text = "".join(read_pdf(out.read_bytes()).all.split())
    assert "代收现金月结单" in text and "2026年11月" in text
    assert "2张（作废1张）" in text and "341824100201-01-000001至341824100201-01-000002" in text
    assert "月末应有手头现金￥100.00" in text and "清点手头现金￥90.00" in text
    assert "短款￥10.00，原因：少十元待查" in text and "待核查" in text
    assert "代收员：李代收" in text and "村委会负责人：王村长" in text
