"""Working days (工作日) for deadlines such as 集中征期结束后7个工作日内 (003 第三十条).

Saturdays and Sundays are not working days. Statutory holidays and the weekend days worked in
their place (调休) change every year and are not known here: a deadline that crosses one comes
out a little early, never late."""

from __future__ import annotations

from datetime import date, timedelta

SCAN_WITHIN_WORKING_DAYS = 7


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day`."""
    out = day
    while n > 0:
        out += timedelta(days=1)
        if out.weekday() < 5:
            n -= 1
    return out


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n += 1
    return n
