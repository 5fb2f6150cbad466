"""Long writes and reads that share the interpreter with the window's GUI thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from time import sleep
from typing import Any


def let_others_run() -> None:
    """Give the GIL away for a moment. C loops that release it only between short steps
    (executemany, fetchmany) take it straight back before a waiting thread wakes, and the
    window's GUI thread starves: measured, half-second freezes during a township import."""
    sleep(0)


def in_batches(conn_exec: Callable[[str, list[Any]], object], sql: str, rows: list[Any],
               size: int = 2000) -> None:
    """executemany in batches, letting the GUI thread in between them."""
    for start in range(0, len(rows), size):
        conn_exec(sql, rows[start:start + size])
        let_others_run()


# Pages of the transaction kept in memory while a whole township's roster is written: with
# SQLite's default 2 MB the indexes of 100,000 people no longer fit, and dirty pages spill to
# the log and are read back in the middle of the transaction (measured: about 0.2 s of a 3.4 s
# import). Given back when the write ends.
LARGE_WRITE_CACHE_KIB = 64 * 1024


@contextmanager
def large_write(conn: sqlite3.Connection) -> Iterator[None]:
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{LARGE_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")
