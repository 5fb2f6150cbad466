"""Long writes and reads that share the interpreter with the window's GUI thread."""

from __future__ import annotations

from collections.abc import Callable
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
