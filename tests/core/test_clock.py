"""Entries stay in time order: a PC clock or time zone set back is refused with a message,
before anything is written, and recording goes on once the clock is right."""

from __future__ import annotations

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import Refused
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock


def _entries(desk: Desk) -> int:
    with desk.db.read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])


def test_a_clock_set_back_cannot_date_cash_before_cash_already_recorded(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    first = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    clock.advance(hours=-1)  # the time zone moved from UTC+8 to UTC+7, or someone set the clock
    before = _entries(desk)
    with pytest.raises(Refused, match="早于上一条记录的时间.*请核对后再记账"):
        desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    with pytest.raises(Refused, match="早于上一条记录的时间"):
        desk.receipts.void(first.number, reason="录错", agent=agent, head=head)
    assert _entries(desk) == before
    clock.advance(hours=1, seconds=1)  # the clock is right again
    second = desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    assert second.recorded_at > first.recorded_at
    assert desk.verify().ok
