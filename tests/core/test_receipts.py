"""Taking cash: what is recorded, and every refusal with the message the agent reads."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from app.domain.insurance import Insurance
from app.domain.records import PayerSignoff, Role, UserInfo
from app.services.desk import Desk
from app.services.errors import InvalidInput, OverrideRequired, Refused
from app.services.receipts import LineRequest
from tests.conftest import AGENT_PIN, HEAD_PIN
from tests.factories import AYGUL, POOR, WECHAT, ZHANG, ZHANG_MOTHER, ZHANG_WIFE, FakeClock

MED = Insurance.MEDICAL
PEN = Insurance.PENSION


def med(person: object, amount: int | None = None) -> LineRequest:
    return LineRequest(person.id_number, MED, 2027, amount_fen=amount)  # type: ignore[attr-defined]


def pen(person: object, tier: int = 50000) -> LineRequest:
    return LineRequest(person.id_number, PEN, 2027, tier_fen=tier)  # type: ignore[attr-defined]


def a_day_left_unsettled(desk: Desk, agent: UserInfo, clock: FakeClock) -> date:
    """¥400 taken today and not settled, and the clock moved on to the next morning: that day."""
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    day = clock().date()
    clock.next_day()
    return day


def journal_count(desk: Desk) -> int:
    with desk.db.read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])


def test_household_pays_on_one_receipt(desk: Desk, agent: UserInfo) -> None:
    r = desk.receipts.record(agent, [pen(ZHANG), med(ZHANG), med(ZHANG_WIFE), med(ZHANG_MOTHER)],
                             cash_fen=150000)
    assert r.number == "341824100201-01-000001"
    assert [(ln.name, ln.insurance, ln.amount_fen) for ln in r.lines] == [
        ("张三丰", PEN, 50000), ("张三丰", MED, 40000), ("李秀英", MED, 40000), ("王䶮", MED, 12000)]
    assert r.total_fen == 142000
    assert r.change_fen == 8000
    assert (r.payer_name, r.agent, r.status) == ("张三丰", "李代收", "valid")
    assert r.payer_signoff is PayerSignoff.PAPER
    assert desk.receipts.list(desk.clock().date()) == [r]


def test_numbers_continue_without_gaps_across_refusals_and_voids(desk: Desk, agent: UserInfo,
                                                                  head: UserInfo) -> None:
    first = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    with pytest.raises(Refused):
        desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.void(first.number, reason="收错人", agent=agent, head=head)
    second = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    assert second.number.endswith("-000002")


def test_person_not_in_roster_is_refused(desk: Desk, agent: UserInfo) -> None:
    from datetime import date

    from tests.factories import make_id

    stranger = make_id(date(1970, 1, 1), 50)
    before = journal_count(desk)
    with pytest.raises(Refused, match=f"证件号码 {stranger} 不在本村征收清册中"):
        desk.receipts.record(agent, [LineRequest(stranger, MED, 2027)], cash_fen=40000)
    assert journal_count(desk) == before


def test_already_paid_in_cash_is_refused_naming_the_receipt(desk: Desk, agent: UserInfo) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    with pytest.raises(Refused, match=f"已用收据 {r.number} 收取现金，不能重复收取"):
        desk.receipts.record(agent, [med(ZHANG_WIFE), med(ZHANG)], cash_fen=80000)
    # the whole receipt was refused: the wife's line was not written either
    assert len(desk.receipts.list()) == 1


def test_paid_through_another_channel_is_refused(desk: Desk, agent: UserInfo) -> None:
    with pytest.raises(Refused, match="已通过其他渠道缴费，不能重复收取"):
        desk.receipts.record(agent, [med(WECHAT)], cash_fen=40000)


def test_same_line_twice_on_one_receipt_is_refused(desk: Desk, agent: UserInfo) -> None:
    with pytest.raises(InvalidInput, match="在本收据中重复"):
        desk.receipts.record(agent, [med(ZHANG), med(ZHANG)], cash_fen=80000)


def test_wrong_amount_needs_an_override_reason_which_is_kept(desk: Desk, agent: UserInfo) -> None:
    with pytest.raises(OverrideRequired, match="金额 350.00 元与应缴 400.00 元不符.*请填写原因"):
        desk.receipts.record(agent, [med(ZHANG, 35000)], cash_fen=35000)
    assert desk.receipts.list() == []
    r = desk.receipts.record(agent, [med(ZHANG, 35000)], cash_fen=35000,
                             override_reason="县医保局通知本人减免50元")
    assert r.override_reason == "县医保局通知本人减免50元"
    assert (r.lines[0].amount_fen, r.lines[0].due_fen) == (35000, 40000)


def test_an_override_reason_is_not_kept_when_nothing_needed_it(desk: Desk, agent: UserInfo) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000, override_reason="随手填的")
    assert r.override_reason is None


@pytest.mark.parametrize(("line", "cash_fen", "message"), [
    (pen(ZHANG, 25000), 25000, "2027年没有 250 元档次"),  # a tier not offered this year
    (med(POOR), 0, "特困人员的2027年度医疗由政府全额代缴"),  # fully subsidised: nothing in cash
    (pen(ZHANG_MOTHER, 20000), 20000, "征收清册中没有其2027年度城乡居民基本养老保险"),  # not in the roster
    (med(ZHANG), 30000, "收取现金 300.00 元少于应收合计 400.00 元"),  # too little cash
])
def test_a_receipt_the_rules_refuse(desk: Desk, agent: UserInfo, line: LineRequest, cash_fen: int,
                                    message: str) -> None:
    with pytest.raises(Refused, match=message):
        desk.receipts.record(agent, [line], cash_fen=cash_fen)


def test_outside_collection_window_needs_override(desk: Desk, agent: UserInfo, clock: FakeClock) -> None:
    from datetime import datetime

    clock.now = datetime(2027, 7, 2, 9, 0)
    with pytest.raises(Refused, match="不在2027年度征收期内"):
        desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000, override_reason="县里延长征期")
    assert r.override_reason == "县里延长征期"


def test_new_day_refused_until_earlier_day_is_settled(desk: Desk, agent: UserInfo, head: UserInfo,
                                                      clock: FakeClock) -> None:
    day1 = a_day_left_unsettled(desk, agent, clock)
    with pytest.raises(Refused, match=f"{day1.isoformat()} 的现金尚未日结。日清日结"):
        desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.settlements.settle(day1, agent=agent, head=head, counted_fen=40000)
    assert desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000).day == clock().date()


def test_township_reviewer_cannot_take_cash(desk: Desk, head: UserInfo) -> None:
    desk.users.add("赵审核", "township", "4321", by=head)
    reviewer = desk.users.authenticate("赵审核", "4321")
    with pytest.raises(Refused, match="「赵审核」是乡镇审核员，不能收取现金"):
        desk.receipts.record(reviewer, [med(ZHANG)], cash_fen=40000)


def test_payer_may_be_a_relative_outside_the_roster(desk: Desk, agent: UserInfo) -> None:
    from datetime import date

    from tests.factories import make_id

    son = make_id(date(2000, 8, 8), 60)
    with pytest.raises(InvalidInput, match="不在清册中，请同时填写缴费人姓名"):
        desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000, payer_id_number=son)
    r = desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000, payer_id_number=son,
                             payer_name="买买提・艾力")
    assert (r.payer_id_number, r.payer_name) == (son, "买买提·艾力")


def test_signature_image_is_kept_with_its_hash(desk: Desk, agent: UserInfo) -> None:
    png = b"\x89PNG\r\n\x1a\nfake-signature"
    with pytest.raises(InvalidInput, match="没有签名图像"):
        desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000, payer_signoff=PayerSignoff.SIGNATURE)
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000,
                             payer_signoff=PayerSignoff.SIGNATURE, signature_png=png)
    assert r.signature_sha256 == hashlib.sha256(png).hexdigest()
    assert desk.receipts.signature(r.signature_sha256) == png


def test_void_needs_reason_and_head_and_frees_the_person(desk: Desk, agent: UserInfo,
                                                         head: UserInfo) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    with pytest.raises(InvalidInput, match="作废原因必须填写"):
        desk.receipts.void(r.number, reason=" ", agent=agent, head=head)
    with pytest.raises(Refused, match="作废需要村委会负责人确认"):
        desk.receipts.void(r.number, reason="错收", agent=agent, head=agent)
    voided = desk.receipts.void(r.number, reason="错收", agent=agent, head=head)
    assert voided.status == "voided"
    assert (voided.void.reason, voided.void.head) == ("错收", "王村长")  # type: ignore[union-attr]
    with pytest.raises(Refused, match="已经作废"):
        desk.receipts.void(r.number, reason="再来", agent=agent, head=head)
    assert desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000).status == "valid"
    assert [x.status for x in desk.receipts.list()] == ["voided", "valid"]


def test_head_cannot_confirm_the_void_of_their_own_receipt(second_head: tuple[Desk, UserInfo]) -> None:
    desk, _ = second_head  # a head's own cash needs a second head
    agent, head = desk.users.authenticate("李代收", AGENT_PIN), desk.users.authenticate("王村长", HEAD_PIN)
    r = desk.receipts.record(head, [med(ZHANG)], cash_fen=40000)
    with pytest.raises(Refused, match="「王村长」不能既办理又确认同一笔作废"):
        desk.receipts.void(r.number, reason="错收", agent=head, head=head)
    # Even with an agent doing the paperwork, the head who took the cash cannot confirm it.
    with pytest.raises(Refused, match="「王村长」亲自收取了其中1张收据，不能确认自己的收据的作废"):
        desk.receipts.void(r.number, reason="错收", agent=agent, head=head)
    assert desk.receipts.get(r.number).status == "valid"


def test_nobody_is_both_agent_and_head_of_a_void(desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    """A head may take cash, but cannot both do and confirm the void of an agent's receipt."""
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    before = journal_count(desk)
    with pytest.raises(Refused, match="「王村长」不能既办理又确认同一笔作废，请由另一位村委会负责人确认"):
        desk.receipts.void(r.number, reason="错收", agent=head, head=head)
    assert journal_count(desk) == before
    assert desk.receipts.get(r.number).status == "valid"


def test_print_attempts_count_copies_only_after_a_successful_print(desk: Desk, agent: UserInfo) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    assert desk.receipts.record_print(r.number, ok=False, error="打印机缺纸") == 0
    assert desk.receipts.record_print(r.number, ok=True) == 0  # the first real print is not a copy
    assert desk.receipts.record_print(r.number, ok=True) == 1  # 补打 1
    assert desk.receipts.get(r.number).prints == 2


def test_adding_a_user_needs_a_village_head_or_admin_once_one_exists(desk: Desk, agent: UserInfo,
                                                                    head: UserInfo) -> None:
    with pytest.raises(Refused, match="添加用户需要村委会负责人或管理员确认"):
        desk.users.add("假村长", "head", "111111")
    with pytest.raises(Refused, match="「李代收」是代收员，添加用户需要村委会负责人或管理员确认"):
        desk.users.add("假村长", "head", "111111", by=agent)
    assert desk.users.add("张会计", "agent", "2222", by=head).name == "张会计"
    assert [u.name for u in desk.users.list()] == ["李代收", "王村长", "张会计"]


def test_pins_are_stored_only_as_salted_hashes(desk: Desk) -> None:
    with desk.db.read() as conn:
        rows = conn.execute("SELECT pin_salt, pin_hash FROM user").fetchall()
    assert len({bytes(r[0]) for r in rows}) == len(rows)
    assert all(AGENT_PIN.encode() not in bytes(r[1]) for r in rows)


def test_five_wrong_pins_lock_the_user(desk: Desk, clock: FakeClock) -> None:
    from app.services.errors import AuthError

    for left in (4, 3, 2, 1):
        with pytest.raises(AuthError, match=f"还可再试{left}次"):
            desk.users.authenticate("李代收", "0000")
    with pytest.raises(AuthError, match="已连续错误5次，锁定15分钟"):
        desk.users.authenticate("李代收", "0000")
    with pytest.raises(AuthError, match="已锁定，请在 09:15 后再试"):
        desk.users.authenticate("李代收", AGENT_PIN)
    clock.advance(minutes=16)
    assert desk.users.authenticate("李代收", AGENT_PIN).role is Role.AGENT
