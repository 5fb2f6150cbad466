"""Long writes and reads that share the interpreter with the window's GUI thread."""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from time import sleep
from typing import Any


def let_others_run() -> None:
    """Give the GIL away for a moment. C loops that release it only between short steps
    (executemany, fetchmany) take it straight back before a waiting thread wakes, and the
    window's GUI thread starves: measured, half-second freezes during a township import."""
    sleep(0)


# While a long Python job runs beside the window (a township's search index built after login,
# a roster imported), a thread that waits for the GIL gets it only after the switch interval,
# 5 ms by default, and each SQLite row a search fetches is one such wait: measured, searches
# typed during the index build took 0.2-0.5 s. With 0.2 ms turns: 15-58 ms, and the build took
# no longer. Process-wide, so it is set by the first such job and put back by the last.
SHORT_TURN_S = 0.0002
_turns_lock = threading.Lock()
_turns_users = 0
_turns_before = 0.0


@contextmanager
def short_gil_turns() -> Iterator[None]:
    global _turns_users, _turns_before
    with _turns_lock:
        if _turns_users == 0:
            _turns_before = sys.getswitchinterval()
            sys.setswitchinterval(SHORT_TURN_S)
        _turns_users += 1
    try:
        yield
    finally:
        with _turns_lock:
            _turns_users -= 1
            if _turns_users == 0:
                sys.setswitchinterval(_turns_before)


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
