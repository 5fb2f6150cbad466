"""A province's overview without its villages (issue 24): the townships' subtotals and the total
that county_view.build gives when it does not list the villages (over LIST_UP_TO of them, or
`villages=none`) for the whole year, read as one row per township instead of built from 20,000
villages' rows:
- progress: the townships' kept sums (township_count.py);
- money: grouped by township in SQL (confirmations, the county's flags, forked ledgers, and the
  figures each device that has uploaded kept at upload, device_figures.py); the day-dependent
  flags decided for `today` by the review's own rules once per township and distinct inputs
  (most desks' are the same text: no cash held, nothing unpaid, the same months open);
- reporting (按时/迟报/未报/无设备): each village's status decided in SQL from its enrolled desks'
  last syncs and its desks' open-state reports, by the rules of county_view.reporting (the
  county's local day boundaries turned into UTC instants here), counted per township.
The same figures as the village-by-village path, by test (tests/server/test_township_count.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_start
from typing import Any

from sqlalchemy import case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session

from sync.server import county_view as cv
from sync.server import device_figures, open_state, progress, progress_targets, township_count
from sync.server import models as m
from sync.server.db import among

STATUSES = ("按时", "迟报", "未报", "无设备")
FIGURES = ("receipts", "collected_fen", "settled_fen", "remitted_fen", "flags")  # device_figure's sums


def _utc(day: date) -> datetime:
    """The start of a local day, in UTC."""
    return datetime.combine(day, day_start(), cv.LOCAL).astimezone(UTC)


def village_count(s: Session) -> int:
    return int(s.execute(sa_select(func.count()).select_from(m.table_of(m.Village))).scalar_one())


def build(s: Session, *, today: date, period: cv.Period, clock: Callable[[str], None]) -> dict[str, Any]:
    v = m.table_of(m.Village)
    towns: dict[str, dict[str, Any]] = {}
    for code, n in s.execute(sa_select(v.c.township_code, func.count()).group_by(v.c.township_code)).all():
        towns[code] = {"code": code, "name": "", "villages": int(n), **dict.fromkeys(cv.MONEY, 0),
                       "reporting": dict.fromkeys(STATUSES, 0)}
    _money(s, towns, today)
    clock("money")
    _reporting(s, towns, today)
    clock("open_state")
    sha, _ = progress._config(s)
    found = township_count.current(s, period.year, sha, {c: t["villages"] for c, t in towns.items()})
    clock("progress")
    targets = progress_targets.targets_for(s, period.year)
    names = progress_targets.township_names(s, set(towns))
    total = progress.Progress(period.year)
    for code, town in towns.items():
        town["name"] = names.get(code, "")
        town["progress"] = found[code].to_json(progress_targets.target_of(targets, code + "000"))
        total.add(found[code])
    county: dict[str, Any] = {"code": "", "name": "合计", "villages": sum(t["villages"] for t in towns.values()),
                              **{k: sum(t[k] for t in towns.values()) for k in cv.MONEY},
                              "reporting": {st: sum(t["reporting"][st] for t in towns.values()) for st in STATUSES},
                              "progress": total.to_json({**progress.DEFAULT_TARGETS, **targets.get("", {})})}
    clock("figures")
    return {"year": period.year, "start": None, "end": None, "today": today.isoformat(),
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "on_time_days": cv.ON_TIME_DAYS,
            "village_count": county["villages"], "villages_listed": False, "township": None, "villages": [],
            "townships": [towns[c] for c in sorted(towns)], "county": county}


def _money(s: Session, towns: dict[str, dict[str, Any]], today: date) -> None:
    v, d = m.table_of(m.Village), m.table_of(m.Device)
    f = m.table_of(m.DeviceFigure)
    missing = set(device_figures.stale(s))  # rows of other chains, or none: reviewed now (and kept)
    if missing:
        device_figures.read(s, s.execute(sa_select(d.c.id, d.c.held_seq, d.c.held_hash)
                                         .where(among(s, d.c.id, list(missing)))).all())
    kept = (sa_select(v.c.township_code.label("town"), f.c.receipts, f.c.collected_fen, f.c.settled_fen,
                      f.c.remitted_fen, f.c.flags, f.c.pending)
            .join(d, d.c.id == f.c.device_id).join(v, v.c.code == d.c.village_code)).subquery()
    for code, *sums in s.execute(sa_select(kept.c.town, *(func.sum(kept.c[k]) for k in FIGURES))
                                 .group_by(kept.c.town)).all():
        for key, value in zip(FIGURES, sums, strict=True):
            towns[code][key] += int(value or 0)
    day = device_figures.DayLabels(today)
    for code, pending, n in s.execute(sa_select(kept.c.town, kept.c.pending, func.count())
                                      .group_by(kept.c.town, kept.c.pending)).all():
        towns[code]["flags"] += len(day(pending)) * int(n)
    for model, key, value in ((m.Confirmation, "confirmed_fen", func.sum(m.table_of(m.Confirmation).c.amount_fen)),
                              (m.CountyFlag, "flags", func.count()), (m.Conflict, "conflicts", func.count())):
        t = m.table_of(model)
        for code, amount in s.execute(sa_select(v.c.township_code, value).select_from(t)
                                      .join(v, v.c.code == t.c.village_code)
                                      .group_by(v.c.township_code)).all():
            towns[code][key] += int(amount or 0)


def _reporting(s: Session, towns: dict[str, dict[str, Any]], today: date) -> None:
    """cv.reporting per village, in SQL: 未报 when an enrolled desk never synced or not since
    Monday (local), else 迟报 when one last synced before yesterday (local) or the village's oldest
    unsettled day reported is before yesterday, else 按时; 无设备 without an enrolled desk."""
    v, d, o = m.table_of(m.Village), m.table_of(m.Device), m.table_of(open_state.DeviceOpenState)
    monday = _utc(today - timedelta(days=today.weekday()))
    on_time = _utc(today - timedelta(days=cv.ON_TIME_DAYS))
    settled_by = (today - timedelta(days=cv.ON_TIME_DAYS)).isoformat()
    desks = (sa_select(d.c.village_code, func.count().label("n"),
                       func.sum(case((or_(d.c.last_seen_at.is_(None), d.c.last_seen_at < monday), 1), else_=0))
                       .label("missing"),
                       func.sum(case((d.c.last_seen_at < on_time, 1), else_=0)).label("late"))
             .where(d.c.public_key.is_not(None)).group_by(d.c.village_code).subquery())
    opened = (sa_select(o.c.village_code, func.min(o.c.open_since).label("since"))
              .group_by(o.c.village_code).subquery())
    status = case((desks.c.n.is_(None), "无设备"), (desks.c.missing > 0, "未报"), (desks.c.late > 0, "迟报"),
                  (opened.c.since < settled_by, "迟报"), else_="按时")
    for code, found, n in s.execute(sa_select(v.c.township_code, status, func.count())
                                    .outerjoin(desks, desks.c.village_code == v.c.code)
                                    .outerjoin(opened, opened.c.village_code == v.c.code)
                                    .group_by(v.c.township_code, status)).all():
        towns[code]["reporting"][found] += int(n)
