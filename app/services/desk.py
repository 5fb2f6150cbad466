"""One object that holds a data home's services; screens and the command line start here."""

from __future__ import annotations

import sqlite3
import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from app.services import sync_state
from app.services.backup import Backups
from app.services.closing import Closing
from app.services.errors import NotInitialised, StorageError
from app.services.receipts import Receipts
from app.services.roster import Roster
from app.services.settlement import Settlements
from app.services.setup import Setup
from app.services.users import Users
from app.storage import verify_state
from app.storage.database import Clock, Database, system_clock
from app.storage.db import DB_FILENAME
from app.storage.training import is_training
from app.storage.verify import VerifyResult, verify_database

if TYPE_CHECKING:
    from app.services.door import Door
    from app.services.monthly import Monthly
    from app.services.months import Months
    from app.services.paper import Paper
    from app.services.receipt_books import ReceiptBooks
    from app.services.scans import LedgerScans


class Desk:
    def __init__(self, home: Path, *, clock: Clock = system_clock, create: bool = True) -> None:
        """Open a data home. With `create=False` (every command but `init`) a home without a
        ledger is an error, never a new empty village: a mistyped --home must not answer
        "账本完好：0 条记录", and nothing is created on disk."""
        self.home = Path(home)
        self.clock = clock
        self.training = is_training(self.home)  # 培训模式: every paper says 「培训」, nothing goes to the county
        if not create:
            _require_ledger(self.home)
        self.db = Database(self.home)
        self.setup = Setup(self.db, clock)
        # A hand-moved test clock would fight the monotonic lockout guard; the real one uses it.
        self.users = Users(self.db, clock, monotonic=time.monotonic if clock is system_clock else None)
        self.roster = Roster(self.db, clock, self.setup)
        self.receipts = Receipts(self.db, clock, self.setup)
        self.settlements = Settlements(self.db, clock)
        self.backups = Backups(self.db, clock, self.setup)
        self.closing = Closing(self.settlements, self.backups, clock)
        self.sync = sync_state.SyncLedger(self.db)

    # The services a command seldom needs are made (and their modules loaded) on first use.
    @cached_property
    def months(self) -> Months:
        from app.services.months import Months

        return Months(self.db, self.clock)

    @cached_property
    def scans(self) -> LedgerScans:
        from app.services.scans import LedgerScans

        return LedgerScans(self.db, self.clock, self.setup)

    @cached_property
    def paper(self) -> Paper:
        """What receipts and reports put on paper, gathered for printing/ to render."""
        from app.services.paper import Paper

        return Paper(self)

    @cached_property
    def receipt_books(self) -> ReceiptBooks:
        from app.services.receipt_books import ReceiptBooks

        return ReceiptBooks(self.db, self.clock)

    @cached_property
    def door(self) -> Door:
        """Door to door: grid members, reasons, visits, the tax office's lists (issue 25)."""
        from app.services.door import Door

        return Door(self.db, self.clock, self.setup)

    @cached_property
    def monthly(self) -> Monthly:
        """What the township counts each month, for this village (issue 25; seed 004)."""
        from app.services.monthly import Monthly

        return Monthly(self.db, self.clock, self.setup)

    def verify(self, *, full: bool = False) -> VerifyResult:
        """The file on its own (chain, projections), then against what is kept outside it: the
        county server's signed acknowledgement and the high-water mark in the OS keyring.

        Every rule is checked on every entry. The sign-offs' signatures are checked beyond what
        the county acknowledged, as the keyring remembers it (the county checked those before
        acknowledging them, and the chain proves the file still holds them byte for byte);
        `full` checks every signature again, as a copy of the file with no keyring is checked,
        and SQLite's whole integrity check (each index against its table) instead of its quick one."""
        highwater = self.db.highwater
        conn = sqlite3.connect(f"file:{self.db.path}?mode=ro", uri=True)
        try:
            acknowledged = 0 if full else highwater.acknowledged(conn)
            # the rules' state saved at the acknowledged entry by an earlier verify, if the
            # keyring holds its hash (app/storage/verify_state.py): rules replay after it
            saved, refused = verify_state.load(self.home, highwater, acknowledged) if not full else (None, None)
            result = verify_database(self.db.path, acknowledged=acknowledged, full=full, saved=saved,
                                     keep_at=acknowledged)
            if not result.ok:
                return result
            problem = (sync_state.ack_problem(conn) or highwater.problem(conn) or highwater.ack_problem(conn))
        finally:
            conn.close()
        if problem:
            return VerifyResult(False, result.entries, None, problem)
        if result.saved is not None:
            verify_state.keep(self.home, highwater, result.saved)
        # No keyring, or what the county acknowledged taken as it checked it: one or the other
        note = highwater.store.problem or (
            f"县里已确认收到的前 {result.acknowledged} 条记录未重验签名（县里收到时已验过）"
            if result.acknowledged else None)
        notes = "；".join(n for n in (refused or result.note, note) if n) or None
        return VerifyResult(True, result.entries, None, None, note=notes, acknowledged=result.acknowledged,
                            rules_from=result.rules_from)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _require_ledger(home: Path) -> None:
    path = home / DB_FILENAME
    if not path.exists():
        raise NotInitialised(f"数据文件夹 {home} 中没有账本（{DB_FILENAME}）：请检查 --home 是否写对；"
                             "新设备请先运行 daishou init 或设置向导")
    if path.is_file() and path.stat().st_size == 0:
        raise StorageError(f"账本文件 {path} 是空的（0 字节）：账本可能被清空或损坏。请勿继续使用，"
                           "联系乡镇社保所用备份恢复")
