"""Queries over the ledger's projections (receipt, void, settlement) that receipts, settlement
and sync share.

A day may be settled in rounds: a receipt belongs to the first settlement of its day recorded
after it (a later journal seq), and is unsettled while there is none. Cash taken after a day's
settlement is therefore the next round of that day, never folded into the closed one.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

# A receipt row `r` is settled when a settlement of its day came after it in the journal.
SETTLED = "EXISTS (SELECT 1 FROM settlement st WHERE st.day = r.day AND st.journal_seq > r.journal_seq)"


def last_recorded_at(conn: sqlite3.Connection) -> datetime | None:
    """When the newest journal entry was recorded."""
    row = conn.execute("SELECT recorded_at FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    return datetime.fromisoformat(str(row[0])) if row is not None else None


def is_settled(conn: sqlite3.Connection, day: date) -> bool:
    """The day has at least one settlement round."""
    return conn.execute("SELECT 1 FROM settlement WHERE day = ?", (day.isoformat(),)).fetchone() is not None


def settled_rounds(conn: sqlite3.Connection, day: date) -> int:
    row = conn.execute("SELECT COUNT(*) FROM settlement WHERE day = ?", (day.isoformat(),)).fetchone()
    return int(row[0])


def receipt_settled(conn: sqlite3.Connection, number: str) -> bool:
    """The receipt's own round is settled (a later round of its day does not matter)."""
    row = conn.execute(f"SELECT {SETTLED} FROM receipt r WHERE r.number = ?", (number,)).fetchone()
    return bool(row and row[0])


def last_settled_day(conn: sqlite3.Connection) -> date | None:
    row = conn.execute("SELECT MAX(day) FROM settlement").fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def first_unsettled_entry(conn: sqlite3.Connection) -> int | None:
    """The journal seq of the oldest receipt not yet in a settlement round."""
    row = conn.execute(f"SELECT MIN(r.journal_seq) FROM receipt r WHERE NOT {SETTLED}").fetchone()
    return int(row[0]) if row[0] is not None else None


def unsettled_days(conn: sqlite3.Connection) -> list[date]:
    """Days with receipts not yet in a settlement round, oldest first."""
    # Days settle in order and late cash is taken on the settled day itself, so only receipts
    # from the last settled day on can be unsettled: the scan stays on the day index.
    rows = conn.execute(
        "SELECT DISTINCT r.day FROM receipt r "
        "WHERE r.day >= COALESCE((SELECT MAX(day) FROM settlement), '') "
        f"AND NOT {SETTLED} ORDER BY r.day").fetchall()
    return [date.fromisoformat(str(r[0])) for r in rows]


def first_unsettled_day_before(conn: sqlite3.Connection, day: date) -> date | None:
    """The oldest day before `day` with cash not in a settlement round (checked on every receipt).

    Days settle in order, so only the last settled day (its late cash: receipts after its last
    round) and the days after it can be open; both are index seeks, however long the ledger."""
    last = last_settled_day(conn)
    if last is None:
        row = conn.execute("SELECT MIN(day) FROM receipt WHERE day < ?", (day.isoformat(),)).fetchone()
        return date.fromisoformat(str(row[0])) if row[0] is not None else None
    if last < day and conn.execute(
            "SELECT 1 FROM receipt WHERE day = :d AND journal_seq > "
            "(SELECT MAX(journal_seq) FROM settlement WHERE day = :d) LIMIT 1",
            {"d": last.isoformat()}).fetchone():
        return last
    row = conn.execute("SELECT MIN(day) FROM receipt WHERE day > ? AND day < ?",
                       (last.isoformat(), day.isoformat())).fetchone()
    return date.fromisoformat(str(row[0])) if row[0] is not None else None


def expected_cash(conn: sqlite3.Connection, day: date) -> tuple[int, int, int, list[str]]:
    """(expected fen, valid receipts, voids, valid receipt numbers) of the day's open round."""
    rows = conn.execute(
        "SELECT r.number, r.total_fen, v.receipt_number IS NOT NULL FROM receipt r "
        f"LEFT JOIN void v ON v.receipt_number = r.number WHERE r.day = ? AND NOT {SETTLED} "
        "ORDER BY r.receipt_seq", (day.isoformat(),)).fetchall()
    valid = [(str(n), int(t)) for n, t, voided in rows if not voided]
    return sum(t for _, t in valid), len(valid), len(rows) - len(valid), [n for n, _ in valid]
