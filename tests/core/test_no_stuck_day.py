"""No day that cannot be closed: a village head's own cash needs a second head to countersign."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.domain.records import Role, UserInfo
from app.services import receipts as receipts_module
from app.services.desk import Desk
from app.services.errors import Refused
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, FakeClock


def journal_count(desk: Desk) -> int:
    with desk.db.read() as s:
        return int(s.execute(text("SELECT COUNT(*) FROM journal")).scalar_one())


def test_only_head_taking_cash_is_refused_before_anything_is_recorded(desk: Desk, head: UserInfo) -> None:
    before = journal_count(desk)
    with pytest.raises(Refused) as refused:
        desk.receipts.record(head, [med(ZHANG)], cash_fen=40000)
    message = refused.value.message
    assert "唯一的村委会负责人" in message and "无法日结" in message  # why
    assert "请由代收员收款" in message and "添加另一位村委会负责人" in message  # what to do
    assert journal_count(desk) == before and desk.receipts.list() == []


def test_head_takes_cash_once_a_second_head_exists(desk: Desk, agent: UserInfo, head: UserInfo,
                                                   clock: FakeClock) -> None:
    desk.users.add("赵村长", Role.HEAD, "13579", by=head)
    second = desk.users.authenticate("赵村长", "13579", roles=(Role.HEAD,))
    r = desk.receipts.record(head, [med(ZHANG)], cash_fen=40000)
    st = desk.settlements.settle(clock().date(), agent=agent, head=second, counted_fen=40000)
    assert st.receipt_numbers == (r.number,) and st.head == "赵村长"


def test_a_day_already_stuck_names_the_way_out_and_the_way_out_works(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A ledger written by an older version, which let the only head take cash.
    with monkeypatch.context() as m:
        m.setattr(receipts_module, "check_head_may_take_cash", lambda agent, heads: None)
        own = desk.receipts.record(head, [med(AYGUL)], cash_fen=40000)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    day = clock().date()
    with pytest.raises(Refused) as refused:
        desk.settlements.settle(day, agent=agent, head=head, counted_fen=80000)
    assert "亲自收取了其中1张收据" in refused.value.message
    assert "添加另一位村委会负责人账户" in refused.value.message
    # The way out as named: an administrator adds a second head, who countersigns.
    desk.users.add("管理员", Role.ADMIN, "24680", by=head)
    admin = desk.users.authenticate("管理员", "24680")
    desk.users.add("赵村长", Role.HEAD, "13579", by=admin)
    second = desk.users.authenticate("赵村长", "13579", roles=(Role.HEAD,))
    st = desk.settlements.settle(day, agent=agent, head=second, counted_fen=80000)
    assert own.number in st.receipt_numbers and st.difference_fen == 0
