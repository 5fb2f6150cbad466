"""The data home: where the database lives, with separate write and read engines."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from app.storage.db import DB_FILENAME, StorageError, connect_raw, open_database
from app.storage.highwater import HighWater, KeyringStore, MarkStore

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
    """One data home, read and written through plain sqlite3 connections (the one access style:
    the SQL lives in app/storage/). Writes go through BEGIN IMMEDIATE on one connection, one at
    a time; reads take a snapshot on a connection of their own thread and never wait for them.

    Before a process's first ledger write the file is compared with the high-water mark kept
    outside it (app/storage/highwater.py), and after each write the mark follows the journal."""

    def __init__(self, home: Path, *, marks: MarkStore | None = None) -> None:
        self.home = Path(home)
        self.path = self.home / DB_FILENAME
        open_database(self.path, backup_dir=self.home / "backups")
        self._writer: sqlite3.Connection | None = None
        self._write_lock = threading.RLock()
        self._local = threading.local()  # this thread's read connection
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self.highwater = HighWater(self.home, marks or KeyringStore())
        self._checked = False

    def _conn(self) -> sqlite3.Connection:
        """The write connection (callers hold _write_lock)."""
        if self._writer is None:
            self._writer = connect_raw(self.path)
        return self._writer

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
                raise LedgerDamaged(f"数据文件已损坏（{what}），不能继续写入。请关闭程序，"
                                    "打电话给乡镇社保所，请其用备份恢复数据文件")
            problem = self.highwater.problem(conn)
            if problem:
                raise LedgerTampered(problem)
            self._checked = True

    @contextmanager
    def write(self, *, ledger: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE): committed on success, rolled back on any
        error. `ledger=False` for writes that never touch the journal (a user's failed PIN
        count): signing in still works on a file that lost its tail, so the message can be read,
        while nothing can be added to that ledger."""
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                if ledger:
                    self._check_mark(conn)
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if ledger:
                self.highwater.keep(conn)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read snapshot (deferred BEGIN: no write lock in WAL mode) on this thread's own
        connection; a read inside a read shares the outer snapshot."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect_raw(self.path)
            with self._readers_lock:
                self._readers.append(conn)
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")  # a read-only transaction: nothing to keep

    def close(self) -> None:
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        self._local = threading.local()
