"""The receipt tables: receipts and their lines, voids, refund requests, print attempts and
payers' signature images, read back as the domain's Receipt values.

A list reads in six fixed queries whatever its length: each related table once for the
receipts' journal range, matched in memory."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain.entries import PaidOnBehalfEntry, PrintEntry, ReceiptEntry, RefundEntry, VoidEntry
from app.domain.insurance import Insurance
from app.domain.records import (
    Countersign,
    PaidInfo,
    PayerSignoff,
    Receipt,
    ReceiptLine,
    RefundInfo,
    VoidInfo,
)
from app.domain.rules import ReceiptState
from app.storage.db import sql_datetime
from app.storage.projections import SETTLED

HEADER = ("number, journal_seq, day, recorded_at, payer_id_number, payer_name, agent, total_fen, "
           "cash_fen, change_fen, payer_signoff, signature_sha256, override_reason")


@dataclass(frozen=True)
class Header:
    """A receipt's own row (table `receipt`), as HEADER reads it."""

    number: str
    journal_seq: int
    day_text: str
    recorded_at_text: str
    payer_id_number: str
    payer_name: str
    agent: str
    total_fen: int
    cash_fen: int
    change_fen: int
    payer_signoff: str
    signature_sha256: str | None
    override_reason: str | None

    @property
    def day(self) -> date:
        return date.fromisoformat(self.day_text)


def header(conn: sqlite3.Connection, number: str) -> Header | None:
    row = conn.execute(f"SELECT {HEADER} FROM receipt WHERE number = ?", (number.strip(),)).fetchone()
    return Header(*row) if row is not None else None


def has(conn: sqlite3.Connection, table: str, number: str, *, key: str = "receipt_number") -> bool:
    return conn.execute(f"SELECT 1 FROM {table} WHERE {key} = ?", (number,)).fetchone() is not None


def state(conn: sqlite3.Connection, number: str) -> tuple[ReceiptState, bool]:
    """Where a receipt stands for the ledger's rules (app/domain/rules.py), and whether it was
    paid on the payer's behalf: the same facts the chain keeps per receipt on replay."""
    voided, refunded, paid, settled = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM void WHERE receipt_number = r.number), "
        "EXISTS (SELECT 1 FROM refund_request WHERE receipt_number = r.number), "
        "EXISTS (SELECT 1 FROM paid_on_behalf WHERE receipt_number = r.number), "
        f"{SETTLED} FROM receipt r WHERE r.number = ?", (number,)).fetchone()
    if voided:
        return ReceiptState.VOIDED, bool(paid)
    if refunded:
        return ReceiptState.REFUND_REQUESTED, bool(paid)
    return (ReceiptState.SETTLED if settled else ReceiptState.OPEN), bool(paid)




def headers(conn: sqlite3.Connection, start: date | None, end: date | None) -> list[Header]:
    """Receipts of start..end inclusive (either open), in receipt order."""
    where = " AND ".join(w for w, bound in (("day >= ?", start), ("day <= ?", end)) if bound)
    bounds = tuple(b.isoformat() for b in (start, end) if b is not None)
    return [Header(*r) for r in conn.execute(
        f"SELECT {HEADER} FROM receipt {'WHERE ' + where if where else ''} ORDER BY receipt_seq", bounds)]


# What a receipt line needs to know of its person and due, in one statement: name, removed,
# category; whether the due exists, its tier, paid-elsewhere mark and removal; and a receipt
# not voided that already took cash for it.
LINE_FACTS = """
SELECT p.name, p.removed, p.category, d.id IS NOT NULL, d.tier_fen, d.paid_elsewhere, d.removed,
       (SELECT l.receipt_number FROM receipt_line l
         WHERE l.id_number = p.id_number AND l.insurance = d.insurance AND l.year = d.year
           AND NOT EXISTS (SELECT 1 FROM void v WHERE v.receipt_number = l.receipt_number) LIMIT 1)
FROM person p LEFT JOIN due d ON d.id_number = p.id_number AND d.insurance = ? AND d.year = ?
WHERE p.id_number = ?
"""



def line_facts(conn: sqlite3.Connection, id_number: str, insurance: str, year: int) -> tuple[Any, ...] | None:
    """(name, person removed, category, has due, tier, paid elsewhere, due removed, receipt
    that took cash) for one person's insurance and year; None when the person is not listed."""
    row = conn.execute(LINE_FACTS, (insurance, year, id_number)).fetchone()
    return tuple(row) if row is not None else None


def any_line_for_year(conn: sqlite3.Connection, year: int) -> bool:
    """Whether cash was ever taken for benefit year `year` (voided receipts included)."""
    return conn.execute("SELECT 1 FROM receipt_line WHERE year = ? LIMIT 1", (year,)).fetchone() is not None


def person_name(conn: sqlite3.Connection, id_number: str) -> str | None:
    row = conn.execute("SELECT name FROM person WHERE id_number = ?", (id_number,)).fetchone()
    return str(row[0]) if row else None


def next_receipt_seq(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(receipt_seq), 0) + 1 FROM receipt").fetchone()[0])


def newest_receipt_seq(conn: sqlite3.Connection) -> int:
    return next_receipt_seq(conn) - 1


def insert_receipt(conn: sqlite3.Connection, journal_seq: int, at: datetime, e: ReceiptEntry) -> None:
    """Write the receipt's derived rows: the projection verify rebuilds from the journal."""
    conn.execute(
        "INSERT INTO receipt (number, receipt_seq, journal_seq, day, recorded_at, payer_id_number, "
        "payer_name, agent, total_fen, cash_fen, change_fen, payer_signoff, signature_sha256, "
        "override_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (e.number, e.receipt_seq, journal_seq, e.day, sql_datetime(at), e.payer.id_number, e.payer.name,
         e.agent, e.total_fen, e.cash_fen, e.change_fen, e.payer_signoff, e.signature_sha256, e.override_reason))
    conn.executemany(
        "INSERT INTO receipt_line (receipt_number, line_no, id_number, name, insurance, year, tier_fen, "
        "amount_fen, due_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(e.number, i, ln.id_number, ln.name, ln.insurance, ln.year, ln.tier_fen, ln.amount_fen, ln.due_fen)
         for i, ln in enumerate(e.lines, start=1)])



def insert_paid_on_behalf(conn: sqlite3.Connection, journal_seq: int, at: datetime, e: PaidOnBehalfEntry) -> None:
    conn.execute("INSERT INTO paid_on_behalf (receipt_number, journal_seq, recorded_at, voucher, channel, amount_fen, "
                 "agent) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (e.number, journal_seq, sql_datetime(at), e.voucher, e.channel, e.amount_fen, e.by))


def unpaid_on_behalf(conn: sqlite3.Connection, day: date | None = None) -> list[str]:
    """Receipts (not voided) with no 代为缴费 record yet, of one day or all, in order."""
    where = "AND r.day = ?" if day else ""
    return [str(r[0]) for r in conn.execute(
        "SELECT r.number FROM receipt r LEFT JOIN void v ON v.receipt_number = r.number "
        "LEFT JOIN paid_on_behalf p ON p.receipt_number = r.number "
        f"WHERE v.receipt_number IS NULL AND p.receipt_number IS NULL {where} ORDER BY r.receipt_seq",
        (day.isoformat(),) if day else ())]


def insert_signature(conn: sqlite3.Connection, sha256: str, png: bytes) -> None:
    conn.execute("INSERT OR IGNORE INTO signature (sha256, png) VALUES (?, ?)", (sha256, png))


def signature(conn: sqlite3.Connection, sha256: str) -> bytes | None:
    row = conn.execute("SELECT png FROM signature WHERE sha256 = ?", (sha256,)).fetchone()
    return bytes(row[0]) if row else None


def insert_void(conn: sqlite3.Connection, journal_seq: int, at: datetime, e: VoidEntry) -> None:
    conn.execute("INSERT INTO void (receipt_number, journal_seq, day, recorded_at, reason, agent, head) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)", (e.number, journal_seq, e.day, sql_datetime(at), e.reason,
                                                  e.agent, e.head))


def insert_refund_request(conn: sqlite3.Connection, journal_seq: int, at: datetime, e: RefundEntry) -> None:
    conn.execute("INSERT INTO refund_request (receipt_number, journal_seq, recorded_at, amount_fen, "
                 "reason, agent, head) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (e.number, journal_seq, sql_datetime(at), e.amount_fen, e.reason, e.agent, e.head))


def copies_printed(conn: sqlite3.Connection, number: str) -> int:
    """Successful prints of a receipt so far (the original is copy 0)."""
    return int(conn.execute("SELECT COUNT(*) FROM print_event WHERE receipt_number = ? AND ok",
                            (number,)).fetchone()[0])


def insert_print(conn: sqlite3.Connection, at: datetime, e: PrintEntry) -> None:
    conn.execute("INSERT INTO print_event (receipt_number, recorded_at, ok, copy_no, error) "
                 "VALUES (?, ?, ?, ?, ?)", (e.number, sql_datetime(at), e.ok, e.copy_no, e.error))


def print_history(conn: sqlite3.Connection, number: str) -> list[tuple[datetime, bool, int, str | None]]:
    rows = conn.execute("SELECT recorded_at, ok, copy_no, error FROM print_event "
                        "WHERE receipt_number = ? ORDER BY id", (number,)).fetchall()
    return [(_dt(r[0]), bool(r[1]), int(r[2]), r[3]) for r in rows]


def receipts(conn: sqlite3.Connection, rows: Sequence[Header], village_name: str) -> list[Receipt]:
    """Receipts with their lines, void, refund, countersign, prints and hash."""
    if not rows:
        return []
    lo = min(r.journal_seq for r in rows)
    hi = max(r.journal_seq for r in rows)
    scope = "receipt_number IN (SELECT number FROM receipt WHERE journal_seq BETWEEN :lo AND :hi)"
    bounds = {"lo": lo, "hi": hi}
    first, last = min(r.day_text for r in rows), max(r.day_text for r in rows)
    lines: dict[str, list[ReceiptLine]] = defaultdict(list)
    for ln in conn.execute((
            "SELECT receipt_number, id_number, name, insurance, year, tier_fen, amount_fen, due_fen "
            f"FROM receipt_line WHERE {scope} ORDER BY receipt_number, line_no"), bounds):
        lines[ln[0]].append(ReceiptLine(ln[1], ln[2], Insurance(ln[3]), ln[4], ln[5], ln[6], ln[7]))
    voids = {v[0]: VoidInfo(v[1], v[2], v[3], _dt(v[4])) for v in conn.execute((
        f"SELECT receipt_number, reason, agent, head, recorded_at FROM void WHERE {scope}"), bounds)}
    refunds = {r[0]: RefundInfo(r[1], r[2], r[3], r[4], _dt(r[5])) for r in conn.execute((
        "SELECT receipt_number, amount_fen, reason, agent, head, recorded_at "
        f"FROM refund_request WHERE {scope}"), bounds)}
    paid = {r[0]: PaidInfo(r[1], r[2], r[3], r[4], _dt(r[5])) for r in conn.execute((
        "SELECT receipt_number, voucher, channel, amount_fen, agent, recorded_at "
        f"FROM paid_on_behalf WHERE {scope}"), bounds)}
    serials = {str(r[0]): str(r[1]) for r in conn.execute((
        f"SELECT receipt_number, serial FROM receipt_serial WHERE {scope}"), bounds)}
    prints = {str(p[0]): int(p[1]) for p in conn.execute((
        f"SELECT receipt_number, COUNT(*) FROM print_event WHERE ok AND {scope} "
        "GROUP BY receipt_number"), bounds)}
    hashes = {int(h[0]): str(h[1]) for h in conn.execute((
        "SELECT seq, hash FROM journal WHERE seq BETWEEN :lo AND :hi"), bounds)}
    # A receipt is countersigned by the first settlement of its day recorded after it.
    rounds: dict[str, list[tuple[int, Countersign]]] = defaultdict(list)
    for st in conn.execute((
            "SELECT day, journal_seq, head, recorded_at, round_no FROM settlement "
            "WHERE day BETWEEN :first AND :last ORDER BY journal_seq"),
            {"first": first, "last": last}):
        rounds[str(st[0])].append((int(st[1]), Countersign(st[2], _dt(st[3]), int(st[4]))))
    out = []
    for row in rows:
        later = [c for seq, c in rounds.get(row.day_text, ()) if seq > row.journal_seq]
        village_code, device_no = row.number.split("-")[0], int(row.number.split("-")[1])
        out.append(Receipt(
            number=row.number, recorded_at=_dt(row.recorded_at_text), day=row.day, village_code=village_code,
            village_name=village_name, device_no=device_no, payer_id_number=row.payer_id_number,
            payer_name=row.payer_name, lines=tuple(lines.get(row.number, ())),
            total_fen=row.total_fen, cash_fen=row.cash_fen, change_fen=row.change_fen, agent=row.agent,
            payer_signoff=PayerSignoff(row.payer_signoff), signature_sha256=row.signature_sha256,
            override_reason=row.override_reason, hash=hashes[row.journal_seq],
            countersign=later[0] if later else None, void=voids.get(row.number),
            prints=prints.get(row.number, 0), refund=refunds.get(row.number), paid=paid.get(row.number),
            serial=serials.get(row.number)))
    return out


def _dt(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


