"""A province on PostgreSQL (issue 24; goal: overview <= 1 s, one township's progress <= 0.2 s):
VILLAGES villages (100 counties' worth, 10 townships of 20 villages each per county) in one county
server database, served by the real `daishou-server serve --workers WORKERS`, timed over HTTP
against a bare SQL aggregate over the same rows (dues, valid receipt lines joined to their
receipts, payments, grouped by village) measured in the same run.

The volume is written directly (COPY), as uploads and `roster load` would have left it: each
village's roster as its judged dues (roster_due; the version's JSON is left empty, as nothing
reads it when the dues are judged), one enrolled device per village whose journal has been
uploaded (`ledger`: its receipts, a void in every tenth village, the day's settlement, and a
remittance in two villages of three), with the rows an upload derives from it (receipts of two
lines, the remittance) and the figures it keeps (device_figure, app/domain/review_figures.py:
the overview reads them and reviews no ledger), payments through other channels and last
year's pension payments (the 续费率's base). PEOPLE per village is 60 by default (a real
village lists several hundred): 2.4 million dues for 20,000 villages keep the build to a few
minutes; DAISHOU_BENCH_PROVINCE_PEOPLE and _VILLAGES change it.

Each village's progress is counted as its data arrives (progress_count.py): after the COPY the
bench counts every village as the uploads and roster loads would have (`counted_as_data_arrives`).
Timed over HTTP, with each answer's Server-Timing (the server's stages, ms): one township
account's progress on a fresh server (its first request, and the worst of a few more, which land
on workers that had served nothing), the province account's overview (townships' subtotals and
the total: over 1,000 villages they are not listed at once), one township opened by the province
account, and the overview after a restart. Printed beside them: the bare aggregate of progress
(above), the bare aggregate of the money (valid receipts and remittances by township), and
what reviewing every uploaded ledger takes in one process (`review_every_ledger_s`: what each
server process's first overview of each day paid before the figures were kept)."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import create_engine, text

from app.domain.renewal import band_of
from app.domain.review_figures import ledger_figures
from sync.server import device_figures, progress, service
from sync.server.db import make_engine, migrate, session
from tests.bench.bench_county import _CONFIG
from tests.factories import make_id

VILLAGES = int(os.environ.get("DAISHOU_BENCH_PROVINCE_VILLAGES", "20000"))
PEOPLE = int(os.environ.get("DAISHOU_BENCH_PROVINCE_PEOPLE", "60"))
WORKERS = int(os.environ.get("DAISHOU_BENCH_PROVINCE_WORKERS", "4"))
YEAR = 2027
CASH, OTHER, LAST_YEAR = 0.4, 0.15, 0.2  # shares of each village's people
TOWNSHIP_PASSWORD, COUNTY_PASSWORD = "town-pass-1", "county-pass-1"


def village_codes(villages: int) -> list[str]:
    """County c (6 digits), its township t (3 more), the township's village v (3 more)."""
    return [f"34{n // 200:04d}{101 + n // 20 % 10:03d}{201 + n % 20:03d}" for n in range(villages)]


def people_of(code: str, index_in_county: int, people: int) -> list[str]:
    born = date(1950, 1, 1) + timedelta(days=index_in_county * people)
    return [make_id(born + timedelta(days=k), k, region=code[:6]) for k in range(people)]


def expected(villages: int, people: int) -> dict[str, int]:
    """What the overview must count, from how the data is built."""
    cash, other = int(people * CASH), int(people * OTHER)
    voided = (villages + 9) // 10 if cash else 0  # one receipt of two lines in every tenth village
    return {"due": villages * people * 2, "cash": (villages * cash - voided) * 2, "other_channels": villages * other}


def ledger(n: int, code: str, ids: list[str], cash_n: int) -> list[tuple[int, str, str, dict[str, Any], str, str]]:
    """A desk's uploaded journal, as (seq, kind, recorded_at, data, prev_hash, hash): the
    receipts of the 2026-11-20 (the first voided in every tenth village), that day's settlement,
    and a remittance of all of it in two villages of three (the third's cash is held: flagged
    once the limit's day has passed). The hashes are the chain's shape, not recomputed: nothing
    the overview reads checks them (`daishou-server check` would)."""
    out: list[tuple[int, str, str, dict[str, Any], str, str]] = []

    def add(kind: str, at: str, data: dict[str, Any]) -> None:
        prev = out[-1][5] if out else "0" * 64
        out.append((len(out) + 1, kind, at, data, prev, hashlib.sha256(f"{code}|{len(out)}".encode()).hexdigest()))

    day = "2026-11-20"
    for k in range(cash_n):
        add("receipt", f"{day}T09:{k % 60:02d}:00", {
            "number": f"{code}01{k:06d}", "day": day, "village_code": code, "device_no": 1, "agent": "代收员",
            "payer": {"id_number": ids[k], "name": f"缴费人{k}"}, "total_fen": 90000, "cash_fen": 90000,
            "change_fen": 0, "lines": [{"name": f"缴费人{k}", "insurance": ins, "year": YEAR, "amount_fen": 45000,
                                        "due_fen": 45000} for ins in ("pension", "medical")]})
    voided = 90000 if n % 10 == 0 and cash_n else 0
    if voided:
        add("void", f"{day}T12:00:00", {"number": f"{code}01{0:06d}", "day": day, "reason": "收错了",
                                        "agent": "代收员", "head": "村负责人"})
    held = 90000 * cash_n - voided
    add("settlement", f"{day}T17:00:00", {"day": day, "round": 1, "expected_fen": held, "counted_fen": held,
                                          "difference_fen": 0, "head": "村负责人"})
    if n % 3:
        add("remittance", f"{day}T17:30:00", {"slip_no": f"JK-{code}", "amount_fen": held, "day": day})
    return out


def build(url: str, villages: int, people: int) -> dict[str, Any]:
    """The province's rows; returns the township the benchmark asks about."""
    migrate(url)
    engine = make_engine(url)
    with session(engine) as s:
        service.load_config(s, _CONFIG)
        service.add_staff(s, "省社保", "county", COUNTY_PASSWORD, None)
        codes = village_codes(villages)
        service.add_staff(s, "乡镇", "township", TOWNSHIP_PASSWORD, codes[0][:9])
        sha, config = progress._config(s)
    judged = {ins: progress._judge((ins, YEAR, "一般", "500.00" if ins == "pension" else "", ""), config)
              for ins in ("pension", "medical")}
    now = datetime.now(UTC)
    cash_n, other_n, last_n = int(people * CASH), int(people * OTHER), int(people * LAST_YEAR)

    def rows(kind: str) -> Iterator[tuple[Any, ...]]:
        for n, code in enumerate(codes):
            ids = people_of(code, n % 200, people)
            if kind == "village":
                yield code, code[:9], f"第{n}村"
            elif kind == "township" and n % 20 == 0:
                yield code[:9], f"第{n // 20}镇"
            elif kind == "device":
                yield f"{code}-01", code, 1, len(ledgers[code]), ledgers[code][-1][5], "", now, "0" * 64
            elif kind == "entry":
                for seq, kind_, at, data, prev, h in ledgers[code]:
                    body = orjson.dumps({"seq": seq, "kind": kind_, "recorded_at": at, "data": data}).decode()
                    yield f"{code}-01", seq, kind_, at, body, prev, h, now
            elif kind == "device_figure":
                kept = ledger_figures((seq, kind_, at, data) for seq, kind_, at, data, _, _ in ledgers[code])
                yield tuple((device_figures._row(f"{code}-01", len(ledgers[code]), ledgers[code][-1][5], kept)
                             | {"counted_at": now}).values())
            elif kind == "remittance":
                for seq, kind_, _, data, _, _ in ledgers[code]:
                    if kind_ == "remittance":
                        yield f"{code}-01", code, seq, data["slip_no"], data["amount_fen"], data["day"]
            elif kind == "roster_version":
                yield n + 1, code, 1, "[]", "0" * 64, now
            elif kind == "roster_due":
                for i in ids:
                    band = b.label if (b := band_of(i, YEAR)) else ""
                    for ins in ("pension", "medical"):
                        found = judged[ins]
                        assert found is not None
                        yield n + 1, code, i, ins, YEAR, found[2], "", band, sha
            elif kind == "receipt":
                for k in range(cash_n):
                    yield (f"{code}01{k:06d}", f"{code}-01", code, "2026-11-20", 90000, "0" * 12,
                           "已作废" if (n % 10 == 0 and k == 0) else "有效")
            elif kind == "paid_line":
                for k in range(cash_n):
                    for ins in ("pension", "medical"):
                        yield (code, f"{code}-01", f"{code}01{k:06d}", ids[k], ins, YEAR, 45000,
                               "已作废" if (n % 10 == 0 and k == 0) else "有效")
            elif kind == "payment":
                for k in range(cash_n, cash_n + other_n):
                    yield code, ids[k], "medical", YEAR, 40000, "银行代扣" if k % 2 else "微信", "2026-10-01"
                for k in range(last_n):
                    yield code, ids[k], "pension", YEAR - 1, 50000, "微信", "2025-10-01"

    ledgers = {code: ledger(n, code, people_of(code, n % 200, people), cash_n) for n, code in enumerate(codes)}
    columns = {
        "village": "code, township_code, name", "township": "code, name",
        "device": "id, village_code, device_no, held_seq, held_hash, rules_state, last_seen_at, public_key",
        "entry": "device_id, seq, kind, recorded_at, body, prev_hash, hash, received_at",
        "device_figure": "device_id, held_seq, held_hash, receipts, collected_fen, settled_fen, remitted_fen, flags, "
                         "labels, pending, counted_at",
        "remittance": "device_id, village_code, seq, slip_no, amount_fen, day",
        "roster_version": "id, village_code, version, rows, sha256, loaded_at",
        "roster_due": "roster_version_id, village_code, id_number, insurance, year, due_fen, mark, band, config_sha256",
        "receipt": "number, device_id, village_code, day, total_fen, check_code, status",
        "paid_line": "village_code, device_id, receipt_number, id_number, insurance, year, amount_fen, status",
        "payment": "village_code, id_number, insurance, year, amount_fen, channel, paid_on"}
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        with conn.cursor() as cur:
            for table, cols in columns.items():
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows(table):
                        copy.write_row(row)
            cur.execute("SELECT setval('roster_version_id_seq', (SELECT max(id) FROM roster_version))")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    finally:
        raw.close()
    engine.dispose()
    return {"township": codes[0][:9], "township_villages": sum(1 for c in codes if c.startswith(codes[0][:9]))}


def bare(url: str, township: str | None = None) -> float:
    """The same rows aggregated with nothing judged: dues, valid receipt lines joined to their
    receipts, payments, each grouped by village (and insurance)."""
    where = f"AND village_code LIKE '{township}%'" if township else ""
    pl_where = f"AND pl.village_code LIKE '{township}%'" if township else ""
    engine = make_engine(url)
    with engine.connect() as conn:
        t0 = time.perf_counter()
        conn.execute(text(f"SELECT village_code, insurance, count(*), sum(due_fen) FROM roster_due WHERE year = {YEAR} "
                          f"{where} GROUP BY village_code, insurance")).all()
        conn.execute(text("SELECT pl.village_code, pl.insurance, count(*) FROM paid_line pl JOIN receipt r "
                          f"ON r.number = pl.receipt_number WHERE pl.status = '有效' {pl_where} "
                          "GROUP BY pl.village_code, pl.insurance")).all()
        conn.execute(text(f"SELECT village_code, channel, count(*) FROM payment WHERE true {where} "
                          "GROUP BY village_code, channel")).all()
        took = time.perf_counter() - t0
    engine.dispose()
    return took


def bare_money(url: str) -> float:
    """The money the province's overview shows, read bare from the rows uploads derive (valid
    receipts and remittances, grouped by township), no flag decided."""
    engine = make_engine(url)
    with engine.connect() as conn:
        t0 = time.perf_counter()
        conn.execute(text("SELECT v.township_code, count(*), sum(r.total_fen) FROM receipt r JOIN village v "
                          "ON v.code = r.village_code WHERE r.status = '有效' GROUP BY v.township_code")).all()
        conn.execute(text("SELECT v.township_code, sum(r.amount_fen) FROM remittance r JOIN village v "
                          "ON v.code = r.village_code GROUP BY v.township_code")).all()
        took = time.perf_counter() - t0
    engine.dispose()
    return took


def review_every_ledger(url: str) -> float:
    """What each server process's first overview of each day did before the figures were kept:
    every uploaded device's entries read and reviewed (device_figures.count, in one process)."""
    from sync.server import device_figures

    engine = make_engine(url)
    with session(engine) as s:
        ids = [i for (i,) in s.execute(text("SELECT id FROM device WHERE held_seq > 0")).all()]
        t0 = time.perf_counter()
        device_figures.count(s, ids)
        took = time.perf_counter() - t0
    engine.dispose()
    return took


def count_as_arrived(url: str, villages: int) -> tuple[float, float]:
    """What uploads and roster loads would have done as the data arrived (progress_count.py):
    each village counted and kept. In batches of 500 villages (one village per transaction is
    what an upload pays: bench county prints it); returns (total s, s per village)."""
    from sync.server import progress_count

    engine = make_engine(url)
    t0 = time.perf_counter()
    with session(engine) as s:
        codes = [c for (c,) in s.execute(text("SELECT code FROM village ORDER BY code")).all()]
    for start in range(0, len(codes), 500):
        with session(engine) as s:
            progress_count.recount(s, codes[start:start + 500])
    took = time.perf_counter() - t0
    engine.dispose()
    return took, took / max(1, villages)


def timed_gets(base: str, who: str, password: str, times: int, query: str = "",
               ) -> tuple[list[float], dict[str, Any], int, list[str]]:
    """The page's GET, `times` times: seconds each, the last answer, its size and each answer's
    Server-Timing (the server's stages)."""
    import httpx
    import orjson

    from sync import protocol as p

    # A new connection for each request: the workers share one socket, so they take turns.
    token = httpx.post(f"{base}{p.API}/staff/login", json={"name": who, "password": password}, timeout=60).json()["token"]
    took, body, stages = [], b"", []
    for _ in range(times):
        t0 = time.perf_counter()
        answer = httpx.get(f"{base}{p.API}/staff/progress?year={YEAR}{query}",
                           headers={"Authorization": f"Bearer {token}"}, timeout=600)
        took.append(time.perf_counter() - t0)
        assert answer.status_code == 200, answer.text
        body = answer.content
        stages.append(answer.headers.get("Server-Timing", ""))
    return took, orjson.loads(body), len(body), stages


def booted(proc: Any, workers: int, timeout: float = 120) -> None:
    """Wait until every worker of `serve` has started and prepared (lifespan) and gone idle: its
    log says nothing below warnings, so the workers' CPU time is watched (Linux /proc) until it
    stays the same for half a second. Then none of them has served a page yet."""
    from pathlib import Path

    def ticks() -> tuple[int, int]:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        total = 0
        for child in children:
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError):
                continue
        return len(children), total

    deadline, was = time.monotonic() + timeout, (-1, -1)
    while time.monotonic() < deadline:
        now = ticks()
        if now[0] >= workers and now == was:
            return
        was = now
        time.sleep(0.5)
    raise AssertionError("the workers did not settle")


def figures(url: str, villages: int, people: int, workers: int, restart: bool) -> dict[str, Any]:
    from tests.server.conftest import free_port
    from tests.server.test_real_server import start_server

    t0 = time.perf_counter()
    place = build(url, villages, people)
    built = time.perf_counter() - t0
    arrived, per_village = count_as_arrived(url, villages)
    bare_all, bare_town = min(bare(url) for _ in range(2)), min(bare(url, place["township"]) for _ in range(2))
    bare_cash = min(bare_money(url) for _ in range(2))
    reviewed = review_every_ledger(url)
    out: dict[str, Any] = {"villages": villages, "people_per_village": people, "workers": workers,
                           "build_s": round(built, 1), "counted_as_data_arrives_s": round(arrived, 1),
                           "counted_as_data_arrives_per_village_s": round(per_village, 4)}
    town_code = place["township"]
    for again in (False, True)[:1 + restart]:
        port = free_port()
        t0 = time.perf_counter()
        proc = start_server(url, port, workers)
        booted(proc, workers)  # every worker up and prepared, none has served a page
        out["restart_ready_s" if again else "start_ready_s"] = round(time.perf_counter() - t0, 1)
        base = f"http://127.0.0.1:{port}"
        try:
            if not again:  # a fresh server: each worker's first requests, then again
                town, town_view, _, town_stages = timed_gets(base, "乡镇", TOWNSHIP_PASSWORD, 1 + 2 * workers)
                county, view, size, stages = timed_gets(base, "省社保", COUNTY_PASSWORD, 1 + 2 * workers)
                opened, opened_view, _, opened_stages = timed_gets(base, "省社保", COUNTY_PASSWORD, 1 + workers,
                                                                   f"&township={town_code}")
                out |= {"township_first_s": round(town[0], 3), "township_again_s": round(min(town[1:]), 4),
                        "township_worst_s": round(max(town), 3), "township_first_stages_ms": town_stages[0],
                        "overview_first_s": round(county[0], 3), "overview_again_s": round(min(county[1:]), 3),
                        "overview_again_worst_s": round(max(county[1:]), 3), "overview_bytes": size,
                        "overview_first_stages_ms": stages[0], "overview_again_stages_ms": stages[-1],
                        "township_opened_by_province_first_s": round(opened[0], 3),
                        "township_opened_by_province_again_s": round(min(opened[1:]), 4),
                        "township_opened_stages_ms": opened_stages[-1]}
            else:  # a restart: every worker's memory empty, the counts in the database
                county, view, _, stages = timed_gets(base, "省社保", COUNTY_PASSWORD, 1 + workers)
                out |= {"overview_after_restart_s": round(county[0], 3),
                        "overview_after_restart_worst_s": round(max(county), 3),
                        "overview_after_restart_stages_ms": stages[0]}
        finally:
            proc.terminate()
            proc.communicate(timeout=30)
    lines = view["county"]["progress"]["lines"]
    want = expected(villages, people)
    got = {"due": lines["pension"]["due"] + lines["medical"]["due"],
           "cash": lines["pension"]["cash"] + lines["medical"]["cash"], "other_channels": lines["medical"]["other"] + lines["medical"]["bank"]}
    money = {k: view["county"][k] for k in ("receipts", "collected_fen", "remitted_fen", "flags")}
    out |= {"counted": got, "counted_as_built": got == want, "money": money,
            "money_as_built": (money["receipts"], money["collected_fen"]) == (villages * int(people * CASH),
                                                                               want["cash"] // 2 * 90000),
            "township_villages": len(town_view["villages"]), "villages_listed_at_first": len(view["villages"]),
            "township_opened_villages": len(opened_view["villages"]),
            "bare_sql_aggregate_s": round(bare_all, 4), "bare_township_aggregate_s": round(bare_town, 4),
            "bare_money_aggregate_s": round(bare_cash, 4), "review_every_ledger_s": round(reviewed, 2),
            "overview_first_ratio": round(out["overview_first_s"] / bare_all, 1),
            "overview_again_ratio": round(out["overview_again_s"] / bare_all, 2),
            "township_first_ratio": round(out["township_first_s"] / bare_town, 1),
            "township_again_ratio": round(out["township_again_s"] / bare_town, 1),
            "township_worst_ratio": round(out["township_worst_s"] / bare_town, 1),
            "goal_overview_s": 1.0, "goal_township_s": 0.2}
    out["overview_first_ratio_to_money"] = round(out["overview_first_s"] / bare_cash, 2)
    if restart:
        out["overview_after_restart_ratio"] = round(out["overview_after_restart_s"] / bare_all, 2)
        out["overview_after_restart_ratio_to_money"] = round(out["overview_after_restart_s"] / bare_cash, 2)
    return out


def run(villages: int = VILLAGES, people: int = PEOPLE, workers: int = WORKERS, *, restart: bool = True) -> dict[str, Any]:
    """On a PostgreSQL database of its own, dropped afterwards (the server's key file in a
    directory of its own too)."""
    from tests.server.conftest import PG_ADMIN

    with tempfile.TemporaryDirectory() as tmp:
        was = os.environ.get("XDG_DATA_HOME")
        os.environ["XDG_DATA_HOME"] = tmp
        try:
            return _on_new_database(PG_ADMIN, villages, people, workers, restart)
        finally:
            if was is None:
                os.environ.pop("XDG_DATA_HOME", None)
            else:
                os.environ["XDG_DATA_HOME"] = was


def _on_new_database(admin_url: str, villages: int, people: int, workers: int, restart: bool) -> dict[str, Any]:
    name = f"daishou_province_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        return figures(admin_url.rsplit("/", 1)[0] + f"/{name}", villages, people, workers, restart)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> dict[str, Any]:
    return {"province_postgresql": run()}
