"""SQLAlchemy engines over the database file, for the services that use SQLModel sessions.

Imported only when a session is first opened (app/services/database.py): importing SQLAlchemy
and SQLModel costs 0.3 s, which commands that only read must not pay."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from app.storage.db import on_connect


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def engine(path: Path, *, write: bool) -> Engine:
    """Writers begin IMMEDIATE; readers take no write lock (WAL), so the desk stays responsive
    while a writer works. The file must already be open (db.open_database)."""
    made = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(made, "connect", on_connect)
    event.listen(made, "begin", _begin_immediate if write else _begin_deferred)
    return made


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One write transaction (BEGIN IMMEDIATE): committed on success, rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session
