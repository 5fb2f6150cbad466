"""What the /overview page shows and the exports print (issue 24): every village the account may
see with its money, open state, progress and reporting, one subtotal per township and the total.
One builder, so the page, the xlsx and the PDF 通报 carry the same figures.

Reporting completeness (DHIS2's sense: who reported, and on time), this week being Monday to the
county's today (Asia/Shanghai):
- 按时: every enrolled desk of the village synced today or yesterday (ON_TIME_DAYS), and no desk
  reports cash left unsettled for more than ON_TIME_DAYS days (the desk's open-state report);
- 迟报: every enrolled desk synced this week, but not as above;
- 未报: an enrolled desk has not synced this week; a village with no enrolled desk is not due to
  report (无设备) and counts in neither.
ON_TIME_DAYS is 1 from the seeds (002 按日报解, 003 第三十条 第一时间): settle the day, sync by the
next. A county that wants another figure sets it in its code here; it is said on the page."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from sync.server import models as m
from sync.server import open_state, progress, progress_targets, review
from sync.server.core import ServerRefusal

LOCAL = ZoneInfo("Asia/Shanghai")
ON_TIME_DAYS = 1
MONEY = ("receipts", "collected_fen", "settled_fen", "remitted_fen", "confirmed_fen", "flags", "conflicts")


@dataclass(frozen=True)
class Period:
    """A benefit year and the days counted: from `start` (None: the beginning) to `end` (None: to
    date). Left open, the figures do not depend on today's date, so what was counted yesterday
    still holds unless the data changed (progress.py keeps it)."""

    year: int
    start: date | None
    end: date | None

    @property
    def first(self) -> date:
        return self.start or progress.OPEN_START

    @property
    def last(self) -> date:
        return self.end or progress.OPEN_END

    @classmethod
    def of(cls, s: Session, today: date, year: int | None, start: str | None, end: str | None) -> Period:
        try:
            first = date.fromisoformat(start) if start else None
            last = date.fromisoformat(end) if end else None
        except ValueError:
            raise ServerRefusal(422, "bad_period", "起止日期应写成 2026-11-01 这样的日期") from None
        if first and last and first > last:
            raise ServerRefusal(422, "bad_period", f"开始日期 {first} 晚于结束日期 {last}")
        return cls(year or progress.default_year(s, today), first, last)


def local_text(at: datetime | str | None) -> str:
    """A time as a person reads it: the county's local time."""
    if at is None:
        return ""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def reporting(synced: list[datetime | None], state: open_state.VillageOpenState | None, today: date) -> dict[str, str]:
    if not synced:
        return {"status": "无设备", "reason": "没有已注册的收款电脑"}
    monday = today - timedelta(days=today.weekday())
    days = [None if at is None else (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(LOCAL).date()
            for at in synced]
    if any(d is None or d < monday for d in days):
        missing = sum(1 for d in days if d is None or d < monday)
        return {"status": "未报", "reason": f"{missing} 台电脑本周（{monday:%m-%d} 起）没有同步"}
    late = [d for d in days if d is not None and (today - d).days > ON_TIME_DAYS]
    unsettled = state.days_not_settled if state is not None else 0
    if late:
        return {"status": "迟报", "reason": f"最后同步在 {min(late):%m-%d}，超过 {ON_TIME_DAYS} 天"}
    if unsettled > ON_TIME_DAYS:
        return {"status": "迟报", "reason": f"有现金 {unsettled} 天未日结"}
    return {"status": "按时", "reason": f"{ON_TIME_DAYS} 天内已日结并同步"}


def _subtotal(code: str, name: str, rows: list[dict[str, Any]], parts: list[progress.Progress], year: int,
              targets: dict[str, float], totals: list[progress.Progress]) -> dict[str, Any]:
    """`parts` summed; the sum is appended to `totals` too."""
    total = progress.Progress(year)
    for part in parts:
        total.add(part)
    totals.append(total)
    out: dict[str, Any] = {"code": code, "name": name, "villages": len(rows),
                           **{k: sum(r[k] for r in rows) for k in MONEY}}
    out["reporting"] = {s: sum(1 for r in rows if r["reporting"]["status"] == s) for s in ("按时", "迟报", "未报", "无设备")}
    out["progress"] = total.to_json(targets)
    return out


LIST_UP_TO = 1000  # villages listed at once; a province's first load lists its townships (`villages`)


def build(s: Session, staff: m.Staff, *, today: date, period: Period, township: str | None = None,
          villages: str = "auto", stages: dict[str, float] | None = None) -> dict[str, Any]:
    """`township`: only that township's villages (a province's page opens one at a time).
    `villages`: "all" lists every village, "none" only the townships' subtotals and the total,
    "auto" lists them up to LIST_UP_TO (a county), else not (a province: 20,000 rows were 26 MB).
    The subtotals and the total are the same either way. `stages`, when given, receives the
    seconds each stage took (the benchmarks print them, the API sends them as Server-Timing)."""
    clock = _Stages(stages)
    if staff.role != "township" and township is None and villages != "all" and period.start is None \
            and period.end is None:
        from sync.server import province_view

        if villages == "none" or province_view.village_count(s) > LIST_UP_TO:  # the townships' kept sums
            return province_view.build(s, today=today, period=period, clock=clock)
    reviewed = review.overview(s, staff, as_of=today, township=township)
    if township is not None and not reviewed:
        raise ServerRefusal(404, "no_township", f"没有乡镇代码 {township[:20]}，或不在本账户管辖范围")
    listed = villages == "all" or (villages == "auto" and len(reviewed) <= LIST_UP_TO)
    clock("money")
    whole = staff.role != "township" and township is None  # every village of the database
    rows = open_state.annotate(s, [_Row(r) for r in reviewed], as_of=today, whole=whole)
    clock("open_state")
    found = progress.compute(s, {r.row.code: r.row.held for r in rows}, year=period.year, start=period.first,
                             end=period.last, whole=whole)
    clock("progress")
    targets = progress_targets.targets_for(s, period.year)
    names = progress_targets.township_names(s, {r.row.township_code for r in rows})
    out_villages: list[dict[str, Any]] = []
    by_township: dict[str, list[tuple[dict[str, Any], progress.Progress]]] = {}
    dumped: dict[int, dict[str, Any]] = {}  # open states shared by quiet villages (open_state.annotate)
    aims: dict[str, dict[str, float]] = {}  # the targets of the villages without their own, per township
    for r in rows:
        state = r.open_state
        out: dict[str, Any] = {k: getattr(r.row, k) for k in MONEY}
        out["reporting"] = reporting(r.row.synced, state, today)
        if listed:
            out |= r.row.to_json()
            out["township_name"] = names.get(r.row.township_code, "")
            out["open_state"] = None if state is None else (dumped.get(id(state)) or
                                                            dumped.setdefault(id(state), state.model_dump()))
            aim = (progress_targets.target_of(targets, r.row.code) if r.row.code in targets else
                   aims.get(r.row.township_code) or aims.setdefault(r.row.township_code,
                                                                    progress_targets.target_of(targets, r.row.code)))
            out["progress"] = found[r.row.code].to_json(aim)
            out_villages.append(out)
        by_township.setdefault(r.row.township_code, []).append((out, found[r.row.code]))
    totals: list[progress.Progress] = []
    townships = [_subtotal(code, names.get(code, ""), [v for v, _ in items], [p for _, p in items], period.year,
                           progress_targets.target_of(targets, code + "000"), totals)
                 for code, items in sorted(by_township.items())]
    county_targets = {**progress.DEFAULT_TARGETS, **targets.get("", {})}
    everyone = [v for items in by_township.values() for v, _ in items]
    county = _subtotal("", "合计", everyone, totals, period.year, county_targets, [])  # the townships' sum
    clock("figures")
    return {"year": period.year, "start": period.start.isoformat() if period.start else None,
            "end": period.end.isoformat() if period.end else None,
            "today": today.isoformat(), "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "on_time_days": ON_TIME_DAYS, "village_count": len(rows), "villages_listed": listed,
            "township": township, "villages": out_villages, "townships": townships, "county": county}


def warm(engine: Any) -> None:
    """A new server process's preparation: the overview of the first township, as one of its
    accounts would see it, and the townships' subtotals, read and thrown away, and every
    village's progress of the year read (a province's 20,000 rows parsed: 0.75 s a worker, once,
    not when a township is first opened). Nothing
    is written unless a village's progress was never counted (then it is, as any overview
    would). A failure is logged, not raised: the process serves anyway, only slower at first."""
    from sqlmodel import col, select

    from sync.server.db import session

    try:
        with session(engine) as s:
            town = s.exec(select(m.Village.township_code).order_by(col(m.Village.code)).limit(1)).first()
            if town is None:
                return
            today = datetime.now().date()
            period = Period.of(s, today, None, None, None)
            someone = m.Staff(name="", role="township", township_code=town, password_salt="", password_hash="")
            build(s, someone, today=today, period=period)
            county = m.Staff(name="", role="county", township_code=None, password_salt="", password_hash="")
            build(s, county, today=today, period=period, villages="none")  # a province's first page
            progress.compute(s, dict.fromkeys(s.exec(select(m.Village.code)).all(), []), year=period.year,
                             start=period.first, end=period.last, whole=True)
    except Exception:  # noqa: BLE001 - preparation only
        logging.getLogger(__name__).exception("warming the overview failed")


class _Stages:
    """Seconds since the previous stage, written under each stage's name."""

    def __init__(self, into: dict[str, float] | None) -> None:
        self.into, self.last = into, time.perf_counter()

    def __call__(self, name: str) -> None:
        if self.into is not None:
            now = time.perf_counter()
            self.into[name] = self.into.get(name, 0.0) + now - self.last
            self.last = now


class _Row:
    """A review row with the slot open_state.annotate fills."""

    def __init__(self, row: review.VillageRow) -> None:
        self.row = row
        self.code = row.code
        self.open_state: open_state.VillageOpenState | None = None
