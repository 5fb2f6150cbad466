"""统一票据 (002: 村居在收取城乡居民社会保险费时应使用统一要求的票据): the books of serial numbers
the county issues to the village are registered (a village head or administrator confirms with
their PIN); from then on each receipt takes the next serial, printed as its 票号, and a form
spoiled (a jam, a misprint on pre-printed stock) is recorded with its reason, so that every serial
issued is used, spoiled or still in the book."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from app.domain.entries import ReceiptBookEntry, SerialSpoiledEntry
from app.domain.records import Role, UserInfo
from app.domain.rules import overlap_refusal
from app.domain.serials import Book, SerialError, remaining, serial_at
from app.services.errors import InvalidInput, Refused, checked_reason
from app.services.ledger import refuse_if_clock_behind
from app.services.months import refuse_if_month_closed
from app.services.signoff import CASH_ROLES, require_pin
from app.storage import projection as ledger
from app.storage import serials
from app.storage.database import Clock, Database


def next_serial(conn: sqlite3.Connection) -> str | None:
    """The serial the next receipt takes; None where no book is registered. Refused when the
    registered books are used up: a receipt without its uniform form is not given."""
    books = serials.books(conn)
    if not books:
        return None
    serial = serial_at(books, serials.used(conn))
    if serial is None:
        last = books[-1]
        raise Refused(f"统一票据已用完（最后一张 {last.serial(last.last)}）：请向乡镇领取新票据，"
                      "由村委会负责人在「设置 F6」登记（Ctrl+B）后再收款", command="daishou receipt-book add")
    return serial


@dataclass(frozen=True)
class BookStatus:
    books: list[Book]
    used: int
    next_serial: str | None
    spoiled: list[tuple[str, str]]  # (serial, reason)

    @property
    def remaining(self) -> int:
        return remaining(self.books, self.used)

    def to_json(self) -> dict[str, Any]:
        return {"books": [b.to_json() for b in self.books], "used": self.used, "remaining": self.remaining,
                "next_serial": self.next_serial, "spoiled": [{"serial": s, "reason": r} for s, r in self.spoiled]}


class ReceiptBooks:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def status(self) -> BookStatus:
        with self._db.read() as conn:
            books, used = serials.books(conn), serials.used(conn)
            return BookStatus(books, used, serial_at(books, used), serials.spoiled(conn))

    def add(self, first: str, last: str, *, prefix: str = "", by: UserInfo) -> BookStatus:
        """Register a book (a range of serials) the county issued to this village."""
        require_pin(by)
        if by.role not in (Role.HEAD, Role.ADMIN):
            raise Refused("登记统一票据需要村委会负责人或管理员输入密码确认")
        try:
            book = Book.parse(first, last, prefix)
        except SerialError as exc:
            raise InvalidInput(str(exc)) from None
        now = self._clock()
        with self._db.write() as conn:
            overlap = overlap_refusal(book, serials.books(conn))
            if overlap is not None:
                raise Refused(overlap)
            refuse_if_clock_behind(conn, now)
            ledger.record(conn, now, ReceiptBookEntry(book.prefix, book.serial(book.first), book.serial(book.last), by.name))
        return self.status()

    def spoil(self, *, reason: str, by: UserInfo) -> str:
        """The next serial's form was spoiled (torn, jammed, misprinted): it is used up with the
        reason, and the next receipt takes the one after. Returns the serial spoiled."""
        require_pin(by)
        if by.role not in CASH_ROLES:
            raise Refused(f"「{by.name}」是{by.role.label}，不经手票据")
        why = checked_reason(reason, field="作废票据的原因")
        now = self._clock()
        with self._db.write() as conn:
            refuse_if_month_closed(conn, now.date(), "本月不能再登记作废票据")
            serial = next_serial(conn)
            if serial is None:
                raise Refused("本村没有登记统一票据")
            refuse_if_clock_behind(conn, now)
            ledger.record(conn, now, SerialSpoiledEntry(serial, str(why), by.name))
        return serial
