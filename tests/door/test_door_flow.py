"""The door-to-door loop on the desk: the tax office's failed debits put a person first on their
grid member's list, a visit and a reason are recorded, the person pays cash and leaves the list
(逐一销号) with the reason kept; thirty days after the first failure they move to the other
channels or cash; everything is journalled and the ledger still verifies."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.insurance import Insurance
from app.domain.records import Role, UserInfo
from app.services.desk import Desk
from app.services.errors import InvalidInput, NotFound, Refused
from app.services.receipts import LineRequest
from tests.conftest import AGENT_PIN, HEAD_PIN
from tests.door.conftest import GRID_NAME, day, write_list
from tests.factories import AYGUL, POOR, WECHAT, ZHANG, ZHANG_MOTHER, ZHANG_WIFE, FakeClock


def test_a_failed_debit_comes_first_then_a_visit_then_cash_takes_the_person_off(
        desk: Desk, grid: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    before = desk.door.door_list(member=GRID_NAME, year=2027)
    names = [p.name for p in before.people]
    # Their list holds the first group's unpaid only (not 阿依古丽 of the second group); 单已缴 paid
    # medical by WeChat and is listed for the pension alone.
    assert AYGUL.name not in names
    wechat = next(p for p in before.people if p.name == WECHAT.name)
    assert [d.insurance for d in wechat.dues] == [Insurance.PENSION]
    assert ZHANG.name in names and ZHANG_WIFE.name in names
    assert all(p.debit == "" and p.section == 1 for p in before.people)

    taken, rejected = desk.door.import_debit_list(
        agent, write_list(tmp_path / "failed.csv", [(ZHANG_WIFE.id_number, ZHANG_WIFE.name, "2026-11-19", "余额不足")]),
        list_kind="failed", day=day("2026-11-20"))
    assert (taken, rejected) == (1, ())
    listed = desk.door.door_list(member=GRID_NAME, year=2027)
    first = listed.people[0]
    assert (first.name, first.debit, first.section) == (ZHANG_WIFE.name, "扣款失败 2026-11-19", 0)

    desk.door.record_reason(grid, ZHANG_WIFE.id_number, 2027, "经济困难", note="卡内余额不足")
    desk.door.record_visit(grid, ZHANG_WIFE.id_number, 2027, outcome="已告知存足费款", next_step="三天后再访")
    again = desk.door.door_list(member=GRID_NAME, year=2027).people[0]
    assert again.reason == "经济困难"
    assert [(v.visited_on, v.visitor, v.outcome, v.next_step) for v in again.visits] == [
        (day("2026-11-20"), GRID_NAME, "已告知存足费款", "三天后再访")]

    # A grid member takes no cash.
    lines = [LineRequest(ZHANG_WIFE.id_number, Insurance.MEDICAL, 2027),
             LineRequest(ZHANG_WIFE.id_number, Insurance.PENSION, 2027, tier_fen=50000)]
    with pytest.raises(Refused, match="网格员"):
        desk.receipts.record(grid, lines, cash_fen=90000)
    desk.receipts.record(agent, lines, cash_fen=90000)

    after = desk.door.door_list(member=GRID_NAME, year=2027)
    assert ZHANG_WIFE.name not in [p.name for p in after.people]
    kept = {r.id_number: r for r in desk.door.reasons(2027)}
    assert kept[ZHANG_WIFE.id_number].reason == "经济困难" and kept[ZHANG_WIFE.id_number].paid
    assert desk.verify().ok


def test_thirty_days_after_the_first_failure_the_person_is_for_other_channels(
        desk: Desk, grid: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    desk.door.import_debit_list(agent, write_list(tmp_path / "d1.csv", [(ZHANG.id_number, ZHANG.name, "", "")]),
                                list_kind="failed", day=day("2026-11-20"))
    clock.advance(days=29)
    assert _section_of(desk, ZHANG.id_number) == 0
    clock.advance(days=1)  # 2026-12-20: thirty days after the failure of 11-20
    person = next(p for p in desk.door.door_list(member=GRID_NAME, year=2027).people
                  if p.id_number == ZHANG.id_number)
    assert person.section == 2
    assert desk.door.door_list(member=GRID_NAME, year=2027).people[-1].id_number == ZHANG.id_number


def _section_of(desk: Desk, id_number: str) -> int:
    return next(p.section for p in desk.door.door_list(year=2027).people if p.id_number == id_number)


def test_agreement_lists_replace_the_one_before(desk: Desk, grid: UserInfo, tmp_path: Path) -> None:
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    desk.door.import_debit_list(agent, write_list(tmp_path / "a1.csv", [(ZHANG.id_number, ZHANG.name, "", ""),
                                                                       (POOR.id_number, POOR.name, "", "")]),
                                list_kind="no_agreement")
    status = {p.id_number: p.debit for p in desk.door.door_list(year=2027).people}
    assert status[ZHANG.id_number] == "未签两两协议"
    # The next list names only 曾特困: 张三丰 signed in between.
    desk.door.import_debit_list(agent, write_list(tmp_path / "a2.csv", [(POOR.id_number, POOR.name, "", "")]),
                                list_kind="no_agreement")
    status = {p.id_number: p.debit for p in desk.door.door_list(year=2027).people}
    assert status[ZHANG.id_number] == "已签两两协议"
    desk.door.import_debit_list(agent, write_list(tmp_path / "r.csv", [(ZHANG.id_number, ZHANG.name, "", "")]),
                                list_kind="resign")
    assert {p.id_number: p.debit for p in desk.door.door_list(year=2027).people}[ZHANG.id_number] == "需重签协议/换卡"


def test_bad_rows_are_named_and_the_good_ones_kept(desk: Desk, grid: UserInfo, tmp_path: Path) -> None:
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    wrong_check = ZHANG.id_number[:-1] + ("0" if ZHANG.id_number[-1] != "0" else "1")
    stranger = "110101199003070011"
    path = write_list(tmp_path / "mixed.csv", [
        (ZHANG.id_number, ZHANG.name, "2026-11-19", "余额不足"),
        (wrong_check, "错号码", "2026-11-19", ""),
        (ZHANG_WIFE.id_number, ZHANG_WIFE.name, "2026-13-40", ""),
        (stranger, "外村人", "", ""),
        (ZHANG_MOTHER.id_number, ZHANG_MOTHER.name, "2026-11-19", "账户\u202e冻结"),
    ])
    taken, rejected = desk.door.import_debit_list(agent, path, list_kind="failed", day=day("2026-11-20"))
    assert taken == 1
    said = [str(r) for r in rejected]
    assert said[0].startswith("第 4 行「身份证号」")
    assert said[1].startswith("第 5 行「扣款日期」") and "2026-13-40" in said[1]
    assert said[2].startswith("第 6 行「身份证号」") and "不在本村征收清册中" in said[2]
    assert said[3].startswith("第 7 行「失败原因」")
    with pytest.raises(Refused, match="已经导入过"):
        desk.door.import_debit_list(agent, path, list_kind="failed", day=day("2026-11-20"))
    assert desk.verify().ok


def test_who_may_do_what(desk: Desk, grid: UserInfo) -> None:
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    with pytest.raises(Refused, match="不能分配网格"):
        desk.door.assign(grid, member=GRID_NAME, group="第二村民小组")
    with pytest.raises(Refused, match="不能分配网格"):
        desk.door.assign(agent, member=GRID_NAME, group="第二村民小组")
    head = desk.users.authenticate("王村长", HEAD_PIN, roles=(Role.HEAD,))
    with pytest.raises(NotFound, match="第九村民小组"):
        desk.door.assign(head, member=GRID_NAME, group="第九村民小组")
    with pytest.raises(InvalidInput, match="不在可选原因中"):
        desk.door.record_reason(grid, ZHANG.id_number, 2027, "不想交")
    with pytest.raises(InvalidInput, match="晚于今天"):
        desk.door.record_visit(grid, ZHANG.id_number, 2027, outcome="x", visited_on=day("2026-11-21"))
    # The second group given to the grid member: 阿依古丽 shows on their list.
    desk.door.assign(head, member=GRID_NAME, group="第二村民小组")
    assert AYGUL.name in [p.name for p in desk.door.door_list(member=GRID_NAME, year=2027).people]


def test_an_agent_who_is_also_a_grid_member_visits_and_takes_cash(desk: Desk, grid: UserInfo) -> None:
    """The grid member alone takes no cash; the agent given a household visits it and takes the
    cash there, and the person leaves the agent's list (the grid member's list is untouched)."""
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    head = desk.users.authenticate("王村长", HEAD_PIN, roles=(Role.HEAD,))
    desk.door.assign(head, member="李代收", group="第二村民小组", household_no=AYGUL.household)
    mine = desk.door.door_list(member="李代收", year=2027)
    assert [p.name for p in mine.people] == [AYGUL.name]
    line = [LineRequest(AYGUL.id_number, Insurance.MEDICAL, 2027)]
    with pytest.raises(Refused, match="网格员"):
        desk.receipts.record(grid, line, cash_fen=40000)
    desk.door.record_visit(agent, AYGUL.id_number, 2027, outcome="当面收取医保")
    desk.receipts.record(agent, line, cash_fen=40000)
    left = desk.door.door_list(member="李代收", year=2027).people
    assert [(p.name, [d.insurance for d in p.dues]) for p in left] == [(AYGUL.name, [Insurance.PENSION])]
    assert [v.visitor for v in left[0].visits] == ["李代收"]


def test_the_list_holds_exactly_the_unpaid_list_of_the_desk(desk: Desk, grid: UserInfo) -> None:
    """The door list reads the unpaid dues its own faster way: the same people and dues as the
    agent's 未缴名单 (cash here, paid elsewhere, subsidised, removed all decided the same), also
    after a receipt and its void."""
    from app.services.roster import progress

    agent = desk.users.authenticate("李代收", AGENT_PIN)
    head = desk.users.authenticate("王村长", HEAD_PIN, roles=(Role.HEAD,))
    paid = desk.receipts.record(agent, [LineRequest(ZHANG.id_number, Insurance.MEDICAL, 2027)], cash_fen=40000)
    voided = desk.receipts.record(agent, [LineRequest(POOR.id_number, Insurance.PENSION, 2027, tier_fen=50000)],
                                  cash_fen=30000)
    desk.receipts.void(voided.number, reason="收错了人", agent=agent, head=head)

    with desk.db.read() as conn:
        expected = {p.id_number: [(d.insurance, d.due_fen) for d in p.dues]
                    for p in progress.unpaid(conn, desk.setup.config, 2027)}
    got = {p.id_number: [(d.insurance, d.due_fen) for d in p.dues] for p in desk.door.door_list(year=2027).people}
    assert got == expected
    assert list(got) == list(expected)  # and in the same village order (group, household, 户主 first)
    assert got[ZHANG.id_number] == [(Insurance.PENSION, 50000)] and POOR.id_number in got
    assert paid.number


def test_an_xlsx_list_and_a_household_given_to_another_member(desk: Desk, grid: UserInfo, tmp_path: Path) -> None:
    """The tax office's .xlsx (a title row, the date as an Excel date cell) reads like the .csv;
    one household given to a second grid member leaves the first one's list."""
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["批量扣款失败明细（2026年11月19日）"])
    sheet.append(["序号", "姓名", "公民身份号码", "扣款日期", "反馈信息"])
    sheet.append([1, ZHANG_MOTHER.name, ZHANG_MOTHER.id_number, datetime(2026, 11, 19), "账户已冻结"])
    path = tmp_path / "failed.xlsx"
    book.save(path)
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    assert desk.door.import_debit_list(agent, path, list_kind="failed", day=day("2026-11-20")) == (1, ())
    mother = next(p for p in desk.door.door_list(member=GRID_NAME, year=2027).people
                  if p.id_number == ZHANG_MOTHER.id_number)
    assert (mother.debit, mother.section) == ("扣款失败 2026-11-19", 0)

    head = desk.users.authenticate("王村长", HEAD_PIN, roles=(Role.HEAD,))
    desk.users.add("吴网格", "grid", "1357", by=head)
    desk.door.assign(head, member="吴网格", group="第一村民小组", household_no="0003")
    mine = {p.id_number for p in desk.door.door_list(member=GRID_NAME, year=2027).people}
    theirs = {p.id_number for p in desk.door.door_list(member="吴网格", year=2027).people}
    assert theirs == {POOR.id_number} and POOR.id_number not in mine and ZHANG.id_number in mine
    # Taken back: the household falls to the group's member again.
    desk.door.assign(head, member="", group="第一村民小组", household_no="0003")
    assert POOR.id_number in {p.id_number for p in desk.door.door_list(member=GRID_NAME, year=2027).people}
