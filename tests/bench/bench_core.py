"""Core figures: receipt latency against a bare sqlite3 INSERT+COMMIT, verify over 100,000 entries."""

from __future__ import annotations

import sqlite3
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.domain.canonical import GENESIS_HASH, canonical_json
from app.domain.insurance import Insurance
from app.services.desk import Desk
from app.services.receipts import LineRequest
from app.storage.journal import entry_hash
from tests.factories import CONFIG_PATH, Resident, make_id, write_roster

RECEIPTS = 300
VERIFY_ENTRIES = 100_000


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def _people(n: int) -> list[Resident]:
    out, seen = [], set()
    i = 0
    while len(out) < n:
        idn = make_id(date(1950 + i % 50, 1 + i % 12, 1 + i % 28), (i // 600) % 100)
        i += 1
        if idn not in seen:
            seen.add(idn)
            out.append(Resident(idn, "张三", pension_tier=None, household=f"{i:06d}"))
    return out


def _setup(home: Path, people: list[Resident], tmp: Path) -> Desk:
    desk = Desk(home)
    desk.setup.init(village_code="341824100201", village_name="示范村", township_code="341824100",
                    device_no=1)
    desk.setup.import_config(CONFIG_PATH.read_text(encoding="utf-8"))
    desk.users.add("李代收", "agent", "1234")
    desk.roster.import_file(write_roster(tmp / "roster.csv", people))
    return desk


def bare_insert_commit(path: Path, n: int) -> list[float]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, body TEXT, hash TEXT)")
    body = "x" * 700  # about the size of one receipt's journal entry
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (?, ?, ?)", (i, body, "h" * 64))
        conn.execute("COMMIT")
        samples.append(time.perf_counter() - t0)
    conn.close()
    return samples


def receipt_latency(tmp: Path) -> dict[str, Any]:
    people = _people(RECEIPTS)
    desk = _setup(tmp / "home", people, tmp)
    agent = desk.users.authenticate("李代收", "1234")
    samples = []
    for p in people:
        t0 = time.perf_counter()
        desk.receipts.record(agent, [LineRequest(p.id_number, Insurance.MEDICAL, 2027)], cash_fen=40000)
        samples.append(time.perf_counter() - t0)
    desk.close()
    bare = bare_insert_commit(tmp / "bare.sqlite3", RECEIPTS)
    p50, p95 = _pct(samples, 0.5), _pct(samples, 0.95)
    b50, b95 = _pct(bare, 0.5), _pct(bare, 0.95)
    return {"receipts": RECEIPTS, "record_p50_ms": round(p50 * 1e3, 3), "record_p95_ms": round(p95 * 1e3, 3),
            "bare_insert_commit_p50_ms": round(b50 * 1e3, 3), "bare_insert_commit_p95_ms": round(b95 * 1e3, 3),
            "ratio_p50": round(p50 / b50, 2), "ratio_p95": round(p95 / b95, 2), "goal_ratio": 3}


def _bulk_journal(desk: Desk, people: list[Resident], n: int) -> None:
    """Write n genuine receipt entries (same format as Receipts.record) in one transaction."""
    conn = sqlite3.connect(desk.db.path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    prev = GENESIS_HASH
    day = date(2026, 11, 20)
    at = datetime(2026, 11, 20, 9, 0).isoformat()
    journal, receipts, lines = [], [], []
    for seq in range(1, n + 1):
        p = people[seq % len(people)]
        number = f"341824100201-01-{seq:06d}"
        line = {"id_number": p.id_number, "name": p.name, "insurance": "medical", "year": 2027,
                "tier_fen": None, "amount_fen": 40000, "due_fen": 40000}
        data = {"number": number, "receipt_seq": seq, "day": day.isoformat(), "village_code": "341824100201",
                "device_no": 1, "payer": {"id_number": p.id_number, "name": p.name}, "lines": [line],
                "total_fen": 40000, "cash_fen": 40000, "change_fen": 0, "agent": "李代收",
                "payer_signoff": "paper", "signature_sha256": None, "override_reason": None}
        body = canonical_json({"seq": seq, "kind": "receipt", "recorded_at": at, "data": data})
        digest = entry_hash(prev, body)
        journal.append((seq, "receipt", at, body, prev, digest))
        receipts.append((number, seq, seq, day.isoformat(), at, p.id_number, p.name, "李代收", 40000, 40000, 0,
                         "paper", None, None))
        lines.append((number, 1, p.id_number, p.name, "medical", 2027, None, 40000, 40000))
        prev = digest
    conn.executemany("INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?)", journal)
    conn.executemany("INSERT INTO receipt (number, receipt_seq, journal_seq, day, recorded_at, payer_id_number, "
                     "payer_name, agent, total_fen, cash_fen, change_fen, payer_signoff, signature_sha256, "
                     "override_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", receipts)
    conn.executemany("INSERT INTO receipt_line VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", lines)
    conn.execute("COMMIT")
    conn.close()


def verify_speed(tmp: Path) -> dict[str, Any]:
    people = _people(2000)
    desk = _setup(tmp / "big", people, tmp)
    _bulk_journal(desk, people, VERIFY_ENTRIES)
    t0 = time.perf_counter()
    result = desk.verify()
    took = time.perf_counter() - t0
    # baseline: just reading every journal row, the floor for any check of the whole ledger
    conn = sqlite3.connect(desk.db.path)
    t1 = time.perf_counter()
    for _ in conn.execute("SELECT seq, kind, recorded_at, body, prev_hash, hash FROM journal ORDER BY seq"):
        pass
    bare = time.perf_counter() - t1
    conn.close()
    desk.close()
    return {"verify_entries": result.entries, "verify_ok": result.ok, "verify_s": round(took, 3),
            "bare_read_journal_s": round(bare, 3), "verify_ratio": round(took / bare, 1), "goal_verify_s": 2.0}


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        out = receipt_latency(tmp)
        out |= verify_speed(tmp)
    out["median_of_ratios_note"] = "figures vary on a shared machine; compare ratios, not absolutes"
    return out
