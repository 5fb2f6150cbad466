"""The door-to-door list of a 100,000-person township (issue 25): goal ≤ 1 s.

A township roster of 100,000 people in 40 groups, ten grid members with four groups each, a
failed-debit list of 2,000 people, 500 reasons and 500 visits. Timed: the whole township's list,
and one grid member's; the township's monthly counts (seed 004, no goal set: the 月度统计 tab and
the county's route read them); the baseline is the bare query that reads every person and due of the year
(what any list must at least read), measured in the same run.
"""

from __future__ import annotations

import csv
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from app.domain.records import Role
from app.services.desk import Desk
from tests.bench.bench_roster import make_people, new_desk, write_csv

RUNS = 5
HEAD, HEAD_PIN = "王村长", "567890"


def _median(fn: object) -> tuple[float, list[float]]:
    runs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), [round(r, 3) for r in runs]


def _bare(desk: Desk) -> int:
    with desk.db.read() as conn:
        return len(conn.execute(
            "SELECT p.id_number, p.name, p.group_name, p.household_no, p.household_head, p.category, p.removed, "
            "d.insurance, d.tier_fen, d.amount_fen, d.paid_elsewhere, d.removed FROM due d "
            "JOIN person p ON p.id_number = d.id_number WHERE d.year = 2027").fetchall())


def _populate(desk: Desk, rows: list[list[object]], folder: Path) -> None:
    desk.users.add(HEAD, "head", HEAD_PIN)
    head = desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,))
    for g in range(10):
        desk.users.add(f"网格{'一二三四五六七八九十'[g]}", "grid", "2468", by=head)
    for group in range(40):
        desk.door.assign(head, member=f"网格{'一二三四五六七八九十'[group // 4]}", group=f"第{group + 1}组")
    failed = folder / "failed.csv"
    with failed.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["身份证号码", "姓名", "扣款日期", "失败原因"])
        for r in rows[::50]:
            w.writerow([r[1], r[2], "2026-10-14", "余额不足"])
    desk.door.import_debit_list(head, failed, list_kind="failed", day=date(2026, 10, 15))
    grid = desk.users.authenticate("网格一", "2468")
    for r in rows[1:2000:4]:
        desk.door.record_reason(grid, str(r[1]), 2027, "外出务工")
        desk.door.record_visit(grid, str(r[1]), 2027, outcome="电话已通知", next_step="月底再访")


def main() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = make_people(100_000)
        path = folder / "township.csv"
        write_csv(path, rows)
        desk = new_desk(folder / "home")
        desk.roster.import_file(path)
        _populate(desk, rows, folder)
        bare_s, bare_runs = _median(lambda: _bare(desk))
        whole_s, whole_runs = _median(lambda: desk.door.door_list(year=2027))
        one_s, one_runs = _median(lambda: desk.door.door_list(member="网格一", year=2027))
        month_s, month_runs = _median(lambda: desk.monthly.counts(date(2026, 10, 1), year=2027))
        listing = desk.door.door_list(year=2027)
        mine = desk.door.door_list(member="网格一", year=2027)
        desk.close()
    return {
        "people": len(rows), "listed": len(listing.people), "failed_first": len(listing.section(0)),
        "grid_member_listed": len(mine.people),
        "bare_query_s": round(bare_s, 3), "bare_runs_s": bare_runs,
        "township_list_s": round(whole_s, 3), "township_runs_s": whole_runs,
        "ratio_township": round(whole_s / bare_s, 2),
        "grid_member_list_s": round(one_s, 3), "grid_member_runs_s": one_runs,
        "ratio_grid_member": round(one_s / bare_s, 2), "goal_s": 1.0,
        "monthly_counts_s": round(month_s, 3), "monthly_runs_s": month_runs, "ratio_monthly": round(month_s / bare_s, 2),
        "load_average_1min": round(os.getloadavg()[0], 1),  # this machine is shared: read figures with it
    }
