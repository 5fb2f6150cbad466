"""The receipt rows' digest `verify` keeps beside its saved state (app/storage/verify_receipts.py).

A default `verify` after the county's acknowledgement keeps a digest of the receipt and line rows
up to the acknowledged entry; the next one compares only the receipt entries after it with their
rows when the rows up to it still have that digest. The attacks below edit those rows with the
sqlite3 shell (triggers dropped and put back): each edit changes the digest, every entry is then
compared with its rows, and the one edited is named.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.storage import verify as verify_module
from app.storage import verify_state
from app.storage.verify_receipts import RowsCompared
from tests.tamper.test_saved_state import _saved, _shell


def _compared(monkeypatch: pytest.MonkeyPatch) -> list[RowsCompared]:
    """What each receipt comparison of the next verifies did."""
    seen: list[RowsCompared] = []
    compare = verify_module.compare_receipt_rows

    def spy(conn: sqlite3.Connection, **kw: int | str) -> RowsCompared:
        seen.append(compare(conn, **kw))  # type: ignore[arg-type]
        return seen[-1]

    monkeypatch.setattr(verify_module, "compare_receipt_rows", spy)
    return seen


def _kept(desk: Desk) -> dict[str, object]:
    """The keyring's record of the saved state."""
    text = desk.db.highwater.store.get(desk.db.highwater.key + "#verify-state")
    assert text is not None
    return dict(json.loads(text))


def _number(path: Path, seq: int) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("SELECT number FROM receipt WHERE journal_seq = ?", (seq,)).fetchone()[0])
    finally:
        conn.close()


def test_the_acknowledged_rows_are_taken_from_their_digest(desk: Desk, agent: UserInfo,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    seqs = _saved(desk, agent)
    assert len(str(_kept(desk)["rows"])) == 64
    compared = _compared(monkeypatch)
    again = desk.verify()
    assert again.ok and again.rules_from == seqs[2]
    assert [c.digest_used for c in compared] == [True]


# {n0}: the number of the first receipt, which the county acknowledged; {s0}: its entry; {before}:
# the entry before it (no receipt)
@pytest.mark.parametrize(("sql", "bad", "reason"), [
    ("UPDATE receipt_line SET amount_fen = 30000 WHERE receipt_number = '{n0}'", True, "收据明细表与日志第 {s0} 条不符"),
    ("DELETE FROM receipt_line WHERE receipt_number = '{n0}'", True, "收据明细表与日志第 {s0} 条不符"),
    ("INSERT INTO receipt_line VALUES ('{n0}', 2, '1', '某', 'medical', 2027, NULL, 1, 1)", False,
     "收据明细表有日志中没有的记录：{n0}"),
    ("UPDATE receipt SET total_fen = 30000 WHERE journal_seq = {s0}", True, "收据表与日志第 {s0} 条不符"),
    ("UPDATE receipt SET payer_name = X'e5bca0e4b889' WHERE journal_seq = {s0}", True, "收据表与日志第 {s0} 条不符"),
    ("DELETE FROM receipt_line WHERE receipt_number = '{n0}'; DELETE FROM receipt WHERE journal_seq = {s0}", True,
     "收据表与日志第 {s0} 条不符或缺失"),
    # a receipt slipped in under an acknowledged entry that is no receipt
    ("INSERT INTO receipt (number, receipt_seq, journal_seq, day, recorded_at, payer_id_number, payer_name, agent, "
     "total_fen, cash_fen, change_fen, payer_signoff) VALUES ('341824100201-01-000099', 99, {before}, '2026-11-20', "
     "'2026-11-20 09:00:00.000000', '1', '某', '李代收', 1, 1, 0, 'paper')", False,
     "收据表有日志中没有的记录：341824100201-01-000099"),
])
def test_an_acknowledged_row_edited_after_its_digest_was_kept_is_named(
        desk: Desk, agent: UserInfo, monkeypatch: pytest.MonkeyPatch, sql: str, bad: bool, reason: str) -> None:
    seqs = _saved(desk, agent)
    names = {"s0": seqs[0], "n0": _number(desk.db.path, seqs[0]), "before": seqs[0] - 1}
    _shell(desk.db.path, *sql.format(**names).split("; "))
    compared = _compared(monkeypatch)
    result = desk.verify()
    assert not result.ok and result.first_bad_seq == (seqs[0] if bad else None)
    assert reason.format(**names) in (result.reason or "")
    assert [c.digest_used for c in compared] == [False]


def test_rows_under_a_rewritten_acknowledged_entry_are_compared_again(desk: Desk, agent: UserInfo) -> None:
    """The rows left as they were and the acknowledged entries under them rewritten (every hash
    after made again): the rows still have their digest, but the walk does not arrive at the
    saved entry with its hash, so the digest vouches for nothing and every row is compared with
    the entries as they are now. (The acknowledgement catches this file too; the comparison does
    not lean on it.)"""
    seqs = _saved(desk, agent)
    saved, _ = verify_state.load(desk.home, desk.db.highwater, seqs[2])
    assert saved is not None and saved.rows
    conn = sqlite3.connect(desk.db.path, isolation_level=None)
    try:
        row = conn.execute("SELECT payer_name FROM receipt WHERE journal_seq = ?", (seqs[0],)).fetchone()
    finally:
        conn.close()
    _shell(desk.db.path, f"UPDATE journal SET body = replace(body, '{row[0]}', '王二') WHERE seq = {seqs[0]}")
    _rehash(desk.db.path, seqs[0])
    result = verify_module.verify_database(desk.db.path, acknowledged=seqs[2], saved=saved, keep_at=seqs[2])
    assert not result.ok and result.first_bad_seq == seqs[0]
    assert "收据表与日志" in (result.reason or "")


def _rehash(path: Path, first: int) -> None:
    from app.storage.journal import entry_hash

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        rows = conn.execute("SELECT seq, body FROM journal WHERE seq >= ? ORDER BY seq", (first,)).fetchall()
        prev = conn.execute("SELECT hash FROM journal WHERE seq = ?", (first - 1,)).fetchone()[0]
        updates = []
        for seq, body in rows:
            digest = entry_hash(prev, body)
            updates.append(f"UPDATE journal SET prev_hash = '{prev}', hash = '{digest}' WHERE seq = {seq}")
            prev = digest
    finally:
        conn.close()
    _shell(path, *updates)


def test_a_state_kept_without_a_rows_digest_gets_one(desk: Desk, agent: UserInfo,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A state kept by the release before the digest: every row is compared once, then the digest
    is kept beside the same state."""
    seqs = _saved(desk, agent)
    store, key = desk.db.highwater.store, desk.db.highwater.key + "#verify-state"
    record = _kept(desk)
    del record["rows"]
    store.set(key, json.dumps(record))
    compared = _compared(monkeypatch)
    first = desk.verify()
    assert first.ok and first.rules_from == seqs[2] and first.note == (
        f"县里已确认收到的前 {seqs[2]} 条记录未重验签名（县里收到时已验过）")
    assert len(str(_kept(desk)["rows"])) == 64 and _kept(desk)["sha256"] == record["sha256"]
    assert desk.verify().ok
    assert [c.digest_used for c in compared] == [False, True]
