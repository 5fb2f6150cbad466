"""An unexpected error in the window (issue 26): a Chinese message naming the log file, and a
button that copies its path for the technician on the phone."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from app.logs import start_logging, stop_desk_logging
from app.services.errors import InvalidInput
from tests.factories import ZHANG
from ui.errors import show_error


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = start_logging(tmp_path / "home")
    yield path
    stop_desk_logging()


def _dialog() -> QMessageBox:
    (box,) = [w for w in QApplication.topLevelWidgets() if w.objectName() == "errorDialog" and w.isVisible()]
    assert isinstance(box, QMessageBox)
    return box


def test_an_unexpected_error_names_the_log_and_copies_its_path(qtbot, log_file: Path) -> None:  # type: ignore[no-untyped-def]
    try:
        {}[f"no {ZHANG.id_number}"]  # a bug of ours, with its traceback
    except KeyError as exc:
        window = QWidget()
        qtbot.addWidget(window)
        show_error(exc, parent=window)
    box = _dialog()
    qtbot.addWidget(box)
    assert "程序内部错误" in box.text()
    assert "日志文件" in box.informativeText() and str(log_file) in box.informativeText()
    copy = box.findChild(QPushButton, "copyLogPath")
    assert copy is not None and copy.text() == "复制日志路径(&C)"  # Alt+C
    QGuiApplication.clipboard().clear()
    copy.click()
    assert QGuiApplication.clipboard().text() == str(log_file)
    assert box.isVisible() and "已复制日志路径" in box.informativeText()  # still open to read
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert not box.isVisible()
    for h in logging.getLogger().handlers:
        h.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "KeyError" in text and "Traceback" in text and ZHANG.id_number not in text


def test_a_refusal_says_what_to_do_and_offers_no_log(qtbot, log_file: Path) -> None:  # type: ignore[no-untyped-def]
    window = QWidget()
    qtbot.addWidget(window)
    show_error(InvalidInput("现金金额不对"), parent=window)
    box = _dialog()
    qtbot.addWidget(box)
    assert box.text() == "现金金额不对" and "日志" not in box.informativeText()
    assert box.findChild(QPushButton, "copyLogPath") is None
    box.close()
