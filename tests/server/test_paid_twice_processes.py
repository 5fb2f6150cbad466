"""The paid-twice race between two real server processes on PostgreSQL (test_paid_twice_race.py
races two transactions of one process). Two `daishou-server serve` processes on loopback share one
county database, as behind a load balancer; villages B and C each upload a receipt for the same
person, insurance and year, one upload to each process.

To make the two uploads overlap every time, the test holds a SHARE lock on paid_line: each upload
can read the paid lines but not write its own, so without more both would read "not paid
elsewhere" and wait at their insert. Once two of the database's sessions wait on a lock (both
inserts, or with the county's advisory locks: one insert and one upload waiting for the other's
person lock), the test lets go."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlmodel import col, select

from sync import protocol as p
from sync.server import models as m
from sync.server.db import make_engine, session
from tests.server.conftest import database_url, free_port
from tests.server.signed_days import batch, day, enrolled
from tests.server.test_real_server import server_cmd, start_server

B, C = "341824100201", "341824101305"  # two villages of two townships
PERSON = "341824195001010011"


@pytest.fixture
def county_db(tmp_path: Path) -> Iterator[str]:
    for db in database_url("postgresql", tmp_path):
        assert server_cmd(db, "init")[0] == 0
        yield db


def _waiting_on_locks(db: str) -> int:
    engine = create_engine(db.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                         "AND wait_event_type = 'Lock'")).scalar_one())
    finally:
        engine.dispose()


def test_one_person_paid_in_two_villages_through_two_server_processes_is_flagged_for_both(county_db: str) -> None:
    engine = make_engine(county_db)
    bodies = []
    with session(engine) as s:
        for village in (B, C):
            device_id, token, key = enrolled(s, village)
            entries = day(village, 1, 2, person=lambda v, n: PERSON if n == 1 else f"{v[6:]}{n:06d}")
            bodies.append((token, batch(device_id, key, entries).model_dump_json()))
    ports = [free_port(), free_port()]
    servers = [start_server(county_db, port) for port in ports]

    def upload(port: int, token: str, body: str) -> tuple[int, str]:
        answer = httpx.post(f"http://127.0.0.1:{port}{p.BATCHES}", content=body, timeout=60,
                            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        return answer.status_code, answer.json().get("status", answer.text)

    try:
        with engine.connect() as holder:
            holder.execute(text("LOCK TABLE paid_line IN SHARE MODE"))
            with ThreadPoolExecutor(2) as pool:
                answers = [pool.submit(upload, port, *body) for port, body in zip(ports, bodies, strict=True)]
                deadline = time.monotonic() + 30
                while _waiting_on_locks(county_db) < 2:
                    assert time.monotonic() < deadline, "the two uploads did not both reach the county's check"
                    assert not any(a.done() for a in answers), [a.result() for a in answers if a.done()]
                    time.sleep(0.05)
                holder.commit()  # let go: the uploads race from here
                results = [a.result() for a in answers]
    finally:
        for server in servers:
            server.terminate()
            server.communicate(timeout=10)
    assert results == [(200, "accepted"), (200, "accepted")]  # each village did nothing wrong it could know
    with session(engine) as s:
        flags = s.exec(select(m.CountyFlag).order_by(col(m.CountyFlag.township_code))).all()
        lines = s.exec(select(m.PaidLine.village_code).where(m.PaidLine.id_number == PERSON)).all()
    engine.dispose()
    assert sorted(lines) == [B, C]
    assert [(f.code, f.township_code, f.village_code) for f in flags] == [
        ("paid_in_two_villages", B[:9], B), ("paid_in_two_villages", C[:9], C)]
