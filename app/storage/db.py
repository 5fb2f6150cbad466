"""The database file: pragmas, schema version, migrations with a backup first.

Plain sqlite3 only, and nothing else: a command that reads (cash, verify, receipt list) opens
the file without loading SQLAlchemy, which takes 0.3 s to import (SQLModel serves the county
server alone). `Database` (app/storage/database.py) owns the connections."""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

DB_FILENAME = "daishou.sqlite3"


class StorageError(Exception):
    """A problem with the data file the user must be told about (newer, locked, corrupt, full)."""


SCHEMA_DIR = Path(__file__).with_name("schema")


# A line `-- append-only: journal, receipt` in a step's SQL stands for the two triggers each of
# those ledger tables gets, where the line is: an UPDATE or a DELETE on them aborts. One template
# for all of them, frozen as the steps are: `verify` holds a file's triggers to these exact words
# (expected_triggers below), and the files older programs saved (tests/core/data) carry them.
APPEND_ONLY = "-- append-only:"


def append_only_sql(table: str) -> str:
    return "".join(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN "
                   f"SELECT RAISE(ABORT, '账本记录不可修改或删除: {table}'); END;\n"
                   for verb in ("UPDATE", "DELETE"))


def step_sql(version: int) -> str:
    """The statements of one schema version: ``schema/vN.sql`` with its append-only lines
    written out."""
    lines = (SCHEMA_DIR / f"v{version}.sql").read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join("".join(append_only_sql(t.strip()) for t in line.removeprefix(APPEND_ONLY).split(","))
                   if line.startswith(APPEND_ONLY) else line for line in lines)


def _step(version: int) -> Callable[[sqlite3.Connection], None]:
    """The frozen DDL of one schema version (`step_sql`), run as one transaction that also sets
    ``user_version``: a step is applied whole or not at all."""

    def run(conn: sqlite3.Connection) -> None:
        sql = step_sql(version)
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version={version};\nCOMMIT;")
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise

    return run


# One step per schema version: MIGRATIONS[i] takes the database from version i to i + 1.
# Each version's DDL is frozen as SQL in schema/vN.sql, never generated from today's model
# classes, so editing a model cannot change a released migration (tests/core/test_schema.py
# checks that the models still match the newest version). Never edit a released step: add
# the next one, and a test on a file the old version saved.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_step(n) for n in range(1, 12)]
SCHEMA_VERSION = len(MIGRATIONS)


def on_connect(dbapi_conn: sqlite3.Connection) -> None:
    """The pragmas every connection gets. No implicit transactions: the caller issues BEGIN
    IMMEDIATE, so writers queue up instead of failing halfway through a receipt with
    "database is locked"."""
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def sql_datetime(value: datetime) -> str:
    """The text form the desk's time columns hold (as the first, SQLAlchemy-written versions
    stored them: old files and new rows compare and sort alike)."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def connect_raw(path: Path) -> sqlite3.Connection:
    """A sqlite3 connection with the desk's pragmas (`Database` keeps one writer and one reader
    per thread of these)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    on_connect(conn)
    return conn


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def open_database(path: Path, *, backup_dir: Path | None = None) -> None:
    """Create or migrate the database file; refuse one written by a newer program."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists() and path.stat().st_size > 0
    try:
        version = user_version(path) if existed else 0
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"数据文件 {path} 已损坏或不是 Daishou 数据库：{exc}") from None
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"数据文件 {path} 由较新版本的 Daishou 创建（数据版本 {version}，本程序支持 "
            f"{SCHEMA_VERSION}）。请安装新版本程序，不要用旧版本打开。"
        )
    if version < SCHEMA_VERSION:
        if existed:
            _backup(path, version, backup_dir or path.parent / "backups")
        conn = connect_raw(path)
        try:
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](conn)
        finally:
            conn.close()
    owner_only(path.parent)  # the data folder and the ledger: readable by their owner only
    owner_only(path)


def _backup(path: Path, version: int, backup_dir: Path) -> Path:
    backup_dir.mkdir(parents=True, exist_ok=True)
    owner_only(backup_dir)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backup_dir / f"{path.stem}-v{version}-{stamp}.sqlite3"
    part = target.with_name(target.name + ".part")
    copy_database(path, part)  # consistent copy even with a WAL file beside it
    part.replace(target)  # a copy killed halfway never has a backup's name
    return target


def copy_database(path: Path, target: Path) -> None:
    """A consistent copy of a live database (SQLite's online backup), readable by its owner
    only. The caller checks it; `target` is a temporary name until then."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # A copy is one self-contained file: no WAL beside it to lose on the way to the USB
        # stick, and a read-only check of it leaves no -wal/-shm files behind.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    owner_only(target)


def owner_only(path: Path) -> None:
    """rw for the owner only (0600 a file, 0700 a folder): the ledger holds ID numbers and PIN
    hashes. No-op where the file system has no such modes (FAT on a USB stick, Windows ACLs)."""
    with contextlib.suppress(OSError):
        path.chmod(0o700 if path.is_dir() else 0o600)


@functools.cache
def expected_triggers(version: int = SCHEMA_VERSION) -> dict[str, str]:
    """name -> SQL of every trigger a database of `version` has (built in memory from the frozen
    steps): `verify` checks a file still has each, unchanged. A backup saved by an older version
    (a village's file a township reviews without upgrading it) is held to its own version."""
    conn = sqlite3.connect(":memory:")
    try:
        for step in MIGRATIONS[:max(1, min(version, SCHEMA_VERSION))]:
            step(conn)
        return {str(n): str(sql) for n, sql in
                conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
    finally:
        conn.close()
