"""The data home: where the database lives, with separate write and read engines."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.storage.db import DB_FILENAME, connect_raw, open_engine, open_read_engine, transaction

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


class Database:
    """One data home. Writes go through BEGIN IMMEDIATE; reads never take the write lock."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.path = self.home / DB_FILENAME
        self.write_engine: Engine = open_engine(self.path, backup_dir=self.home / "backups")
        self.read_engine: Engine = open_read_engine(self.path)
        self._raw: sqlite3.Connection | None = None
        self._raw_lock = threading.Lock()

    @contextmanager
    def write(self) -> Iterator[Session]:
        with transaction(self.write_engine) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.read_engine) as session:
            yield session

    @contextmanager
    def raw_write(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE on one plain sqlite3 connection: the receipt hot path, no ORM.

        Committed on success, rolled back on any error.
        """
        with self._raw_lock:
            if self._raw is None:
                self._raw = connect_raw(self.path)
            conn = self._raw
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None
        self.write_engine.dispose()
        self.read_engine.dispose()
