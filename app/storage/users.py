"""The user table: one row a user, read and written as a UserRecord.

The table is not append-only (a failed-PIN count changes), so every change of a row is
journalled by the users service as well, and `verify` holds the table to those entries."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.storage.db import sql_datetime

_COLUMNS = ("id, name, role, pin_salt, pin_hash, pin_kdf, failed_attempts, locked_until, active, "
            "created_at")


@dataclass
class UserRecord:
    id: int | None
    name: str
    role: str
    pin_salt: bytes
    pin_hash: bytes
    pin_kdf: str
    failed_attempts: int
    locked_until: datetime | None  # naive UTC
    active: bool
    created_at: datetime


def _record(row: tuple[Any, ...]) -> UserRecord:
    def when(value: object) -> datetime | None:
        return None if value in (None, "") else datetime.fromisoformat(str(value))

    created = when(row[9])
    assert created is not None  # NOT NULL
    return UserRecord(int(row[0]), str(row[1]), str(row[2]), bytes(row[3]), bytes(row[4]),
                      str(row[5]), int(row[6] or 0), when(row[7]), bool(row[8]), created)


def by_name(conn: sqlite3.Connection, name: str) -> UserRecord | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM user WHERE name = ?", (name,)).fetchone()
    return _record(row) if row else None


def all_users(conn: sqlite3.Connection, *, active_only: bool = False) -> list[UserRecord]:
    where = " WHERE active" if active_only else ""
    return [_record(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM user{where} ORDER BY id")]


def any_active(conn: sqlite3.Connection) -> bool:
    """Anybody can sign in on this PC."""
    return conn.execute("SELECT 1 FROM user WHERE active LIMIT 1").fetchone() is not None


def names_with_role(conn: sqlite3.Connection, *roles: str) -> list[str]:
    """Active users of these roles, oldest first."""
    marks = ",".join("?" * len(roles))
    return [str(r[0]) for r in conn.execute(
        f"SELECT name FROM user WHERE active AND role IN ({marks}) ORDER BY id", roles)]


def insert(conn: sqlite3.Connection, user: UserRecord) -> None:
    cur = conn.execute(
        "INSERT INTO user (name, role, pin_salt, pin_hash, pin_kdf, failed_attempts, locked_until, "
        "active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (user.name, user.role, user.pin_salt, user.pin_hash, user.pin_kdf, user.failed_attempts,
         _text(user.locked_until), user.active, sql_datetime(user.created_at)))
    user.id = cur.lastrowid


def save(conn: sqlite3.Connection, user: UserRecord) -> None:
    """Write back what may change of a user: role, PIN hash and its cost, lockout, active."""
    conn.execute(
        "UPDATE user SET role = ?, pin_salt = ?, pin_hash = ?, pin_kdf = ?, failed_attempts = ?, "
        "locked_until = ?, active = ? WHERE id = ?",
        (user.role, user.pin_salt, user.pin_hash, user.pin_kdf, user.failed_attempts,
         _text(user.locked_until), user.active, user.id))


def _text(value: datetime | None) -> str | None:
    return sql_datetime(value) if value is not None else None
