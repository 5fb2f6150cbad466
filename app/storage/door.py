"""The door-to-door rows (schema v10): written from their journal entries, read by the newest.

Nothing here is updated: a new assignment, contact line or debit list is a new row, and the
reads take the newest one that matters.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from app.domain.door import Contact, DebitState, Visit
from app.domain.door_entries import (
    DebitListEntry,
    DoorVisitEntry,
    GridAssignEntry,
    GridContactEntry,
    UnpaidReasonEntry,
)


def insert_assignment(conn: sqlite3.Connection, seq: int, at: datetime, e: GridAssignEntry) -> None:
    conn.execute("INSERT INTO grid_assignment (journal_seq, member, group_name, household_no) VALUES (?, ?, ?, ?)",
                 (seq, e.member, e.group, e.household_no))


def insert_contact(conn: sqlite3.Connection, seq: int, at: datetime, e: GridContactEntry) -> None:
    conn.execute("INSERT INTO grid_contact (journal_seq, post, name, phone, unit, active) VALUES (?, ?, ?, ?, ?, ?)",
                 (seq, e.post, e.name, e.phone, e.unit, e.active))


def insert_reason(conn: sqlite3.Connection, seq: int, at: datetime, e: UnpaidReasonEntry) -> None:
    conn.execute("INSERT INTO unpaid_reason (journal_seq, id_number, year, reason, note, by_user) "
                 "VALUES (?, ?, ?, ?, ?, ?)", (seq, e.id_number, e.year, e.reason, e.note, e.by))


def insert_visit(conn: sqlite3.Connection, seq: int, at: datetime, e: DoorVisitEntry) -> None:
    conn.execute("INSERT INTO door_visit (journal_seq, id_number, year, visited_on, visitor, outcome, next_step) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (seq, e.id_number, e.year, e.visited_on, e.visitor, e.outcome, e.next_step))


def insert_debit_list(conn: sqlite3.Connection, seq: int, at: datetime, e: DebitListEntry) -> None:
    conn.executemany("INSERT INTO debit_mark (journal_seq, row_no, list_kind, id_number, on_day, detail) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     [(seq, n, e.list_kind, r.id_number, r.on_day, r.detail) for n, r in enumerate(e.rows, 1)])


WRITERS: dict[type[Any], Any] = {
    GridAssignEntry: insert_assignment,
    GridContactEntry: insert_contact,
    UnpaidReasonEntry: insert_reason,
    DoorVisitEntry: insert_visit,
    DebitListEntry: insert_debit_list,
}


def assignments(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """(村民小组, household or "") -> grid member, the newest assignment of each ("" taken back)."""
    out: dict[tuple[str, str], str] = {}
    for member, group, household in conn.execute(
            "SELECT member, group_name, household_no FROM grid_assignment ORDER BY journal_seq"):
        out[(str(group), str(household))] = str(member)
    return {k: v for k, v in out.items() if v}


def reasons(conn: sqlite3.Connection, year: int) -> dict[str, tuple[str, str | None, str]]:
    """ID number -> (reason, note, who recorded it): the newest of the year."""
    return {str(i): (str(r), n, str(b)) for i, r, n, b in conn.execute(
        "SELECT id_number, reason, note, by_user FROM unpaid_reason WHERE year = ? ORDER BY journal_seq", (year,))}


def visits(conn: sqlite3.Connection, year: int) -> dict[str, list[Visit]]:
    out: dict[str, list[Visit]] = defaultdict(list)
    for i, on, who, outcome, nxt in conn.execute(
            "SELECT id_number, visited_on, visitor, outcome, next_step FROM door_visit WHERE year = ? "
            "ORDER BY visited_on, journal_seq", (year,)):
        out[str(i)].append(Visit(date.fromisoformat(str(on)), str(who), str(outcome), nxt))
    return out


def debit_states(conn: sqlite3.Connection, window: tuple[str, str] | None = None) -> dict[str, DebitState]:
    """ID number -> what the lists say: on the newest 未签协议 list, on the newest 重签/换卡 list,
    and every failed debit's day (within `window`, first and last day, when given)."""
    states: dict[str, DebitState] = defaultdict(DebitState)
    newest = dict(conn.execute("SELECT list_kind, MAX(journal_seq) FROM debit_mark "
                               "WHERE list_kind IN ('no_agreement', 'resign') GROUP BY list_kind").fetchall())
    for kind, seq in newest.items():
        for (i,) in conn.execute("SELECT id_number FROM debit_mark WHERE journal_seq = ?", (seq,)):
            if kind == "no_agreement":
                states[str(i)].no_agreement = True
            else:
                states[str(i)].resign = True
    first, last = window or ("", "9999-12-31")
    for i, day in conn.execute("SELECT DISTINCT id_number, on_day FROM debit_mark WHERE list_kind = 'failed' "
                               "AND on_day BETWEEN ? AND ?", (first, last)):
        states[str(i)].failed_days.append(str(day))
    return dict(states)


def agreements_known(conn: sqlite3.Connection) -> bool:
    """Whether a 未签两两协议 list was loaded: then whoever is not on the newest one has signed."""
    return conn.execute("SELECT 1 FROM debit_mark WHERE list_kind = 'no_agreement' LIMIT 1").fetchone() is not None


def contacts(conn: sqlite3.Connection) -> list[Contact]:
    """The 联络表: the newest line of each (post, name), those still active, in post order."""
    newest: dict[tuple[str, str], tuple[str, str, bool]] = {}
    for post, name, phone, unit, active in conn.execute(
            "SELECT post, name, phone, unit, active FROM grid_contact ORDER BY journal_seq"):
        newest[(str(post), str(name))] = (str(phone), str(unit), bool(active))
    return [Contact(post, name, phone, unit) for (post, name), (phone, unit, active) in newest.items() if active]


def user_role(conn: sqlite3.Connection, name: str) -> str | None:
    """The role of an active user, or None."""
    row = conn.execute("SELECT role FROM user WHERE name = ? AND active", (name,)).fetchone()
    return str(row[0]) if row else None


def place_exists(conn: sqlite3.Connection, group: str, household_no: str) -> bool:
    """Whether the roster has the 村民小组 (and the household in it, when one is given)."""
    return conn.execute("SELECT 1 FROM person WHERE group_name = ? AND (? = '' OR household_no = ?) LIMIT 1",
                        (group, household_no, household_no)).fetchone() is not None


def groups(conn: sqlite3.Connection) -> list[str]:
    """The 村民小组 of the roster's people still on it."""
    return [str(g) for (g,) in conn.execute("SELECT DISTINCT group_name FROM person WHERE removed = 0")]


def person_exists(conn: sqlite3.Connection, id_number: str) -> bool:
    return conn.execute("SELECT 1 FROM person WHERE id_number = ?", (id_number,)).fetchone() is not None


def person_ids(conn: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in conn.execute("SELECT id_number FROM person")}


def county_list_held(conn: sqlite3.Connection, county_list: int) -> bool:
    """Whether the county's list with this number came down before (a sync repeated after a
    crash between the journal entry and the sync state)."""
    return conn.execute("SELECT 1 FROM journal WHERE kind = 'debit_list' "
                        "AND json_extract(body, '$.data.county_list') = ? LIMIT 1", (county_list,)).fetchone() is not None


def list_loaded(conn: sqlite3.Connection, sha256: str) -> bool:
    """Whether a tax office list with this file digest was loaded before."""
    return conn.execute("SELECT 1 FROM journal WHERE kind = 'debit_list' "
                        "AND json_extract(body, '$.data.sha256') = ? LIMIT 1", (sha256,)).fetchone() is not None


# Every due of the year no channel has paid: not dropped from the roster, not marked paid
# elsewhere by the county, no receipt line here that is not voided (the index on receipt_line
# (id_number, insurance, year) answers each NOT EXISTS). Fully subsidised dues are dropped by
# the caller, which knows the configuration. The same decision as app/services/roster/progress.py
# (tests/door/test_door_flow.py compares the two), read without building a Person per row.
_UNPAID = (
    "SELECT p.id_number, p.name, p.group_name, p.household_no, p.household_head, p.category, d.insurance, "
    "d.tier_fen, d.amount_fen FROM due d JOIN person p ON p.id_number = d.id_number "
    "WHERE d.year = ? AND d.removed = 0 AND p.removed = 0 AND (d.paid_elsewhere IS NULL OR d.paid_elsewhere = '') "
    "AND NOT EXISTS (SELECT 1 FROM receipt_line l WHERE l.id_number = d.id_number AND l.insurance = d.insurance "
    "AND l.year = d.year AND NOT EXISTS (SELECT 1 FROM void v WHERE v.receipt_number = l.receipt_number)) "
    # Village order within a group (app/domain/groups.py village_order: household, the 户主
    # first, name), then the person's dues together; groups are put in order by the caller.
    "ORDER BY p.group_name, p.household_no, p.name <> p.household_head, p.name, p.id_number, d.insurance")


def unpaid_dues(conn: sqlite3.Connection, year: int) -> list[tuple[Any, ...]]:
    """(id, name, group, household, head, category, insurance, tier, amount) of each unpaid due."""
    return conn.execute(_UNPAID, (year,)).fetchall()
