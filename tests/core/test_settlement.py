"""日清日结 and remittance: the day's cash against the journal, then closed for good."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import InvalidInput, Refused
from tests.conftest import AGENT_PIN, HEAD_PIN
from tests.core.test_receipts import a_day_left_unsettled, med, pen
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock


def test_settlement_counts_valid_receipts_and_countersigns_them(desk: Desk, agent: UserInfo,
                                                               head: UserInfo, clock: FakeClock) -> None:
    a = desk.receipts.record(agent, [pen(ZHANG), med(ZHANG)], cash_fen=100000)
    b = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.receipts.void(b.number, reason="重复", agent=agent, head=head)
    assert desk.settlements.preview(clock().date()) == (90000, 1, 1)
    st = desk.settlements.settle(clock().date(), agent=agent, head=head,
                                 denominations={10000: 9})
    assert (st.expected_fen, st.counted_fen, st.difference_fen) == (90000, 90000, 0)
    assert (st.receipts, st.voids, st.head) == (1, 1, "王村长")
    assert st.receipt_numbers == (a.number,)
    assert st.denominations == {10000: 9}
    countersign = desk.receipts.get(a.number).countersign
    assert countersign is not None and countersign.head == "王村长"


def test_a_difference_needs_its_reason(desk: Desk, agent: UserInfo, head: UserInfo,
                                       clock: FakeClock) -> None:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    with pytest.raises(Refused, match="相差 -10.00 元，请说明原因"):
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=39000)
    st = desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=39000,
                                 reason="找零多找10元")
    assert (st.difference_fen, st.reason) == (-1000, "找零多找10元")


def test_denominations_must_add_up_to_the_counted_total(desk: Desk, agent: UserInfo, head: UserInfo,
                                                        clock: FakeClock) -> None:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    with pytest.raises(InvalidInput, match="按面额清点合计 350.00 元，与填写的 400.00 元不一致"):
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000,
                                denominations={10000: 3, 5000: 1})
    with pytest.raises(InvalidInput, match="不认识的面额 2.00 元"):
        desk.settlements.settle(clock().date(), agent=agent, head=head, denominations={200: 1})


def test_a_closed_day_never_changes(desk: Desk, agent: UserInfo, head: UserInfo,
                                    clock: FakeClock) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    day = clock().date()
    desk.settlements.settle(day, agent=agent, head=head, counted_fen=40000)
    with pytest.raises(Refused, match="已经日结，之后没有新的收款；已日结的不能再改"):
        desk.settlements.settle(day, agent=agent, head=head, counted_fen=40000)
    with pytest.raises(Refused, match="已日结，不能作废；如需退款，请在「收据 F3」选中它，按「退费申请」"):
        desk.receipts.void(r.number, reason="晚了", agent=agent, head=head)
    # Later cash that day is not folded into the closed settlement: it opens a second round.
    late = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    first = desk.settlements.get(day, 1)
    assert (first.expected_fen, first.receipt_numbers) == (40000, (r.number,))
    assert desk.receipts.get(late.number).countersign is None


def test_head_cannot_countersign_own_settlement_or_own_receipts(second_head: tuple[Desk, UserInfo],
                                                                clock: FakeClock) -> None:
    desk, _ = second_head  # a head's own cash needs a second head
    agent, head = desk.users.authenticate("李代收", AGENT_PIN), desk.users.authenticate("王村长", HEAD_PIN)
    desk.receipts.record(head, [med(AYGUL)], cash_fen=40000)
    with pytest.raises(Refused, match="「王村长」不能既办理又确认同一笔日结"):
        desk.settlements.settle(clock().date(), agent=head, head=head, counted_fen=40000)
    with pytest.raises(Refused, match="「王村长」亲自收取了其中1张收据，不能确认自己的收据的日结"):
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)


def test_days_settle_in_order_and_never_in_the_future(desk: Desk, agent: UserInfo, head: UserInfo,
                                                      clock: FakeClock) -> None:
    day1 = a_day_left_unsettled(desk, agent, clock)
    with pytest.raises(Refused, match=f"请先日结更早的 {day1.isoformat()}"):
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=0)
    with pytest.raises(Refused, match="不能日结未来的日期"):
        desk.settlements.settle(clock().date() + timedelta(days=1), agent=agent, head=head, counted_fen=0)
    assert desk.settlements.unsettled_days() == [day1]


def test_remittance_against_settled_cash_and_cash_on_hand(desk: Desk, agent: UserInfo, head: UserInfo,
                                                          clock: FakeClock) -> None:
    desk.receipts.record(agent, [pen(ZHANG), med(ZHANG)], cash_fen=90000)
    day1 = clock().date()
    desk.settlements.settle(day1, agent=agent, head=head, counted_fen=90000)
    clock.next_day()
    desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    pos = desk.settlements.cash_position()
    assert (pos.unsettled_fen, pos.settled_not_remitted_fen, pos.on_hand_fen) == (40000, 90000, 130000)
    with pytest.raises(Refused, match="超过已日结未解缴的现金 900.00 元"):
        desk.settlements.remit(amount_fen=130000, slip_no="BK1", day=clock().date(), by=agent)
    rem = desk.settlements.remit(amount_fen=90000, slip_no="BK1", day=clock().date(), by=agent)
    assert rem.settled_days == (day1,)
    with pytest.raises(Refused, match="凭证号 BK1 已经登记过"):
        desk.settlements.remit(amount_fen=100, slip_no="BK1", day=clock().date(), by=agent)
    with pytest.raises(InvalidInput, match="在未来"):
        desk.settlements.remit(amount_fen=100, slip_no="BK2", day=date(2099, 1, 1), by=agent)
    pos = desk.settlements.cash_position()
    assert (pos.on_hand_fen, pos.remitted_fen) == (40000, 90000)
    assert [r.slip_no for r in desk.settlements.remittances()] == ["BK1"]


def test_receipts_of_a_period(desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    first = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    clock.next_day()
    second = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    day1, day2 = first.day, second.day
    assert [r.number for r in desk.receipts.list(start=day1, end=day1)] == [first.number]
    assert [r.number for r in desk.receipts.list(start=day2)] == [second.number]
    assert [r.number for r in desk.receipts.list(start=day1, end=day2)] == [first.number, second.number]
    assert [r.number for r in desk.receipts.list(day2)] == [second.number]
