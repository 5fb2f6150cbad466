"""Verify, second part: the receipt and receipt line tables against the receipt entries.

Each receipt entry beside its rows is compared in SQL on a connection of its own (sqlite3 lets
go of the GIL while SQLite works, so this runs beside the chain walk on the other core); only
the rows that query finds different are compared again in Python, field by field, so text that
renders differently but means the same (an escape written another way) is never taken for an
edit.
"""

from __future__ import annotations

import operator
import sqlite3
from typing import Any

import orjson

from app.storage.errors import is_interrupt

_RECEIPT_FIELDS = operator.itemgetter("number", "receipt_seq", "day", "payer", "agent", "total_fen",
                                      "cash_fen", "change_fen", "payer_signoff", "signature_sha256",
                                      "override_reason")
_PAYER_FIELDS = operator.itemgetter("id_number", "name")
_LINE_FIELDS = operator.itemgetter("id_number", "name", "insurance", "year", "tier_fen", "amount_fen", "due_fen")


def _receipt_row(d: dict[str, Any]) -> tuple[Any, ...]:
    """What the receipt table must hold for a receipt entry's data (its columns in _CHAIN)."""
    try:  # every field there: one C call (this runs 100,000 times in a season's verify)
        number, receipt_seq, day, payer, *rest = _RECEIPT_FIELDS(d)
        return (number, receipt_seq, day, *_PAYER_FIELDS(payer), *rest)
    except (KeyError, TypeError):  # a field missing: compared as None, so the row differs
        payer = d.get("payer") or {}
        return (d.get("number"), d.get("receipt_seq"), d.get("day"), payer.get("id_number"),
                payer.get("name"), d.get("agent"), d.get("total_fen"), d.get("cash_fen"),
                d.get("change_fen"), d.get("payer_signoff"), d.get("signature_sha256"),
                d.get("override_reason"))


def _line_row(n: int, line: dict[str, Any]) -> tuple[Any, ...]:
    try:
        return (n, *_LINE_FIELDS(line))
    except (KeyError, TypeError):
        return (n, line.get("id_number"), line.get("name"), line.get("insurance"), line.get("year"),
                line.get("tier_fen"), line.get("amount_fen"), line.get("due_fen"))


# Each receipt entry beside its receipt row and lines, as JSON text on both sides: the fields
# extracted from the body (SQLite parses a body once for both json_extract calls) and the same
# fields of the row rendered by json_array, the lines rendered in the body's own form (canonical
# JSON: keys sorted, no spaces). Equal text means equal values; a difference is looked at again
# in Python (_receipt_entry_problems), so an escape written another way is never taken for an edit.
_RECEIPTS_DIFFERENT = """
SELECT j.seq FROM journal j LEFT JOIN receipt r ON r.journal_seq = j.seq
WHERE j.kind = 'receipt' AND (r.number IS NULL
  OR json_extract(j.body, '$.data.number', '$.data.receipt_seq', '$.data.day', '$.data.payer.id_number',
       '$.data.payer.name', '$.data.agent', '$.data.total_fen', '$.data.cash_fen', '$.data.change_fen',
       '$.data.payer_signoff', '$.data.signature_sha256', '$.data.override_reason')
     IS NOT json_array(r.number, r.receipt_seq, r.day, r.payer_id_number, r.payer_name, r.agent, r.total_fen,
       r.cash_fen, r.change_fen, r.payer_signoff, r.signature_sha256, r.override_reason)
  OR json_extract(j.body, '$.data.lines') IS NOT (
     SELECT '[' || group_concat(line, ',') || ']' FROM (
       SELECT json_object('amount_fen', l.amount_fen, 'due_fen', l.due_fen, 'id_number', l.id_number,
                          'insurance', l.insurance, 'name', l.name, 'tier_fen', l.tier_fen, 'year', l.year) AS line
       FROM receipt_line l WHERE l.receipt_number = r.number ORDER BY l.line_no)))
ORDER BY j.seq
"""


def compare_receipt_rows(conn: sqlite3.Connection) -> list[tuple[int | None, str]]:
    """The receipt and receipt line tables hold, for every receipt entry, what its body says."""
    try:
        seqs = [int(r[0]) for r in conn.execute(_RECEIPTS_DIFFERENT)]
    except sqlite3.OperationalError as exc:
        if is_interrupt(exc):
            raise
        # A value JSON cannot hold (a BLOB written into a text column) or a body that is not
        # JSON (the chain walk names that entry): compare every receipt in Python instead.
        seqs = [int(r[0]) for r in conn.execute("SELECT seq FROM journal WHERE kind = 'receipt' ORDER BY seq")]
    problems: list[tuple[int | None, str]] = []
    for seq in seqs:
        problems += _receipt_entry_problems(conn, seq)
    return problems


_RECEIPT_ROW = """
SELECT CAST(j.body AS BLOB), r.number, r.receipt_seq, r.day, r.payer_id_number, r.payer_name, r.agent,
       r.total_fen, r.cash_fen, r.change_fen, r.payer_signoff, r.signature_sha256, r.override_reason
FROM journal j LEFT JOIN receipt r ON r.journal_seq = j.seq WHERE j.seq = ?
"""
_RECEIPT_LINES = """
SELECT l.line_no, l.id_number, l.name, l.insurance, l.year, l.tier_fen, l.amount_fen, l.due_fen
FROM receipt_line l JOIN receipt r ON r.number = l.receipt_number WHERE r.journal_seq = ? ORDER BY l.line_no
"""


def _receipt_entry_problems(conn: sqlite3.Connection, seq: int) -> list[tuple[int | None, str]]:
    """One receipt entry compared field by field with its rows (Python's equality)."""
    body, *row = conn.execute(_RECEIPT_ROW, (seq,)).fetchone()
    try:
        d = orjson.loads(body)["data"]
        number = d["number"]
    except (orjson.JSONDecodeError, TypeError, KeyError):
        return []  # not a receipt body at all: the chain walk names this entry
    problems: list[tuple[int | None, str]] = []
    if tuple(row) != _receipt_row(d):
        problems.append((seq, f"收据表与日志第 {seq} 条不符或缺失：{number}"))
    have = [tuple(line) for line in conn.execute(_RECEIPT_LINES, (seq,))]
    want = [_line_row(k, line) for k, line in enumerate(d.get("lines") or [], start=1)]
    if have[:len(want)] != want:
        problems.append((seq, f"收据明细表与日志第 {seq} 条不符或缺失：{number}"))
    elif len(have) > len(want):  # a line slipped in after the entry's own
        problems.append((None, f"收据明细表有日志中没有的记录：{row[0]}"))
    return problems
