"""The rows the township's monthly counts are made from (app/domain/monthly.py): the roster's
people and dues of a year, and the lines of the receipts of that year no void has cancelled."""

from __future__ import annotations

import sqlite3
from datetime import date

from app.domain.monthly import PaidLine, RosterDue, RosterPerson


def people(conn: sqlite3.Connection) -> list[RosterPerson]:
    return [RosterPerson(str(i), str(n), str(g), str(h), str(c), date.fromisoformat(str(b)[:10]), bool(r))
            for i, n, g, h, c, b, r in conn.execute(
                "SELECT id_number, name, group_name, household_no, category, birth_date, removed FROM person")]


def dues(conn: sqlite3.Connection, year: int) -> list[RosterDue]:
    return [RosterDue(str(i), str(ins), t, e or None, bool(r)) for i, ins, t, e, r in conn.execute(
        "SELECT id_number, insurance, tier_fen, paid_elsewhere, removed FROM due WHERE year = ?", (year,))]


def paid_lines(conn: sqlite3.Connection, year: int) -> list[PaidLine]:
    """Every line of the year's receipts not voided, with the receipt's day."""
    return [PaidLine(str(i), str(ins), t, int(a), date.fromisoformat(str(d)[:10])) for i, ins, t, a, d in conn.execute(
        "SELECT l.id_number, l.insurance, l.tier_fen, l.amount_fen, r.day FROM receipt_line l "
        "JOIN receipt r ON r.number = l.receipt_number LEFT JOIN void v ON v.receipt_number = l.receipt_number "
        "WHERE l.year = ? AND v.receipt_number IS NULL", (year,))]
