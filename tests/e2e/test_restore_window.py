"""Restore from settings F6 on a real (virtual) screen (issue 26): Alt+R, the backup typed into
the file dialog, the head's PIN; the old ledger is kept in replaced/, the restored one verifies,
and the program closes as it says (to be opened again on the restored file)."""

from __future__ import annotations

import time
from pathlib import Path

from app.services.desk import Desk
from tests.e2e.conftest import RunningGui, Screen
from tests.factories import plain_backup
from tests.gui.conftest import AGENT_PIN, HEAD_PIN, FakeClock, make_demo_home


def test_restore_from_settings(laptop: Screen, tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_demo_home(home, FakeClock())
    with Desk(home, clock=FakeClock()) as desk:
        # In the clear: this test's keyring is not the one the program's process sees.
        backup = plain_backup(desk, tmp_path / "usb")
    gui = RunningGui(laptop, home, tmp_path / "gui.log")
    try:
        gui.sign_in(AGENT_PIN)
        gui.keys("F6")
        time.sleep(1)
        gui.keys("alt+r")
        gui.choose_file("选择要恢复的备份文件", backup)
        gui.activate("从备份恢复账本")
        laptop.shot(tmp_path / "gui-restore-dialog.png")
        gui.type(HEAD_PIN)
        gui.keys("Return")
        gui.activate("已恢复", timeout=60)
        laptop.shot(tmp_path / "gui-restored.png")
        gui.keys("Return")
        code = gui.proc.wait(timeout=30)  # closing after a restore is what the message said
        assert code == 0, (tmp_path / "gui.log").read_text(errors="replace")
    finally:
        gui.stop()
    (kept,) = (home / "replaced").glob("daishou-before-restore-*.sqlite3")
    assert kept.stat().st_size > 0
    with Desk(home) as restored:
        assert restored.verify().ok
