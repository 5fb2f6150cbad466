"""What a person can press on the screen right now, written to a file for the end-to-end tests.

Only when DAISHOU_TEST_INVENTORY names a file (tests/e2e/test_every_button.py sets it): every
300 ms the program writes, for the active window, its title, the tab shown, the visible text,
and each visible push button with its text, object name, whether it is enabled and its centre
on the screen. The test presses each button by that position with the real mouse and reads the
file again to see what opened. Asking the program is what makes the test cover a button added
later without editing it; walking Tab order from outside would depend on focus rules, and
guessing positions from a screenshot on fonts.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton, QTabWidget, QWidget

ENV = "DAISHOU_TEST_INVENTORY"


def describe(window: QWidget) -> dict[str, Any]:
    buttons = []
    for button in window.findChildren(QPushButton):
        if not button.isVisible() or button.window() is not window:
            continue
        centre = button.mapToGlobal(button.rect().center())
        buttons.append({"text": button.text(), "name": button.objectName(), "enabled": button.isEnabled(),
                        "x": centre.x(), "y": centre.y()})
    tabs = [t for t in window.findChildren(QTabWidget) if t.isVisible()]
    texts = [label.text() for label in window.findChildren(QLabel) if label.isVisible() and label.text()]
    if isinstance(window, QMessageBox):
        texts += [window.text(), window.informativeText()]
    return {"title": window.windowTitle(), "kind": type(window).__name__, "object": window.objectName(),
            "tab": tabs[0].tabText(tabs[0].currentIndex()) if tabs else "", "texts": texts, "buttons": buttons}


def snapshot() -> dict[str, Any]:
    active = QApplication.activeWindow()
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.isWindow()]
    return {"active": describe(active) if active is not None else None,
            "windows": [w.windowTitle() for w in shown]}


def write(path: Path) -> None:
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(snapshot(), ensure_ascii=False), encoding="utf-8")
    os.replace(part, path)


def install(parent: QObject) -> QTimer | None:
    """Start writing the inventory when the test asked for it (the environment variable)."""
    target = os.environ.get(ENV)
    if not target:
        return None
    path = Path(target)
    timer = QTimer(parent, interval=300)
    timer.timeout.connect(lambda: write(path))
    timer.start()
    return timer
