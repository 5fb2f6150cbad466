"""A lockout lasts fifteen minutes of real time whatever the PC's time zone or wall clock says."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from app.services.desk import Desk
from app.services.errors import AuthError
from app.services.users import Users
from tests.conftest import AGENT_PIN


class ZoneClock:
    """Local wall time of a fixed instant, read through the process's current time zone, as the
    system clock would show it after someone changes the zone in the control panel."""

    def __init__(self) -> None:
        self.instant = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.instant.astimezone().replace(tzinfo=None)


@pytest.fixture
def zone() -> Iterator[Callable[[str], None]]:
    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    before = os.environ.get("TZ")
    set_zone("Asia/Shanghai")
    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def lock(users: Users) -> None:
    for _ in range(5):
        with pytest.raises(AuthError):
            users.authenticate("李代收", "0000")


def test_changing_the_time_zone_neither_lifts_nor_stretches_a_lockout(
        desk: Desk, zone: Callable[[str], None]) -> None:
    clock = ZoneClock()
    users = Users(desk.db, clock)
    lock(users)
    with pytest.raises(AuthError, match="已锁定，请在 09:15 后再试"):  # 01:15 UTC in Beijing
        users.authenticate("李代收", AGENT_PIN)
    zone("Pacific/Kiritimati")  # UTC+14: local time jumps a day ahead, the lockout must hold
    with pytest.raises(AuthError, match="已锁定，请在 15:15 后再试"):
        users.authenticate("李代收", AGENT_PIN)
    zone("America/Los_Angeles")  # UTC-8: local time goes back 16 hours, the lockout must not grow
    with pytest.raises(AuthError, match="已锁定，请在 17:15 后再试"):
        users.authenticate("李代收", AGENT_PIN)
    clock.instant += timedelta(minutes=16)
    assert users.authenticate("李代收", AGENT_PIN).name == "李代收"


def test_setting_the_wall_clock_back_never_stretches_a_lockout_past_fifteen_minutes(desk: Desk) -> None:
    now = [datetime(2026, 11, 20, 9, 0)]
    users = Users(desk.db, lambda: now[0])
    lock(users)
    now[0] -= timedelta(hours=5)
    with pytest.raises(AuthError, match="已锁定，请在 04:15 后再试"):
        users.authenticate("李代收", AGENT_PIN)
    now[0] += timedelta(minutes=16)
    assert users.authenticate("李代收", AGENT_PIN).name == "李代收"


def test_setting_the_wall_clock_forward_does_not_lift_a_lockout_in_the_same_process(desk: Desk) -> None:
    now = [datetime(2026, 11, 20, 9, 0)]
    mono = [1000.0]
    users = Users(desk.db, lambda: now[0], monotonic=lambda: mono[0])
    lock(users)
    now[0] += timedelta(hours=2)
    with pytest.raises(AuthError, match="已锁定"):
        users.authenticate("李代收", AGENT_PIN)
    mono[0] += 15 * 60 + 1
    assert users.authenticate("李代收", AGENT_PIN).name == "李代收"
