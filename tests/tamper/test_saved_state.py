"""The rules' state `verify` saves at the county's acknowledgement (app/storage/verify_state.py).

A default `verify` after the county acknowledged entries saves where the rule walk stood at the
acknowledged entry, and keeps its hash in the OS keyring; the next one hashes every entry from
the first and replays the rules only after it. The attacks below can write the data folder (the
ledger file with the sqlite3 shell, the saved state) but not the keyring: each one is caught,
and an edited state is never used.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson

from app.domain.entries import PrintEntry
from app.domain.records import UserInfo
from app.services.desk import Desk
from app.storage import journal, verify_state
from tests.core.test_receipts import pen
from tests.factories import ZHANG, county_ack
from tests.tamper.test_acknowledged import _mark_follows_the_file, _receipts, _swap_signature


def _saved(desk: Desk, agent: UserInfo) -> list[int]:
    """Four receipts, the county's acknowledgement of the first three, one verify (which walks
    every rule and saves the state at the third); their journal sequences."""
    seqs = _receipts(desk, agent)
    county_ack(desk, seqs[2])
    first = desk.verify()
    assert first.ok and first.rules_from == 0
    assert (desk.home / verify_state.FILENAME).exists()
    return seqs


def _shell(path: Path, *sql: str) -> None:
    """Statements run as with the sqlite3 shell in one BEGIN ... COMMIT: every trigger that
    refuses them dropped first and put back after, nothing in between ever visible."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN IMMEDIATE")
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        for statement in sql:
            conn.execute(statement)
        for _, text in triggers:
            conn.execute(text)
        conn.execute("COMMIT")
    finally:
        conn.close()


def test_the_next_verify_replays_rules_only_after_the_acknowledged_entry(desk: Desk, agent: UserInfo) -> None:
    seqs = _saved(desk, agent)
    again = desk.verify()
    assert again.ok and again.rules_from == seqs[2] and again.acknowledged == seqs[2]
    assert again.note == f"县里已确认收到的前 {seqs[2]} 条记录未重验签名（县里收到时已验过）"
    # the rules go on from the saved state: the next receipt's number continues it
    desk.receipts.record(agent, [pen(ZHANG)], cash_fen=50000, cash_confirmed=True)
    assert desk.verify().ok


def test_full_neither_uses_nor_needs_the_saved_state(desk: Desk, agent: UserInfo) -> None:
    _saved(desk, agent)
    full = desk.verify(full=True)
    assert full.ok and full.rules_from == 0 and full.acknowledged == 0


def test_an_edited_state_is_not_used_so_the_rule_it_hid_is_caught(desk: Desk, agent: UserInfo) -> None:
    """The attack: a print entry for a receipt that was never recorded (a 补打 of a made-up
    number), and the saved state edited to hold that receipt, so that replaying from it the
    entry breaks no rule. The keyring does not hold the edited state's hash: verify walks every
    rule from the first entry and names the print."""
    seqs = _saved(desk, agent)
    path = desk.home / verify_state.FILENAME
    state = orjson.loads(path.read_bytes())
    state["rules"]["receipts"]["341824100201-01-999999"] = ["2026-11-20", 40000, 1]
    path.write_bytes(orjson.dumps(state))
    conn = sqlite3.connect(desk.db.path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        forged = journal.append(conn, "2026-11-21T09:00:00", PrintEntry("341824100201-01-999999", True, 1, None))
        conn.execute("COMMIT")
    finally:
        conn.close()
    result = desk.verify()
    assert not result.ok and result.first_bad_seq == forged.seq > seqs[3]
    assert "打印记录指向不存在的收据" in (result.reason or "")


def test_an_edited_state_alone_is_said_and_replaced(desk: Desk, agent: UserInfo) -> None:
    seqs = _saved(desk, agent)
    path = desk.home / verify_state.FILENAME
    state = orjson.loads(path.read_bytes())
    state["rules"]["receipt_seq"] += 1  # a receipt number skipped would then pass
    path.write_bytes(orjson.dumps(state))
    result = desk.verify()
    assert result.ok and result.rules_from == 0 and verify_state.REFUSED in (result.note or "")
    assert desk.verify().rules_from == seqs[2]  # the full walk kept a state of its own


def test_a_state_whose_hash_the_keyring_holds_is_only_as_good_as_the_keyring(
        desk: Desk, agent: UserInfo) -> None:
    """Someone who can write this PC's keyring too can make the default verify take an edited
    state (as they can make it take an edited acknowledgement); `verify --full` walks every rule."""
    seqs = _saved(desk, agent)
    path = desk.home / verify_state.FILENAME
    state = orjson.loads(path.read_bytes())
    state["rules"]["receipt_seq"] += 1
    forged = verify_state.Saved(seqs[2], state["hash"], orjson.dumps(state))
    verify_state.keep(desk.home, desk.db.highwater, forged)
    desk.receipts.record(agent, [pen(ZHANG)], cash_fen=50000, cash_confirmed=True)
    assert not desk.verify().ok  # the edited state breaks the genuine next receipt's number
    full = desk.verify(full=True)
    assert full.ok and full.rules_from == 0


def test_a_rewritten_acknowledged_entry_is_named_with_a_state_saved(desk: Desk, agent: UserInfo) -> None:
    """The journal rewritten before the saved entry, every hash after it made again: the walk
    arrives at the saved entry with another hash, so the state is not used."""
    seqs = _saved(desk, agent)
    _swap_signature(desk.db.path, seqs[1], seqs[0])
    _mark_follows_the_file(desk)
    result = desk.verify()
    assert not result.ok and result.first_bad_seq == seqs[1]
    assert "签名不对" in (result.reason or "")


def test_a_changed_kind_column_before_the_saved_entry_is_named(desk: Desk, agent: UserInfo) -> None:
    """The hash covers the body, not the journal's kind column: a receipt's entry relabelled as
    a print (and its rows left where they are) is named, though its body is untouched."""
    seqs = _saved(desk, agent)
    _shell(desk.db.path, f"UPDATE journal SET kind = 'print' WHERE seq = {seqs[0]}")
    result = desk.verify()
    assert not result.ok and result.first_bad_seq == seqs[0]
    assert "类型或时间与内容不符" in (result.reason or "")


def test_a_changed_time_column_before_the_saved_entry_is_named(desk: Desk, agent: UserInfo) -> None:
    seqs = _saved(desk, agent)
    _shell(desk.db.path, f"UPDATE journal SET recorded_at = '2026-01-01T00:00:00' WHERE seq = {seqs[1]}")
    result = desk.verify()
    assert not result.ok and result.first_bad_seq == seqs[1]


def test_an_acknowledged_receipts_row_is_still_compared_with_its_entry(desk: Desk, agent: UserInfo) -> None:
    seqs = _saved(desk, agent)
    assert desk.verify().rules_from == seqs[2]
    _shell(desk.db.path, f"UPDATE receipt SET payer_name = '王二' WHERE journal_seq = {seqs[0]}")
    result = desk.verify()
    assert not result.ok and result.first_bad_seq == seqs[0]
    assert "收据表与日志" in (result.reason or "")
