"""Backup copies of the data file, e.g. to a USB stick after each day is settled."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.services import sealing
from app.services.errors import DaishouError, InvalidInput
from app.services.setup import Setup
from app.storage.database import Clock, Database
from app.storage.db import copy_database
from app.storage.verify import verify_database
from app.version import version

BACKUP_DIR_KEY = "backup.dir"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    entries: int
    note: str | None = None  # why the copy is not sealed to this desk's own key, or not at all


class Backups:
    def __init__(self, db: Database, clock: Clock, setup: Setup) -> None:
        self._db = db
        self._clock = clock
        self._setup = setup

    def write(self, folder: Path) -> BackupResult:
        """A consistent copy (SQLite online backup) checked with verify before it is trusted."""
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InvalidInput(f"无法使用备份文件夹 {folder}：{exc.strerror}") from None
        device = self._setup.device
        stamp = self._clock().strftime("%Y%m%d-%H%M%S")
        # The program's version in the name: the support person sees which program wrote a copy
        # before opening it (a copy of a newer program's schema is refused by an older one).
        target = folder / (f"daishou-{device.village_code}-{device.device_no:02d}-{stamp}"
                           f"-v{version()}.sqlite3")
        # Written and checked under a temporary name, renamed only when whole: a backup killed
        # halfway (power cut, USB stick pulled) never leaves a file with a backup's name.
        to = sealing.recipients(self._db.home, self._configured_recipients())
        if to.keys:  # sealed with age: a finder of the stick reads nothing (app/services/sealing.py)
            target = target.with_name(target.name + sealing.SUFFIX)
        part = target.with_name(target.name + ".part")
        try:
            copy_database(self._db.path, part)
            result = verify_database(part)
            if not result.ok:
                raise InvalidInput(f"备份 {target} 校验失败：{result.reason}")
            if to.keys:
                sealing.seal(part, target, to)
            else:
                part.replace(target)
        except OSError as exc:
            raise InvalidInput(f"备份写入 {folder} 失败：{exc.strerror}（U盘已拔出或已满？）") from None
        finally:
            part.unlink(missing_ok=True)
        return BackupResult(target, result.entries, to.note)

    def _configured_recipients(self) -> dict[str, str]:
        try:
            return self._setup.config.recipients
        except DaishouError:  # no configuration yet: the desk's own key only
            return {}

    def write_to_configured(self) -> BackupResult | None:
        """Back up to the folder in the settings, if one is set (after each settlement)."""
        folder = (self._setup.get_setting(BACKUP_DIR_KEY) or "").strip()
        return self.write(Path(folder)) if folder else None
