"""月结 figures from the ledger's projections: what a month's receipts, voids, settlements and
remittances add up to, computed the way the chain rules add them up (app/domain/chain.py)."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import Any

from app.storage.projections import unsettled_days


def bounds(month: str) -> tuple[str, str]:
    """First and last day of "YYYY-MM" as ISO dates."""
    year, mon = int(month[:4]), int(month[5:7])
    last = date(year + mon // 12, mon % 12 + 1, 1) - timedelta(days=1)
    return f"{month}-01", last.isoformat()


def figures(conn: sqlite3.Connection, month: str) -> dict[str, Any]:
    first, last = bounds(month)
    span = {"first": first, "last": last}
    receipts, total = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(total_fen), 0) FROM receipt WHERE day BETWEEN :first AND :last",
        span).fetchone()
    voids, voided = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(r.total_fen), 0) FROM void v JOIN receipt r ON r.number = v.receipt_number "
        "WHERE r.day BETWEEN :first AND :last", span).fetchone()
    settled = conn.execute("SELECT COALESCE(SUM(counted_fen), 0) FROM settlement WHERE day BETWEEN :first AND :last",
                           span).fetchone()[0]
    remitted = conn.execute("SELECT COALESCE(SUM(amount_fen), 0) FROM remittance WHERE day BETWEEN :first AND :last",
                            span).fetchone()[0]
    on_hand = conn.execute(
        "SELECT (SELECT COALESCE(SUM(counted_fen), 0) FROM settlement WHERE day <= :last) "
        "- (SELECT COALESCE(SUM(amount_fen), 0) FROM remittance WHERE day <= :last)", span).fetchone()[0]
    numbers = conn.execute("SELECT MIN(receipt_seq), MAX(receipt_seq) FROM receipt WHERE day BETWEEN :first AND :last",
                           span).fetchone()
    first_number = last_number = None
    if numbers[0] is not None:
        first_number, last_number = (str(conn.execute("SELECT number FROM receipt WHERE receipt_seq = ?",
                                                      (n,)).fetchone()[0]) for n in numbers)
    serials = _serials(conn, month, first, last)
    return {"month": month, "receipts": int(receipts), "voids": int(voids), "collected_fen": int(total) - int(voided),
            "settled_fen": int(settled), "remitted_fen": int(remitted), "on_hand_fen": int(on_hand),
            "first_number": first_number, "last_number": last_number, **serials}


def _serials(conn: sqlite3.Connection, month: str, first: str, last: str) -> dict[str, Any]:
    """钱票一致: the uniform-receipt serials the month used — by its receipts, or spoiled in it —
    with the first and last in the order they were taken, and how many were spoiled."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'receipt_serial'").fetchone():
        return {"serials": 0, "serials_spoiled": 0, "first_serial": None, "last_serial": None}
    rows = conn.execute(
        "SELECT s.serial, s.spoiled_reason IS NOT NULL FROM receipt_serial s LEFT JOIN receipt r "
        "ON r.number = s.receipt_number JOIN journal j ON j.seq = s.journal_seq "
        "WHERE (r.day BETWEEN ? AND ?) OR (s.receipt_number IS NULL AND substr(j.recorded_at, 1, 7) = ?) "
        "ORDER BY s.journal_seq", (first, last, month)).fetchall()
    return {"serials": len(rows), "serials_spoiled": sum(1 for _, spoiled in rows if spoiled),
            "first_serial": str(rows[0][0]) if rows else None, "last_serial": str(rows[-1][0]) if rows else None}


def unsettled_days_until(conn: sqlite3.Connection, last: str) -> list[str]:
    """Days up to `last` with receipts (voided or not) in no settlement round: the desk's own
    query for open days (on the day index, from the last settled day on), cut at `last`."""
    return [d.isoformat() for d in unsettled_days(conn) if d.isoformat() <= last]


def collectors(conn: sqlite3.Connection, month: str) -> list[str]:
    first, last = bounds(month)
    return [str(r[0]) for r in conn.execute(
        "SELECT DISTINCT r.agent FROM receipt r LEFT JOIN void v ON v.receipt_number = r.number "
        "WHERE r.day BETWEEN ? AND ? AND v.receipt_number IS NULL", (first, last))]


def active_months(conn: sqlite3.Connection) -> list[str]:
    """Months with any receipt, settlement or remittance, oldest first."""
    return [str(r[0]) for r in conn.execute(
        "SELECT substr(day, 1, 7) FROM receipt UNION SELECT substr(day, 1, 7) FROM settlement "
        "UNION SELECT substr(day, 1, 7) FROM remittance ORDER BY 1")]
