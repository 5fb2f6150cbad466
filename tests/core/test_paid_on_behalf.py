"""代为缴费 (003 第三十条, DESIGN rule 8): in a county whose configuration says the agent pays on
the payer's behalf at once, each receipt's payment in the tax system is recorded with its
voucher; the chain, verify and review hold the desk to it. A county that remits the cash instead
is not asked for it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.domain.config import ConfigError, load_config_text
from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import InvalidInput, Refused
from app.services.review import review_file
from tests.conftest import AGENT_PIN
from tests.core.test_chain_rules import journal
from tests.core.test_cli import Cli
from tests.core.test_receipts import med
from tests.factories import (
    AYGUL,
    CONFIG_PATH,
    ZHANG,
    ZHANG_WIFE,
    FakeClock,
    edit_file,
    plain_backup,
)


def pay_on_behalf(desk: Desk, head: UserInfo) -> None:
    config = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    config["after_cash"] = "pay_on_behalf"
    desk.setup.import_config(json.dumps(config, ensure_ascii=False), by=head)


def test_the_configuration_says_which(desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    with pytest.raises(Refused, match="收现后解缴"):  # the test county remits its cash
        desk.receipts.record_paid_on_behalf(r.number, voucher="320000123456", channel="电子税务局", by=agent)
    with pytest.raises(ConfigError, match="after_cash"):
        load_config_text(json.dumps({**json.loads(CONFIG_PATH.read_text(encoding="utf-8")), "after_cash": "later"}))


def test_each_receipt_is_paid_once_and_review_flags_the_rest(desk: Desk, agent: UserInfo, head: UserInfo,
                                                             clock: FakeClock, tmp_path: Path) -> None:
    pay_on_behalf(desk, head)
    first = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    second = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    third = desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    with pytest.raises(InvalidInput, match="4–40 个字符"):
        desk.receipts.record_paid_on_behalf(first.number, voucher="12", channel="电子税务局", by=agent)
    paid = desk.receipts.record_paid_on_behalf(first.number, voucher="3201 0012 3456", channel="微信小程序", by=agent)
    assert paid.paid is not None and (paid.paid.voucher, paid.paid.amount_fen) == ("3201 0012 3456", 40000)
    with pytest.raises(Refused, match="已经登记过代为缴费"):
        desk.receipts.record_paid_on_behalf(first.number, voucher="999999", channel="电子税务局", by=agent)
    with pytest.raises(Refused, match="已代为缴费.*不能作废"):
        desk.receipts.void(first.number, reason="收错了", agent=agent, head=head)
    desk.receipts.void(third.number, reason="收错了人", agent=agent, head=head)
    with pytest.raises(Refused, match="已经作废，不能代为缴费"):
        desk.receipts.record_paid_on_behalf(third.number, voucher="3201001234", channel="电子税务局", by=agent)
    assert desk.receipts.unpaid_on_behalf() == [second.number]
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=80000)
    clock.next_day()
    desk.receipts.record_paid_on_behalf(second.number, voucher="3201009999", channel="电子税务局", by=agent)
    assert desk.receipts.unpaid_on_behalf() == [] and desk.verify().ok
    review = review_file(plain_backup(desk, tmp_path / "usb"), as_of=date(2026, 11, 25)).review
    codes = [(f.code, f.ref) for f in review.flags if f.code in ("not_paid", "late_paid", "not_remitted")]
    assert codes == [("late_paid", second.number)]  # paid a day late; no 解缴 is asked of this county


def test_an_unpaid_receipt_is_flagged_and_a_changed_voucher_is_caught(desk: Desk, agent: UserInfo,
                                                                      head: UserInfo, tmp_path: Path) -> None:
    pay_on_behalf(desk, head)
    paid = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    unpaid = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.receipts.record_paid_on_behalf(paid.number, voucher="3201001111", channel="电子税务局", by=agent)
    flags = review_file(plain_backup(desk, tmp_path / "a"), as_of=date(2026, 11, 22)).review.flags
    assert [(f.code, f.ref) for f in flags if f.code == "not_paid"] == [("not_paid", unpaid.number)]
    assert [e[1] for e in journal(desk)].count("paid_on_behalf") == 1
    edit_file(desk.db.path, "DROP TRIGGER paid_on_behalf_no_update", "UPDATE paid_on_behalf SET voucher = '3201002222'")
    result = desk.verify()
    assert not result.ok and "代为缴费表与日志" in (result.reason or "")


def test_the_command_line_records_and_lists_them(desk: Desk, agent: UserInfo, head: UserInfo,
                                                 clock: FakeClock) -> None:
    pay_on_behalf(desk, head)
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.close()
    run = Cli(desk.home, clock)

    assert json.loads(run("receipt", "unpaid", "--json")[1]) == [r.number]
    code, out, err = run("receipt", "paid", r.number, "--voucher", "320100123456", "--channel", "微信小程序",
                         "--by", "李代收", stdin=AGENT_PIN + "\n")
    assert code == 0, err
    assert "已代为缴费 400.00 元：微信小程序 凭证号 320100123456" in out
    shown = json.loads(run("receipt", "show", r.number, "--json")[1])
    assert shown["paid_on_behalf"]["voucher"] == "320100123456"
    assert run("receipt", "unpaid")[1].strip() == "没有待代为缴费的收据"
