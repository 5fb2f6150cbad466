"""Verify, the door-to-door rows (schema v10): each entry's rows as its body says, and no row
without its entry. Plugged into verify_tables' tables of other kinds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_Pick = Callable[[int, dict[str, Any]], tuple[Any, ...]]


def _seq(seq: int, d: dict[str, Any]) -> tuple[Any, ...]:
    return (seq,)


def _marks(seq: int, d: dict[str, Any]) -> tuple[Any, ...]:
    rows = d["rows"]
    text = ";".join(f"{r['id_number']}|{r['on_day']}|{d['list_kind']}|{r['detail']}" for r in rows)
    return (len(rows), text or None)


DOOR_OTHER: dict[str, tuple[str, _Pick, _Pick]] = {
    "grid_assign": ("SELECT journal_seq, member, group_name, household_no FROM grid_assignment WHERE journal_seq = ?",
                    _seq, lambda seq, d: (seq, d["member"], d["group"], d["household_no"])),
    "grid_contact": ("SELECT journal_seq, post, name, phone, unit, active FROM grid_contact WHERE journal_seq = ?",
                     _seq, lambda seq, d: (seq, d["post"], d["name"], d["phone"], d["unit"], int(d["active"]))),
    "unpaid_reason": ("SELECT journal_seq, id_number, year, reason, note, by_user FROM unpaid_reason "
                      "WHERE journal_seq = ?", _seq,
                      lambda seq, d: (seq, d["id_number"], d["year"], d["reason"], d["note"], d["by"])),
    "door_visit": ("SELECT journal_seq, id_number, year, visited_on, visitor, outcome, next_step FROM door_visit "
                   "WHERE journal_seq = ?", _seq,
                   lambda seq, d: (seq, d["id_number"], d["year"], d["visited_on"], d["visitor"], d["outcome"],
                                   d["next_step"])),
    "debit_list": ("SELECT COUNT(*), group_concat(id_number || '|' || on_day || '|' || list_kind || '|' || detail, "
                   "';') FROM (SELECT * FROM debit_mark WHERE journal_seq = ? ORDER BY row_no)", _seq, _marks),
}
DOOR_LABELS = {"grid_assign": "网格分配", "grid_contact": "联络表", "unpaid_reason": "未缴原因",
               "door_visit": "走访", "debit_list": "税务名单", "grid_assignment": "网格分配",
               "debit_mark": "税务名单"}
# (table, query for a row with no journal entry of its kind behind it)
DOOR_BACKWARD = [
    (table, f"SELECT t.journal_seq, t.journal_seq FROM {table} t LEFT JOIN journal j ON j.seq = t.journal_seq "
            f"AND j.kind = '{kind}' WHERE j.seq IS NULL LIMIT 1")
    for table, kind in (("grid_assignment", "grid_assign"), ("grid_contact", "grid_contact"),
                        ("unpaid_reason", "unpaid_reason"), ("door_visit", "door_visit"),
                        ("debit_mark", "debit_list"))]
