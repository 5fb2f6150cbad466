"""培训模式 from the login (issue 26): the button opens the practice village's login before the
real one goes; its window says 【培训模式】 in its title and carries the orange banner; the real
village's ledger is not touched."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.services.desk import Desk
from tests.gui.conftest import AGENT, AGENT_PIN, FakePrinter, wait_idle
from tests.gui.test_start import login, make_app
from tests.gui.test_transitions import visible_windows
from ui.main_window import MainWindow


def test_training_opens_the_practice_village(qtbot, desk: Desk, printer: FakePrinter, errors) -> None:  # type: ignore[no-untyped-def]
    real_ledger = desk.home / "daishou.sqlite3"
    before = hashlib.sha256(real_ledger.read_bytes()).hexdigest()
    app = make_app(qtbot, desk, printer)
    real_login = app.login
    assert real_login is not None and real_login.training_button.text() == "培训模式(&T)"  # Alt+T
    qtbot.addWidget(real_login)
    seen: list[list[str]] = []
    real_login.finished.connect(lambda _r: seen.append(visible_windows()))
    qtbot.mouseClick(real_login.training_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.login is not real_login, timeout=20000)
    wait_idle(qtbot, app.tasks)
    practice_login = app.login
    assert practice_login is not None
    qtbot.addWidget(practice_login)
    assert seen == [["代收 — 登录（培训模式）"]]  # the practice login was up before the real one went
    assert practice_login.findChild(QLabel, "trainingBanner") is not None
    assert app.desk.home == desk.home / "training"
    qtbot.waitUntil(lambda: "示范" in practice_login.village.text())

    login(qtbot, app, AGENT, AGENT_PIN)  # the demo village's agent
    qtbot.waitUntil(lambda: isinstance(app.window, MainWindow) and app.window.windowTitle().startswith("【培训模式】"),
                    timeout=10000)
    assert isinstance(app.window, MainWindow)
    qtbot.addWidget(app.window)
    assert app.window.findChild(QLabel, "trainingBanner") is not None
    assert "上庄村（示范）" in app.window.windowTitle()
    app.shutdown()
    assert hashlib.sha256(real_ledger.read_bytes()).hexdigest() == before
    assert not errors
