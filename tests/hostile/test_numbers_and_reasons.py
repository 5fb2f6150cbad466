"""Numbers and reasons as a careless or hostile hand types them: each is refused with a message
naming the field, nothing is recorded, and nothing is stored raw (control and direction
characters in a reason would change what a terminal or the 台账 shows of the ledger)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.domain.config import ConfigError, load_config_text
from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import InvalidInput
from tests.core.test_cli import Cli, cli, record_argv, remit_argv, settle_argv  # noqa: F401  (the fixture)
from tests.core.test_receipts import med
from tests.factories import CONFIG_PATH, ZHANG, ZHANG_WIFE


def journal_size(desk: Desk) -> int:
    return desk.verify().entries


@pytest.mark.parametrize(("reason", "message"), [
    ("重复收款\u202e元5退", "改变文字方向"),  # right-to-left override: would display reversed
    ("重复\u2066收款", "改变文字方向"),
    ("重复收款\x1b[2J", "控制字符"),  # clears a terminal that shows the ledger
    ("重复\x00收款", "控制字符"),
    ("收\u200b款", "控制字符"),  # zero-width space: two reasons that look the same but differ
    ("   \n\t ", "必须填写"),
    ("错" * 201, "太长"),
])
def test_void_reason_that_would_hide_or_garble_is_refused(desk: Desk, agent: UserInfo, head: UserInfo,
                                                           reason: str, message: str) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    before = journal_size(desk)
    with pytest.raises(InvalidInput, match=f"作废原因.*{message}|作废原因{message}"):
        desk.receipts.void(r.number, reason=reason, agent=agent, head=head)
    assert journal_size(desk) == before
    assert desk.receipts.get(r.number).void is None


def test_a_reason_is_stored_as_one_line_of_what_was_typed(desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.void(r.number, reason="  重复收款\n  已退现金 ", agent=agent, head=head)
    void = desk.receipts.get(r.number).void
    assert void is not None and void.reason == "重复收款 已退现金"
    assert desk.verify().ok


def test_settlement_difference_reason_with_control_characters_is_refused(
        desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    with pytest.raises(InvalidInput, match="差额原因含有不可见的控制字符"):
        desk.settlements.settle(desk.clock().date(), agent=agent, head=head, counted_fen=39000,
                                reason="少了\x07十元")
    assert desk.settlements.rounds(desk.clock().date()) == []


@pytest.mark.parametrize(("denominations", "counted", "message"), [
    ({10000: 100_001}, None, "不合常理"),
    (None, 100_000_001, "不合常理"),
    (None, -100, "不合常理"),
])
def test_counts_outside_any_real_day_are_refused(desk: Desk, agent: UserInfo, head: UserInfo,
                                                 denominations: dict[int, int] | None, counted: int | None,
                                                 message: str) -> None:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    with pytest.raises(InvalidInput, match=message):
        desk.settlements.settle(desk.clock().date(), agent=agent, head=head, counted_fen=counted,
                                denominations=denominations)
    assert desk.settlements.rounds(desk.clock().date()) == []


@pytest.mark.parametrize(("argv", "message"), [
    (record_argv(f"{ZHANG.id_number}:medical:2027", "4,00"), "收取现金「4,00」不是有效的金额"),
    (record_argv(f"{ZHANG.id_number}:medical:2027", "4e2"), "不是有效的金额"),
    (record_argv(f"{ZHANG.id_number}:medical:2027", "四百"), "不是有效的金额"),
    (record_argv(f"{ZHANG.id_number}:medical:٢٠٢٧", "400"), "应为四位年份"),
    (record_argv(f"{ZHANG.id_number}:medical:20277", "400"), "应为四位年份"),
    (record_argv(f"{ZHANG.id_number}:medical:1900", "400"), "不在 2000–2100 之间"),
    (settle_argv("2026-11-20", "--denominations", "100=³"), "张数「³」应为整数"),
    (remit_argv("99999999"), "超过上限"),
])
def test_cli_numbers_are_refused_by_name_without_a_traceback(cli: Cli, argv: tuple[str, ...],  # noqa: F811
                                                             message: str) -> None:
    before = cli.json("verify")["entries"]
    code, out, err = cli(*argv, stdin="1234\n567890\n")
    assert code == 1, (out, err)
    assert message in err and "Traceback" not in err
    assert cli.json("verify")["entries"] == before


def test_cli_void_reason_with_escape_sequence_is_refused(cli: Cli) -> None:  # noqa: F811
    r = cli.json("receipt", "record", "--agent", "李代收", "--line", f"{ZHANG_WIFE.id_number}:medical:2027",
                 "--cash", "400", stdin="1234\n")
    code, _, err = cli("receipt", "void", r["number"], "--reason", "错收\x1b]0;ok\x07", "--agent", "李代收",
                       "--head", "王村长", stdin="1234\n567890\n")
    assert code == 1 and "作废原因含有不可见的控制字符" in err
    assert cli.json("receipt", "show", r["number"])["status"] == "valid"


@pytest.mark.parametrize(("year", "message"), [("20277", "应为四位年份"), ("1999", "不在 2000–2100"),
                                               ("二〇二七", "应为四位年份")])
def test_configuration_years_outside_range_are_refused(year: str, message: str) -> None:
    data = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    data["years"][year] = next(iter(data["years"].values()))
    with pytest.raises(ConfigError, match=message):
        load_config_text(json.dumps(data, ensure_ascii=False))


def test_a_plain_date_still_settles(desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    """The bounds refuse slips, not real days: a day counted note by note settles."""
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    st = desk.settlements.settle(desk.clock().date(), agent=agent, head=head,
                                 denominations={10000: 4})
    assert st.counted_fen == 40000 and isinstance(st.day, date)
