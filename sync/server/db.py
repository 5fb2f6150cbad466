"""Engines, migrations and sessions for the county server (SQLite file or PostgreSQL URL)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Engine,
    Integer,
    String,
    any_,
    bindparam,
    create_engine,
    event,
    text,
    true,
)
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlmodel import Session

T = TypeVar("T")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def among(s: Session, column: Any, values: Iterable[Any]) -> Any:
    """`column IN values` for a list of any length, such as a province's 20,000 village codes:
    one array parameter on PostgreSQL (psycopg parses a statement's text once per placeholder:
    20,000 of them took half a second a query), the values written into the statement on SQLite
    (past its 32,766 parameters; codes and ids, quoted by SQLAlchemy)."""
    values = list(values)
    if s.get_bind().dialect.name == "postgresql":
        kind = BigInteger() if isinstance(column.type, Integer) else String()
        return column == any_(bindparam(None, values, type_=ARRAY(kind)))
    return column.in_(bindparam(None, values, expanding=True, literal_execute=True))


def within(s: Session, column: Any, values: Iterable[Any], everything: bool) -> Any:
    """among(), or no condition when `values` are every row's (a county account's overview of a
    province: 20,000 codes sent and matched in each of ten queries cost a quarter of a second)."""
    return true() if everything else among(s, column, values)


def upsert(s: Session, table: Any, rows: list[dict[str, Any]], key: str) -> None:
    """Insert `rows`, replacing the row of the same `key` (INSERT … ON CONFLICT DO UPDATE, on both
    databases), 2,000 rows a statement."""
    if not rows:
        return
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    columns = [c for c in rows[0] if c != key]
    for start in range(0, len(rows), 2000):
        statement = insert(table).values(rows[start:start + 2000])
        s.execute(statement.on_conflict_do_update(index_elements=[table.c[key]],
                                                  set_={c: statement.excluded[c] for c in columns}))


ALL_KEY = 0  # in a space of lock_codes: the lock of every code at once
LOCK_EACH_UP_TO = 64  # more codes in one transaction: the space's one lock instead (a few thousand per server)


def lock_codes(s: Session, space: int, codes: list[str]) -> None:
    """Transaction-long advisory locks on PostgreSQL, one per code, taken in code order (two
    transactions never wait for each other crosswise); over LOCK_EACH_UP_TO codes the one lock
    of the whole space, which each few-code lock also takes, shared, in the same statement.
    Nothing on SQLite: BEGIN IMMEDIATE already holds the whole database."""
    if not codes or s.get_bind().dialect.name != "postgresql":
        return
    if len(codes) <= LOCK_EACH_UP_TO:
        s.execute(text("SELECT pg_advisory_xact_lock_shared(:space, :all), "
                       "(SELECT count(pg_advisory_xact_lock(:space, hashtext(c))) "
                       " FROM (SELECT c FROM unnest(CAST(:codes AS text[])) AS c ORDER BY c) AS ordered)"),
                  {"space": space, "all": ALL_KEY, "codes": codes})
    else:
        s.execute(text("SELECT pg_advisory_xact_lock(:space, :all)"), {"space": space, "all": ALL_KEY})


def normalise_url(url: str) -> str:
    """A bare path means a SQLite file; postgresql:// means psycopg 3."""
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi: Any, _record: Any) -> None:
            dbapi.isolation_level = None  # SQLAlchemy's BEGIN below, not pysqlite's
            cur = dbapi.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Take the write lock at BEGIN: two uploads that both read and then write would
            # otherwise deadlock, and SQLite answers one of them "database is locked" at once.
            # A session that only reads (read_session) does not queue behind the writers.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READS_ONLY) else "BEGIN IMMEDIATE")

        return engine
    # hide_parameters: an error message (logged) never carries a row's check code or token.
    engine = create_engine(url, pool_size=10, max_overflow=20, hide_parameters=True)
    _ping_when_idle(engine)
    return engine


IDLE_PING_S = 10.0  # a pooled connection unused this long is pinged before it is handed out


def _ping_when_idle(engine: Engine) -> None:
    """A connection of the pool is pinged before use only when it sat unused for IDLE_PING_S
    (the database restarted overnight, a firewall dropped it): pool_pre_ping's round trip on
    every checkout was one of an upload's waits on the database, paid 300 times in a burst. A
    connection that dies between uses anyway is answered by `once_more_if_disconnected`."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("idle_since", time.monotonic()) < IDLE_PING_S:
            return
        try:
            with dbapi.cursor() as cur:
                cur.execute(";")
            dbapi.rollback()
        except Exception as exc:  # noqa: BLE001 - any failure: the pool makes a new connection
            raise DisconnectionError from exc


def once_more_if_disconnected(work: Callable[[], T]) -> T:
    """`work` (one transaction), run again once if the database connection it used was found
    dead (the database restarted; the pool then drops all its older connections). Only for work
    that is safe to run twice: a read, or an upload (held entries answer already_held)."""
    try:
        return work()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    return work()


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def migrate(url: str) -> None:
    """Bring the database to the newest schema (creates it when empty). Each revision is frozen."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


READS_ONLY = "daishou_reads_only"
_readers: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A transaction that only reads (who is calling, by their token). On SQLite it does not
    take the write lock: reading the caller's row does not wait for another upload's commit. On
    PostgreSQL it is no transaction at all (autocommit): each statement reads its own snapshot
    either way (READ COMMITTED), and BEGIN and COMMIT would be two more round trips."""
    reader = _readers.get(engine)
    if reader is None:
        options: dict[str, Any] = {READS_ONLY: True}
        if engine.dialect.name == "postgresql":
            options["isolation_level"] = "AUTOCOMMIT"
        reader = _readers[engine] = engine.execution_options(**options)
    with session(reader) as s:
        yield s


@contextmanager
def session(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on an exception."""
    with Session(engine, expire_on_commit=False) as s:
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
