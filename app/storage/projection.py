"""The one place an entry becomes the rows derived from it.

Every ledger write is `record(conn, at, entry)`: the entry appended to the journal and its rows
written, in the caller's transaction. `project` is the second half alone, so a ledger's tables
can be rebuilt from its journal (tests/core/test_release_ledger.py rebuilds a released ledger's
and finds them identical). Kinds whose tables their services keep as current state (users,
device, configuration, roster, month close, ledger scans) have no rows here: the journal is
their record and `verify` compares the state with it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from app.domain.countersign import Signer
from app.domain.entries import Entry as EntryData
from app.domain.entries import (
    PaidOnBehalfEntry,
    PrintEntry,
    ReceiptBookEntry,
    ReceiptEntry,
    RefundEntry,
    RemittanceEntry,
    SerialSpoiledEntry,
    SettlementEntry,
    VoidEntry,
)
from app.domain.serials import Book
from app.storage import door, journal, serials
from app.storage import receipts as receipt_rows
from app.storage import settlements as settlement_rows


def _receipt(conn: sqlite3.Connection, seq: int, at: datetime, e: ReceiptEntry) -> None:
    receipt_rows.insert_receipt(conn, seq, at, e)
    if isinstance(e.serial, str):
        serials.take(conn, e.serial, seq, receipt_number=e.number)


def _book(conn: sqlite3.Connection, seq: int, at: datetime, e: ReceiptBookEntry) -> None:
    serials.add_book(conn, Book.from_json({"prefix": e.prefix, "first": e.first, "last": e.last}))


def _spoiled(conn: sqlite3.Connection, seq: int, at: datetime, e: SerialSpoiledEntry) -> None:
    serials.take(conn, e.serial, seq, spoiled_reason=e.reason)


def _print(conn: sqlite3.Connection, seq: int, at: datetime, e: PrintEntry) -> None:
    receipt_rows.insert_print(conn, at, e)


_Writer = Callable[[sqlite3.Connection, int, datetime, Any], None]
_WRITERS: dict[type[EntryData], _Writer] = {
    ReceiptEntry: _receipt,
    VoidEntry: receipt_rows.insert_void,
    RefundEntry: receipt_rows.insert_refund_request,
    PaidOnBehalfEntry: receipt_rows.insert_paid_on_behalf,
    PrintEntry: _print,
    SettlementEntry: settlement_rows.insert_settlement,
    RemittanceEntry: settlement_rows.insert_remittance,
    ReceiptBookEntry: _book,
    SerialSpoiledEntry: _spoiled,
}
_WRITERS.update(door.WRITERS)  # issue 25: door to door


def project(conn: sqlite3.Connection, seq: int, at: datetime, entry: EntryData) -> None:
    """Write the rows derived from journal entry `seq` (none for a kind without rows)."""
    writer = _WRITERS.get(type(entry))
    if writer is not None:
        writer(conn, seq, at, entry)


def record(conn: sqlite3.Connection, at: datetime, entry: EntryData,
           signers: Sequence[Signer] = ()) -> journal.Appended:
    """Journal `entry`, signed by `signers`, and write its rows, in the caller's transaction."""
    appended = journal.append(conn, at.isoformat(), entry, signers)
    project(conn, appended.seq, at, entry)
    return appended
