"""Services act in someone's name only with proof that `Users.authenticate` checked their PIN:
a UserInfo made up from a name and a role, or read with `Users.get`, is refused before anything
is written (the sync server will trust what the desk signed, so the desk must not sign for
anyone who did not type their PIN)."""

from __future__ import annotations

import dataclasses

import pytest

from app.domain.insurance import Insurance
from app.domain.records import Role, UserInfo
from app.services.desk import Desk
from app.services.errors import AuthError, Refused
from app.services.receipts import LineRequest
from tests.factories import ZHANG

MED = LineRequest(ZHANG.id_number, Insurance.MEDICAL, 2027)


def _journal(desk: Desk) -> int:
    with desk.db.read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])


@pytest.mark.parametrize("forge", [
    lambda desk: UserInfo("李代收", Role.AGENT),  # made up from a name and a role
    lambda desk: desk.users.get("李代收"),  # looked up, PIN never typed
    lambda desk: dataclasses.replace(desk.users.authenticate("李代收", "1234"), name="王村长",
                                     role=Role.HEAD),  # a real proof moved to another person
])
def test_cash_in_the_name_of_someone_whose_pin_was_not_checked_is_refused(desk: Desk, forge) -> None:  # type: ignore[no-untyped-def]
    before = _journal(desk)
    with pytest.raises(AuthError, match="需要先输入「.*」的密码"):
        desk.receipts.record(forge(desk), [MED], cash_fen=40000)
    assert _journal(desk) == before


def test_a_countersign_needs_the_heads_pin_not_just_their_name(desk: Desk, agent: UserInfo) -> None:
    r = desk.receipts.record(agent, [MED], cash_fen=40000)
    with pytest.raises(AuthError, match="需要先输入「王村长」的密码"):
        desk.receipts.void(r.number, reason="录错", agent=agent, head=desk.users.get("王村长"))
    with pytest.raises(AuthError, match="需要先输入「王村长」的密码"):
        desk.settlements.settle(desk.clock().date(), agent=agent, head=UserInfo("王村长", Role.HEAD),
                                counted_fen=40000, denominations={10000: 4})
    assert desk.receipts.get(r.number).void is None
    assert desk.settlements.all() == []


def test_authenticated_users_act_as_before(desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    r = desk.receipts.record(agent, [MED], cash_fen=40000)
    assert desk.receipts.void(r.number, reason="录错", agent=agent, head=head).void is not None


def test_adding_a_user_needs_the_confirming_heads_pin(desk: Desk) -> None:
    with pytest.raises(AuthError, match="需要先输入「王村长」的密码"):
        desk.users.add("新代收", Role.AGENT, "2468", by=desk.users.get("王村长"))
    assert "新代收" not in [u.name for u in desk.users.list()]


def test_a_remittance_names_who_carried_the_cash_and_needs_their_pin(
        desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    desk.receipts.record(agent, [MED], cash_fen=40000)
    day = desk.clock().date()
    desk.settlements.settle(day, agent=agent, head=head, counted_fen=40000)
    with pytest.raises(AuthError, match="需要先输入「李代收」的密码"):
        desk.settlements.remit(amount_fen=40000, slip_no="BK1", day=day, by=desk.users.get("李代收"))
    desk.users.add("赵审核", Role.TOWNSHIP, "4321", by=head)
    with pytest.raises(Refused, match="不经手现金，不能登记解缴"):
        desk.settlements.remit(amount_fen=40000, slip_no="BK1", day=day,
                               by=desk.users.authenticate("赵审核", "4321"))
    assert desk.settlements.remittances() == []
    desk.settlements.remit(amount_fen=40000, slip_no="BK1", day=day, by=agent)
    with desk.db.read() as conn:
        body = conn.execute("SELECT body FROM journal WHERE kind = 'remittance'").fetchone()[0]
    assert '"by":"李代收"' in body
