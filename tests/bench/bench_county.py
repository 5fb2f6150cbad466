"""County overview with progress (issue 24; goal: 300 villages, first load <= 0.3 s, warm <= 50 ms),
on SQLite, in process: 300 villages, each with a roster of PEOPLE people (pension and medical),
RECEIPTS cash receipts of two lines and PAYMENTS other-channel payments, against a bare SQL
aggregate over the same rows (paid lines joined to receipts, payments, rosters, grouped by
village) with nothing judged. Rosters are counted in SQL from the dues judged when each version was
loaded (progress_sql.py); `from_roster_json` is a database whose versions predate that. Each
village's whole-year progress is counted as its data arrives (progress_count.py): the bench
counts each village in a transaction of its own, as its last upload or roster load would
(`counted_as_data_arrives_*`, what an upload pays), then the overview's first load in a process
with nothing in memory reads the kept rows (`first_load_s`, stages printed). For the record, the
old first load (every village counted at once: `recount_all_villages_s`) and a period of the
county's choosing, which is still counted when asked (`chosen_period_first_load_s`). The devices hold no entries here: reviewing entries is the sync
benchmark's overview figure (bench_sync.py); this one is what progress adds."""

from __future__ import annotations

import json
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import select

from sync.server import county_view, progress, progress_count, progress_sql, review, service
from sync.server import models as m
from sync.server.db import make_engine, migrate, session
from tests.factories import make_id

VILLAGES, PEOPLE, RECEIPTS, PAYMENTS = 300, 600, 200, 100
_CONFIG = (Path(__file__).resolve().parents[2] / "resources" / "demo" / "county-config.json").read_text(encoding="utf-8")


def _fill(db: str, *, judge: bool) -> None:
    migrate(db)
    engine = make_engine(db)
    now = datetime.now(UTC)
    with session(engine) as s:
        service.load_config(s, _CONFIG)
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
        villages, rosters, receipts, lines, payments, devices = [], [], [], [], [], []
        for v in range(VILLAGES):
            code = f"3418241{v // 20:02d}{v % 20 + 201:03d}"
            villages.append({"code": code, "township_code": code[:9], "name": f"第{v}村"})
            devices.append({"id": f"{code}-01", "village_code": code, "device_no": 1, "held_seq": 0,
                            "held_hash": "0" * 64, "rules_state": "", "last_seen_at": now})
            people = [make_id(date(1950 + k % 60, 1 + k % 12, 1 + k % 28), k % 100) + "" for k in range(PEOPLE)]
            people = [f"{code[:6]}{p[6:17]}{k % 10}" for k, p in enumerate(people)]
            rows = [{"证件号码": p, "姓名": "张三", "险种": ins, "缴费年度": 2027, "缴费档次": "500.00" if ins == "pension" else "",
                     "应缴金额": "", "人员类别": "一般", "缴费状态": "", "缴费渠道": ""}
                    for p in people for ins in ("pension", "medical")]
            rosters.append({"village_code": code, "version": 1, "rows": json.dumps(rows, ensure_ascii=False),
                            "sha256": "0" * 64, "loaded_at": now})
            for r in range(RECEIPTS):
                number = f"{code}01{r:06d}"
                receipts.append({"number": number, "device_id": f"{code}-01", "village_code": code, "day": "2026-11-20",
                                 "total_fen": 90000, "check_code": "0" * 12, "status": "有效"})
                for ins in ("pension", "medical"):
                    lines.append({"village_code": code, "device_id": f"{code}-01", "receipt_number": number,
                                  "id_number": people[r], "insurance": ins, "year": 2027, "amount_fen": 45000,
                                  "status": "有效"})
            for k in range(PAYMENTS):
                payments.append({"village_code": code, "id_number": people[RECEIPTS + k], "insurance": "medical",
                                 "year": 2027, "amount_fen": 40000, "channel": "银行代扣" if k % 2 else "微信",
                                 "paid_on": "2026-10-01"})
        conn = s.connection()
        for model, data in ((m.Village, villages), (m.Device, devices), (m.RosterVersion, rosters),
                            (m.Receipt, receipts), (m.PaidLine, lines), (m.Payment, payments)):
            conn.execute(insert(m.table_of(model)), data)
        if judge:  # as `roster load` does (progress_sql.py); without: versions loaded before it
            for version in s.exec(select(m.RosterVersion)).all():
                progress_sql.judge_version(s, version)
    engine.dispose()


def _bare(db: str) -> float:
    engine = make_engine(db)
    with engine.connect() as conn:
        t0 = time.perf_counter()
        conn.execute(text("SELECT pl.village_code, pl.insurance, count(*) FROM paid_line pl JOIN receipt r "
                          "ON r.number = pl.receipt_number WHERE pl.status = '有效' GROUP BY pl.village_code, "
                          "pl.insurance")).all()
        conn.execute(text("SELECT village_code, channel, count(*) FROM payment GROUP BY village_code, channel")).all()
        conn.execute(text("SELECT village_code, max(id), sum(length(rows)) FROM roster_version "
                          "GROUP BY village_code")).all()
        bare = time.perf_counter() - t0
    engine.dispose()
    return bare


def _clear() -> None:
    """As a new server process: nothing parsed or counted in memory."""
    progress._ROSTERS.clear()
    progress._VILLAGES.clear()
    progress._NEWEST.clear()
    progress._CONFIGS.clear()
    progress_count._KEPT.clear()
    review._CACHE.clear()


def _count_as_arrived(engine: Any) -> tuple[float, float]:
    """What the uploads and roster loads add: each village counted in a transaction of its own,
    as the last upload (or load) of that village does before it commits. Returns the mean and the
    worst seconds per village."""
    with session(engine) as s:
        codes = [c for (c,) in s.execute(text("SELECT code FROM village ORDER BY code")).all()]
    took = []
    for code in codes:
        t0 = time.perf_counter()
        with session(engine) as s:
            progress_count.touch(s, [code])
        took.append(time.perf_counter() - t0)
    return sum(took) / len(took), max(took)


def figures(db: str, *, judge: bool) -> dict[str, Any]:
    _fill(db, judge=judge)
    bare = _bare(db)
    engine = make_engine(db)
    today = date(2026, 11, 25)
    period = county_view.Period.of  # whole year 2027, the page's default
    with session(engine) as s:  # the old way, for the record: every village counted at the first load
        staff = s.get(m.Staff, "县社保")
        assert staff is not None
        t0 = time.perf_counter()
        progress_count.recount(s, [c for (c,) in s.execute(text("SELECT code FROM village")).all()])
        recount_all = time.perf_counter() - t0
        s.rollback()
    _clear()
    per_village, worst_village = _count_as_arrived(engine)
    _clear()
    loads, stages = [], []
    with session(engine) as s:
        staff = s.get(m.Staff, "县社保")
        assert staff is not None
        for _ in range(4):
            stages.append({})
            t0 = time.perf_counter()
            view = county_view.build(s, staff, today=today, period=period(s, today, 2027, None, None), stages=stages[-1])
            loads.append(time.perf_counter() - t0)
        # A period of the county's choosing (not the whole year) is still counted when asked.
        _clear()
        t0 = time.perf_counter()
        county_view.build(s, staff, today=today, period=period(s, today, 2027, "2026-11-01", "2026-11-30"))
        new_period = time.perf_counter() - t0
    engine.dispose()
    _clear()
    http_loads = _http_loads(db)
    lines = view["county"]["progress"]["lines"]
    ms = {k: round(v * 1000, 1) for k, v in stages[0].items()}
    warm_ms = {k: round(v * 1000, 1) for k, v in stages[-1].items()}
    return {"villages": len(view["villages"]), "dues": lines["pension"]["due"] + lines["medical"]["due"],
            "paid": lines["pension"]["paid"] + lines["medical"]["paid"],
            "first_load_s": round(loads[0], 4), "first_load_stages_ms": ms, "warm_load_s": round(min(loads[1:]), 4),
            "warm_stages_ms": warm_ms, "bare_sql_aggregate_s": round(bare, 4),
            "first_load_ratio": round(loads[0] / bare, 2), "warm_ratio": round(min(loads[1:]) / bare, 2),
            "counted_as_data_arrives_per_village_s": round(per_village, 4),
            "counted_as_data_arrives_worst_village_s": round(worst_village, 4),
            "recount_all_villages_s": round(recount_all, 3), "recount_all_ratio": round(recount_all / bare, 1),
            "chosen_period_first_load_s": round(new_period, 3),
            "http_first_load_new_process_s": round(http_loads[0], 4), "http_warm_load_s": round(min(http_loads[1:]), 4),
            "goal_first_s": 0.3, "goal_warm_s": 0.05}


def _http_loads(db: str) -> list[float]:
    """The real `serve` process started on the database: the page's GET, first and again."""
    import httpx

    from sync import protocol as p
    from tests.server.conftest import free_port
    from tests.server.test_real_server import start_server

    port = free_port()
    proc = start_server(db, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            token = http.post(f"{p.API}/staff/login", json={"name": "县社保", "password": "county-pass-1"}).json()["token"]
            loads = []
            for _ in range(4):
                t0 = time.perf_counter()
                answer = http.get(f"{p.API}/staff/progress?year=2027", headers={"Authorization": f"Bearer {token}"})
                loads.append(time.perf_counter() - t0)
                assert answer.status_code == 200, answer.text
        return loads
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def main() -> dict[str, Any]:
    import uuid

    from sqlalchemy import create_engine

    from tests.server.conftest import PG_ADMIN

    with tempfile.TemporaryDirectory() as tmp:
        out = {"overview_with_progress_sqlite": figures(str(Path(tmp) / "county.sqlite3"), judge=True),
               "from_roster_json_sqlite": figures(str(Path(tmp) / "json.sqlite3"), judge=False)}
    name = f"daishou_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        out["overview_with_progress_postgresql"] = figures(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", judge=True)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return out
