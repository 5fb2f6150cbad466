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
import sqlite3
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.chain import ChainError, ChainRules
from app.domain.countersign import first_bad
from app.storage.digest import ROSTER_DIGESTS
from app.storage.errors import is_interrupt
from app.storage.verify_receipts import compare_receipt_rows
from app.storage.verify_tables import (
    OTHER,
    compare_other,
    compare_prints,
    compare_receipts,
    compare_serials,
    compare_setup,
    compare_signatures,
    compare_users,
    file_checks,
    when_locked,
)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_bad_seq: int | None
    reason: str | None
    note: str | None = None  # what could not be checked (no keyring for the high-water mark)
    acknowledged: int = 0  # signatures were checked on the entries after this one (0: on all)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "first_bad_seq": self.first_bad_seq,
                "reason": self.reason, "note": self.note}


class _Bad(Exception):
    def __init__(self, seq: int | None, reason: str) -> None:
        super().__init__(reason)
        self.seq, self.reason = seq, reason


def verify_database(path: Path, *, acknowledged: int = 0, full: bool = True) -> VerifyResult:
    """Read-only check of a database file.

    The chain walk (Python, hashing) and the projection comparison (SQL) run at the same time on
    two connections: sqlite3 lets go of the GIL while SQLite works, so the two use both cores.
    `acknowledged`: entries up to this sequence are known, from outside the file, to be those the
    county acknowledged (and checked the signatures of); their signatures are not checked again
    (every other rule is). 0, the default, checks every signature. `full` (the default) runs
    SQLite's whole integrity check (each index against its table too), not only its quick check
    of every page: what a file from elsewhere (a backup, a USB copy) gets.
    """
    try:
        return _verify(path, acknowledged, full)
    except sqlite3.DatabaseError as exc:  # damaged pages: SQLite cannot read the file
        return VerifyResult(False, 0, None, f"数据文件损坏，无法完整读取（{exc}）。请用备份恢复并联系乡镇社保所")


def _verify(path: Path, acknowledged: int, full: bool) -> VerifyResult:
    chain, files, receipts = (_snapshot(path) for _ in range(3))
    entries = 0
    try:
        entries = int(chain.execute("SELECT COUNT(*) FROM journal").fetchone()[0])
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="verify") as pool:
            compared = [pool.submit(_interruptible, compare_receipt_rows, receipts),
                        pool.submit(_interruptible, _compare_files, files, full)]
            try:
                problems = _walk_chain(chain, acknowledged)
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
    return VerifyResult(True, entries, None, None, acknowledged=acknowledged)


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


def _interruptible(check: Callable[..., list[tuple[int | None, str]]], conn: sqlite3.Connection,
                   *args: Any) -> list[tuple[int | None, str]]:
    try:
        return check(conn, *args)
    except sqlite3.OperationalError as exc:
        if is_interrupt(exc):  # the chain walk failed first and stopped this check
            return []
        raise


def _compare_files(conn: sqlite3.Connection, full: bool) -> list[tuple[int | None, str]]:
    return file_checks(conn, full=full) + compare_receipts(conn) + compare_signatures(conn)


_CHAIN = "SELECT seq, kind, recorded_at, CAST(body AS BLOB), prev_hash, hash FROM journal ORDER BY seq"


def _walk_chain(conn: sqlite3.Connection, acknowledged: int) -> list[tuple[int | None, str]]:
    # The walk makes a few hundred thousand objects (parsed bodies, the rules' state) and no
    # reference cycles; the cyclic collector would rescan the growing state again and again
    # (a fifth of the walk at 100,000 entries). It runs once, after.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _replay(conn, conn.execute(_CHAIN), acknowledged)
    finally:
        if was_enabled:
            gc.enable()


def _replay(conn: sqlite3.Connection, rows: Any, acknowledged: int) -> list[tuple[int | None, str]]:
    """The chain rules (shared with the county server, app/domain/chain.py) on every entry, and
    the tables other than the receipts' compared with what the entries say."""
    rules = ChainRules()
    signatures: list[tuple[int, str, str, str, bytes]] = []  # checked in bulk, on both cores, after the walk
    rules.keys.deferred = signatures
    rules.keys.trusted_through = acknowledged
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
            bad = first_bad(signatures)  # a forged sign-off before this entry is named first
            raise _Bad(*(bad[0], bad[2]) if bad else (exc.seq, exc.reason)) from None
        if kind == "receipt":
            if "serial" in d:
                serials[d["serial"]] = (seq, d["number"], None)
        elif kind == "user":
            lock = (d["failed_attempts"], when_locked(d["locked_until"])) if "failed_attempts" in d else None
            users[d["name"]] = (seq, (d["role"], d["active"], d["pin_salt"], d["pin_hash"], d["pin_kdf"], lock))
        elif kind == "print":
            prints[(d["number"], bool(d["ok"]), d["copy_no"], d["error"])] += 1
        elif kind == "serial_spoiled":
            serials[d["serial"]] = (seq, None, d["reason"])
        elif kind in ("device", "config"):
            setup[kind] = (seq, d)
        elif kind == "roster" and not ROSTER_DIGESTS.keys().isdisjoint(d):
            setup["roster"] = (seq, d)
        elif kind in OTHER:
            problems += compare_other(conn, seq, kind, d)
    bad = first_bad(signatures)
    if bad is not None:
        raise _Bad(bad[0], bad[2])
    return (problems + compare_users(conn, users) + compare_setup(conn, setup) + compare_prints(conn, prints)
            + compare_serials(conn, serials))
