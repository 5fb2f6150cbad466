"""Reads over a season: listing 20,000 receipts and looking up the 公示's people, each beside the
same data read by one bare SQL statement in the same run (the floor for any way of reading it)."""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.bench_core import _bulk_journal, _people, _setup

SEASON = 20_000
ROUNDS = 3


def _best(fn: Callable[[], object]) -> float:
    """Best of a few rounds: the least disturbed by other work on a shared machine."""
    times = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        people = _people(2000)
        desk = _setup(tmp / "season", people, tmp)
        _bulk_journal(desk, people, SEASON)
        listed = desk.receipts.list()
        ids = [line.id_number for r in listed for line in r.lines]
        list_s = _best(desk.receipts.list)
        people_s = _best(lambda: desk.roster.people(ids))
        conn = sqlite3.connect(desk.db.path)
        bare_list_s = _best(lambda: conn.execute(
            "SELECT r.*, l.*, v.reason, q.amount_fen, j.hash, "
            "(SELECT COUNT(*) FROM print_event p WHERE p.receipt_number = r.number AND p.ok) "
            "FROM receipt r JOIN receipt_line l ON l.receipt_number = r.number "
            "JOIN journal j ON j.seq = r.journal_seq LEFT JOIN void v ON v.receipt_number = r.number "
            "LEFT JOIN refund_request q ON q.receipt_number = r.number ORDER BY r.receipt_seq").fetchall())
        bare_people_s = _best(lambda: conn.execute("SELECT * FROM person").fetchall())
        conn.close()
        desk.close()
    return {"receipts": len(listed), "list_s": round(list_s, 3), "bare_one_statement_s": round(bare_list_s, 3),
            "list_ratio": round(list_s / bare_list_s, 1),
            "posting_people_lookups": len(ids), "people_s": round(people_s, 3),
            "bare_people_s": round(bare_people_s, 3), "people_ratio": round(people_s / bare_people_s, 1),
            "note": "best of 3 rounds each; queries per list are fixed, not per receipt"}
