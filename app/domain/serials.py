"""The county's uniform receipts (统一票据, 002): books of serial numbers issued to a village.

Serials are used in order: the books in the order they were registered, each from its first
serial to its last. Every serial is accounted for — taken by a receipt, or spoiled with a reason
— so the n-th serial used is always `serial_at(books, n)`; the desk takes it and the chain rules
check it with this one function."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BOOK = 10_000  # serials in one registered range
_DIGITS = re.compile(r"^\d{4,12}$")
_PREFIX = re.compile(r"^[\w\-（）()]{0,12}$")


class SerialError(ValueError):
    pass


@dataclass(frozen=True)
class Book:
    prefix: str
    first: int
    last: int
    width: int  # digits, as printed on the book (leading zeros kept)

    def serial(self, n: int) -> str:
        return f"{self.prefix}{n:0{self.width}d}"

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def to_json(self) -> dict[str, object]:
        return {"prefix": self.prefix, "first": self.serial(self.first), "last": self.serial(self.last)}

    @classmethod
    def parse(cls, first: str, last: str, prefix: str = "") -> Book:
        first, last, prefix = first.strip(), last.strip(), prefix.strip()
        if not _DIGITS.match(first) or not _DIGITS.match(last) or len(first) != len(last):
            raise SerialError("起止票号应为位数相同的 4–12 位数字（照票据上印的写，含前面的 0）")
        if not _PREFIX.match(prefix):
            raise SerialError("票号前缀不超过 12 个字（字母、数字、汉字）")
        a, b = int(first), int(last)
        if b < a:
            raise SerialError(f"止号 {last} 小于起号 {first}")
        if b - a + 1 > MAX_BOOK:
            raise SerialError(f"一次登记不超过 {MAX_BOOK} 张票据")
        return cls(prefix, a, b, len(first))

    @classmethod
    def from_json(cls, d: dict[str, object]) -> Book:
        return cls.parse(str(d["first"])[len(str(d["prefix"])):], str(d["last"])[len(str(d["prefix"])):],
                         str(d["prefix"]))

    def overlaps(self, other: Book) -> bool:
        return self.prefix == other.prefix and self.first <= other.last and other.first <= self.last


def serial_at(books: list[Book], n: int) -> str | None:
    """The n-th serial used (0-based), or None when the books are used up."""
    for book in books:
        if n < book.size:
            return book.serial(book.first + n)
        n -= book.size
    return None


def remaining(books: list[Book], used: int) -> int:
    return max(0, sum(b.size for b in books) - used)
