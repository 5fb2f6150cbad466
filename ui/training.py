"""培训模式 in the window (app/training.py): what marks a practice village's screens.

The login of the practice village says so in orange; its window's title starts with 【培训模式】
and the window carries an orange frame and a status-bar label, so nobody takes practice for a
real day at the desk (a window manager draws the title bar itself: the colour is inside)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QMainWindow

from app.training import is_training

COLOUR = "#e67e22"
TITLE_PREFIX = "【培训模式】"
BANNER = "培训模式：练习用的示范村，收据和报表都印「培训」，数据不上传、不导出到县里"


def title_prefix(home: Path) -> str:
    return TITLE_PREFIX if is_training(home) else ""


def banner() -> QLabel:
    label = QLabel(BANNER)
    label.setObjectName("trainingBanner")
    label.setWordWrap(True)
    label.setStyleSheet(f"background: {COLOUR}; color: white; font-weight: bold; padding: 6px;")
    return label


def mark_window(window: QMainWindow, home: Path) -> None:
    if not is_training(home):
        return
    window.setObjectName(window.objectName() or "trainingWindow")
    # An orange frame: the window's own background shows in a margin round everything in it.
    window.setStyleSheet(f"QMainWindow {{ background: {COLOUR}; }}")
    window.setContentsMargins(6, 6, 6, 6)
    window.statusBar().addPermanentWidget(banner())
