"""verify's connections read one state of the ledger.

verify runs its checks on several read connections at once (app/storage/verify.py): the chain
walk, SQLite's own check with the rows that have no entry, and the receipt tables. Each
connection holds its own read transaction; in WAL mode each would see the ledger as it was when
its transaction started, so a write committed between the first and the last start would be seen
by some checks and not by others. These tests commit such a write exactly there.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.storage import verify as verify_module
from app.storage.errors import LOCKED
from tests.core.test_receipts import med
from tests.core.test_storage import _ledger
from tests.factories import AYGUL, FakeClock
from tests.tamper.test_saved_state import _shell


def _between_snapshots(monkeypatch: pytest.MonkeyPatch, write: Callable[[], None]) -> list[threading.Thread]:
    """Run `write` on another thread once verify's first connection has its snapshot, and give
    it a second to commit before verify takes the next one (a writer that verify keeps out
    commits after the last)."""
    taken = verify_module._snapshot
    writers: list[threading.Thread] = []

    def snapshot(path: Path) -> sqlite3.Connection:
        conn = taken(path)
        if not writers:
            writers.append(threading.Thread(target=write))
            writers[0].start()
            writers[0].join(timeout=1.0)
        return conn

    monkeypatch.setattr(verify_module, "_snapshot", snapshot)
    return writers


def test_a_tampered_file_is_not_passed_half_before_and_half_after_a_write(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file as it is fails (a receipt row edited). A write puts that row back and deletes the
    void row instead: that fails too. Seen half before (by the chain walk, which compares the
    void) and half after (by the receipt comparison), each half would pass."""
    _ledger(desk, agent, head, clock)
    conn = sqlite3.connect(desk.db.path)
    r2, name = conn.execute("SELECT journal_seq, payer_name FROM receipt WHERE receipt_seq = 2").fetchone()
    void = conn.execute("SELECT journal_seq FROM void").fetchone()[0]
    conn.close()
    _shell(desk.db.path, f"UPDATE receipt SET payer_name = '王二' WHERE journal_seq = {r2}")
    writers = _between_snapshots(monkeypatch, lambda: _shell(
        desk.db.path, f"UPDATE receipt SET payer_name = '{name}' WHERE journal_seq = {r2}", "DELETE FROM void"))
    result = desk.verify()
    writers[0].join()
    assert (result.ok, result.first_bad_seq) == (False, r2)
    assert "收据表与日志" in (result.reason or "")
    monkeypatch.undo()
    after = desk.verify()  # the file as the write left it
    assert (after.ok, after.first_bad_seq) == (False, void)


def test_a_receipt_recorded_between_the_snapshots_is_not_taken_for_tampering(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    _ledger(desk, agent, head, clock)
    before = desk.verify()
    writers = _between_snapshots(monkeypatch, lambda: desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000))
    result = desk.verify()
    writers[0].join()
    assert (result.ok, result.reason, result.entries) == (True, None, before.entries)
    monkeypatch.undo()
    assert desk.verify().entries == before.entries + 1


def test_a_write_that_does_not_end_is_said_not_taken_for_damage(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program holding the write lock (a sqlite3 shell left inside BEGIN IMMEDIATE) keeps
    verify from taking its snapshots: verify says the file is in use, not that it is damaged."""
    _ledger(desk, agent, head, clock)
    monkeypatch.setattr(verify_module, "GUARD_TIMEOUT", 0.2)
    other = sqlite3.connect(desk.db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        result = desk.verify()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not result.ok and result.reason == f"未能校验：{LOCKED}"
    assert desk.verify().ok
