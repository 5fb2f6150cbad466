"""Settings F6 → 从备份恢复 (issue 26): the head's PIN restores a copy and keeps the old file;
a wrong PIN says so in the dialog and moves nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.services.desk import Desk
from app.services.restore import RestoreResult
from tests.gui.conftest import AGENT, AGENT_PIN, HEAD, HEAD_PIN, FakeFiles, FakePrinter, wait_idle
from ui.context import WindowContext
from ui.settings_view import SettingsView
from ui.tasks import TaskManager


def _view(qtbot, desk: Desk, tasks: TaskManager, printer: FakePrinter, backup: Path) -> SettingsView:  # type: ignore[no-untyped-def]
    ctx = WindowContext(desk, tasks, desk.users.authenticate(AGENT, AGENT_PIN), printer,
                        files=FakeFiles(open_=backup))
    view = SettingsView(ctx)
    qtbot.addWidget(view)
    view.show()
    return view


def test_the_heads_pin_restores_and_the_old_file_is_kept(qtbot, desk: Desk, tasks: TaskManager,  # type: ignore[no-untyped-def]
                                                         printer: FakePrinter, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch, errors: list[BaseException]) -> None:
    # The agent signs in before the copy is made: a first sign-in journals the user's signing key
    # (issue 22), and a copy older than that would rightly be refused as older than the mark.
    desk.users.authenticate(AGENT, AGENT_PIN)
    backup = desk.backups.write(tmp_path / "usb").path
    restored: list[RestoreResult] = []
    monkeypatch.setattr("ui.restore_dialog._reopen",  # the real one closes the program
                        lambda result, parent: restored.append(result))
    view = _view(qtbot, desk, tasks, printer, backup)
    qtbot.mouseClick(view.restore_button, Qt.MouseButton.LeftButton)
    dialog = view.restore_dialog
    assert dialog is not None and dialog.isVisible()
    wait_idle(qtbot, tasks)
    assert [dialog.name.itemText(i) for i in range(dialog.name.count())] == [HEAD]  # heads and admins only

    qtbot.keyClicks(dialog.pin, "000000")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message.text() != "")
    assert "恢复账本须由村委会负责人或管理员确认" in dialog.message.text() and not restored
    assert not (desk.home / "replaced").exists()

    qtbot.keyClicks(dialog.pin, HEAD_PIN)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(restored))
    assert restored[0].village_code == "341824100201"
    assert [p.parent.name for p in restored[0].kept_aside][:1] == ["replaced"]
    assert not dialog.isVisible() and errors == []
    with Desk(desk.home) as again:
        assert again.verify().ok


def test_without_a_keyring_the_township_key_file_opens_the_copy(qtbot, desk: Desk, tasks: TaskManager,  # type: ignore[no-untyped-def]
                                                                 printer: FakePrinter, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 errors: list[BaseException]) -> None:
    import json

    import keyring
    import pyrage
    from keyring.backends import fail

    from tests.factories import CONFIG_PATH
    from tests.gui.test_review_sealed import AskedFiles

    township = pyrage.x25519.Identity.generate()
    data = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    data["recipients"] = {"township": str(township.to_public())}
    desk.setup.import_config(json.dumps(data, ensure_ascii=False), by=desk.users.authenticate(HEAD, HEAD_PIN))
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())  # a PC without a keyring
    sealed = desk.backups.write(tmp_path / "usb").path
    key = tmp_path / "乡镇.key"
    key.write_text(f"{township}\n", encoding="utf-8")
    restored: list[RestoreResult] = []
    monkeypatch.setattr("ui.restore_dialog._reopen", lambda result, parent: restored.append(result))
    ctx = WindowContext(desk, tasks, desk.users.authenticate(AGENT, AGENT_PIN), printer, files=AskedFiles(sealed, key))
    view = SettingsView(ctx)
    qtbot.addWidget(view)
    view.show()
    view.restore_from_backup()
    dialog = view.restore_dialog
    assert dialog is not None
    wait_idle(qtbot, tasks)
    qtbot.keyClicks(dialog.pin, HEAD_PIN)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message.text() != "")
    assert "请选择乡镇的密钥文件再恢复" in dialog.message.text() and not restored
    dialog.key_button.click()
    assert dialog.key_file == key and "乡镇.key" in dialog.key_button.text()
    qtbot.keyClicks(dialog.pin, HEAD_PIN)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(restored))
    assert restored[0].village_code == "341824100201" and errors == []
