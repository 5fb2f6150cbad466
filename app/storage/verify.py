"""Recompute the journal's hash chain and every table derived from it.

Receipts are the bulk of a ledger (100,000 entries in a township season). The work is split so
that both cores of an agent's laptop take part:

- the chain walk (Python: each body hashed and parsed once with orjson, the chain rules) reads
  only the journal; up to the entry the county acknowledged, when a state saved there is held
  by the keyring (app/storage/verify_state.py), each body is only hashed, and the rules replay
  from that state;
- the receipt and line tables are compared with the receipt entries in SQL, on other
  connections, where sqlite3 lets go of the GIL: each receipt row and its lines rendered as JSON
  beside the same fields extracted from the body (one parse of the body in C). Only the rows
  that query finds different are compared again in Python, field by field, so text that renders
  differently but means the same (an escape written another way) is never taken for tampering;
- SQLite's integrity check and the checks for rows with no journal entry behind them run beside
  them.

All the connections read one state of the file: their read transactions start while the write
lock is held, so no commit comes between them (_snapshots).
"""

from __future__ import annotations

import gc
import hashlib
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson

from app.domain.chain import ChainError, ChainRules
from app.domain.countersign import first_bad
from app.storage.errors import LOCKED, is_interrupt, primary_code
from app.storage.verify_receipts import RowsCompared, compare_receipt_rows
from app.storage.verify_state import REFUSED, Journalled, Saved, columns_digest
from app.storage.verify_tables import (
    OTHER,
    compare_other,
    compare_prints,
    compare_serials,
    compare_setup,
    compare_signatures,
    compare_users,
    file_checks,
    rows_without_entries,
)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_bad_seq: int | None
    reason: str | None
    note: str | None = None  # what could not be checked (no keyring for the high-water mark)
    acknowledged: int = 0  # signatures were checked on the entries after this one (0: on all)
    saved: Saved | None = None  # the walk's state at the acknowledged entry, to keep for the next verify
    rules_from: int = 0  # the rules were replayed after this entry, from a saved state (0: from the first)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "first_bad_seq": self.first_bad_seq,
                "reason": self.reason, "note": self.note}


class _Bad(Exception):
    def __init__(self, seq: int | None, reason: str) -> None:
        super().__init__(reason)
        self.seq, self.reason = seq, reason


def verify_database(path: Path, *, acknowledged: int = 0, full: bool = True, saved: Saved | None = None,
                    keep_at: int = 0) -> VerifyResult:
    """Read-only check of a database file.

    The chain walk (Python, hashing) and the projection comparison (SQL) run at the same time on
    two connections: sqlite3 lets go of the GIL while SQLite works, so the two use both cores.
    `acknowledged`: entries up to this sequence are known, from outside the file, to be those the
    county acknowledged (and checked the signatures of); their signatures are not checked again
    (every other rule is). 0, the default, checks every signature. `full` (the default) runs
    SQLite's whole integrity check (each index against its table too), not only its quick check
    of every page: what a file from elsewhere (a backup, a USB copy) gets.
    `saved`: the walk's state after an entry, whose hash the caller found in the keyring: rules
    replay after it (it is used only if the walk arrives there with its hash; else every rule is
    walked, and the result's note says so). `keep_at`: the entry to take a new state at (the one
    the county acknowledged), returned in the result's `saved` for the caller to keep once all
    is well.
    """
    try:
        return _verify(path, acknowledged, full, saved, keep_at)
    except sqlite3.DatabaseError as exc:
        if primary_code(exc) == sqlite3.SQLITE_BUSY:  # another program kept writing: nothing checked
            return VerifyResult(False, 0, None, f"未能校验：{LOCKED}")
        # damaged pages: SQLite cannot read the file
        return VerifyResult(False, 0, None, f"数据文件损坏，无法完整读取（{exc}）。请用备份恢复并联系乡镇社保所")


def _verify(path: Path, acknowledged: int, full: bool, saved: Saved | None, keep_at: int) -> VerifyResult:
    chain, files, receipts = _snapshots(path, 3)
    entries = 0
    # the receipt rows up to the saved entry are taken from their digest, if they still have it
    # (verify_receipts.py); a new digest is made where a new state is kept
    saved_at, saved_digest = (saved.seq, saved.rows) if saved is not None else (0, "")
    try:
        entries = int(chain.execute("SELECT COUNT(*) FROM journal").fetchone()[0])
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="verify") as pool:
            rows_job = pool.submit(_rows_compared, receipts, saved_at, saved_digest, keep_at)
            files_job = pool.submit(_interruptible, _compare_files, files, full)
            try:
                problems, kept, note = _walk_chain(chain, acknowledged, saved, keep_at)
            except BaseException:
                files.interrupt()  # the chain already failed: no need to finish comparing
                receipts.interrupt()
                raise
            rows = rows_job.result()
            problems += files_job.result()
        if rows.digest_used and note is not None:
            # the walk did not arrive at the saved entry with its hash: the entries up to it are
            # not those whose rows the digest vouched for; every one is compared
            rows = _rows_compared(receipts, 0, "", keep_at)
        problems += rows.problems
        if problems:
            seq, reason = min(problems, key=lambda p: (p[0] is None, p[0] or 0))
            raise _Bad(seq, reason)
    except _Bad as bad:
        return VerifyResult(False, entries, bad.seq, bad.reason)
    finally:
        for conn in (chain, files, receipts):
            conn.close()
    if kept is not None:  # a new state, at keep_at
        kept = replace(kept, rows=rows.digest)
    elif saved is not None and note is None and keep_at == saved.seq and rows.digest not in ("", saved.rows):
        kept = replace(saved, rows=rows.digest)  # the state used, with the digest of rows compared one by one
    return VerifyResult(True, entries, None, None, note=note, acknowledged=acknowledged, saved=kept,
                        rules_from=saved.seq if saved is not None and note is None else 0)


def _rows_compared(conn: sqlite3.Connection, saved_at: int, saved_digest: str, keep_at: int) -> RowsCompared:
    try:
        return compare_receipt_rows(conn, saved_at=saved_at, saved_digest=saved_digest, keep_at=keep_at)
    except sqlite3.OperationalError as exc:
        if is_interrupt(exc):  # the chain walk failed first and stopped this check
            return RowsCompared([])
        raise


# How long verify waits for a write in progress to commit before it takes its snapshots (the
# desk's busy timeout: a roster import, the longest write, takes about 3 s).
GUARD_TIMEOUT = 5.0


def _snapshots(path: Path, n: int) -> list[sqlite3.Connection]:
    """`n` read-only connections, each inside its own read transaction, all on one state of the
    file.

    In WAL mode a read transaction sees the file as it was when it started, and a commit can
    come between two starts: the chain walk would then check one state and the receipt tables
    another, and a file could pass that no state of it would (a row put back and another edited
    between the two). So the snapshots are taken while another connection holds the write lock
    (BEGIN IMMEDIATE, as every writer of the desk takes it): no commit can come between them. The
    lock is held for the few reads that start them, not for the checks. A file this process
    cannot open for writing (a read-only copy under review) is taken as no writer can write it.
    """
    guard: sqlite3.Connection | None = None
    try:
        guard = sqlite3.connect(f"file:{path}?mode=rw", uri=True, isolation_level=None, timeout=GUARD_TIMEOUT)
        guard.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if guard is not None:
            guard.close()
        if primary_code(exc) not in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM):
            raise  # busy (a writer did not finish in time): said as such by verify_database
        guard = None
    conns: list[sqlite3.Connection] = []
    try:
        for _ in range(n):
            conns.append(_snapshot(path))
    except BaseException:
        for conn in conns:
            conn.close()
        raise
    finally:
        if guard is not None:
            guard.execute("ROLLBACK")
            guard.close()
    return conns


def _snapshot(path: Path) -> sqlite3.Connection:
    """A read-only connection inside its own read transaction (BEGIN is lazy: the first read
    starts it, and it sees the file as it was then until it ends)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN")
    conn.execute("SELECT 1 FROM journal LIMIT 1")
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
    return file_checks(conn, full=full) + rows_without_entries(conn) + compare_signatures(conn)


_CHAIN = "SELECT seq, kind, recorded_at, CAST(body AS BLOB), prev_hash, hash FROM journal ORDER BY seq"


class _Stale(Exception):
    """The saved state does not fit this file: the walk starts again with every rule."""


def _walk_chain(conn: sqlite3.Connection, acknowledged: int, saved: Saved | None,
                keep_at: int) -> tuple[list[tuple[int | None, str]], Saved | None, str | None]:
    """(problems, the state to save at `keep_at` when the walk passed it, a note)."""
    # The walk makes a few hundred thousand objects (parsed bodies, the rules' state) and no
    # reference cycles; the cyclic collector would rescan the growing state again and again
    # (a fifth of the walk at 100,000 entries). It runs once, after.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if saved is not None:
            try:
                return (*_replay(conn, conn.execute(_CHAIN), acknowledged, saved, keep_at), None)
            except _Stale:
                pass
        return (*_replay(conn, conn.execute(_CHAIN), acknowledged, None, keep_at),
                REFUSED if saved is not None else None)
    finally:
        if was_enabled:
            gc.enable()


def _replay(conn: sqlite3.Connection, rows: Any, acknowledged: int, saved: Saved | None,
            keep_at: int) -> tuple[list[tuple[int | None, str]], Saved | None]:
    """The chain rules (shared with the county server, app/domain/chain.py) on every entry, or
    on every entry after `saved` (up to it each entry's place in the chain is checked, and the
    rules' state is taken from it), and the tables other than the receipts' compared with what
    the entries say."""
    rules = ChainRules()
    journalled = Journalled()
    through = saved.seq if saved is not None else 0  # rules are replayed after this entry
    keep_at = keep_at if keep_at > through else 0  # a new state to save here (0: none)
    columns: list[str] = []  # the kind and time columns, up to the saved entry or the new one
    problems: list[tuple[int | None, str]] = []
    rows = iter(rows)
    if saved is not None:
        problems += _follow(conn, rows, rules, through, columns)
        if rules.seq < through:  # the file ends before the saved entry
            raise _Stale
        rules, journalled = _restore(saved, rules.hash, columns_digest(columns))
    signatures: list[tuple[int, str, str, str, bytes]] = []  # checked in bulk, on both cores, after the walk
    rules.keys.deferred = signatures
    rules.keys.trusted_through = acknowledged
    kept: Saved | None = None
    for seq, kind, at, body, prev_hash, digest in rows:
        try:
            d = rules.feed(seq, kind, at, body, prev_hash, digest)
        except ChainError as exc:
            bad = first_bad(signatures)  # a forged sign-off before this entry is named first
            raise _Bad(*(bad[0], bad[2]) if bad else (exc.seq, exc.reason)) from None
        journalled.take(seq, kind, d)
        if kind in OTHER:
            problems += compare_other(conn, seq, kind, d)
        if seq <= keep_at:
            columns += (kind, at)
            if seq == keep_at:
                kept = Saved.make(seq, digest, columns_digest(columns), rules.to_state(), journalled)
    bad = first_bad(signatures)
    if bad is not None:
        raise _Bad(bad[0], bad[2])
    return (problems + compare_users(conn, journalled.users_compared()) + compare_setup(conn, journalled.setup)
            + compare_prints(conn, journalled.prints) + compare_serials(conn, journalled.serials)), kept


def _follow(conn: sqlite3.Connection, rows: Any, rules: ChainRules, through: int,
            columns: list[str]) -> list[tuple[int | None, str]]:
    """The entries up to `through`, whose rules a saved state holds: each one's place in the
    hash chain (what `ChainRules.follow` checks, inline: this runs 100,000 times), its columns
    gathered, and the rows of the kinds compared entry by entry compared with it."""
    problems: list[tuple[int | None, str]] = []
    sha256 = hashlib.sha256
    expected, last = rules.seq + 1, rules.hash
    for seq, kind, at, body, prev_hash, digest in rows:
        if seq != expected or prev_hash != last or sha256(last.encode() + body).hexdigest() != digest:
            rules.seq, rules.hash = expected - 1, last
            try:
                rules.follow(seq, body, prev_hash, digest)  # names what is wrong
            except ChainError as exc:
                raise _Bad(exc.seq, exc.reason) from None
        columns += (kind, at)
        if kind in OTHER:  # their rows are compared entry by entry (the bodies were checked)
            problems += compare_other(conn, seq, kind, orjson.loads(body)["data"])
        expected, last = seq + 1, digest
        if seq == through:
            break
    rules.seq, rules.hash = expected - 1, last
    return problems


def _restore(saved: Saved, digest: str, columns: str) -> tuple[ChainRules, Journalled]:
    """The rules' state and the gathered rows as saved, when the walk arrived at the saved
    entry with its hash and the same columns; else _Stale."""
    try:
        saved_columns, rules, journalled = saved.state()
        if digest != saved.hash or columns != saved_columns:
            raise _Stale
        return ChainRules.from_state(rules), journalled
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        raise _Stale from None
