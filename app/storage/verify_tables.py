"""Verify, third part: the tables other than the receipts' against what the journal says (users,
device, configuration, roster, prints, serials, voids, settlements, remittances, refunds,
payments), rows with no entry behind them, the triggers and SQLite's own integrity check."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.storage.db import expected_triggers
from app.storage.digest import ROSTER_DIGESTS
from app.storage.verify_door import DOOR_BACKWARD, DOOR_LABELS, DOOR_OTHER


def compare_serials(conn: sqlite3.Connection, journalled: dict[str, tuple[Any, ...]]) -> list[tuple[int | None, str]]:
    """Every serial of the uniform receipts the journal used (by a receipt, or spoiled) is in the
    serial table as the entry says, and the table holds no other."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'receipt_serial'").fetchone():
        return []  # a file saved before the uniform receipts (a backup reviewed as it is)
    table = {str(s): (int(q), n, r) for s, q, n, r in conn.execute(
        "SELECT serial, journal_seq, receipt_number, spoiled_reason FROM receipt_serial")}
    if table == journalled:
        return []
    for serial, want in sorted(journalled.items(), key=lambda kv: kv[1][0]):
        if table.get(serial) != want:
            return [(want[0], f"统一票据 {serial} 的记录与日志第 {want[0]} 条不符或缺失")]
    extra = sorted(set(table) - set(journalled))
    return [(None, f"统一票据表有日志中没有的票号 {extra[0]}")]


def compare_prints(conn: sqlite3.Connection, journalled: Counter[tuple[Any, ...]]) -> list[tuple[int | None, str]]:
    """Every print attempt (the original and each 补打) is in the journal; the print table must
    hold the same. Print rows of files from before prints were journalled have no entries and
    are left out of the comparison (they precede the first journalled print)."""
    if not journalled:
        return []
    first = conn.execute("SELECT MIN(seq) FROM journal WHERE kind = 'print'").fetchone()[0]
    at = conn.execute("SELECT recorded_at FROM journal WHERE seq = ?", (first,)).fetchone()[0]
    table = Counter((str(n), bool(ok), int(c), e) for n, ok, c, e in conn.execute(
        "SELECT receipt_number, ok, copy_no, error FROM print_event WHERE recorded_at >= ?",
        (str(at).replace("T", " "),)))
    if table != journalled:
        missing = journalled - table
        what = next(iter(missing or (table - journalled)))
        kind = "被删除" if missing else "不在日志中"
        return [(None, f"收据 {what[0]} 的打印记录（第 {what[2] + 1} 次）{kind}：补打不能隐藏")]
    return []


def compare_setup(conn: sqlite3.Connection, journalled: dict[str, tuple[int, dict[str, Any]]]
                   ) -> list[tuple[int | None, str]]:
    """The device row and the county configuration must be what their newest entries say:
    raising an amount in the configuration to take more cash, then restoring it, is caught
    because the entry of each import stays in the chain."""
    problems: list[tuple[int | None, str]] = []
    if "device" in journalled:
        seq, d = journalled["device"]
        row = conn.execute("SELECT village_code, village_name, township_code, township_name, device_no "
                           "FROM device WHERE id = 1").fetchone()
        if row is None or tuple(row) != (d["village_code"], d["village_name"], d["township_code"],
                                         d["township_name"], d["device_no"]):
            problems.append((seq, f"本机身份（村代码、设备号）与日志第 {seq} 条不符"))
    if "roster" in journalled:
        seq, d = journalled["roster"]
        key = next(k for k in ROSTER_DIGESTS if k in d)  # the form the entry was made in
        if ROSTER_DIGESTS[key](conn) != d[key]:
            problems.append((seq, f"征收清册（应缴、已缴标记、移除、人员类别）与日志第 {seq} 条记录的导入结果不符"
                                  "（清册被改动）"))
    if "config" in journalled:
        seq, d = journalled["config"]
        row = conn.execute("SELECT value FROM setting WHERE key = 'county_config'").fetchone()
        if row is None or row[0] != d["config"]:
            problems.append((seq, f"县级配置与日志第 {seq} 条记录的导入内容不符（配置被改动）"))
    return problems


def compare_users(conn: sqlite3.Connection,
                   journalled: dict[str, tuple[int, tuple[Any, ...]]]) -> list[tuple[int | None, str]]:
    """The user table must hold exactly what the newest entry of each user says (role, PIN hash
    and its cost, active). A file from before users were journalled has no user entries yet;
    they are written at the next sign-in, and until then there is nothing to compare."""
    if not journalled:
        return []
    rows = {str(name): (role, bool(active), bytes(salt).hex(), bytes(digest).hex(), kdf, (int(failed), when_locked(until)))
            for name, role, active, salt, digest, kdf, failed, until in conn.execute(
                "SELECT name, role, active, pin_salt, pin_hash, pin_kdf, failed_attempts, locked_until FROM user")}
    for name, (seq, state) in sorted(journalled.items(), key=lambda kv: kv[1][0]):
        row = rows.get(name)
        if row is None or row[:5] != state[:5]:
            return [(seq, f"用户表中「{name}」的角色或密码与日志第 {seq} 条不符（用户被改动）")]
        if state[5] is not None and row[5] != state[5]:  # entries from before the count was journalled: no count
            return [(seq, f"用户表中「{name}」的输错次数或锁定时间与日志第 {seq} 条不符（锁定被改动）")]
    extra = sorted(set(rows) - set(journalled))
    if extra:
        return [(None, f"用户表有日志中没有的用户「{extra[0]}」")]
    return []


def when_locked(value: object) -> datetime | None:
    """A lockout time as the user table or a journal entry holds it (text, either separator)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


_Pick = Callable[[int, dict[str, Any]], tuple[Any, ...]]
OTHER: dict[str, tuple[str, _Pick, _Pick]] = {
    "void": ("SELECT journal_seq, day, reason, agent, head FROM void WHERE receipt_number = ?",
             lambda seq, d: (d["number"],), lambda seq, d: (seq, d["day"], d["reason"], d["agent"], d["head"])),
    "settlement": ("SELECT journal_seq, expected_fen, counted_fen, difference_fen, reason, receipts, voids, "
                   "agent, head FROM settlement WHERE day = ? AND round_no = ?",
                   lambda seq, d: (d["day"], d.get("round", 1)),
                   lambda seq, d: (seq, d["expected_fen"], d["counted_fen"], d["difference_fen"], d["reason"],
                                   d["receipts"], d["voids"], d["agent"], d["head"])),
    "remittance": ("SELECT journal_seq, slip_no, amount_fen, day FROM remittance WHERE journal_seq = ?",
                   lambda seq, d: (seq,), lambda seq, d: (seq, d["slip_no"], d["amount_fen"], d["day"])),
    "refund_request": ("SELECT journal_seq, amount_fen, reason, agent, head FROM refund_request "
                       "WHERE receipt_number = ?", lambda seq, d: (d["number"],),
                       lambda seq, d: (seq, d["amount_fen"], d["reason"], d["agent"], d["head"])),
    "paid_on_behalf": ("SELECT journal_seq, voucher, channel, amount_fen, agent FROM paid_on_behalf "
                       "WHERE receipt_number = ?", lambda seq, d: (d["number"],),
                       lambda seq, d: (seq, d["voucher"], d["channel"], d["amount_fen"], d["by"])),
}
_LABELS = {"void": "作废", "settlement": "日结", "remittance": "解缴", "refund_request": "退费申请",
           "paid_on_behalf": "代为缴费"}
OTHER.update(DOOR_OTHER)  # issue 25: door to door (app/storage/verify_door.py)
_LABELS.update(DOOR_LABELS)


def compare_other(conn: sqlite3.Connection, seq: int, kind: str, d: dict[str, Any]) -> list[tuple[int | None, str]]:
    query, key, want = OTHER[kind]
    row = conn.execute(query, key(seq, d)).fetchone()
    if row is None or tuple(row) != want(seq, d):
        return [(seq, f"{_LABELS[kind]}表与日志第 {seq} 条不符或缺失")]
    return []


# Lines of no receipt row. (Lines beyond an entry's own are found beside the entry, and a receipt
# row with no entry behind it by verify_receipts.compare_receipt_rows: looking its lines' entry up
# too cost 100,000 lookups more for nothing.)
_LINE_BACKWARD = (
    "SELECT l.receipt_number, l.receipt_number FROM receipt_line l LEFT JOIN receipt r "
    "ON r.number = l.receipt_number WHERE r.number IS NULL LIMIT 1")
_OTHER_BACKWARD = [
    ("void", "SELECT v.journal_seq, v.receipt_number FROM void v LEFT JOIN journal j ON j.seq = v.journal_seq "
             "AND j.kind = 'void' WHERE j.seq IS NULL LIMIT 1"),
    ("settlement", "SELECT s.journal_seq, s.day FROM settlement s LEFT JOIN journal j ON j.seq = s.journal_seq "
                   "AND j.kind = 'settlement' WHERE j.seq IS NULL LIMIT 1"),
    ("remittance", "SELECT r.journal_seq, r.slip_no FROM remittance r LEFT JOIN journal j "
                   "ON j.seq = r.journal_seq AND j.kind = 'remittance' WHERE j.seq IS NULL LIMIT 1"),
    ("refund_request", "SELECT r.journal_seq, r.receipt_number FROM refund_request r LEFT JOIN journal j "
                       "ON j.seq = r.journal_seq AND j.kind = 'refund_request' WHERE j.seq IS NULL LIMIT 1"),
    ("paid_on_behalf", "SELECT p.journal_seq, p.receipt_number FROM paid_on_behalf p LEFT JOIN journal j "
                       "ON j.seq = p.journal_seq AND j.kind = 'paid_on_behalf' WHERE j.seq IS NULL LIMIT 1"),
    *DOOR_BACKWARD,
]


def rows_without_entries(conn: sqlite3.Connection) -> list[tuple[int | None, str]]:
    """Rows with no journal entry behind them (the chain walk compares every entry's rows; the
    receipt rows are looked at with the other receipt checks, verify_receipts.py)."""
    problems: list[tuple[int | None, str]] = []
    row = conn.execute(_LINE_BACKWARD).fetchone()
    if row:
        problems.append((None, f"收据明细表有日志中没有的记录：{row[1]}"))
    tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for kind, query in _OTHER_BACKWARD:
        if kind not in tables:  # a file saved before the table existed (a backup reviewed as it is)
            continue
        row = conn.execute(query).fetchone()
        if row:
            problems.append((None, f"{_LABELS[kind]}表有日志中没有的记录：{row[1]}"))
    return problems


def file_checks(conn: sqlite3.Connection, *, full: bool = True) -> list[tuple[int | None, str]]:
    """The file itself: SQLite's own integrity check, and every trigger that refuses UPDATE and
    DELETE still there and unchanged (dropping one is how an edit with the sqlite3 shell starts).

    Not `full`: SQLite's quick check, every page of every table and index read and its structure
    checked, but not each index's entries against its table's rows (derived data that the
    comparisons of the journal with the tables read through anyway): a fifth of the time at
    100,000 receipts."""
    check = "integrity_check" if full else "quick_check"
    damage = [str(r[0]) for r in conn.execute(f"PRAGMA {check}").fetchall()]
    if damage != ["ok"]:
        return [(None, f"数据文件损坏（SQLite 完整性检查：{damage[0][:80]}）"), *trigger_checks(conn)]
    return trigger_checks(conn)


def trigger_checks(conn: sqlite3.Connection) -> list[tuple[int | None, str]]:
    """Every trigger that refuses UPDATE and DELETE is there as the schema made it."""
    problems: list[tuple[int | None, str]] = []
    have = {str(n): str(sql) for n, sql in
            conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for name, sql in sorted(expected_triggers(version).items()):
        if have.get(name) != sql:
            what = "被删除" if name not in have else "被改动"
            problems.append((None, f"保护账本的触发器 {name} {what}（有人绕过程序改过数据文件）"))
            break
    return problems


def compare_signatures(conn: sqlite3.Connection) -> list[tuple[int | None, str]]:
    problems: list[tuple[int | None, str]] = []
    for digest, png in conn.execute("SELECT sha256, png FROM signature"):
        if hashlib.sha256(png).hexdigest() != digest:
            problems.append((None, f"签名图像 {digest[:12]} 与其哈希不符"))
    row = conn.execute(
        "SELECT r.journal_seq FROM receipt r LEFT JOIN signature s ON s.sha256 = r.signature_sha256 "
        "WHERE r.signature_sha256 IS NOT NULL AND s.sha256 IS NULL ORDER BY r.journal_seq LIMIT 1").fetchone()
    if row:
        problems.append((row[0], f"日志第 {row[0]} 条的签名图像缺失"))
    return problems
