"""统一票据 rows: the serial each receipt took, the serials spoiled; the books registered and how
many serials are used, kept in settings for the receipt's hot path (the journal is the proof:
verify and the county check every serial against the books' entries)."""

from __future__ import annotations

import json
import sqlite3

from app.domain.serials import Book
from app.storage import settings

BOOKS_KEY, USED_KEY = "receipt.books", "receipt.serials_used"


def books(conn: sqlite3.Connection) -> list[Book]:
    raw = settings.get(conn, BOOKS_KEY)
    return [Book.from_json(b) for b in json.loads(raw)] if raw else []


def used(conn: sqlite3.Connection) -> int:
    return int(settings.get(conn, USED_KEY) or 0)


def add_book(conn: sqlite3.Connection, book: Book) -> None:
    settings.put(conn, BOOKS_KEY, json.dumps([b.to_json() for b in [*books(conn), book]], ensure_ascii=False))


def take(conn: sqlite3.Connection, serial: str, journal_seq: int, *, receipt_number: str | None = None,
         spoiled_reason: str | None = None) -> None:
    conn.execute("INSERT INTO receipt_serial (serial, journal_seq, receipt_number, spoiled_reason) VALUES (?, ?, ?, ?)",
                 (serial, journal_seq, receipt_number, spoiled_reason))
    settings.put(conn, USED_KEY, str(used(conn) + 1))


def spoiled(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return [(str(s), str(r)) for s, r in conn.execute(
        "SELECT serial, spoiled_reason FROM receipt_serial WHERE spoiled_reason IS NOT NULL ORDER BY rowid")]
