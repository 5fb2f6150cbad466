"""A ledger written by the release before entries became typed classes (tests/core/data/
make_release_ledger.py says what it holds) still verifies, replays under the chain rules and
reads the same: typing the entries changed no byte of the chain."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from app.domain.chain import ChainRules
from app.services.desk import Desk
from app.storage.db import DB_FILENAME
from app.storage.verify import verify_database
from tests.factories import FakeClock

RELEASE = Path(__file__).parent / "data" / "release-ledger.sqlite3"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(RELEASE, home / DB_FILENAME)
    return home


def _journal(path: Path) -> list[tuple[int, str, str, str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            "SELECT seq, kind, recorded_at, body, prev_hash, hash FROM journal ORDER BY seq")]
    finally:
        conn.close()


def test_the_release_ledger_verifies_and_replays(home: Path) -> None:
    result = verify_database(home / DB_FILENAME)
    assert (result.ok, result.entries, result.reason) == (True, 31, None)
    rules = ChainRules()
    for entry in _journal(home / DB_FILENAME):
        rules.feed(*entry)
    assert (rules.seq, rules.receipt_seq, rules.closed_month, rules.serials_used) == (31, 7, "2026-11", 5)
    assert rules.rounds == {"2026-11-20": 2, "2026-11-21": 1, "2026-11-22": 1, "2026-12-01": 1}
    # What the state says of each receipt: settled, voided, refund requested, paid on behalf.
    states = [r[2:] for r in rules.receipts.values()]
    assert states == [[3], [2], [1], [1], [1], [1, 1], [1]]


def test_the_desk_reads_the_release_ledger(home: Path) -> None:
    with Desk(home, clock=FakeClock(), create=False) as desk:
        receipts = desk.receipts.list()
        assert [r.status for r in receipts] == ["valid", "voided", "valid", "valid", "valid", "valid", "valid"]
        assert receipts[0].refund is not None and receipts[0].prints == 2
        assert receipts[2].serial is None and receipts[3].serial == "皖0000502"
        assert receipts[5].paid is not None and receipts[5].paid.voucher == "320000123456"
        assert [s.round_no for s in desk.settlements.all()] == [1, 2, 1, 1, 1]
        assert desk.months.figures("2026-11").closed
        assert desk.settlements.cash_position().remitted_fen == 180000
        assert desk.receipts.list(date(2026, 12, 1))[0].payer_name == "单已缴"
