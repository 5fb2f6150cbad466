"""What an upload pays to keep its device's review figures (device_figures.recount, issue 24):
the device's whole held chain is read and reviewed again, so the cost grows with the chain. A
desk journal of 200, 2,000 and 10,000 receipts (bench_province.ledger: the receipts, their
settlement, a remittance), on SQLite and PostgreSQL, each recounted three times, against a bare
read of the same entries."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import create_engine, text

from sync.server import device_figures
from sync.server.db import make_engine, migrate, session
from tests.bench.bench_province import ledger

SIZES = (200, 2000, 10000)


def chain_costs(url: str) -> dict[str, Any]:
    migrate(url)
    engine = make_engine(url)
    out: dict[str, Any] = {}
    now = datetime.now(UTC)
    for receipts in SIZES:
        code = f"34{receipts:010d}"
        device = f"{code}-01"
        entries = ledger(1, code, [f"id{k}" for k in range(receipts)], receipts)
        with session(engine) as s:
            s.execute(text("INSERT INTO device (id, village_code, device_no, held_seq, held_hash, rules_state) "
                           "VALUES (:i, :c, 1, :n, :h, '')"),
                      {"i": device, "c": code, "n": len(entries), "h": entries[-1][5]})
            s.execute(text("INSERT INTO entry (device_id, seq, kind, recorded_at, body, prev_hash, hash, received_at) "
                           "VALUES (:d, :s, :k, :a, :b, :p, :h, :r)"),
                      [{"d": device, "s": seq, "k": kind, "a": at, "b": orjson.dumps({"data": data}).decode(),
                        "p": prev, "h": h, "r": now} for seq, kind, at, data, prev, h in entries])
        took, bare = [], []
        for _ in range(3):
            with session(engine) as s:
                t0 = time.perf_counter()
                device_figures.recount(s, [device])
                took.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                s.execute(text("SELECT seq, kind, recorded_at, body FROM entry WHERE device_id = :d ORDER BY seq"),
                          {"d": device}).all()
                bare.append(time.perf_counter() - t0)
        out[f"entries_{len(entries)}"] = {"recount_ms": [round(x * 1000, 1) for x in took],
                                          "bare_read_ms": round(min(bare) * 1000, 1)}
    engine.dispose()
    return out


def main() -> dict[str, Any]:
    from tests.server.conftest import PG_ADMIN

    with tempfile.TemporaryDirectory() as tmp:
        was = os.environ.get("XDG_DATA_HOME")
        os.environ["XDG_DATA_HOME"] = tmp
        try:
            out = {"upload_review_sqlite": chain_costs(f"sqlite:///{tmp}/figures.sqlite3")}
            name = f"daishou_figures_{uuid.uuid4().hex[:8]}"
            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                out["upload_review_postgresql"] = chain_costs(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
        finally:
            if was is None:
                os.environ.pop("XDG_DATA_HOME", None)
            else:
                os.environ["XDG_DATA_HOME"] = was
    return out
