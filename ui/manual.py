"""F1 → the Chinese 操作手册 (docs/manual/index.html, built by installer/build_manual.py).

In the bundle it sits in PyInstaller's data folder with docs/img beside it; from a source tree,
in docs/manual. It is opened in the PC's browser (QDesktopServices), never in a widget of ours:
the browser prints, zooms and searches it as the agent is used to."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

RELATIVE = Path("docs") / "manual" / "index.html"


def manual_path() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / RELATIVE
    return Path(__file__).resolve().parent.parent / RELATIVE


def manual_url() -> QUrl:
    return QUrl.fromLocalFile(str(manual_path()))


def open_manual() -> bool:
    return bool(QDesktopServices.openUrl(manual_url()))


def install_f1(widget: QWidget, action: Callable[[], object] = open_manual) -> QShortcut:
    """F1 on a window without a help screen of its own (login, wizard, township review)."""
    shortcut = QShortcut(QKeySequence("F1"), widget)
    shortcut.activated.connect(action)
    return shortcut
