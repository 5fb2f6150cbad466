"""The review window opens a village's sealed file (issue 26): it asks once for the township's
key file, then reads the ledger; a stranger's key is refused by name."""

from __future__ import annotations

import json
from pathlib import Path

import pyrage
from PySide6.QtWidgets import QWidget

from app.domain.records import Role
from app.services.desk import Desk
from tests.factories import CONFIG_PATH
from tests.gui.conftest import AGENT, AGENT_PIN, HEAD, HEAD_PIN, FakeClock, FakeFiles, wait_idle
from tests.gui.test_review_window import village_file
from ui.context import WindowContext
from ui.review_window import ReviewWindow
from ui.tasks import TaskManager


class AskedFiles(FakeFiles):
    """Answers the open dialogs in turn and keeps their titles."""

    def __init__(self, *answers: Path) -> None:
        super().__init__()
        self.answers, self.titles = list(answers), list[str]()

    def open_path(self, parent: QWidget, title: str, filter_: str, *, kind: object = None) -> Path | None:
        self.titles.append(title)
        return self.answers.pop(0) if self.answers else None


def _sealed_village_file(desk: Desk, clock: FakeClock, tmp_path: Path) -> tuple[Path, pyrage.x25519.Identity]:
    township = pyrage.x25519.Identity.generate()
    data = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    data["recipients"] = {"township": str(township.to_public())}
    desk.setup.import_config(json.dumps(data, ensure_ascii=False),
                             by=desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,)))
    made = village_file(desk, clock, tmp_path / "usb")  # the review tests' plain copy ...
    made.unlink()
    return desk.backups.write(tmp_path / "usb").path, township  # ... and the sealed one the desk writes


def _window(qtbot, desk: Desk, tasks: TaskManager, printer, files: FakeFiles) -> ReviewWindow:  # type: ignore[no-untyped-def]
    ctx = WindowContext(desk, tasks, desk.users.authenticate(AGENT, AGENT_PIN), printer, files=files)
    win = ReviewWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    return win


def test_the_township_key_opens_a_sealed_file(qtbot, desk: Desk, clock: FakeClock, tasks: TaskManager,  # type: ignore[no-untyped-def]
                                              printer, errors, tmp_path: Path) -> None:
    sealed, township = _sealed_village_file(desk, clock, tmp_path)
    key = tmp_path / "乡镇.key"
    key.write_text(f"# 城关镇\n{township}\n", encoding="utf-8")
    files = AskedFiles(sealed, key)
    win = _window(qtbot, desk, tasks, printer, files)
    win.choose_file()
    wait_idle(qtbot, tasks)
    assert files.titles == ["打开村账本", "选择乡镇的密钥文件（打开加密的账本）"]
    assert "示范村" in win.summary.text() and win.check.text().startswith("账本校验：完好")
    assert not errors


def test_a_strangers_key_is_refused_by_name(qtbot, desk: Desk, clock: FakeClock, tasks: TaskManager,  # type: ignore[no-untyped-def]
                                           printer, errors, tmp_path: Path, monkeypatch) -> None:
    sealed, _ = _sealed_village_file(desk, clock, tmp_path)
    stranger = tmp_path / "别人的.key"
    stranger.write_text(f"{pyrage.x25519.Identity.generate()}\n", encoding="utf-8")
    shown: list[str] = []
    monkeypatch.setattr("ui.review_window.show_error", lambda exc, parent, title: shown.append(str(exc)))
    win = _window(qtbot, desk, tasks, printer, AskedFiles(sealed, stranger))
    win.choose_file()
    wait_idle(qtbot, tasks)
    assert shown and "不是加密给这把密钥的" in shown[0] and sealed.name in shown[0]
    assert win.open_button.isEnabled() and not win.report_button.isEnabled()
