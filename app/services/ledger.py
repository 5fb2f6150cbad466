"""Queries over the ledger projections shared by receipts and settlement."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlmodel import Session


def is_settled(s: Session, day: date) -> bool:
    return s.execute(text("SELECT 1 FROM settlement WHERE day = :d"), {"d": day.isoformat()}).first() is not None


def unsettled_days(s: Session) -> list[date]:
    """Days with receipts and no settlement, oldest first."""
    rows = s.execute(text(
        "SELECT DISTINCT r.day FROM receipt r LEFT JOIN settlement st ON st.day = r.day "
        "WHERE st.day IS NULL ORDER BY r.day")).all()
    return [date.fromisoformat(str(r[0])) for r in rows]


def first_unsettled_day_before(s: Session, day: date) -> date | None:
    row = s.execute(text(
        "SELECT MIN(r.day) FROM receipt r LEFT JOIN settlement st ON st.day = r.day "
        "WHERE st.day IS NULL AND r.day < :d"), {"d": day.isoformat()}).first()
    return date.fromisoformat(str(row[0])) if row and row[0] is not None else None


def expected_cash(s: Session, day: date) -> tuple[int, int, int, list[str]]:
    """(expected fen, valid receipts, voids, valid receipt numbers) for one day."""
    rows = s.execute(text(
        "SELECT r.number, r.total_fen, v.receipt_number IS NOT NULL FROM receipt r "
        "LEFT JOIN void v ON v.receipt_number = r.number WHERE r.day = :d ORDER BY r.receipt_seq"),
        {"d": day.isoformat()}).all()
    valid = [(str(n), int(t)) for n, t, voided in rows if not voided]
    return sum(t for _, t in valid), len(valid), len(rows) - len(valid), [n for n, _ in valid]
