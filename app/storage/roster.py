"""The roster tables (征收清册): person and due, the roster version the search index follows,
and the reads that join them with the cash taken."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from app.domain.records import Person
from app.storage.batches import in_batches

VERSION_KEY = "roster_version"  # a setting: every writer of person or due rows bumps it
_CHUNK = 500  # ID numbers per IN (...): well under SQLite's bound-parameter limit

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


def _chunks(ids: Sequence[str]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(placeholders, ids) a chunk at a time, for `... IN ({placeholders})`."""
    for start in range(0, len(ids), _CHUNK):
        chunk = tuple(ids[start:start + _CHUNK])
        yield ",".join("?" * len(chunk)), chunk


# -- the version ----------------------------------------------------------------------------

def current_version(conn: sqlite3.Connection) -> int:
    value = conn.execute("SELECT value FROM setting WHERE key = ?", (VERSION_KEY,)).fetchone()
    return int(value[0]) if value else 0


def bump_version(conn: sqlite3.Connection) -> int:
    """Every writer of person or due rows bumps this: the search index rebuilds when it moves."""
    version = current_version(conn) + 1
    conn.execute("INSERT INTO setting (key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (VERSION_KEY, str(version)))
    return version


# -- people ---------------------------------------------------------------------------------

def is_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM person LIMIT 1").fetchone() is None


def listed_count(conn: sqlite3.Connection) -> int:
    """People on the roster now (not removed)."""
    return int(conn.execute("SELECT COUNT(*) FROM person WHERE removed = 0").fetchone()[0] or 0)


def load_people(conn: sqlite3.Connection, where: str = "", params: tuple[object, ...] = ()) -> list[Person]:
    sql = f"SELECT {PERSON_COLUMNS} FROM person" + (f" WHERE {where}" if where else "")
    return [person_from_row(r) for r in conn.execute(sql, params)]


def people_by_id(conn: sqlite3.Connection, ids: Sequence[str]) -> list[Person]:
    out: list[Person] = []
    for marks, chunk in _chunks(ids):
        out += load_people(conn, f"id_number IN ({marks})", chunk)
    return out


def people_with_keys(conn: sqlite3.Connection) -> Iterator[tuple[Person, str, str]]:
    """Every person with the pinyin keys stored beside them ('' where none were written)."""
    for row in conn.execute(f"SELECT {PERSON_COLUMNS}, pinyin_initials, pinyin_full FROM person"):
        yield person_from_row(row), str(row[8] or ""), str(row[9] or "")


def ids_with_payments(conn: sqlite3.Connection) -> set[str]:
    """People with cash on a receipt not voided, or a due paid elsewhere."""
    return {str(r[0]) for r in conn.execute(
        "SELECT l.id_number FROM receipt_line l LEFT JOIN void v "
        "ON v.receipt_number = l.receipt_number WHERE v.receipt_number IS NULL "
        "UNION SELECT id_number FROM due WHERE paid_elsewhere IS NOT NULL")}


def existing_people(conn: sqlite3.Connection) -> dict[str, tuple[Any, ...]]:
    """ID number -> (name, group, household no, head, phone, category, removed) of everyone."""
    return {row[0]: tuple(row[1:]) for row in conn.execute(f"SELECT {PERSON_COLUMNS} FROM person")}


def insert_people(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    """(id, name, group, household no, head, phone, category, birth date, sex, version,
    pinyin initials, full pinyin) each."""
    in_batches(conn.executemany,
               "INSERT INTO person (id_number, name, group_name, household_no, household_head, "
               "phone, category, birth_date, sex, removed, roster_version, pinyin_initials, "
               "pinyin_full) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)", rows)


def update_people(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    """(name, group, household no, head, phone, category, version, pinyin initials, full
    pinyin, id) each; the person is listed again."""
    in_batches(conn.executemany,
               "UPDATE person SET name = ?, group_name = ?, household_no = ?, household_head = ?, "
               "phone = ?, category = ?, removed = 0, roster_version = ?, pinyin_initials = ?, "
               "pinyin_full = ? WHERE id_number = ?", rows)


def mark_people_removed(conn: sqlite3.Connection, rows: list[tuple[int, str]]) -> None:
    """(version, id) each: people no longer listed stay, as removed (never deleted)."""
    conn.executemany("UPDATE person SET removed = 1, roster_version = ? WHERE id_number = ? AND removed = 0",
                     rows)


# -- dues -----------------------------------------------------------------------------------

def dues_of_years(conn: sqlite3.Connection, years: Sequence[int]) -> dict[tuple[str, str, int], tuple[Any, ...]]:
    """(id, insurance, year) -> (row id, id, insurance, year, tier, amount, paid elsewhere,
    removed) for every due of these years."""
    marks = ",".join("?" * len(years)) or "NULL"
    return {(row[1], row[2], row[3]): tuple(row) for row in conn.execute(
        "SELECT id, id_number, insurance, year, tier_fen, amount_fen, paid_elsewhere, removed "
        f"FROM due WHERE year IN ({marks})", tuple(years))}


def insert_dues(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    """(id, insurance, year, tier, amount, paid elsewhere, version) each."""
    in_batches(conn.executemany,
               "INSERT INTO due (id_number, insurance, year, tier_fen, amount_fen, paid_elsewhere, "
               "removed, roster_version) VALUES (?, ?, ?, ?, ?, ?, 0, ?)", rows)


def update_dues(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    """(tier, amount, paid elsewhere, version, row id) each; the due is listed again."""
    in_batches(conn.executemany,
               "UPDATE due SET tier_fen = ?, amount_fen = ?, paid_elsewhere = ?, removed = 0, "
               "roster_version = ? WHERE id = ?", rows)


def mark_dues_removed(conn: sqlite3.Connection, rows: list[tuple[int, int]]) -> None:
    """(version, row id) each."""
    conn.executemany("UPDATE due SET removed = 1, roster_version = ? WHERE id = ?", rows)


def ids_still_due(conn: sqlite3.Connection) -> set[str]:
    return {str(row[0]) for row in conn.execute("SELECT DISTINCT id_number FROM due WHERE removed = 0")}


def dues_of(conn: sqlite3.Connection, ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """(id, insurance, year, tier, amount, paid elsewhere, removed) of these people, by year."""
    out: list[tuple[Any, ...]] = []
    for marks, chunk in _chunks(ids):
        out += conn.execute("SELECT id_number, insurance, year, tier_fen, amount_fen, paid_elsewhere, removed "
                            f"FROM due WHERE id_number IN ({marks}) ORDER BY year, insurance", chunk).fetchall()
    return out


def cash_paid(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[tuple[str, str, int], tuple[str, int | None]]:
    """(id, insurance, year) -> (receipt number, tier paid), for lines of receipts not voided."""
    paid: dict[tuple[str, str, int], tuple[str, int | None]] = {}
    for marks, chunk in _chunks(ids):
        for idn, ins, year, number, tier in conn.execute(
                "SELECT l.id_number, l.insurance, l.year, l.receipt_number, l.tier_fen FROM receipt_line l "
                "LEFT JOIN void v ON v.receipt_number = l.receipt_number "
                f"WHERE l.id_number IN ({marks}) AND v.receipt_number IS NULL", chunk):
            paid[(idn, ins, int(year))] = (str(number), tier)
    return paid


# -- a year's collection ----------------------------------------------------------------------

def newest_year(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT MAX(year) FROM due WHERE removed = 0").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def cash_of_year(conn: sqlite3.Connection, year: int) -> dict[tuple[str, str], tuple[int, str]]:
    """(id, insurance) -> (cash amount, a receipt number) for valid receipts of the year."""
    return {(r[0], r[1]): (int(r[2]), str(r[3])) for r in conn.execute(
        "SELECT l.id_number, l.insurance, SUM(l.amount_fen), MIN(l.receipt_number) "
        "FROM receipt_line l LEFT JOIN void v ON v.receipt_number = l.receipt_number "
        "WHERE l.year = ? AND v.receipt_number IS NULL GROUP BY l.id_number, l.insurance", (year,))}


def dues_of_year(conn: sqlite3.Connection, year: int) -> Iterator[tuple[Person, str, int | None, int | None,
                                                                       str | None, bool]]:
    """(person, insurance, tier, amount, paid elsewhere, due removed) of every due of the year."""
    for row in conn.execute(
            f"SELECT {person_columns('p')}, d.insurance, d.tier_fen, d.amount_fen, d.paid_elsewhere, "
            "d.removed FROM due d JOIN person p ON p.id_number = d.id_number WHERE d.year = ?", (year,)):
        yield person_from_row(row), str(row[8]), row[9], row[10], row[11], bool(row[12])
