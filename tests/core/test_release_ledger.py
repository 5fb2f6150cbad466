"""A ledger written by the release before entries became typed classes (tests/core/data/
make_release_ledger.py says what it holds) still verifies, replays under the chain rules and
reads the same: typing the entries changed no byte of the chain."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path

import orjson
import pytest

from app.domain.chain import ChainRules
from app.domain.entries import EntryError, parse_entry
from app.services.desk import Desk
from app.storage import journal
from app.storage.db import DB_FILENAME, open_database
from app.storage.projection import project
from app.storage.verify import verify_database
from tests.factories import FakeClock

RELEASE = Path(__file__).parent / "data" / "release-ledger.sqlite3"
# Saved by the program of each schema version (tests/core/data/make_version_ledgers.py).
VERSIONS = {n: Path(__file__).parent / "data" / f"v{n}-village.sqlite3" for n in range(2, 9)}


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


def test_every_entry_keeps_its_bytes_through_its_typed_class() -> None:
    """Each body parsed into its kind's class and written again is the same text, so the same
    hash: in the release ledger and in the oldest fixture (schema v1)."""
    for path in (RELEASE, *VERSIONS.values(), Path(__file__).parent / "data" / "v1-village.sqlite3"):
        for seq, kind, at, text, _prev, _hash in _journal(path):
            entry = parse_entry(kind, orjson.loads(text)["data"])
            assert kind == type(entry).KIND
            assert journal.body(seq, at, entry) == text, f"{path.name} entry {seq} ({kind})"


def test_a_body_that_does_not_fit_its_kind_is_named() -> None:
    with pytest.raises(EntryError, match="missing field head"):
        parse_entry("void", {"number": "1", "day": "2026-11-20", "reason": "x", "agent": "a"})
    with pytest.raises(EntryError, match="unknown field amount"):
        parse_entry("void", {"number": "1", "day": "2026-11-20", "reason": "x", "agent": "a", "head": "b",
                             "amount": 1})
    with pytest.raises(EntryError, match="unknown kind visit"):
        parse_entry("visit", {})


_PROJECTED = {"receipt": "journal_seq", "receipt_line": "receipt_number, line_no", "void": "journal_seq",
              "refund_request": "journal_seq", "paid_on_behalf": "journal_seq", "print_event": "recorded_at, copy_no",
              "settlement": "journal_seq", "remittance": "journal_seq", "receipt_serial": "journal_seq"}


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        out = {t: conn.execute(f"SELECT * FROM {t} ORDER BY {key}").fetchall() for t, key in _PROJECTED.items()}
        out["books"] = conn.execute("SELECT key, value FROM setting WHERE key LIKE 'receipt.%' ORDER BY key").fetchall()
        return out
    finally:
        conn.close()


def test_the_release_ledger_projects_again_into_the_same_rows(tmp_path: Path) -> None:
    """The journal alone, replayed through `project` into an empty file, gives every derived
    row the release wrote (the signature images are kept beside the journal, not in it)."""
    fresh = tmp_path / "fresh" / DB_FILENAME
    open_database(fresh)
    conn = sqlite3.connect(fresh, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("BEGIN")
    conn.execute("ATTACH DATABASE ? AS old", (str(RELEASE),))
    conn.execute("INSERT INTO signature SELECT * FROM old.signature")
    for seq, kind, at, text, prev, digest in _journal(RELEASE):
        conn.execute("INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?)", (seq, kind, at, text, prev, digest))
        project(conn, seq, datetime.fromisoformat(at), parse_entry(kind, orjson.loads(text)["data"]))
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE old")
    conn.close()
    again, released = _tables(fresh), _tables(RELEASE)
    assert again == released
    assert len(released["receipt"]) == 7 and len(released["receipt_serial"]) == 5 and released["books"]


def test_the_wire_reads_entries_through_the_same_classes() -> None:
    """What the county server receives (sync/protocol.py Entry) parses into the desk's classes."""
    from app.domain.entries import ReceiptEntry, SettlementEntry
    from sync.protocol import Entry

    wire = [Entry(seq=s, kind=k, recorded_at=a, body=b, prev_hash=p, hash=h) for s, k, a, b, p, h in _journal(RELEASE)]
    receipts = [e.data() for e in wire if e.kind == "receipt"]
    assert all(isinstance(r, ReceiptEntry) for r in receipts) and len(receipts) == 7
    rounds = [e.data() for e in wire if e.kind == "settlement"]
    assert [r.round_no for r in rounds if isinstance(r, SettlementEntry)] == [1, 2, 1, 1, 1]


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_a_ledger_of_every_schema_version_upgrades_verifies_and_reads(tmp_path: Path, version: int) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(VERSIONS[version], home / DB_FILENAME)
    with Desk(home, clock=FakeClock(), create=False) as desk:  # migrated to the newest schema here
        assert desk.verify().ok
        receipts = desk.receipts.list()
        assert [r.status for r in receipts] == ["valid", "voided", "valid", "valid"]
        assert [r.total_fen for r in receipts] == [40000, 40000, 40000, 40000]
        assert [s.day for s in desk.settlements.all()] == [date(2026, 11, 20), date(2026, 11, 21)]
        assert desk.settlements.cash_position().remitted_fen == 80000
        assert desk.settlements.unsettled_days() == [date(2026, 11, 22)]
