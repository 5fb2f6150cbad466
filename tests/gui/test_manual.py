"""The Chinese 操作手册 (issue 26): built from docs/manual/manual.md with the screenshots the
real-screen tests take (so it is never stale), and F1 in every window opens that file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QMessageBox, QPushButton

from app.services.desk import Desk
from tests.gui.conftest import FakeFiles, FakePrinter
from tests.gui.test_start import make_app
from ui import manual
from ui.context import WindowContext
from ui.main_window import MainWindow
from ui.review_window import ReviewWindow
from ui.tasks import TaskManager
from ui.wizard import SetupWizard

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    """What would open in the PC's browser."""
    urls: list[QUrl] = []

    class Browser:
        @staticmethod
        def openUrl(url: QUrl) -> bool:  # noqa: N802 - Qt's name
            urls.append(url)
            return True

    monkeypatch.setattr(manual, "QDesktopServices", Browser)
    return urls


def _is_the_manual(urls: list[QUrl]) -> None:
    assert len(urls) == 1 and urls[0].isLocalFile()
    path = Path(urls[0].toLocalFile())
    assert path == ROOT / "docs" / "manual" / "index.html" and path.is_file()
    assert "代收 操作手册" in path.read_text(encoding="utf-8")


def test_the_manual_is_built_from_its_source_with_current_pictures() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "installer" / "build_manual.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    page = (ROOT / "docs" / "manual" / "index.html").read_text(encoding="utf-8")
    pictures = [line.split('src="')[1].split('"')[0] for line in page.splitlines() if "<img src=" in line]
    assert len(pictures) >= 10 and all(p.startswith("../img/") for p in pictures)
    assert all((ROOT / "docs" / "manual" / p).is_file() for p in pictures)
    for chapter in ("第一次打开", "一天的收款", "作废和退费", "日结", "解缴", "月结", "打印", "提示条", "U 盘导出",
                    "恢复", "培训模式", "遇到问题找谁"):
        assert chapter in page, chapter


def test_f1_at_login_opens_the_manual(qtbot, desk: Desk, printer: FakePrinter, opened: list[QUrl]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(qtbot, desk, printer)
    assert app.login is not None
    qtbot.addWidget(app.login)
    qtbot.keyClick(app.login.pin, Qt.Key.Key_F1)
    _is_the_manual(opened)
    app.shutdown()


def test_f1_in_the_desk_window_offers_the_manual(qtbot, window: MainWindow, opened: list[QUrl]) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    box = window.help_box
    assert isinstance(box, QMessageBox) and "Alt+M 打开操作手册" in box.text()
    button = box.findChild(QPushButton, "openManual")
    assert button is not None and button.text() == "打开操作手册(&M)"
    button.click()
    _is_the_manual(opened)


def test_f1_in_the_review_window_and_the_wizard(qtbot, desk: Desk, tasks: TaskManager, printer: FakePrinter,  # type: ignore[no-untyped-def]
                                                tmp_path: Path, opened: list[QUrl]) -> None:
    from app.services.setup_flow import WizardFlow

    ctx = WindowContext(desk, tasks, desk.users.authenticate("李代收", "1234"), printer, files=FakeFiles())
    review = ReviewWindow(ctx)
    qtbot.addWidget(review)
    with qtbot.waitActive(review):
        review.show()
        review.activateWindow()
    qtbot.keyClick(review, Qt.Key.Key_F1)  # the window's keys, with the manual one press away
    qtbot.waitUntil(lambda: review.help_box is not None and review.help_box.isVisible())
    manual = review.help_box.findChild(QPushButton, "openManual")
    assert manual is not None and "操作手册" in manual.text()
    manual.click()
    _is_the_manual(opened)
    review.help_box.close()
    opened.clear()
    with Desk(tmp_path / "new") as fresh:
        wizard = SetupWizard(fresh, tasks, WizardFlow())
        qtbot.addWidget(wizard)
        with qtbot.waitActive(wizard):
            wizard.show()
            wizard.activateWindow()
        qtbot.keyClick(wizard, Qt.Key.Key_F1)
        _is_the_manual(opened)
        wizard.close()
