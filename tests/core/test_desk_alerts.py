"""The banner's facts: what blocks taking cash today and what warns, each with the key that fixes it."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.desk_alerts import DUE, NEAR, NO_CONFIG, desk_alerts
from app.services.errors import NotInitialised, Refused
from tests.core.test_receipts import med, pen
from tests.factories import CONFIG_PATH, ZHANG, ZHANG_WIFE, FakeClock


def test_an_unsettled_earlier_day_blocks_and_says_f4(desk: Desk, agent: UserInfo, head: UserInfo,
                                                     clock: FakeClock) -> None:
    assert desk_alerts(desk) == []  # a fresh village: nothing to say
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    assert desk_alerts(desk) == []  # today's own open cash blocks nothing
    clock.next_day()
    [alert] = desk_alerts(desk)
    assert alert.blocks and "2026-11-20 的现金尚未日结，今天不能收款" in alert.text and "F4" in alert.text
    with pytest.raises(Refused, match="2026-11-20 的现金尚未日结"):  # what the banner foretold
        desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.settlements.settle(date(2026, 11, 20), agent=agent, head=head, counted_fen=40000)
    # The block is gone; the ¥400 of 11-20, held one day, is at the default limit of 1 day.
    [due] = desk_alerts(desk)
    assert due.level == DUE and "请今天解缴" in due.text and "满 5,000.00 元或满 1 天即解缴" in due.text


def test_cash_held_warns_before_at_and_past_the_limits(desk: Desk, agent: UserInfo, head: UserInfo,
                                                       clock: FakeClock) -> None:
    data = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    data["remit_limits"] = {"amount_yuan": 5000, "days": 5}
    desk.setup.import_config(json.dumps(data, ensure_ascii=False), by=head)
    desk.receipts.record(agent, [pen(ZHANG, 400000)], cash_fen=400000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=400000)
    [near] = desk_alerts(desk)  # ¥4,000 of ¥5,000: 80%
    assert near.level == NEAR and "4,000.00 元" in near.text and "Ctrl+R" in near.text
    clock.now = datetime(2026, 11, 25, 9, 0)
    [due] = desk_alerts(desk)  # the 5th day
    assert due.level == DUE and "已到解缴限额或限期" in due.text and "（已 5 天）" in due.text
    clock.now = datetime(2026, 12, 20, 9, 0)
    [past] = desk_alerts(desk)
    assert past.level == DUE and "已超过解缴限期" in past.text and "已 30 天" in past.text
    desk.settlements.remit(amount_fen=400000, slip_no="YH-9", day=clock().date(), by=agent)
    assert desk_alerts(desk) == []


def test_a_closed_month_blocks_what_is_left_of_it(desk: Desk, agent: UserInfo, head: UserInfo,
                                                  clock: FakeClock) -> None:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    desk.settlements.remit(amount_fen=40000, slip_no="YH-1", day=clock().date(), by=agent)
    clock.now = datetime(2026, 11, 30, 18, 0)
    desk.months.close("2026-11", agent=agent, head=head, counted_fen=0)
    [closed] = desk_alerts(desk)
    assert closed.blocks and "2026-11 已月结，本月不能再收款" in closed.text and "乡镇社保所" in closed.text
    with pytest.raises(Refused, match="已月结"):  # what the banner foretold
        desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    clock.next_day()  # December: cash again, nothing to say
    assert desk_alerts(desk) == []


def test_a_desk_without_the_county_configuration_says_so_in_the_banner(tmp_path: Path, clock: FakeClock) -> None:
    """Set up from the command line without the configuration: the banner blocks and says how the
    configuration comes (the desk opened to an error box at every sign-in before)."""
    with Desk(tmp_path / "home", clock=clock) as bare:
        bare.setup.init(village_code="341824100201", village_name="示范村", township_code="341824100",
                               device_no=1)
        [alert] = desk_alerts(bare)
        assert alert.blocks and alert.text == NO_CONFIG and "F6" in alert.text and "注册本机" in alert.text
        with pytest.raises(NotInitialised, match="尚未导入县级配置"):  # what the banner foretold
            bare.setup.config.year(2027)
