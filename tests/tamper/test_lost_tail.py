"""An insider with the database file deletes the newest entries together with their table rows.

The chain that is left is whole, so the file alone cannot tell; the high-water mark kept in the
OS keyring can (app/storage/highwater.py). Each attack is done the way a person with the
sqlite3 shell would: drop the triggers, delete, put the triggers back.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from app.domain.insurance import Insurance
from app.domain.records import UserInfo
from app.services.database import LedgerTampered
from app.services.desk import Desk
from app.services.errors import StorageError
from app.services.receipts import LineRequest
from tests.conftest import AGENT_PIN
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_MOTHER, ZHANG_WIFE, FakeClock
from tests.keyrings import MemoryKeyring


def _med(person: object) -> LineRequest:
    return LineRequest(person.id_number, Insurance.MEDICAL, 2027)  # type: ignore[attr-defined]


def _cut_tail(db: Path, drop: int) -> None:
    """Delete the newest `drop` journal entries and every row projected from them."""
    conn = sqlite3.connect(db, isolation_level=None)
    keep_seq = conn.execute("SELECT MAX(seq) FROM journal").fetchone()[0] - drop
    triggers = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("DELETE FROM receipt_line WHERE receipt_number IN "
                 "(SELECT number FROM receipt WHERE journal_seq > ?)", (keep_seq,))
    for table in ("void", "refund_request", "settlement", "remittance", "receipt"):
        conn.execute(f"DELETE FROM {table} WHERE journal_seq > ?", (keep_seq,))
    conn.execute("DELETE FROM journal WHERE seq > ?", (keep_seq,))
    for (sql,) in triggers:
        conn.execute(sql)
    conn.close()


def _day(desk: Desk, agent: UserInfo) -> list[str]:
    return [desk.receipts.record(agent, [_med(p)], cash_fen=40000).number
            for p in (ZHANG, ZHANG_WIFE, AYGUL)]


def test_deleting_the_newest_receipt_is_caught_and_its_number_never_reissued(
        desk: Desk, agent: UserInfo, tmp_path: Path) -> None:
    numbers = _day(desk, agent)
    home = desk.home
    desk.close()
    _cut_tail(home / "daishou.sqlite3", drop=1)  # the third receipt is gone without a trace

    again = Desk(home, clock=desk.clock)
    result = again.verify()
    assert not result.ok
    assert "账本文件末尾缺少记录" in (result.reason or "")
    assert "收据序号 3" in (result.reason or "")
    signed_in = again.users.authenticate("李代收", "1234")
    with pytest.raises(LedgerTampered, match="为免收据号重复，已停止记账"):
        again.receipts.record(signed_in, [_med(ZHANG_MOTHER)], cash_fen=12000)
    assert [r.number for r in again.receipts.list()] == numbers[:2]  # 000003 was not issued again
    again.close()


def test_an_older_copy_opened_in_another_folder_is_held_against_the_same_mark(
        desk: Desk, agent: UserInfo, tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    """The file of two receipts ago copied into a new folder and the desk started there: the
    mark is the device's, not the folder's, so the numbers already issued are not issued again."""
    _day(desk, agent)
    desk.close()
    older = tmp_path / "elsewhere"
    older.mkdir()
    (older / "daishou.sqlite3").write_bytes((desk.home / "daishou.sqlite3").read_bytes())
    _cut_tail(older / "daishou.sqlite3", drop=2)  # as the backup made two receipts ago was
    copy = Desk(older, clock=desk.clock)
    result = copy.verify()
    assert not result.ok and "收据序号 3" in (result.reason or "")
    with pytest.raises(LedgerTampered, match="为免收据号重复，已停止记账"):
        copy.receipts.record(copy.users.authenticate("李代收", "1234"), [_med(ZHANG_MOTHER)], cash_fen=12000)
    copy.close()
    marks = [k for (service, k) in memory_keyring.values if service == "daishou-ledger-mark" and "#" not in k]
    assert marks == ["device:341824100201:1"]  # one mark for the device, none per folder


def test_a_mark_kept_under_the_folder_by_an_earlier_release_still_holds(
        desk: Desk, agent: UserInfo, memory_keyring: MemoryKeyring) -> None:
    """An earlier release kept the mark under the folder's path: it moves to the device's key the
    first time it is read, so a tail cut before the upgrade is still caught after it."""
    _day(desk, agent)
    desk.close()
    device_key = "device:341824100201:1"
    for (service, key) in list(memory_keyring.values):
        if service == "daishou-ledger-mark" and key.startswith(device_key):
            folder_key = str(desk.home.resolve()) + key.removeprefix(device_key)
            memory_keyring.values[(service, folder_key)] = memory_keyring.values.pop((service, key))
    _cut_tail(desk.db.path, drop=1)
    again = Desk(desk.home, clock=desk.clock)
    result = again.verify()
    assert not result.ok and "收据序号 3" in (result.reason or "")
    assert ("daishou-ledger-mark", device_key) in memory_keyring.values
    again.close()


def test_deleting_a_settled_day_with_its_settlement_is_caught(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    _day(desk, agent)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=120000)
    clock.next_day()
    desk.receipts.record(agent, [_med(ZHANG_MOTHER)], cash_fen=12000)
    desk.close()
    _cut_tail(desk.db.path, drop=2)  # the settlement and the next day's receipt

    again = Desk(desk.home, clock=clock)
    result = again.verify()
    assert not result.ok and "末尾缺少记录" in (result.reason or "")
    again.close()


def test_rewriting_the_newest_entry_with_a_recomputed_hash_is_caught(
        desk: Desk, agent: UserInfo) -> None:
    _day(desk, agent)
    desk.close()
    conn = sqlite3.connect(desk.db.path, isolation_level=None)
    (trigger,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'journal_no_update'").fetchone()
    conn.execute("DROP TRIGGER journal_no_update")
    seq, body, prev = conn.execute("SELECT seq, body, prev_hash FROM journal ORDER BY seq DESC").fetchone()
    forged = body.replace('"cash_fen":40000', '"cash_fen":40000 ')  # any change, hash made anew
    conn.execute("UPDATE journal SET body = ?, hash = ? WHERE seq = ?",
                 (forged, hashlib.sha256((prev + forged).encode()).hexdigest(), seq))
    conn.execute(trigger)  # and the trigger put back, so the file looks untouched
    conn.close()

    again = Desk(desk.home, clock=desk.clock)
    result = again.verify()
    assert not result.ok and "与本机记下的不同" in (result.reason or "")
    again.close()


def test_an_emptied_ledger_is_not_a_new_village(desk: Desk, agent: UserInfo) -> None:
    _day(desk, agent)
    desk.close()
    _cut_tail(desk.db.path, drop=8)  # everything: device, configuration, users, roster, receipts
    again = Desk(desk.home, clock=desk.clock)
    result = again.verify()
    assert not result.ok and "文件中只有第 0 条" in (result.reason or "")
    again.close()


def test_without_a_keyring_the_desk_works_and_verify_says_what_it_could_not_check(
        desk: Desk, agent: UserInfo, memory_keyring: MemoryKeyring) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    plain = Desk(desk.home, clock=desk.clock)
    plain.receipts.record(plain.users.authenticate("李代收", "1234"), [_med(ZHANG)], cash_fen=40000)
    result = plain.verify()
    assert result.ok
    assert "本机没有可用的系统密钥库" in (result.note or "")
    plain.close()


def test_an_honest_ledger_passes_and_keeps_its_mark_current(
        desk: Desk, agent: UserInfo, memory_keyring: MemoryKeyring) -> None:
    _day(desk, agent)
    result = desk.verify()
    assert (result.ok, result.note) == (True, None)
    marks = [v for (service, _), v in memory_keyring.values.items() if service == "daishou-ledger-mark"]
    assert len(marks) == 1 and '"receipt_seq": 3' in marks[0]


def test_a_trigger_dropped_or_replaced_by_a_harmless_one_is_caught(desk: Desk, agent: UserInfo) -> None:
    _day(desk, agent)
    desk.close()
    conn = sqlite3.connect(desk.db.path, isolation_level=None)
    conn.execute("DROP TRIGGER receipt_no_delete")
    conn.close()
    result = desk.verify()
    assert not result.ok and "触发器 receipt_no_delete 被删除" in (result.reason or "")
    conn = sqlite3.connect(desk.db.path, isolation_level=None)
    conn.execute("CREATE TRIGGER receipt_no_delete BEFORE DELETE ON receipt BEGIN SELECT 1; END")
    conn.close()
    result = desk.verify()
    assert not result.ok and "触发器 receipt_no_delete 被改动" in (result.reason or "")


def test_damaged_pages_are_reported_by_verify(desk: Desk, agent: UserInfo) -> None:
    _day(desk, agent)
    desk.close()
    conn = sqlite3.connect(desk.db.path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_receipt_day_seq'").fetchone()
    conn.close()
    with open(desk.db.path, "r+b") as f:  # scribble over one index page, as a failing disk would
        f.seek((root - 1) * page + 8)
        f.write(b"\xff" * 64)
    result = desk.verify()
    assert not result.ok and "数据文件损坏" in (result.reason or "")
    assert desk.verify().to_json()["ok"] is False
    # and nothing more is written to it: the next process's first write is refused up front
    with Desk(desk.home, clock=desk.clock) as again:
        agent = again.users.authenticate("李代收", AGENT_PIN)
        with pytest.raises(StorageError, match="数据文件已损坏.*不能继续写入"):
            again.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
