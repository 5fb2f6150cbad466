"""Building `PersonInfo` results: a person's details with what they owe and what is paid.

Dues and payments are read in two queries for a whole page of people: a search result of fifty
costs the same two round trips as one person. What is due comes from the county configuration
(category, insurance, tier), falling back to the roster's own amount when the year is missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from app.domain.config import ConfigError, CountyConfig
from app.domain.insurance import Category, Insurance
from app.domain.records import DueInfo, Person, PersonInfo

_CHUNK = 500  # well under SQLite's bound-parameter limit


_PERSON_COLUMNS = ("id_number", "name", "group_name", "household_no", "household_head", "phone", "category",
                   "removed")
PERSON_COLUMNS = ", ".join(_PERSON_COLUMNS)  # what person_from_row reads, in its order


def person_columns(table: str) -> str:
    """PERSON_COLUMNS of a table named in a join (`p.id_number, p.name, ...`)."""
    return ", ".join(f"{table}.{c}" for c in _PERSON_COLUMNS)


def person_from_row(row: Sequence[object]) -> Person:
    """A Person from a row that starts with PERSON_COLUMNS."""
    return Person(str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]),
                  str(row[6]), bool(row[7]))


@lru_cache(maxsize=256)
def _category(text: str) -> Category:
    return Category.parse(text)


def due_fen(config: CountyConfig, category: str, insurance: Insurance, year: int,
            tier_fen: int | None, amount_fen: int | None) -> int:
    try:
        return config.year(year).due_fen(_category(category), insurance, tier_fen)
    except (ConfigError, ValueError):
        return amount_fen or 0


def cash_paid(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[tuple[str, str, int], tuple[str, int | None]]:
    """(id, insurance, year) -> (receipt number, tier paid), for lines of receipts not voided."""
    paid: dict[tuple[str, str, int], tuple[str, int | None]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start:start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        for idn, ins, year, number, tier in conn.execute(
                "SELECT l.id_number, l.insurance, l.year, l.receipt_number, l.tier_fen FROM receipt_line l "
                "LEFT JOIN void v ON v.receipt_number = l.receipt_number "
                f"WHERE l.id_number IN ({marks}) AND v.receipt_number IS NULL", tuple(chunk)):
            paid[(idn, ins, int(year))] = (str(number), tier)
    return paid


def person_infos(conn: sqlite3.Connection, people: Sequence[Person], config: CountyConfig) -> list[PersonInfo]:
    ids = [p.id_number for p in people]
    by_id: dict[str, list[Any]] = {idn: [] for idn in ids}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(
                "SELECT id_number, insurance, year, tier_fen, amount_fen, paid_elsewhere, removed "
                f"FROM due WHERE id_number IN ({marks}) ORDER BY year, insurance", tuple(chunk)):
            by_id[row[0]].append(row)
    cash = cash_paid(conn, ids)
    out = []
    for p in people:
        dues = []
        for _, ins_text, year, tier, amount, elsewhere, removed in by_id[p.id_number]:
            ins = Insurance(ins_text)
            number, paid_tier = cash.get((p.id_number, ins.value, year), (None, None))
            dues.append(DueInfo(ins, year, tier, due_fen(config, p.category, ins, year, tier, amount),
                                number, elsewhere or None, bool(removed), paid_tier_fen=paid_tier))
        out.append(PersonInfo.of(p, tuple(dues)))
    return out


def load_people(conn: sqlite3.Connection, where: str = "", params: tuple[object, ...] = ()) -> list[Person]:
    sql = f"SELECT {PERSON_COLUMNS} FROM person" + (f" WHERE {where}" if where else "")
    return [person_from_row(r) for r in conn.execute(sql, params)]
