"""The payment draft and the cash sanity rule, without Qt: what the desk window shows and asks."""

from __future__ import annotations

import pytest

from app.domain.insurance import Insurance
from app.domain.money import cash_question
from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import CashConfirmationRequired
from app.services.payment import PaymentDraft
from app.services.receipts import LineRequest
from tests.core.test_cli import Cli, cli  # noqa: F401 - the fixture
from tests.factories import WECHAT, ZHANG, ZHANG_WIFE

MED, PEN = Insurance.MEDICAL, Insurance.PENSION


@pytest.mark.parametrize(("total", "cash", "asked"), [
    (40000, 5000000, "收 ¥50,000.00，找零 ¥49,600.00，确认？"),  # 50000 typed for 500
    (40000, 100000, "收 ¥1,000.00，找零 ¥600.00，确认？"),  # change above the total and ¥100
    (40000, 50000, None),  # ¥100 change on ¥400: ordinary
    (40000, 80000, None),  # change equal to the total: a second ¥400 note, ordinary
    (5000, 15000, None),  # change ¥100 exactly on ¥50: not above ¥100
    (1000, 10000, None),  # ¥100 on ¥10: exactly ten times, change ¥90
    (1000, 10001, "收 ¥100.01，找零 ¥90.01，确认？"),  # above ten times, though change is small
    (40000, 30000, None),  # too little: refused elsewhere, nothing to confirm
])
def test_cash_question_asks_only_about_cash_that_makes_no_sense(total: int, cash: int,
                                                                  asked: str | None) -> None:
    assert cash_question(total, cash) == asked


def journal_count(desk: Desk) -> int:
    with desk.db.read() as conn:
        return int(conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0])


def test_implausible_cash_is_refused_until_confirmed(desk: Desk, agent: UserInfo) -> None:
    before = journal_count(desk)
    line = [LineRequest(ZHANG.id_number, MED, 2027)]
    with pytest.raises(CashConfirmationRequired) as refused:
        desk.receipts.record(agent, line, cash_fen=5000000)
    assert refused.value.question == "收 ¥50,000.00，找零 ¥49,600.00，确认？"
    assert "50,000.00" in refused.value.message and "49,600.00" in refused.value.message
    assert journal_count(desk) == before and desk.receipts.list() == []
    r = desk.receipts.record(agent, line, cash_fen=5000000, cash_confirmed=True)
    assert (r.total_fen, r.change_fen) == (40000, 4960000)


def test_cli_refuses_implausible_cash_without_confirm_cash(cli: Cli) -> None:  # noqa: F811
    line = f"{ZHANG.id_number}:medical:2027"
    code, out, err = cli("receipt", "record", "--agent", "李代收", "--line", line, "--cash", "50000",
                         stdin="1234\n")
    assert code == 1 and out == ""
    assert "50,000.00" in err and "--confirm-cash" in err
    assert cli.json("receipt", "list") == []
    r = cli.json("receipt", "record", "--agent", "李代收", "--line", line, "--cash", "50000",
                 "--confirm-cash", stdin="1234\n")
    assert r["change_fen"] == 4960000


def draft_for(desk: Desk, person_id: str) -> PaymentDraft:
    return PaymentDraft(desk.setup.config, desk.roster.household(person_id), chosen_id=person_id)


def test_whole_household_ticks_every_payable_line_and_again_unticks(desk: Desk, agent: UserInfo) -> None:
    desk.receipts.record(agent, [LineRequest(ZHANG_WIFE.id_number, MED, 2027)], cash_fen=40000)
    draft = draft_for(desk, ZHANG.id_number)
    assert {(ln.name, ln.insurance) for ln in draft.chosen} == {("张三丰", PEN), ("张三丰", MED)}
    assert draft.tick_household()
    # Everyone's unpaid lines; the wife's paid medical line stays unticked and unpayable.
    assert {(ln.name, ln.insurance) for ln in draft.chosen} == {
        ("张三丰", PEN), ("张三丰", MED), ("李秀英", PEN), ("王䶮", MED)}
    assert draft.total_fen == 50000 + 40000 + 50000 + 12000
    assert not draft.tick_household()
    assert draft.chosen == [] and draft.total_fen == 0


def test_line_shows_subsidy_beside_what_is_due(desk: Desk) -> None:
    draft = draft_for(desk, ZHANG.id_number)
    mother = next(ln for ln in draft.lines if ln.name == "王䶮")
    # 低保 medical: 400 less the county's 280 subsidy.
    assert (mother.due_fen, mother.subsidy_fen) == (12000, 28000)
    assert mother.due_text == "120.00（政府资助 280.00）"
    zhang = next(ln for ln in draft.lines if ln.name == "张三丰" and ln.insurance is MED)
    assert zhang.due_text == "400.00"


def test_paid_line_shows_the_tier_actually_paid(desk: Desk, agent: UserInfo) -> None:
    # The roster says 500; the person chose 1000 at the desk.
    r = desk.receipts.record(agent, [LineRequest(ZHANG.id_number, PEN, 2027, tier_fen=100000)],
                             cash_fen=100000)
    line = next(ln for ln in draft_for(desk, ZHANG.id_number).lines
                if ln.name == "张三丰" and ln.insurance is PEN)
    assert (line.payable, line.tier_fen) == (False, 100000)
    assert line.status == f"已缴（收据 {r.number}）"


def test_household_with_nothing_left_says_so(desk: Desk, agent: UserInfo) -> None:
    assert not draft_for(desk, ZHANG.id_number).nothing_to_pay
    draft = draft_for(desk, WECHAT.id_number)  # paid medical through WeChat, pension paid now
    desk.receipts.record(agent, draft.requests(), cash_fen=draft.total_fen)
    after = draft_for(desk, WECHAT.id_number)
    assert after.nothing_to_pay and after.chosen == []
    assert after.nothing_to_pay_text().startswith("本户没有需要收款的项目（")
    assert "已通过" in after.nothing_to_pay_text()
