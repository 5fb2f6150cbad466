"""The data home: where the database lives, with separate write and read engines."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.storage.db import DB_FILENAME, open_engine, open_read_engine, transaction

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

    @contextmanager
    def write(self) -> Iterator[Session]:
        with transaction(self.write_engine) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.read_engine) as session:
            yield session

    def close(self) -> None:
        self.write_engine.dispose()
        self.read_engine.dispose()
