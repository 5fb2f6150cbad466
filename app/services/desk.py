"""One object that holds a data home's services; screens and the command line start here."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from app.services.backup import Backups
from app.services.closing import Closing
from app.services.database import Clock, Database, system_clock
from app.services.receipts import Receipts
from app.services.roster import Roster
from app.services.settlement import Settlements
from app.services.setup import Setup
from app.services.users import Users
from app.services.verify import VerifyResult, verify_database


class Desk:
    def __init__(self, home: Path, *, clock: Clock = system_clock) -> None:
        self.home = Path(home)
        self.clock = clock
        self.db = Database(self.home)
        self.setup = Setup(self.db, clock)
        # A hand-moved test clock would fight the monotonic lockout guard; the real one uses it.
        self.users = Users(self.db, clock, monotonic=time.monotonic if clock is system_clock else None)
        self.roster = Roster(self.db, clock, self.setup)
        self.receipts = Receipts(self.db, clock, self.setup)
        self.settlements = Settlements(self.db, clock)
        self.backups = Backups(self.db, clock, self.setup)
        self.closing = Closing(self.settlements, self.backups, clock)

    def verify(self) -> VerifyResult:
        """The file on its own (chain, projections), then against the high-water mark."""
        result = verify_database(self.db.path)
        if not result.ok:
            return result
        conn = sqlite3.connect(f"file:{self.db.path}?mode=ro", uri=True)
        try:
            problem = self.db.highwater.problem(conn)
        finally:
            conn.close()
        if problem:
            return VerifyResult(False, result.entries, None, problem)
        return VerifyResult(True, result.entries, None, None, note=self.db.highwater.store.problem)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
