"""The data home: where the database lives, with separate write and read engines."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from app.services.highwater import HighWater, KeyringStore, MarkStore
from app.storage.db import DB_FILENAME, StorageError, connect_raw, open_database, read_transaction

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Local wall time, naive: one county, one time zone; the journal stores it as written."""
    return datetime.now().replace(microsecond=0)


def default_home() -> Path:
    """--home, else $DAISHOU_HOME, else the platform's per-user data folder."""
    env = os.environ.get("DAISHOU_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("Daishou", appauthor=False))


class LedgerTampered(StorageError):
    """The file is not the ledger this PC's high-water mark remembers: writing is refused."""


class LedgerDamaged(StorageError):
    """SQLite's own check finds the file damaged: nothing more is written to it."""


class Database:
    """One data home. Writes go through BEGIN IMMEDIATE; reads never take the write lock.

    Before a process's first write the file is compared with the high-water mark kept outside
    it (app/services/highwater.py), and after each write the mark follows the journal.

    The SQLAlchemy engines are made on first use of a session: a command that only reads
    through `read_raw` never imports SQLAlchemy."""

    def __init__(self, home: Path, *, marks: MarkStore | None = None) -> None:
        self.home = Path(home)
        self.path = self.home / DB_FILENAME
        open_database(self.path, backup_dir=self.home / "backups")
        self._raw: sqlite3.Connection | None = None
        self._raw_lock = threading.Lock()
        self.highwater = HighWater(self.home, marks or KeyringStore())
        self._checked = False

    @cached_property
    def write_engine(self) -> Engine:
        from app.storage import orm

        return orm.engine(self.path, write=True)

    @cached_property
    def read_engine(self) -> Engine:
        from app.storage import orm

        return orm.engine(self.path, write=False)

    def _conn(self) -> sqlite3.Connection:
        if self._raw is None:
            self._raw = connect_raw(self.path)
        return self._raw

    def _check_mark(self, conn: sqlite3.Connection) -> None:
        """Before a process's first ledger write: the file is whole (SQLite's quick_check, about
        0.12 s for 100,000 entries here) and is the ledger the mark remembers."""
        if not self._checked:
            try:
                damage = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
            except sqlite3.DatabaseError as exc:
                damage = [str(exc)]
            if damage != ["ok"]:
                what = " ".join(damage[0].split())[:60]
                raise LedgerDamaged(f"数据文件已损坏（{what}），不能继续写入。请运行 daishou verify，"
                                    "并联系乡镇社保所用备份恢复")
            problem = self.highwater.problem(conn)
            if problem:
                raise LedgerTampered(problem)
            self._checked = True

    @contextmanager
    def write(self, *, ledger: bool = True) -> Iterator[Session]:
        """A write transaction. `ledger=False` for writes that never touch the journal (a
        user's failed PIN count): signing in still works on a file that lost its tail, so the
        message can be read, while nothing can be added to that ledger."""
        if ledger:
            with self._raw_lock:
                self._check_mark(self._conn())
        from app.storage.orm import transaction

        with transaction(self.write_engine) as session:
            yield session
        if ledger:
            with self._raw_lock:
                self.highwater.keep(self._conn())

    @contextmanager
    def read(self) -> Iterator[Session]:
        from app.storage.orm import read_session

        with read_session(self.read_engine) as session:
            yield session

    @contextmanager
    def read_raw(self) -> Iterator[sqlite3.Connection]:
        """One read snapshot on a plain sqlite3 connection of its own (any thread)."""
        with read_transaction(self.path) as conn:
            yield conn

    @contextmanager
    def raw_write(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE on one plain sqlite3 connection: the receipt hot path, no ORM.

        Committed on success, rolled back on any error.
        """
        with self._raw_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._check_mark(conn)
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            self.highwater.keep(conn)

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None
        for made in ("write_engine", "read_engine"):
            if made in self.__dict__:  # never made: nothing to dispose, and no import
                self.__dict__.pop(made).dispose()
