"""Every file dialog of the window, in one place: it opens where that kind of file goes, and
remembers the folder the agent last picked for that kind in the desk's settings.

A dialog started with no folder opens in the program's working folder (the install folder on
Windows), where no village file ever is. Each kind starts instead in, first, the folder last used
for it; then the folder the settings name for it (备份文件夹, 报表文件夹); then the user's home.
Tests replace the chooser with one that answers at once (tests/gui/conftest.py FakeFiles).

Set DAISHOU_DIALOG_DUMP to a file and each dialog, once shown, appends what it reads (title,
labels, buttons, the rows of its file list) as a JSON line: the real-screen test
(tests/e2e/test_file_dialogs.py) checks those texts are Chinese.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QLabel, QTreeView, QWidget


class Kind(StrEnum):
    BACKUP = "backup"  # the ledger's backup copies (often a USB stick)
    REPORT = "report"  # PDFs and spreadsheets the desk writes
    USB = "usb"  # files that travel on a stick: the county's rosters, the export for the county
    SCAN = "scan"  # the scanned, signed 台账


# The setting a kind falls back to when nothing was picked for it yet.
CONFIGURED = {Kind.BACKUP: ("backup.dir",), Kind.REPORT: ("report.dir", "backup.dir"),
              Kind.USB: ("backup.dir",), Kind.SCAN: ()}


def last_key(kind: Kind) -> str:
    return f"ui.last_dir.{kind.value}"


class FileChooser:
    """The window's file dialogs. `settings` is a copy of the desk's settings (read on the
    database worker with the window's other data); `remember(key, value)` saves a setting."""

    def __init__(self, settings: Mapping[str, str] | None = None,
                 remember: Callable[[str, str], None] | None = None) -> None:
        self.settings = dict(settings or {})
        self._remember = remember

    def note(self, changed: Mapping[str, str]) -> None:
        """Settings just saved (a new backup or report folder)."""
        self.settings.update(changed)

    def start(self, kind: Kind) -> str:
        for key in (last_key(kind), *CONFIGURED[kind]):
            folder = self.settings.get(key, "")
            if folder and Path(folder).is_dir():
                return folder
        return str(Path.home())

    def _picked(self, kind: Kind, path: Path) -> None:
        folder = str(path if path.is_dir() else path.parent)
        if self.settings.get(last_key(kind)) == folder:
            return
        self.settings[last_key(kind)] = folder
        if self._remember is not None:
            self._remember(last_key(kind), folder)

    def folder(self, parent: QWidget, title: str, start: str = "", *, kind: Kind = Kind.REPORT) -> Path | None:
        dialog = QFileDialog(parent, title, start if start and Path(start).is_dir() else self.start(kind))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        return self._run(dialog, kind)

    def save_path(self, parent: QWidget, title: str, start: str, filter_: str, *,
                  kind: Kind = Kind.REPORT) -> Path | None:
        """`start` is a file name (put in the kind's folder) or a full path."""
        named = Path(start)
        where = start if named.is_absolute() else str(Path(self.start(kind)) / named)
        dialog = QFileDialog(parent, title, where, filter_)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        return self._run(dialog, kind)

    def open_path(self, parent: QWidget, title: str, filter_: str, *, kind: Kind = Kind.USB) -> Path | None:
        dialog = QFileDialog(parent, title, self.start(kind), filter_)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        return self._run(dialog, kind)

    def _run(self, dialog: QFileDialog, kind: Kind) -> Path | None:
        dump = os.environ.get("DAISHOU_DIALOG_DUMP")
        if dump:
            QTimer.singleShot(1000, dialog, lambda: write_dump(dialog, Path(dump)))
        try:
            if not dialog.exec() or not dialog.selectedFiles():
                return None
            chosen = Path(dialog.selectedFiles()[0])
        finally:
            dialog.deleteLater()
        self._picked(kind, chosen)
        return chosen


def write_dump(dialog: QFileDialog, path: Path) -> None:
    """What the dialog shows, as text: for the real-screen test only (DAISHOU_DIALOG_DUMP)."""
    tree = dialog.findChild(QTreeView)
    rows: list[list[str]] = []
    if tree is not None and tree.model() is not None:
        model, root = tree.model(), tree.rootIndex()
        rows = [[str(model.data(model.index(r, c, root)) or "") for c in range(model.columnCount(root))]
                for r in range(model.rowCount(root))]
    record = {"title": dialog.windowTitle(), "directory": dialog.directory().absolutePath(),
              "labels": {w.objectName(): w.text() for w in dialog.findChildren(QLabel) if w.objectName()},
              "buttons": [b.text() or b.toolTip() for b in dialog.findChildren(QAbstractButton)],
              "rows": rows}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
