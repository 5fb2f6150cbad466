"""Queries over the ledger projections shared by receipts and settlement (plain sqlite3)."""

from __future__ import annotations

import sqlite3
from datetime import date


def is_settled(conn: sqlite3.Connection, day: date) -> bool:
    return conn.execute("SELECT 1 FROM settlement WHERE day = ?", (day.isoformat(),)).fetchone() is not None


def last_settled_day(conn: sqlite3.Connection) -> date | None:
    row = conn.execute("SELECT MAX(day) FROM settlement").fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def unsettled_days(conn: sqlite3.Connection) -> list[date]:
    """Days with receipts and no settlement, oldest first."""
    rows = conn.execute(
        "SELECT DISTINCT r.day FROM receipt r LEFT JOIN settlement st ON st.day = r.day "
        "WHERE st.day IS NULL ORDER BY r.day").fetchall()
    return [date.fromisoformat(str(r[0])) for r in rows]


def first_unsettled_day_before(conn: sqlite3.Connection, day: date) -> date | None:
    # Days settle in order, so only receipts after the last settled day can be unsettled;
    # this keeps the check on the receipt.day index however long the ledger grows.
    row = conn.execute(
        "SELECT MIN(r.day) FROM receipt r WHERE r.day < ? "
        "AND r.day > COALESCE((SELECT MAX(day) FROM settlement), '') "
        "AND NOT EXISTS (SELECT 1 FROM settlement st WHERE st.day = r.day)", (day.isoformat(),)).fetchone()
    return date.fromisoformat(str(row[0])) if row and row[0] is not None else None


def expected_cash(conn: sqlite3.Connection, day: date) -> tuple[int, int, int, list[str]]:
    """(expected fen, valid receipts, voids, valid receipt numbers) for one day."""
    rows = conn.execute(
        "SELECT r.number, r.total_fen, v.receipt_number IS NOT NULL FROM receipt r "
        "LEFT JOIN void v ON v.receipt_number = r.number WHERE r.day = ? ORDER BY r.receipt_seq",
        (day.isoformat(),)).fetchall()
    valid = [(str(n), int(t)) for n, t, voided in rows if not voided]
    return sum(t for _, t in valid), len(valid), len(rows) - len(valid), [n for n, _ in valid]
