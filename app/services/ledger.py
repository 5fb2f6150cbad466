"""Rules every ledger write keeps, whatever it records."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from app.services.errors import Refused
from app.storage.projections import last_recorded_at


def refuse_if_clock_behind(conn: sqlite3.Connection, now: datetime) -> None:
    """Entries are in time order: a PC clock (or time zone) set back would date cash before
    cash already recorded, so nothing is recorded until the clock is right again."""
    last = last_recorded_at(conn)
    if last is not None and now < last:
        raise Refused(f"电脑时间 {now:%Y-%m-%d %H:%M} 早于上一条记录的时间 {last:%Y-%m-%d %H:%M}："
                      "电脑的日期、时间或时区被调回了。请核对后再记账（记录必须按时间先后）")
