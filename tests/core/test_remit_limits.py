"""双限 (002): the county configuration's remittance limits, optional and defaulted; the rule
that judges cash held against them; the review flagging cash held past them with its reason."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain.canonical import canonical_json
from app.domain.config import ConfigError, load_config_text
from app.domain.records import UserInfo
from app.domain.remit_limits import RemitLimits, cash_held
from app.services.desk import Desk
from app.services.review import review_file
from tests.core.test_receipts import med, pen
from tests.factories import CONFIG_PATH, ZHANG, FakeClock, plain_backup

D = date(2026, 11, 20)


def _config(**extra: object) -> str:
    data = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    data.pop("remit_limits", None)
    data.update(extra)
    return json.dumps(data, ensure_ascii=False)


def test_an_old_file_without_limits_stays_valid_and_journals_the_same_text() -> None:
    old = load_config_text(_config())
    assert old.remit_limits == RemitLimits(500_000, 1)
    at_defaults = load_config_text(_config(remit_limits={"amount_yuan": 5000, "days": 1}))
    # The text journalled for a configuration is canonical_json(to_json()): at the defaults it is
    # byte for byte what it was before 双限 existed, so no entry's hash depends on this change.
    assert "remit_limits" not in old.to_json()
    assert canonical_json(at_defaults.to_json()) == canonical_json(old.to_json())
    own = load_config_text(_config(remit_limits={"amount_yuan": "20,000", "days": 3}))
    assert own.remit_limits == RemitLimits(2_000_000, 3)
    assert load_config_text(canonical_json(own.to_json())).remit_limits == own.remit_limits
    assert load_config_text(_config(remit_limits={"days": 2})).remit_limits == RemitLimits(500_000, 2)


@pytest.mark.parametrize(("limits", "says"), [
    ({"amount_yuan": 0}, "remit_limits.amount_yuan不能为零"),
    ({"amount_yuan": "五千"}, "remit_limits.amount_yuan「五千」不是有效的金额"),
    ({"days": 0}, "remit_limits.days：解缴限期应为 1–60 天的整数"),
    ({"days": "3"}, "remit_limits.days"),
    ({"days": True}, "remit_limits.days"),
    ([5000, 1], "remit_limits：应为对象"),
])
def test_a_bad_limit_is_refused_naming_the_field(limits: object, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        load_config_text(_config(remit_limits=limits))


def test_cash_held_against_the_limits() -> None:
    limits = RemitLimits(500_000, 5)
    rounds = [(date(2026, 11, 10), 100_000), (date(2026, 11, 12), 300_000)]
    held = cash_held(rounds, 100_000, date(2026, 11, 16), limits)  # the 11-10 cash went to the bank
    assert (held.held_fen, held.oldest_day, held.days_held) == (300_000, date(2026, 11, 12), 4)
    assert held.near and not held.over_days and not held.over_amount  # 4 days of 5: 80%
    assert cash_held(rounds, 100_000, date(2026, 11, 17), limits).over_days  # the 5th day: remit today
    assert cash_held(rounds, 100_000, date(2026, 11, 18), limits).past_days
    assert not cash_held(rounds, 100_000, date(2026, 11, 13), limits).near  # 1 day, 3,000 of 5,000
    big = cash_held(rounds + [(date(2026, 11, 13), 150_000)], 100_000, date(2026, 11, 13), limits)
    assert big.held_fen == 450_000 and big.near  # 90% of the amount
    full = cash_held(rounds + [(date(2026, 11, 13), 200_000)], 100_000, date(2026, 11, 13), limits)
    assert full.over_amount and not full.past_amount  # at the limit: remit now; past it: flagged
    assert "满 5,000.00 元或满 5 天即解缴" in full.describe()
    nothing = cash_held(rounds, 400_000, date(2026, 12, 30), limits)
    assert (nothing.held_fen, nothing.oldest_day, nothing.near, nothing.over_days) == (0, None, False, False)


def _settled_village(desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock, fen: int) -> None:
    desk.receipts.record(agent, [pen(ZHANG, fen - 40000), med(ZHANG)], cash_fen=fen)
    desk.settlements.settle(D, agent=agent, head=head, counted_fen=fen)


def _flags(desk: Desk, tmp_path: Path, today: date) -> dict[str, str]:
    review = review_file(plain_backup(desk, tmp_path / today.isoformat()), as_of=today).review
    return {f.code: f.reason for f in review.flags if f.code in ("not_remitted", "over_amount")}


def test_the_review_flags_cash_held_past_the_configured_limits(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    """A county with 双限 of ¥3,000 / 3 days: ¥4,400 settled on 11-20 and held."""
    desk.setup.import_config(_config(remit_limits={"amount_yuan": 3000, "days": 3}), by=head)
    _settled_village(desk, agent, head, clock, 440000)
    assert _flags(desk, tmp_path, D) == {}  # settled today: the bank is tomorrow
    flags = _flags(desk, tmp_path, date(2026, 11, 21))
    assert set(flags) == {"over_amount"}  # over ¥3,000 overnight, within 3 days
    assert "4,400.00 元" in flags["over_amount"] and "解缴限额 3,000.00 元" in flags["over_amount"]
    assert set(_flags(desk, tmp_path, date(2026, 11, 23))) == {"over_amount"}  # the 3rd day: still in time
    flags = _flags(desk, tmp_path, date(2026, 11, 24))
    assert "超过解缴限期 3 天未解缴（最早的已 4 天）" in flags["not_remitted"]
    clock.now = datetime(2026, 11, 24, 10, 0)
    desk.settlements.remit(amount_fen=200000, slip_no="YH-1", day=clock().date(), by=agent)
    flags = _flags(desk, tmp_path, date(2026, 11, 25))
    assert set(flags) == {"not_remitted"} and "2,400.00 元" in flags["not_remitted"]  # under ¥3,000 now


def test_without_limits_the_review_keeps_the_daily_rule(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    _settled_village(desk, agent, head, clock, 90000)
    assert _flags(desk, tmp_path, date(2026, 11, 21)) == {}
    assert "超过解缴限期 1 天" in _flags(desk, tmp_path, date(2026, 11, 22))["not_remitted"]
