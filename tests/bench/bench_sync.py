"""Sync figures: 300 devices each sending a 200-receipt day at once to a real server process, on
SQLite and on PostgreSQL (goal: all 60,000 receipts checked and held in <= 10 s; p50/p95 per
batch), against a bare baseline of inserting the same rows with sqlite3 and nothing checked; and
a 100,000-person roster pulled into an empty desk (goal <= 5 s) against importing the same file
from disk."""

from __future__ import annotations

import sqlite3
import ssl
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, text

from sync import protocol as p
from sync.server import models as m
from sync.server import service, uploads
from sync.server.db import make_engine, session
from tests.server import signed_days
from tests.server.conftest import PG_ADMIN, free_port
from tests.server.test_real_server import server_cmd, start_server

DEVICES, RECEIPTS = 300, 200
ROSTER_PEOPLE = 100_000
WORKERS = 2  # server processes: one per core of this machine


def _enrolled(db: str, countersigned: bool = True) -> list[tuple[str, str, Ed25519PrivateKey, list[p.Entry]]]:
    """300 desks enrolled, each with its settled day of 200 receipts (tests/server/signed_days),
    countersigned as a desk signs them: the agent's signature on each receipt, the agent's and
    the head's on the settlement, both keys journalled; the county checks all 201 signatures."""
    engine = make_engine(db)
    devices = []
    with session(engine) as s:
        for i in range(DEVICES):
            village = f"341824{100 + i // 90:03d}{201 + i % 90:03d}"
            device_id, token, key = signed_days.enrolled(s, village)
            devices.append((device_id, token, key, signed_days.day(village, 1, RECEIPTS, countersigned=countersigned)))
    engine.dispose()
    return devices


def _body(device_id: str, key: Ed25519PrivateKey, entries: list[p.Entry]) -> str:
    """What a desk has ready before it connects: its signed batch."""
    return signed_days.batch(device_id, key, entries).model_dump_json()


# 300 desks are 300 machines: each builds its HTTP client's TLS context (the system's
# certificates, 25 ms of CPU) on its own processor. Here they share the server's two cores, so
# they share one context, built once; each still opens its own connection.
_TLS = ssl.create_default_context()


def _send(base: str, token: str, body: str) -> float:
    start = time.perf_counter()
    with httpx.Client(base_url=base, timeout=300, verify=_TLS) as http:
        answer = http.post(p.BATCHES, content=body, headers={"Authorization": f"Bearer {token}",
                                                              "Content-Type": "application/json"})
    assert answer.status_code == 200 and answer.json()["status"] == "accepted", answer.text[:200]
    return time.perf_counter() - start


# Every signature of the burst with its key and message, for the floor below: module-level so
# that forked checking processes inherit it instead of being sent 60,000 messages.
_CHECKS: list[tuple[str, str, bytes]] = []


def _signature_checks(devices: list[tuple[str, str, Ed25519PrivateKey, list[p.Entry]]]) -> list[tuple[str, str, bytes]]:
    """Every signature the county checks in the burst, as (public key hex, signature hex, message):
    each device's batch signature and each countersign the days carry (the agent's on each
    receipt, the agent's and the head's on the settlement, the head's on the agent's key)."""
    from app.domain.countersign import signing_bytes

    checks = []
    for device_id, _, key, entries in devices:
        first, last = entries[0], entries[-1]
        message = p.batch_signing_bytes(device_id, first.seq, last.seq, first.prev_hash, entries)
        checks.append((key.public_key().public_bytes_raw().hex(), key.sign(message).hex(), message))
        keys: dict[str, str] = {}
        for e in entries:
            d = orjson.loads(e.body)["data"]
            if e.kind == "user":
                keys[d["name"]] = d["sign_key"]
            for who, sig in d.get("sigs", {}).items():
                checks.append((keys[who], sig, signing_bytes(e.seq, e.kind, e.recorded_at, d)))
    return checks


def _verify_part(part: tuple[int, int]) -> bool:
    from app.domain.countersign import signature_ok

    return all(signature_ok(key, sig, message) for key, sig, message in _CHECKS[part[0]:part[1]])


def _bare_signature_checks(checks: list[tuple[str, str, bytes]], processes: int = 1) -> float:
    """The floor of the signature checks: each signature verified once with the same library
    and call the server uses (app/domain/countersign.signature_ok), nothing else (no parsing, no
    rules), in this process or split over `processes` forked processes (the server's workers:
    cryptography's Ed25519 check holds the GIL, so threads would not add a core). The processes
    are started and have imported the library before the clock starts."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _CHECKS[:] = checks
    size = -(-len(checks) // processes)
    parts = [(i, min(i + size, len(checks))) for i in range(0, len(checks), size)]
    if processes == 1:
        start = time.perf_counter()
        assert all(_verify_part(part) for part in parts)
        return time.perf_counter() - start
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        assert all(pool.map(_verify_part, [(0, 1)] * processes * 4))  # every worker up and warm
        start = time.perf_counter()
        assert all(pool.map(_verify_part, parts))
        return time.perf_counter() - start


def _bare_insert(devices: list[tuple[str, str, Ed25519PrivateKey, list[p.Entry]]], db: str | None = None) -> float:
    """The same rows inserted bare, nothing checked or read, one transaction per device: into a
    new SQLite file, or (`db` a PostgreSQL URL) into a table of its own in that database, one
    executemany (pipelined by psycopg) and COMMIT per device."""
    rows = [[(device_id, e.seq, e.kind, e.body, e.prev_hash, e.hash) for e in entries]
            for device_id, _, _, entries in devices]
    if db is not None and "://" in db:
        engine = make_engine(db)
        try:
            with engine.connect() as conn:
                conn.execute(text("CREATE TABLE bare_entry (device_id TEXT, seq BIGINT, kind TEXT, body TEXT, "
                                  "prev_hash TEXT, hash TEXT, UNIQUE (device_id, seq))"))
                conn.commit()
                raw = conn.connection.dbapi_connection
                assert raw is not None
                start = time.perf_counter()
                for device_rows in rows:
                    with raw.cursor() as cur:
                        cur.executemany("INSERT INTO bare_entry VALUES (%s, %s, %s, %s, %s, %s)", device_rows)
                    raw.commit()
                took = time.perf_counter() - start
                conn.execute(text("DROP TABLE bare_entry"))
                conn.commit()
        finally:
            engine.dispose()
        return took
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "bare.sqlite3")
        conn.execute("CREATE TABLE entry (device_id TEXT, seq INTEGER, kind TEXT, body TEXT, prev_hash TEXT, "
                     "hash TEXT, UNIQUE (device_id, seq))")
        start = time.perf_counter()
        for device_rows in rows:
            conn.executemany("INSERT INTO entry VALUES (?, ?, ?, ?, ?, ?)", device_rows)
            conn.commit()
        took = time.perf_counter() - start
        conn.close()
    return took


def upload_figures(kind: str, db: str, countersigned: bool = True) -> dict[str, Any]:
    """The burst through the real server (`WORKERS` processes), against, measured in the same
    run: the bare insert of the same rows into the same kind of database, and the floor of the
    signature checks the county must make (each of the burst's signatures verified once, on one
    core and on `WORKERS` processes). Ratios are to the bare insert; the goal is a burst within
    3x of it, which no server can reach while the signature checks alone take more."""
    assert server_cmd(db, "init")[0] == 0
    devices = _enrolled(db, countersigned)
    bodies = [(token, _body(device_id, key, entries)) for device_id, token, key, entries in devices]
    port = free_port()
    proc = start_server(db, port, workers=WORKERS)
    try:
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=32) as pool:
            times = sorted(pool.map(lambda b: _send(f"http://127.0.0.1:{port}", *b), bodies))
        total = time.perf_counter() - start
        overview = _overview_figures(db, f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    bare = _bare_insert(devices, db)
    bare_sqlite = bare if "://" not in db else _bare_insert(devices)
    checks = _signature_checks(devices)
    one_core = _bare_signature_checks(checks)
    on_workers = _bare_signature_checks(checks, WORKERS)
    floor = on_workers / bare
    return {f"upload_{kind}": {"devices": DEVICES, "receipts": DEVICES * RECEIPTS, "server_processes": WORKERS,
                               "countersigned": countersigned, "total_s": round(total, 2),
                               "p50_batch_s": round(statistics.median(times), 3),
                               "p95_batch_s": round(times[int(len(times) * 0.95)], 3),
                               f"bare_{kind}_insert_s": round(bare, 2), "bare_sqlite_insert_s": round(bare_sqlite, 2),
                               "ratio": round(total / bare, 1), "goal_ratio": 3,
                               "signatures": len(checks),
                               "bare_signature_checks_one_core_s": round(one_core, 2),
                               f"bare_signature_checks_{WORKERS}_processes_s": round(on_workers, 2),
                               "signature_checks_one_core_ratio": round(one_core / bare, 1),
                               f"signature_checks_{WORKERS}_processes_ratio": round(floor, 1),
                               "burst_over_floor": round(total / on_workers, 1),
                               "floor": f"signature checks alone = {floor:.1f} x bare insert "
                                        f"({len(checks)} Ed25519 checks on {WORKERS} processes, "
                                        f"{one_core / len(checks) * 1e6:.0f} us each on one core)",
                               "goal_total_s": 10},
            f"overview_{kind}": overview}


def stage_figures(kind: str, db: str) -> dict[str, Any]:
    """The same 300 uploads, one after another in this process, each stage timed: parse (the
    body into a Batch), signature, chain (the desk's rules), rules (the county's), insert (rows
    and the commit); against the bare insert of the same rows."""
    from sync.server.uploads import Stages

    assert server_cmd(db, "init")[0] == 0
    devices = _enrolled(db)
    bodies = [_body(device_id, key, entries) for device_id, _, key, entries in devices]
    signatures = _bare_signature_checks(_signature_checks(devices))
    engine = make_engine(db)
    stages = Stages()
    start = time.perf_counter()
    for (device_id, _, _, _), body in zip(devices, bodies, strict=True):
        with stages("parse"):
            batch = p.Batch.model_validate_json(body)
        with session(engine) as s:
            device = s.get(m.Device, device_id)
            assert device is not None
            result = uploads.accept_batch(s, device, batch, raw=body, timer=stages)
            assert result.status is p.BatchStatus.ACCEPTED
            with stages("insert"):
                s.commit()
    total = time.perf_counter() - start
    engine.dispose()
    bare = _bare_insert(devices, db)
    figures = {name: round(seconds, 2) for name, seconds in stages.seconds.items()}
    return {f"stages_{kind}": {"one_process_total_s": round(total, 2), **figures,
                               f"bare_{kind}_insert_s": round(bare, 2), "ratio": round(total / bare, 1),
                               "bare_signature_checks_one_core_s": round(signatures, 2)}}


def round_trip_figures(db: str, uploads_counted: int = 5) -> dict[str, Any]:
    """Round trips to PostgreSQL per upload, counted on the wire: libpq's trace of each server
    connection over the whole request (the token's device read, the upload) through the app in
    this process, one round trip per message the client then waits on (a Sync after Parse/Bind/
    Execute, a simple Query such as BEGIN or COMMIT; no pipelining here). Each round trip is a
    wait on the database (1-10 ms under load), paid by all 300 uploads.

    Counted from what the client sends, not from the server's ReadyForQuery answers: libpq writes
    its trace through a stdio buffer that it flushes only when it next sends, so the answer to an
    upload's COMMIT reaches the file with the next request's first statement. Counting answers
    gave the first upload of a fresh app one round trip too few (6 of 7) and each later upload
    its predecessor's COMMIT instead of its own."""
    import warnings

    from psycopg.pq import Trace
    from sqlalchemy import event

    from sync.server.app import create_app

    with warnings.catch_warnings():  # starlette's note that it prefers another HTTP client
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    assert server_cmd(db, "init")[0] == 0
    engine = make_engine(db)
    with session(engine) as s:
        devices = []
        for i in range(uploads_counted):
            village = f"341824{100 + i // 90:03d}{201 + i % 90:03d}"
            device_id, token, key = signed_days.enrolled(s, village)
            devices.append((token, _body(device_id, key, signed_days.day(village, 1, RECEIPTS, countersigned=True))))
    with tempfile.TemporaryDirectory() as tmp:
        trace = open(Path(tmp) / "libpq.trace", "w+b")  # noqa: SIM115 - closed below

        @event.listens_for(engine, "connect")
        def _trace(dbapi: Any, _record: Any) -> None:
            dbapi.pgconn.trace(trace.fileno())
            dbapi.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)

        engine.dispose()  # connections made from now on are traced
        counts, said = [], b""
        with TestClient(create_app(engine)) as http:
            for token, body in devices:
                start = trace.seek(0, 2)
                answer = http.post(p.BATCHES, content=body, headers={"Authorization": f"Bearer {token}",
                                                                      "Content-Type": "application/json"})
                assert answer.status_code == 200, answer.text[:200]
                trace.seek(start)
                said = trace.read()
                counts.append(len(_round_trips(said, {})))
        trace.seek(0)
        prepared: dict[bytes, str] = {}
        _round_trips(trace.read(), prepared)  # the text of every statement psycopg prepared
        trace.close()
    engine.dispose()
    return {"round_trips_postgresql": {"per_upload": counts, "round_trips_of_the_last": _round_trips(said, prepared)}}


def _round_trips(said: bytes, prepared: dict[bytes, str]) -> list[str]:
    """One item per round trip in a libpq trace, what the client sent and then waited on: a
    simple Query (BEGIN, COMMIT), or Parse/Bind/Execute up to a Sync, named by its statement's
    first 60 characters. psycopg prepares a statement run five times on a connection (a Parse of
    its own, then a Sync: one round trip more, once); later runs only Bind it by name, whose text
    is taken from `prepared` (filled here from the Parse lines)."""
    import re

    trips, current = [], ""
    for line in re.split(rb"\n(?=[FB]\t\d+\t)", said):  # a statement's text may span lines
        if not line.startswith(b"F\t"):
            continue
        _, _, message, *rest = line.split(b"\t", 3)
        args = rest[0].strip() if rest else b""
        if message == b"Query":
            trips.append(" ".join(args.decode("utf-8", "replace").strip('"').split())[:60])
        elif message == b"Parse":
            name, _, sql = args.partition(b" ")
            current = " ".join(sql.decode("utf-8", "replace")[1:].split())[:60]
            if name != b'""':
                prepared[name] = current
                current += " (preparing)"
        elif message == b"Bind":
            name = args.split(b" ")[1]
            if name != b'""':
                current = prepared.get(name, name.decode()) + " (prepared)"
        elif message == b"Sync":
            trips.append(current)
    return trips


def _overview_figures(db: str, base: str) -> dict[str, Any]:
    """The county overview after the uploads (every device's entries reviewed: flags and totals),
    first and again, against reading and parsing every entry once with nothing judged. Each of
    the two server processes reviews a device once per upload and keeps it, so the third and
    later loads are the warm figure."""
    engine = make_engine(db)
    with session(engine) as s:
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
    with engine.connect() as conn:
        t0 = time.perf_counter()
        for (body,) in conn.execute(text("SELECT body FROM entry")):
            orjson.loads(body)["data"]
        bare = time.perf_counter() - t0
    engine.dispose()
    with httpx.Client(base_url=base, timeout=300) as http:
        token = http.post(f"{p.API}/staff/login", json={"name": "县社保", "password": "county-pass-1"}).json()["token"]
        loads = []
        for _ in range(4):
            t0 = time.perf_counter()
            rows = http.get(f"{p.API}/staff/overview", headers={"Authorization": f"Bearer {token}"}).json()
            loads.append(time.perf_counter() - t0)
    return {"villages": len(rows), "receipts": sum(r["receipts"] for r in rows), "first_load_s": round(loads[0], 3),
            "warm_load_s": round(min(loads[2:]), 3), "bare_read_parse_entries_s": round(bare, 3),
            "first_load_ratio": round(loads[0] / bare, 1)}


def roster_pull_figures(db: str) -> dict[str, Any]:
    import keyring

    from app.services.desk import Desk
    from sync.client import SyncClient
    from tests.factories import CONFIG_PATH, FakeClock, Resident, make_id, write_roster
    from tests.keyrings import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    people = [Resident(make_id(date(1940, 1, 1) + timedelta(days=k % 20000), k // 20000 + 1), "张三",
                       household=f"{k:06d}", pension_tier=None) for k in range(ROSTER_PEOPLE)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path = write_roster(folder / "roster.csv", people)
        assert server_cmd(db, "init")[0] == 0
        server_cmd(db, "config", "load", str(CONFIG_PATH))
        code, said = server_cmd(db, "roster", "load", str(csv_path), "--village-code", "341824100201")
        assert code == 0, said
        enrol_code = server_cmd(db, "device", "enrol", "--village-code", "341824100201", "--device-no", "9")[1].strip()
        port = free_port()
        proc = start_server(db, port)
        try:
            desk = Desk(folder / "desk", clock=FakeClock())
            desk.setup.init(village_code="341824100201", village_name="基准村", township_code="341824100",
                            device_no=9)
            client = SyncClient(desk, server=f"http://127.0.0.1:{port}")
            client.enrol(enrol_code)
            key, token = client.secrets.load()  # type: ignore[misc]
            start = time.perf_counter()
            received = client.pull(token)
            pull_s = time.perf_counter() - start
            desk.close()
        finally:
            proc.terminate()
            proc.communicate(timeout=10)
        bare = Desk(folder / "bare", clock=FakeClock())
        bare.setup.init(village_code="341824100201", village_name="基准村", township_code="341824100", device_no=9)
        bare.setup.import_config(CONFIG_PATH.read_text(encoding="utf-8"))
        start = time.perf_counter()
        bare.roster.import_file(csv_path)
        bare_s = time.perf_counter() - start
        bare.close()
    return {"roster_pull": {"people": ROSTER_PEOPLE, "imported": received.get("roster", {}).get("imported"),
                            "pull_s": round(pull_s, 2), "bare_file_import_s": round(bare_s, 2),
                            "ratio": round(pull_s / bare_s, 2), "goal_s": 5}}


def main() -> dict[str, Any]:
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out |= upload_figures("sqlite", str(Path(tmp) / "county.sqlite3"))
        out |= stage_figures("sqlite", str(Path(tmp) / "stages.sqlite3"))
        out |= roster_pull_figures(str(Path(tmp) / "roster.sqlite3"))
    name = f"daishou_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        out |= upload_figures("postgresql", PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        out |= stage_figures("postgresql", PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        out |= round_trip_figures(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return out
