"""Verify, second part: the receipt and receipt line tables against the receipt entries.

Each receipt entry beside its rows is compared in SQL on a connection of its own (sqlite3 lets
go of the GIL while SQLite works, so this runs beside the chain walk on the other core); only
the rows that query finds different are compared again in Python, field by field, so text that
renders differently but means the same (an escape written another way) is never taken for an
edit.

That comparison parses every receipt body (SQLite's JSON, in C): 0.47 s of CPU at 100,000
receipts, the largest part of verify. Up to the entry the county acknowledged, the entries do not
change (the chain walk proves it), so neither may the rows: a successful verify keeps a digest of
the receipt rows and their lines up to that entry (_ROWS_TEXT), beside the saved rule state
(app/storage/verify_state.py, trusted as that state is, through the OS keyring). The next verify
computes the same digest from the rows (they are read, not the bodies: 0.18 s) and, when it is
the same, compares only the entries after that one with their rows. When it differs (a row
edited, added or deleted), every entry is compared as above, and the first one that differs is
named.
"""

from __future__ import annotations

import hashlib
import operator
import sqlite3
from dataclasses import dataclass
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
WHERE j.seq > ? AND j.kind = 'receipt' AND (r.number IS NULL
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


# The receipt rows with journal_seq in (?, ?], each with its lines, as one text in the order of
# their entries: per line (ordered by number), the receipt row's fields as a JSON array, then the
# line's ('[]' for a receipt with no line), then ';'. JSON text says each value and its type one
# way only, so the text (and its digest) is the same exactly when the rows are; and the text of
# (a, c] is that of (a, b] followed by that of (b, c], so one digest can be carried on from where
# another ended. (One join in index order, no sort: 0.17 s of CPU at 100,000 receipts, against
# 0.26 s with each receipt's lines gathered by a subquery, and 0.47 s for the comparison with
# the bodies.)
_ROWS_TEXT = """
SELECT CAST(group_concat(row, '') AS BLOB) FROM (
  SELECT json_array(r.journal_seq, r.number, r.receipt_seq, r.day, r.payer_id_number, r.payer_name, r.agent,
                    r.total_fen, r.cash_fen, r.change_fen, r.payer_signoff, r.signature_sha256, r.override_reason)
         || CASE WHEN l.receipt_number IS NULL THEN '[]' ELSE json_array(l.line_no, l.id_number, l.name,
                 l.insurance, l.year, l.tier_fen, l.amount_fen, l.due_fen) END || ';' AS row
  FROM receipt r LEFT JOIN receipt_line l ON l.receipt_number = r.number
  WHERE r.journal_seq > ? AND r.journal_seq <= ? ORDER BY r.journal_seq, l.line_no)
"""


# A receipt row with no receipt entry behind it, after journal_seq ? (the rows up to a saved
# entry whose digest holds are those a verify found each behind its entry).
_RECEIPT_BACKWARD = """
SELECT r.journal_seq, r.number FROM receipt r LEFT JOIN journal j ON j.seq = r.journal_seq AND j.kind = 'receipt'
WHERE r.journal_seq > ? AND j.seq IS NULL ORDER BY r.journal_seq LIMIT 1
"""


def _rows_text(conn: sqlite3.Connection, after: int, through: int) -> bytes | None:
    """The rows of the receipts with journal_seq in (after, through] as _ROWS_TEXT says; None when
    a value there cannot be written as JSON (bytes in a text column: those rows are compared field
    by field, and differ)."""
    try:
        return bytes(conn.execute(_ROWS_TEXT, (after, through)).fetchone()[0] or b"")
    except sqlite3.OperationalError as exc:
        if is_interrupt(exc):
            raise
        return None


@dataclass(frozen=True)
class RowsCompared:
    problems: list[tuple[int | None, str]]
    digest: str = ""  # the rows' digest up to `keep_at`, when asked for and all is well ("": none)
    digest_used: bool = False  # the rows up to the saved entry were taken from their digest


def compare_receipt_rows(conn: sqlite3.Connection, *, saved_at: int = 0, saved_digest: str = "",
                         keep_at: int = 0) -> RowsCompared:
    """The receipt and receipt line tables hold, for every receipt entry, what its body says, and
    no receipt row is there without its entry.

    `saved_digest`: the rows' digest up to entry `saved_at` (_ROWS_TEXT) made by a verify that
    compared them; when the rows still have it, only the entries after `saved_at` are compared
    with their rows here. That holds only if the entries up to `saved_at` are still those that
    verify compared: the caller's chain walk must arrive at `saved_at` with the hash the digest
    was saved with, or compare again without it. `keep_at`: the entry to make the digest at, for
    the next verify (not before `saved_at`; 0: none)."""
    digest = hashlib.sha256()
    used = False
    if saved_digest and saved_at:
        text = _rows_text(conn, 0, saved_at)
        if text is not None:
            digest.update(text)
            used = digest.hexdigest() == saved_digest
    after = saved_at if used else 0
    try:
        seqs = [int(r[0]) for r in conn.execute(_RECEIPTS_DIFFERENT, (after,))]
    except sqlite3.OperationalError as exc:
        if is_interrupt(exc):
            raise
        # A value JSON cannot hold (a BLOB written into a text column) or a body that is not
        # JSON (the chain walk names that entry): compare every receipt in Python instead.
        seqs = [int(r[0]) for r in conn.execute("SELECT seq FROM journal WHERE kind = 'receipt' AND seq > ? "
                                                "ORDER BY seq", (after,))]
    problems: list[tuple[int | None, str]] = []
    for seq in seqs:
        problems += _receipt_entry_problems(conn, seq)
    row = conn.execute(_RECEIPT_BACKWARD, (after,)).fetchone()
    if row:
        problems.append((None, f"收据表有日志中没有的记录：{row[1]}"))
    if problems or not keep_at:
        return RowsCompared(problems, "", used)
    if keep_at == after:
        return RowsCompared(problems, saved_digest, used)
    if not used:
        digest = hashlib.sha256()
    text = _rows_text(conn, after, keep_at)
    if text is None:
        return RowsCompared(problems, "", used)
    digest.update(text)
    return RowsCompared(problems, digest.hexdigest(), used)


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
