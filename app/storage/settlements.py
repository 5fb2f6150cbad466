"""The settlement and remittance tables: each day's settlement rounds, cash handed to the bank,
and the cash position they add up to."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime

from app.domain.entries import RemittanceEntry, SettlementEntry
from app.domain.records import CashPosition, Remittance, Settlement
from app.storage.db import sql_datetime
from app.storage.projections import SETTLED


def open_collectors(conn: sqlite3.Connection, day: date) -> list[str]:
    """Who took the day's cash not yet in a settlement round (receipts not voided)."""
    return [str(r[0]) for r in conn.execute(
        "SELECT r.agent FROM receipt r LEFT JOIN void v ON v.receipt_number = r.number "
        f"WHERE r.day = :d AND v.receipt_number IS NULL AND NOT {SETTLED}", {"d": day.isoformat()})]


def slip_recorded(conn: sqlite3.Connection, slip_no: str) -> bool:
    return conn.execute("SELECT 1 FROM remittance WHERE slip_no = ?", (slip_no,)).fetchone() is not None


def insert_remittance(conn: sqlite3.Connection, journal_seq: int, at: datetime, e: RemittanceEntry) -> None:
    """The remittance's row: the projection verify rebuilds from its journal entry."""
    conn.execute("INSERT INTO remittance (journal_seq, slip_no, amount_fen, day, recorded_at, settled_days) "
                 "VALUES (?, ?, ?, ?, ?, ?)", (journal_seq, e.slip_no, e.amount_fen, e.day,
                                               sql_datetime(at), json.dumps(list(e.settled_days))))


def remittances(conn: sqlite3.Connection) -> list[Remittance]:
    rows = conn.execute(
        "SELECT r.slip_no, r.amount_fen, r.day, r.recorded_at, r.settled_days, j.hash "
        "FROM remittance r JOIN journal j ON j.seq = r.journal_seq ORDER BY r.journal_seq").fetchall()
    return [Remittance(r[0], r[1], date.fromisoformat(str(r[2])), _parse_dt(r[3]),
                       tuple(date.fromisoformat(d) for d in json.loads(r[4])), r[5]) for r in rows]


def cash_position(conn: sqlite3.Connection) -> CashPosition:
    unsettled = conn.execute(
        "SELECT COALESCE(SUM(r.total_fen), 0) FROM receipt r "
        "LEFT JOIN void v ON v.receipt_number = r.number "
        f"WHERE v.receipt_number IS NULL AND NOT {SETTLED}").fetchone()[0]
    counted = conn.execute("SELECT COALESCE(SUM(counted_fen), 0) FROM settlement").fetchone()[0]
    remitted = _remitted(conn)
    return CashPosition(int(unsettled), int(counted) - remitted, remitted)


def _remitted(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(SUM(amount_fen), 0) FROM remittance").fetchone()[0])


def settlements(conn: sqlite3.Connection, where: str = "", params: Sequence[object] = ()) -> list[Settlement]:
    """Settlements (rounds in order) with their journal hash and receipt numbers: one query for
    the rows, one for the journal bodies of all of them (was one per day)."""
    rows = conn.execute(
        "SELECT day, recorded_at, expected_fen, counted_fen, difference_fen, reason, denominations, "
        f"receipts, voids, agent, head, journal_seq, round_no FROM settlement {where} "
        "ORDER BY day, round_no", tuple(params)).fetchall()
    if not rows:
        return []
    bodies = {int(q): (str(h), str(b)) for q, h, b in conn.execute(
        "SELECT seq, hash, body FROM journal WHERE seq BETWEEN ? AND ? AND kind = 'settlement'",
        (min(r[11] for r in rows), max(r[11] for r in rows)))}
    out = []
    for (day, at, expected, counted, diff, reason, denominations, receipts, voids, agent, head, seq,
         round_no) in rows:
        entry_hash, body = bodies[seq]
        numbers = tuple(json.loads(body)["data"]["receipt_numbers"])
        out.append(Settlement(date.fromisoformat(day), _parse_dt(at), expected, counted, diff, reason,
                              {int(k): v for k, v in json.loads(denominations).items()},
                              receipts, voids, agent, head, entry_hash, numbers, round_no=round_no))
    return out


def settled_not_remitted(conn: sqlite3.Connection) -> list[tuple[date, int]]:
    """Settled days with cash not yet remitted, oldest first (remittances applied FIFO)."""
    days = [(date.fromisoformat(str(d)), int(c)) for d, c in conn.execute(
        "SELECT day, counted_fen FROM settlement WHERE counted_fen > 0 ORDER BY day, round_no")]
    remitted = _remitted(conn)
    out = []
    for d, c in days:
        used = min(c, remitted)
        remitted -= used
        if c - used > 0:
            out.append((d, c - used))
    return out


def insert_settlement(conn: sqlite3.Connection, journal_seq: int, at: datetime, e: SettlementEntry) -> None:
    """The settlement's row: the projection verify rebuilds from its journal entry."""
    conn.execute(
        "INSERT INTO settlement (day, round_no, journal_seq, recorded_at, expected_fen, counted_fen, "
        "difference_fen, reason, denominations, receipts, voids, agent, head) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (e.day, e.round_no, journal_seq, sql_datetime(at), e.expected_fen, e.counted_fen, e.difference_fen,
         e.reason, json.dumps(e.denominations, sort_keys=True), e.receipts, e.voids, e.agent, e.head))


def _parse_dt(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
