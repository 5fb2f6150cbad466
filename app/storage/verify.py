"""Recompute the journal's hash chain and every table derived from it.

Receipts are the bulk of a ledger (100,000 entries in a township season). The work is split so
that both cores of an agent's laptop take part:

- the chain walk (Python: each body hashed and parsed once with orjson, the chain rules) reads
  only the journal;
- the receipt and line tables are compared with the receipt entries in SQL, on other
  connections, where sqlite3 lets go of the GIL: each receipt row and its lines rendered as JSON
  beside the same fields extracted from the body (one parse of the body in C). Only the rows
  that query finds different are compared again in Python, field by field, so text that renders
  differently but means the same (an escape written another way) is never taken for tampering;
- SQLite's integrity check and the checks for rows with no journal entry behind them run beside
  them.
"""

from __future__ import annotations

import gc
import hashlib
import operator
import sqlite3
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from app.domain.chain import ChainError, ChainRules
from app.storage.db import expected_triggers
from app.storage.digest import ROSTER_DIGESTS
from app.storage.errors import is_interrupt


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_bad_seq: int | None
    reason: str | None
    note: str | None = None  # what could not be checked (no keyring for the high-water mark)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "first_bad_seq": self.first_bad_seq,
                "reason": self.reason, "note": self.note}


class _Bad(Exception):
    def __init__(self, seq: int | None, reason: str) -> None:
        super().__init__(reason)
        self.seq, self.reason = seq, reason


def verify_database(path: Path) -> VerifyResult:
    """Read-only check of a database file.

    The chain walk (Python, hashing) and the projection comparison (SQL) run at the same time on
    two connections: sqlite3 lets go of the GIL while SQLite works, so the two use both cores.
    """
    try:
        return _verify(path)
    except sqlite3.DatabaseError as exc:  # damaged pages: SQLite cannot read the file
        return VerifyResult(False, 0, None, f"数据文件损坏，无法完整读取（{exc}）。请用备份恢复并联系乡镇社保所")


def _verify(path: Path) -> VerifyResult:
    chain, files, receipts = (_snapshot(path) for _ in range(3))
    entries = 0
    try:
        entries = int(chain.execute("SELECT COUNT(*) FROM journal").fetchone()[0])
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="verify") as pool:
            compared = [pool.submit(_interruptible, _compare_receipt_rows, receipts),
                        pool.submit(_interruptible, _compare_files, files)]
            try:
                problems = _walk_chain(chain)
            except BaseException:
                files.interrupt()  # the chain already failed: no need to finish comparing
                receipts.interrupt()
                raise
            for job in compared:
                problems += job.result()
        if problems:
            seq, reason = min(problems, key=lambda p: (p[0] is None, p[0] or 0))
            raise _Bad(seq, reason)
    except _Bad as bad:
        return VerifyResult(False, entries, bad.seq, bad.reason)
    finally:
        for conn in (chain, files, receipts):
            conn.close()
    return VerifyResult(True, entries, None, None)


def _snapshot(path: Path) -> sqlite3.Connection:
    """A read-only connection inside its own read transaction (a stable snapshot).

    The connections of one verify need not see the same state: the chain walk reads only the
    journal and what its voids, settlements and remittances name, each comparison one query
    over the journal and the tables it checks, each within one snapshot; receipts committed
    meanwhile are simply not in the older one.
    """
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN")
    conn.execute("SELECT 1 FROM journal LIMIT 1")  # BEGIN is lazy: take the snapshot now
    return conn


def _interruptible(check: Callable[[sqlite3.Connection], list[tuple[int | None, str]]],
                   conn: sqlite3.Connection) -> list[tuple[int | None, str]]:
    try:
        return check(conn)
    except sqlite3.OperationalError as exc:
        if is_interrupt(exc):  # the chain walk failed first and stopped this check
            return []
        raise


def _compare_files(conn: sqlite3.Connection) -> list[tuple[int | None, str]]:
    return _file_checks(conn) + _compare_receipts(conn) + _compare_signatures(conn)


_CHAIN = "SELECT seq, kind, recorded_at, CAST(body AS BLOB), prev_hash, hash FROM journal ORDER BY seq"


def _walk_chain(conn: sqlite3.Connection) -> list[tuple[int | None, str]]:
    # The walk makes a few hundred thousand objects (parsed bodies, the rules' state) and no
    # reference cycles; the cyclic collector would rescan the growing state again and again
    # (a fifth of the walk at 100,000 entries). It runs once, after.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _replay(conn, conn.execute(_CHAIN))
    finally:
        if was_enabled:
            gc.enable()


_RECEIPT_FIELDS = operator.itemgetter("number", "receipt_seq", "day", "payer", "agent", "total_fen",
                                      "cash_fen", "change_fen", "payer_signoff", "signature_sha256",
                                      "override_reason")
_PAYER_FIELDS = operator.itemgetter("id_number", "name")
_LINE_FIELDS = operator.itemgetter("id_number", "name", "insurance", "year", "tier_fen", "amount_fen", "due_fen")


def _receipt_row(d: dict[str, Any]) -> tuple[Any, ...]:
    """What the receipt table must hold for a receipt entry's data (its columns in _CHAIN)."""
    try:  # every field there: one C call (this runs 100,000 times in a season's verify)
        number, receipt_seq, day, payer, *rest = _RECEIPT_FIELDS(d)
        return (number, receipt_seq, day, *_PAYER_FIELDS(payer), *rest)
    except (KeyError, TypeError):  # a field missing: compared as None, so the row differs
        payer = d.get("payer") or {}
        return (d.get("number"), d.get("receipt_seq"), d.get("day"), payer.get("id_number"),
                payer.get("name"), d.get("agent"), d.get("total_fen"), d.get("cash_fen"),
                d.get("change_fen"), d.get("payer_signoff"), d.get("signature_sha256"),
                d.get("override_reason"))


def _line_row(n: int, line: dict[str, Any]) -> tuple[Any, ...]:
    try:
        return (n, *_LINE_FIELDS(line))
    except (KeyError, TypeError):
        return (n, line.get("id_number"), line.get("name"), line.get("insurance"), line.get("year"),
                line.get("tier_fen"), line.get("amount_fen"), line.get("due_fen"))


def _replay(conn: sqlite3.Connection, rows: Any) -> list[tuple[int | None, str]]:
    """The chain rules (shared with the county server, app/domain/chain.py) on every entry, and
    the tables other than the receipts' compared with what the entries say."""
    rules = ChainRules()
    feed = rules.feed
    users: dict[str, tuple[int, tuple[Any, ...]]] = {}  # name -> (seq, state) of its newest entry
    setup: dict[str, tuple[int, dict[str, Any]]] = {}  # "device"/"config" -> newest entry
    prints: Counter[tuple[Any, ...]] = Counter()  # (number, ok, copy_no, error) of print entries
    serials: dict[str, tuple[Any, ...]] = {}  # 统一票据: serial -> (seq, receipt, spoiled reason)
    problems: list[tuple[int | None, str]] = []
    for seq, kind, at, body, prev_hash, digest in rows:
        try:
            d = feed(seq, kind, at, body, prev_hash, digest)
        except ChainError as exc:
            raise _Bad(exc.seq, exc.reason) from None
        if kind == "receipt":
            if "serial" in d:
                serials[d["serial"]] = (seq, d["number"], None)
        elif kind == "user":
            lock = (d["failed_attempts"], _when(d["locked_until"])) if "failed_attempts" in d else None
            users[d["name"]] = (seq, (d["role"], d["active"], d["pin_salt"], d["pin_hash"], d["pin_kdf"], lock))
        elif kind == "print":
            prints[(d["number"], bool(d["ok"]), d["copy_no"], d["error"])] += 1
        elif kind == "serial_spoiled":
            serials[d["serial"]] = (seq, None, d["reason"])
        elif kind in ("device", "config"):
            setup[kind] = (seq, d)
        elif kind == "roster" and not ROSTER_DIGESTS.keys().isdisjoint(d):
            setup["roster"] = (seq, d)
        elif kind in _OTHER:
            problems += _compare_other(conn, seq, kind, d)
    return (problems + _compare_users(conn, users) + _compare_setup(conn, setup) + _compare_prints(conn, prints)
            + _compare_serials(conn, serials))


# Each receipt entry beside its receipt row and lines, as JSON text on both sides: the fields
# extracted from the body (SQLite parses a body once for both json_extract calls) and the same
# fields of the row rendered by json_array, the lines rendered in the body's own form (canonical
# JSON: keys sorted, no spaces). Equal text means equal values; a difference is looked at again
# in Python (_receipt_entry_problems), so an escape written another way is never taken for an edit.
_RECEIPTS_DIFFERENT = """
SELECT j.seq FROM journal j LEFT JOIN receipt r ON r.journal_seq = j.seq
WHERE j.kind = 'receipt' AND (r.number IS NULL
  OR json_extract(j.body, '$.data.number', '$.data.receipt_seq', '$.data.day', '$.data.payer.id_number',
       '$.data.payer.name', '$.data.agent', '$.data.total_fen', '$.data.cash_fen', '$.data.change_fen',
       '$.data.payer_signoff', '$.data.signature_sha256', '$.data.override_reason')
     IS NOT json_array(r.number, r.receipt_seq, r.day, r.payer_id_number, r.payer_name, r.agent, r.total_fen,
       r.cash_fen, r.change_fen, r.payer_signoff, r.signature_sha256, r.override_reason)
  OR json_extract(j.body, '$.data.lines') IS NOT (
     SELECT '[' || group_concat(line, ',') || ']' FROM (
       SELECT json_object('amount_fen', l.amount_fen, 'due_fen', l.due_fen, 'id_number', l.id_number,
                          'insurance', l.insurance, 'name', l.name, 'tier_fen', l.tier_fen, 'year', l.year) AS line
       FROM receipt_line l WHERE l.receipt_number = r.number ORDER BY l.line_no)))
ORDER BY j.seq
"""


def _compare_receipt_rows(conn: sqlite3.Connection) -> list[tuple[int | None, str]]:
    """The receipt and receipt line tables hold, for every receipt entry, what its body says."""
    try:
        seqs = [int(r[0]) for r in conn.execute(_RECEIPTS_DIFFERENT)]
    except sqlite3.OperationalError as exc:
        if is_interrupt(exc):
            raise
        # A value JSON cannot hold (a BLOB written into a text column) or a body that is not
        # JSON (the chain walk names that entry): compare every receipt in Python instead.
        seqs = [int(r[0]) for r in conn.execute("SELECT seq FROM journal WHERE kind = 'receipt' ORDER BY seq")]
    problems: list[tuple[int | None, str]] = []
    for seq in seqs:
        problems += _receipt_entry_problems(conn, seq)
    return problems


_RECEIPT_ROW = """
SELECT CAST(j.body AS BLOB), r.number, r.receipt_seq, r.day, r.payer_id_number, r.payer_name, r.agent,
       r.total_fen, r.cash_fen, r.change_fen, r.payer_signoff, r.signature_sha256, r.override_reason
FROM journal j LEFT JOIN receipt r ON r.journal_seq = j.seq WHERE j.seq = ?
"""
_RECEIPT_LINES = """
SELECT l.line_no, l.id_number, l.name, l.insurance, l.year, l.tier_fen, l.amount_fen, l.due_fen
FROM receipt_line l JOIN receipt r ON r.number = l.receipt_number WHERE r.journal_seq = ? ORDER BY l.line_no
"""


def _receipt_entry_problems(conn: sqlite3.Connection, seq: int) -> list[tuple[int | None, str]]:
    """One receipt entry compared field by field with its rows (Python's equality)."""
    body, *row = conn.execute(_RECEIPT_ROW, (seq,)).fetchone()
    try:
        d = orjson.loads(body)["data"]
        number = d["number"]
    except (orjson.JSONDecodeError, TypeError, KeyError):
        return []  # not a receipt body at all: the chain walk names this entry
    problems: list[tuple[int | None, str]] = []
    if tuple(row) != _receipt_row(d):
        problems.append((seq, f"收据表与日志第 {seq} 条不符或缺失：{number}"))
    have = [tuple(line) for line in conn.execute(_RECEIPT_LINES, (seq,))]
    want = [_line_row(k, line) for k, line in enumerate(d.get("lines") or [], start=1)]
    if have[:len(want)] != want:
        problems.append((seq, f"收据明细表与日志第 {seq} 条不符或缺失：{number}"))
    elif len(have) > len(want):  # a line slipped in after the entry's own
        problems.append((None, f"收据明细表有日志中没有的记录：{row[0]}"))
    return problems


def _compare_serials(conn: sqlite3.Connection, journalled: dict[str, tuple[Any, ...]]) -> list[tuple[int | None, str]]:
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


def _compare_prints(conn: sqlite3.Connection, journalled: Counter[tuple[Any, ...]]) -> list[tuple[int | None, str]]:
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


def _compare_setup(conn: sqlite3.Connection, journalled: dict[str, tuple[int, dict[str, Any]]]
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


def _compare_users(conn: sqlite3.Connection,
                   journalled: dict[str, tuple[int, tuple[Any, ...]]]) -> list[tuple[int | None, str]]:
    """The user table must hold exactly what the newest entry of each user says (role, PIN hash
    and its cost, active). A file from before users were journalled has no user entries yet;
    they are written at the next sign-in, and until then there is nothing to compare."""
    if not journalled:
        return []
    rows = {str(name): (role, bool(active), bytes(salt).hex(), bytes(digest).hex(), kdf, (int(failed), _when(until)))
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


def _when(value: object) -> datetime | None:
    """A lockout time as the user table or a journal entry holds it (text, either separator)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


_Pick = Callable[[int, dict[str, Any]], tuple[Any, ...]]
_OTHER: dict[str, tuple[str, _Pick, _Pick]] = {
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


def _compare_other(conn: sqlite3.Connection, seq: int, kind: str, d: dict[str, Any]) -> list[tuple[int | None, str]]:
    query, key, want = _OTHER[kind]
    row = conn.execute(query, key(seq, d)).fetchone()
    if row is None or tuple(row) != want(seq, d):
        return [(seq, f"{_LABELS[kind]}表与日志第 {seq} 条不符或缺失")]
    return []


_RECEIPT_BACKWARD = (
    "SELECT r.journal_seq, r.number FROM receipt r LEFT JOIN journal j ON j.seq = r.journal_seq "
    "AND j.kind = 'receipt' WHERE j.seq IS NULL ORDER BY r.journal_seq LIMIT 1")
# Lines of no receipt entry (lines beyond an entry's own are found beside the entry).
_LINE_BACKWARD = (
    "SELECT j.seq, l.receipt_number FROM receipt_line l LEFT JOIN receipt r ON r.number = l.receipt_number "
    "LEFT JOIN journal j ON j.seq = r.journal_seq AND j.kind = 'receipt' WHERE j.seq IS NULL LIMIT 1")
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
]


def _compare_receipts(conn: sqlite3.Connection) -> list[tuple[int | None, str]]:
    """Rows with no journal entry behind them (the chain walk compares every entry's rows)."""
    problems: list[tuple[int | None, str]] = []
    row = conn.execute(_RECEIPT_BACKWARD).fetchone()
    if row:
        problems.append((None, f"收据表有日志中没有的记录：{row[1]}"))
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


def _file_checks(conn: sqlite3.Connection) -> list[tuple[int | None, str]]:
    """The file itself: SQLite's own integrity check, and every trigger that refuses UPDATE and
    DELETE still there and unchanged (dropping one is how an edit with the sqlite3 shell starts)."""
    problems: list[tuple[int | None, str]] = []
    damage = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if damage != ["ok"]:
        problems.append((None, f"数据文件损坏（SQLite 完整性检查：{damage[0][:80]}）"))
    have = {str(n): str(sql) for n, sql in
            conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for name, sql in sorted(expected_triggers(version).items()):
        if have.get(name) != sql:
            what = "被删除" if name not in have else "被改动"
            problems.append((None, f"保护账本的触发器 {name} {what}（有人绕过程序改过数据文件）"))
            break
    return problems


def _compare_signatures(conn: sqlite3.Connection) -> list[tuple[int | None, str]]:
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
