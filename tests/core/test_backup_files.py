"""Backups are whole or absent, and the ledger is readable by its owner only."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from app.domain.records import UserInfo
from app.services import backup as backup_module
from app.services.desk import Desk
from app.services.errors import InvalidInput
from tests.core.test_receipts import med
from tests.factories import ZHANG


def test_a_backup_is_checked_under_a_temporary_name_and_only_then_named(
        desk: Desk, agent: UserInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    seen: list[str] = []
    real = backup_module.verify_database

    def watching(path: Path):  # type: ignore[no-untyped-def]
        seen.append(path.name)
        return real(path)

    monkeypatch.setattr(backup_module, "verify_database", watching)
    made = desk.backups.write(tmp_path / "usb")
    assert seen == [made.path.name + ".part"]  # the copy was checked before it had its name
    assert [p.name for p in (tmp_path / "usb").iterdir()] == [made.path.name]


def test_a_backup_that_fails_its_check_leaves_no_file_with_a_backups_name(
        desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.storage.verify import VerifyResult

    monkeypatch.setattr(backup_module, "verify_database",
                        lambda path: VerifyResult(False, 0, 1, "模拟：拷贝到一半U盘被拔出"))
    with pytest.raises(InvalidInput, match="校验失败"):
        desk.backups.write(tmp_path / "usb")
    assert list((tmp_path / "usb").iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps access in ACLs, not mode bits")
def test_the_data_folder_and_ledger_are_the_owners_only(desk: Desk, tmp_path: Path) -> None:
    assert stat.S_IMODE(desk.home.stat().st_mode) == 0o700
    assert stat.S_IMODE(desk.db.path.stat().st_mode) == 0o600
    made = desk.backups.write(tmp_path / "usb")
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
