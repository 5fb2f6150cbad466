"""The scanned 台账 (003 第三十条): within 7 working days after the collection period the signed
《现金征缴登记台账》 is scanned and sent to the tax office; the township keeps the original.

Recording it keeps a copy of the scan beside the ledger (scans/, readable by its owner only) and
a journal entry with its SHA-256, the year and the day it was sent, so review and the county see
whether, and when, it went; `status` says whether the kept copy is still the one journalled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.domain.config import ConfigError
from app.domain.entries import LedgerScanEntry
from app.domain.records import UserInfo
from app.domain.scan_rule import scan_deadline, scan_due, scan_overdue_days
from app.services import kept_files
from app.services.errors import InvalidInput, Refused
from app.services.setup import Setup
from app.services.signoff import CASH_ROLES, require_pin
from app.storage import journal
from app.storage import receipts as receipt_table
from app.storage.database import Clock, Database

MAX_SCAN_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class ScanRecord(kept_files.KeptRecord):
    year: int
    sent_on: date

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "sent_on": self.sent_on.isoformat(), "sha256": self.sha256,
                "file": str(self.path), "by": self.by, "intact": self.intact}


@dataclass(frozen=True)
class ScanStatus:
    year: int
    period_end: date
    deadline: date
    scans: list[ScanRecord]
    due: bool = True  # cash was taken for this year: its 台账 must be scanned (scan_rule.scan_due)

    @property
    def headline(self) -> str:
        if not self.due and not self.scans:
            return f"{self.year} 年度集中征期 {self.period_end.isoformat()} 结束"
        return (f"{self.year} 年度集中征期 {self.period_end.isoformat()} 结束，台账扫描件应在 "
                f"{self.deadline.isoformat()} 前报送税务")

    def overdue_days(self, today: date) -> int:
        """Days past the deadline with no scan recorded (0: not due, sent, or still in time)."""
        return scan_overdue_days(due=self.due, sent=bool(self.scans), deadline=self.deadline, today=today)

    def unsent_text(self, today: date) -> str:
        if not self.due:
            return "本机没有收取过该年度的现金，没有台账要扫描报送"
        overdue = self.overdue_days(today)
        return "尚未登记报送" + (f"，已过期限 {overdue} 天：请尽快扫描报送并登记" if overdue else "")

    @property
    def late_by(self) -> int | None:
        """Days the first scan was sent after the deadline (None: not sent, 0: in time)."""
        if not self.scans:
            return None
        return max(0, (self.scans[0].sent_on - self.deadline).days)

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "period_end": self.period_end.isoformat(), "deadline": self.deadline.isoformat(),
                "scans": [s.to_json() for s in self.scans], "late_by_days": self.late_by, "due": self.due}


class LedgerScans:
    def __init__(self, db: Database, clock: Clock, setup: Setup) -> None:
        self._db = db
        self._clock = clock
        self._setup = setup
        self.folder = db.home / "scans"

    def _period_end(self, year: int) -> date:
        try:
            return self._setup.config.year(year).window_end
        except ConfigError as exc:
            raise InvalidInput(str(exc)) from None

    def status(self, year: int) -> ScanStatus:
        end = self._period_end(year)
        with self._db.read() as conn:
            rows = journal.of_kind(conn, LedgerScanEntry)
            cash_years = {year} if receipt_table.any_line_for_year(conn, year) else set()
        scans = []
        for _seq, _at, d in rows:
            if d.year != year:
                continue
            path = self.folder / d.file
            # Hashed again at every look, in 1 MB pieces (a scan may be 100 MB): a cache keyed by
            # the file's times would miss a copy swapped with its time put back on Windows, where
            # ctime is the creation time.
            intact = kept_files.intact(path, d.sha256)
            scans.append(ScanRecord(d.sha256, path, d.by, intact, year, date.fromisoformat(d.sent_on)))
        return ScanStatus(year, end, scan_deadline(end), scans, scan_due(year, cash_years))

    def record(self, year: int, scan: Path, *, sent_on: date, by: UserInfo) -> ScanStatus:
        require_pin(by)
        if by.role not in CASH_ROLES:
            raise Refused(f"「{by.name}」是{by.role.label}：台账扫描件由代收员或村委会负责人报送登记")
        end = self._period_end(year)
        today = self._clock().date()
        if sent_on > today:
            raise InvalidInput(f"报送日期 {sent_on.isoformat()} 在未来")
        if sent_on <= end:
            raise Refused(f"{year} 年度集中征期到 {end.isoformat()} 结束，台账在征期结束后扫描报送")
        scan = Path(scan)
        kept = kept_files.keep(scan, self.folder, f"台账-{year}", max_bytes=MAX_SCAN_BYTES, unreadable="无法读取扫描件",
                               too_big=f"扫描件 {scan.name} 超过 100 MB，请降低扫描分辨率后再登记",
                               not_a_kind=f"{scan.name} 不是 PDF、JPEG、PNG 或 TIFF 扫描件")
        kept_files.journal_once(self._db, self._clock(), LedgerScanEntry(
            year=year, period_end=end.isoformat(), sent_on=sent_on.isoformat(), sha256=kept.sha256,
            bytes=kept.size, file=kept.name, by=by.name), twice=f"这份扫描件（{scan.name}）已经登记过")
        return self.status(year)
