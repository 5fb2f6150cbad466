"""The data file: pragmas, schema version, migration backups, append-only tables, verify."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.storage import verify as verify_module
from app.storage import verify_receipts
from app.storage.db import SCHEMA_VERSION, StorageError, open_database
from app.storage.journal import entry_hash
from tests.core.test_receipts import med
from tests.factories import ZHANG, ZHANG_WIFE, FakeClock, signed_agent

SQLITE3 = shutil.which("sqlite3")


def test_database_runs_in_wal_with_full_sync_and_foreign_keys(desk: Desk) -> None:
    for opened in (desk.db.write, desk.db.read):  # the writer's connection and a reader's
        with opened() as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert sqlite3.connect(desk.db.path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "daishou.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match="由较新版本的 Daishou 创建.*请安装新版本程序"):
        open_database(path)


def test_migrating_an_old_file_backs_it_up_first(tmp_path: Path) -> None:
    path = tmp_path / "daishou.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE legacy (x)")
    conn.execute("INSERT INTO legacy VALUES (42)")
    conn.commit()
    conn.close()
    open_database(path, backup_dir=tmp_path / "backups")
    backups = list((tmp_path / "backups").glob("daishou-v0-*.sqlite3"))
    assert len(backups) == 1
    assert sqlite3.connect(backups[0]).execute("SELECT x FROM legacy").fetchone() == (42,)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_corrupt_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "daishou.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="已损坏或不是 Daishou 数据库"):
        open_database(path)


def _ledger(desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    a = desk.receipts.record(agent, [med(ZHANG)], cash_fen=50000)
    desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.receipts.void(a.number, reason="错收", agent=agent, head=head)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    desk.settlements.remit(amount_fen=40000, slip_no="BK9", day=clock().date(), by=agent)


@pytest.mark.parametrize("statement", [
    "UPDATE journal SET kind = 'x'", "DELETE FROM journal", "UPDATE receipt SET total_fen = 1",
    "DELETE FROM receipt_line", "DELETE FROM void", "UPDATE settlement SET counted_fen = 0",
    "DELETE FROM remittance"])
def test_the_ledger_refuses_updates_and_deletes(desk: Desk, agent: UserInfo, head: UserInfo,
                                                clock: FakeClock, statement: str) -> None:
    _ledger(desk, agent, head, clock)
    conn = sqlite3.connect(desk.db.path)
    with pytest.raises(sqlite3.IntegrityError, match="账本记录不可修改或删除"):
        conn.execute(statement)


def test_verify_passes_on_an_honest_ledger(desk: Desk, agent: UserInfo, head: UserInfo,
                                           clock: FakeClock) -> None:
    _ledger(desk, agent, head, clock)
    result = desk.verify()
    # the device, the configuration, 2 users, the roster, 2 receipts, a void, a settlement, a remittance
    assert (result.ok, result.entries, result.first_bad_seq) == (True, 10, None)


def _shell(db: Path, sql: str) -> None:
    assert SQLITE3, "the sqlite3 shell is installed by installer/dev.sh"
    subprocess.run([SQLITE3, str(db), sql], check=True, capture_output=True)


# {r2}: the journal entry of the second receipt; {void}: of the void (the journal also holds the
# device, the county configuration and the users, so the numbers are looked up, not assumed).
@pytest.mark.parametrize(("sql", "bad", "reason"), [
    # someone lowers an amount in the journal itself
    ("DROP TRIGGER journal_no_update; UPDATE journal SET body = replace(body, '\"total_fen\":40000', "
     "'\"total_fen\":30000') WHERE seq = {r2}", "r2", "内容与其哈希不符"),
    # ... or deletes a whole entry
    ("DROP TRIGGER journal_no_delete; PRAGMA foreign_keys=OFF; DELETE FROM journal WHERE seq = {r2}", "r2",
     "缺失"),
    # ... or edits only the receipt table the screens read from
    ("DROP TRIGGER receipt_no_update; UPDATE receipt SET total_fen = 30000 WHERE receipt_seq = 2", "r2",
     "收据表与日志第 {r2} 条不符"),
    # ... or removes the void, to make a voided receipt look valid again
    ("DROP TRIGGER void_no_delete; DELETE FROM void", "void", "作废表与日志第 {void} 条不符或缺失"),
    # ... or slips in a receipt line that was never journaled
    ("INSERT INTO receipt_line VALUES ('341824100201-01-000002', 9, '1', '某', 'medical', 2027, NULL, 1, 1)",
     None, "收据明细表有日志中没有的记录"),
    # ... or a line of a receipt that was never recorded at all
    ("INSERT INTO receipt_line VALUES ('341824100201-01-000099', 1, '1', '某', 'medical', 2027, NULL, 1, 1)",
     None, "收据明细表有日志中没有的记录：341824100201-01-000099"),
    # ... or lowers a line's amount, or removes the line
    ("DROP TRIGGER receipt_line_no_update; UPDATE receipt_line SET amount_fen = 30000 "
     "WHERE receipt_number = '341824100201-01-000002'", "r2", "收据明细表与日志第 {r2} 条不符"),
    ("DROP TRIGGER receipt_line_no_delete; DELETE FROM receipt_line WHERE receipt_number = '341824100201-01-000002'",
     "r2", "收据明细表与日志第 {r2} 条不符"),
    # ... or writes bytes where the payer's name was (JSON cannot hold them: compared in Python)
    ("DROP TRIGGER receipt_no_update; UPDATE receipt SET payer_name = X'e5bca0e4b889' WHERE receipt_seq = 2", "r2",
     "收据表与日志第 {r2} 条不符"),
    # ... or puts a space before the agent's name (the same on screen)
    ("DROP TRIGGER receipt_no_update; UPDATE receipt SET agent = ' 李代收' WHERE receipt_seq = 2", "r2",
     "收据表与日志第 {r2} 条不符"),
])
def test_verify_names_the_first_entry_edited_with_the_sqlite_shell(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
        sql: str, bad: str | None, reason: str) -> None:
    _ledger(desk, agent, head, clock)
    desk.close()
    conn = sqlite3.connect(desk.db.path)
    seqs = {"r2": conn.execute("SELECT journal_seq FROM receipt WHERE receipt_seq = 2").fetchone()[0],
            "void": conn.execute("SELECT journal_seq FROM void").fetchone()[0]}
    conn.close()
    _shell(desk.db.path, sql.format(**seqs))
    result = desk.verify()
    assert not result.ok
    assert result.first_bad_seq == (seqs[bad] if bad else None)
    assert reason.format(**seqs) in (result.reason or "")


def test_a_receipt_written_with_other_escapes_is_the_same_receipt(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables are compared with the entries as JSON text first; text that differs only in how
    it is written (a name as \\u escapes, as another JSON writer would put it) is looked at again
    field by field and is not taken for an edit. The chain is rewritten with the hashes
    recomputed and the trigger put back as it was, as a careful forger would."""
    _ledger(desk, agent, head, clock)
    desk.close()
    conn = sqlite3.connect(desk.db.path, isolation_level=None)
    r2 = conn.execute("SELECT journal_seq FROM receipt WHERE receipt_seq = 2").fetchone()[0]
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'journal_no_update'").fetchone()[0]
    conn.execute("DROP TRIGGER journal_no_update")
    prev = conn.execute("SELECT hash FROM journal WHERE seq = ?", (r2 - 1,)).fetchone()[0]
    for seq, body in conn.execute("SELECT seq, body FROM journal WHERE seq >= ? ORDER BY seq", (r2,)).fetchall():
        if seq == r2:
            body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
            assert "\\u" in body  # the names are now escapes
        digest = entry_hash(prev, body)
        conn.execute("UPDATE journal SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?", (body, prev, digest, seq))
        prev = digest
    conn.execute(trigger)
    conn.close()
    looked_again: list[int] = []
    exact = verify_receipts._receipt_entry_problems

    def spy(c: sqlite3.Connection, seq: int) -> list[tuple[int | None, str]]:
        looked_again.append(seq)
        return exact(c, seq)

    monkeypatch.setattr(verify_receipts, "_receipt_entry_problems", spy)
    result = verify_module.verify_database(desk.db.path)
    assert (result.ok, result.reason) == (True, None)
    assert looked_again == [r2]


def test_app_imports_without_qt_network_or_printing_libraries(tmp_path: Path) -> None:
    blocker = tmp_path / "block.py"
    blocker.write_text(
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] in {'PySide6', 'shiboken6', 'httpx', 'reportlab', 'escpos', 'keyring'}:\n"
        "            raise ImportError(f'blocked {name}')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import pkgutil, importlib, app\n"
        "mods = [m.name for m in pkgutil.walk_packages(app.__path__, 'app.') if not m.name.endswith('__main__')]\n"
        "for m in mods: importlib.import_module(m)\n"
        "print(len(mods))\n")
    out = subprocess.run([__import__("sys").executable, str(blocker)], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) >= 15


def test_verify_sees_one_state_of_the_ledger_while_the_desk_keeps_recording(
        desk: Desk, agent: UserInfo, tmp_path: Path) -> None:
    """Checking the ledger while receipts are being recorded: no lock error, and no receipt
    committed in between taken for tampering."""
    import threading
    from datetime import date

    from app.domain.insurance import Insurance
    from app.services.receipts import LineRequest
    from tests.factories import Resident, make_id, write_roster

    people = [Resident(make_id(date(1960, 1, 1 + i % 28), i // 28), "张某", pension_tier=None,
                       household=f"9{i:04d}") for i in range(300)]
    desk.roster.import_file(write_roster(tmp_path / "more.csv", people), by=signed_agent(desk),
                            allow_removals=True)
    stop = threading.Event()

    def record() -> None:
        for p in people:
            if stop.is_set():
                return
            desk.receipts.record(agent, [LineRequest(p.id_number, Insurance.MEDICAL, 2027)], cash_fen=40000)

    writer = threading.Thread(target=record)
    writer.start()
    try:
        results = [desk.verify() for _ in range(15)]
    finally:
        stop.set()
        writer.join()
    assert all(r.ok for r in results), [r.reason for r in results if not r.ok]
    assert results[-1].entries > results[0].entries  # the desk really was recording meanwhile


def test_the_services_hold_no_sql_of_their_own() -> None:
    """One access style: the services say what to read or write and app/storage holds the SQL.
    The exceptions: the connection's own transaction statements (database.py), and the search
    box's one-statement scan, kept beside the in-memory index whose answers it must equal
    (tests/roster/test_search_before_index.py)."""
    import re

    allowed = {"database.py", "search.py"}
    services = Path(__file__).resolve().parents[2] / "app" / "services"
    offenders = sorted(str(f.relative_to(services)) for f in services.rglob("*.py")
                       if f.name not in allowed and re.search(r"\.execute(many)?\(", f.read_text(encoding="utf-8")))
    assert offenders == []
