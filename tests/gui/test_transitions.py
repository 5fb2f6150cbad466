"""Every hand-over between windows keeps one on screen, and only the user ends the program:
a correct PIN used to close the login before the desk window existed, and Qt quit with code 0."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.services.desk import Desk
from tests.gui.conftest import AGENT, AGENT_PIN, FakePrinter, wait_idle
from tests.gui.test_start import login, make_app
from ui.app import DeskApp, install_translations
from ui.main_window import MainWindow


def visible_windows() -> list[str]:
    return [w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible() and w.isWindow()]


def track_quits(app: DeskApp) -> list[bool]:
    quits: list[bool] = []
    app.quit_requested.connect(lambda: quits.append(True))
    return quits


def test_login_stays_until_the_window_is_shown(qtbot, desk: Desk, printer: FakePrinter, errors) -> None:  # type: ignore[no-untyped-def]
    app = make_app(qtbot, desk, printer)
    quits = track_quits(app)
    dialog = app.login
    assert dialog is not None
    qtbot.addWidget(dialog)
    seen_at_login: list[list[str]] = []
    dialog.logged_in.connect(lambda _u: seen_at_login.append(visible_windows()))
    login(qtbot, app, AGENT, AGENT_PIN)
    qtbot.waitUntil(lambda: app.window is not None)
    window = app.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    assert seen_at_login == [["代收 — 登录"]]  # nothing closed before the window existed
    assert window.isVisible() and window.isMaximized() and not dialog.isVisible()
    assert not quits
    app.shutdown()
    assert not errors


def test_ctrl_l_switches_user_and_closing_the_window_quits(qtbot, desk: Desk, printer: FakePrinter, errors) -> None:  # type: ignore[no-untyped-def]
    app = make_app(qtbot, desk, printer)
    quits = track_quits(app)
    qtbot.addWidget(app.login)
    login(qtbot, app, AGENT, AGENT_PIN)
    qtbot.waitUntil(lambda: app.window is not None)
    first = app.window
    assert first is not None
    qtbot.addWidget(first)
    wait_idle(qtbot, app.tasks)
    first.activateWindow()
    qtbot.keyClick(first, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(50)
    assert app.login is not None and app.login.isVisible() and not first.isVisible()
    qtbot.addWidget(app.login)
    assert not quits  # logging out is not quitting
    login(qtbot, app, AGENT, AGENT_PIN)
    qtbot.waitUntil(lambda: app.window is not None and app.window is not first)
    second = app.window
    assert second is not None and second.isVisible()
    qtbot.addWidget(second)
    wait_idle(qtbot, app.tasks)
    second.close()
    qtbot.waitUntil(lambda: bool(quits))
    app.shutdown()
    assert not errors


def test_cancelling_the_login_quits(qtbot, desk: Desk, printer: FakePrinter, errors) -> None:  # type: ignore[no-untyped-def]
    app = make_app(qtbot, desk, printer)
    quits = track_quits(app)
    assert app.login is not None
    qtbot.addWidget(app.login)
    qtbot.keyClick(app.login, Qt.Key.Key_Escape)
    assert quits and not app.login.isVisible()
    app.shutdown()
    assert not errors


def test_qt_dialog_buttons_read_chinese(qapp: QApplication) -> None:
    translator = install_translations(qapp)
    assert translator is not None, "PySide6's qtbase_zh_CN translation is missing"
    try:
        box = QMessageBox(QMessageBox.Icon.Question, "确认", "作废这张收据？",
                          QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
        texts = {box.button(b).text() for b in (QMessageBox.StandardButton.Ok, QMessageBox.StandardButton.Cancel)}
        assert texts == {"确定", "取消"}
    finally:
        qapp.removeTranslator(translator)


def test_f1_explains_the_keys_of_the_current_screen(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.show()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert "F12" in window.help_box.text() and "Ctrl+L" in window.help_box.text()
    window.help_box.close()
    window.show_screen(window.today_view)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert "作废" in window.help_box.text() and "F12" not in window.help_box.text()
    window.help_box.close()
