"""A device's review kept as figures (app/domain/review_figures.py, issue 24): after every entry
of a ledger, on days from the first to past the 台账 scan deadline, the figures' money and flag
labels equal those of the full review of the same entries, in a county that remits its cash and
in one whose agent pays on the payer's behalf; and what is stored (the day-dependent rules' inputs as JSON) says the same. The
day-dependent flags (not remitted, over the amount, a month not closed, a scan not sent, a
receipt never paid on behalf) are seen to appear, so the comparison covers them."""

from __future__ import annotations

from collections import Counter
from datetime import date

from app.domain.records import UserInfo
from app.domain.review import review_entries
from app.domain.review_figures import DayInputs, add_labels, ledger_figures
from app.services.desk import Desk
from app.storage import journal
from tests.core.test_paid_on_behalf import pay_on_behalf
from tests.core.test_receipts import med, pen
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock

DAYS = (date(2026, 11, 20), date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 10), date(2027, 7, 20))


def _same_at_every_entry(desk: Desk) -> Counter[str]:
    """Compare after each entry on each day; the labels seen, over all of them."""
    with desk.db.read() as conn:
        entries = journal.entries(conn)
    seen: Counter[str] = Counter()
    for n in range(1, len(entries) + 1):
        kept = ledger_figures(entries[:n])
        again = DayInputs.from_key(kept.day.key())  # as stored
        for day in DAYS:
            full = review_entries(entries[:n], as_of=day)
            labels = dict(Counter(f.label for f in full.flags))
            assert (kept.receipts, kept.collected_fen, kept.settled_fen, kept.remitted_fen) == (
                len(full.receipts), full.collected_fen, full.settled_fen, full.remitted_fen), (n, day)
            assert kept.labels_on(day) == labels, (n, day)
            assert add_labels(kept.labels, again.labels(day)) == labels, (n, day)
            seen.update(labels)
    return seen


def test_figures_equal_the_full_review_where_cash_is_remitted(desk: Desk, agent: UserInfo, head: UserInfo,
                                                              clock: FakeClock) -> None:
    wrong = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.void(wrong.number, reason="收错了", agent=agent, head=head)
    desk.receipts.record(agent, [med(ZHANG_WIFE), pen(ZHANG)], cash_fen=100000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=89000, reason="少一百元")
    desk.settlements.remit(amount_fen=89000, slip_no="JK-01", day=clock().date(), by=agent)
    clock.next_day(hour=23)  # cash taken at night, settled the next day
    desk.receipts.record(agent, [pen(AYGUL, tier=500000)], cash_fen=500000)
    desk.receipts.record(agent, [med(AYGUL)], cash_fen=100000, cash_confirmed=True)  # ¥600 change
    day = clock().date()
    clock.next_day()
    desk.settlements.settle(day, agent=agent, head=head, counted_fen=540000)
    seen = _same_at_every_entry(desk)
    for label in ("作废", "日结差额", "夜间收款", "未当日日结", "大额找零",  # decided by the entries
                  "现金未及时解缴", "持有现金超过限额", "未月结", "台账扫描件未报送"):  # by the day
        assert seen[label], (label, seen)


def test_figures_equal_the_full_review_where_the_agent_pays_on_behalf(desk: Desk, agent: UserInfo, head: UserInfo,
                                                                      clock: FakeClock) -> None:
    pay_on_behalf(desk, head)
    first = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    late = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)  # never paid on behalf
    desk.receipts.record_paid_on_behalf(first.number, voucher="3201 0012 3456", channel="电子税务局", by=agent)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=120000)
    clock.next_day()
    desk.receipts.record_paid_on_behalf(late.number, voucher="3201 0012 3457", channel="电子税务局", by=agent)
    seen = _same_at_every_entry(desk)
    assert seen["未代为缴费"] and seen["代为缴费不及时"], seen
