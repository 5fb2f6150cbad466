"""Files the window writes for the agent (PDF reports, the unpaid spreadsheet): where they go and
how they open.

Building a report reads the database, so it runs on the database worker; the GUI thread only
picks a folder and opens the finished file. A report is written to a temporary name and renamed,
so a half-written PDF never sits in the folder looking finished.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget

from app.services.desk import Desk
from app.training import is_training
from ui.file_dialogs import Kind
from ui.message import MessageLine

if TYPE_CHECKING:
    from ui.context import WindowContext

# Where reports go: the report folder if one is set, else the backup folder (often a USB stick).
FOLDER_KEYS = ("report.dir", "backup.dir")
# Platforms with no desktop to open a file on (tests, the benchmark, screenshots under Xvfb
# still count as a desktop: xcb).
_HEADLESS = {"offscreen", "minimal"}


def report_folder(settings: Mapping[str, str]) -> Path | None:
    for key in FOLDER_KEYS:
        value = settings.get(key, "").strip()
        if value:
            return Path(value)
    return None


def resolve_folder(desk: Desk, chosen: Path | None) -> Path | None:
    """On the database worker: the folder the agent just picked (remembered as the report folder
    when none was set, so they are asked once), else the report or backup folder setting."""
    settings = desk.setup.settings()
    if chosen is None:
        return report_folder(settings)
    if report_folder(settings) is None:
        desk.setup.set_setting("report.dir", str(chosen))
    return chosen


def write_atomically(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_bytes(data)
    os.replace(part, path)
    return path


def save_report(desk: Desk, kind: str, period: tuple[date, date] | None, folder: Path, name: str, *,
                today: date) -> Path:
    """Gather a report's data (app/services/paper.py), render it with printing.reports and save
    it; runs on the database worker."""
    from printing.reports import render_report  # reportlab is heavy: import it on first use

    pdf, _summary = render_report(desk.paper.report(kind, period, today=today), training=is_training(desk.home))
    return write_atomically(folder / name, pdf)


def has_desktop() -> bool:
    return QGuiApplication.platformName() not in _HEADLESS


def open_files(paths: list[Path]) -> bool:
    """Open each file with the system's viewer (the agent prints from there); False when there
    is no desktop to open it on."""
    if not has_desktop():
        return False
    for path in paths:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    return True



def write_in_report_folder(view: QWidget, ctx: WindowContext, message: MessageLine, folder: Path | None,
                           build: Callable[[Path], Path], again: Callable[[Path], None], *, busy: str = "",
                           title: str = "选择保存报表的文件夹", not_made: str = "没有选择文件夹，未生成 PDF") -> None:
    """Build a file on the database worker into the folder just chosen, else the report or
    backup folder (`build` is given it and returns the file), then open it and say where it is.
    With no folder set yet, ask for one once and start `again` with it."""
    desk = ctx.desk

    def work() -> Path | None:
        where = resolve_folder(desk, folder)
        return None if where is None else build(where)

    def done(path: Path | None) -> None:
        if path is None:
            chosen = ctx.files.folder(view, title, kind=Kind.REPORT)
            if chosen is None:
                message.say(not_made)
                return
            again(chosen)
            return
        opened = open_files([path])
        message.say(f"已生成 {path}" + ("，请在打开的窗口中打印" if opened else ""), ok=True)

    if busy:
        message.say(busy, ok=True)
    ctx.tasks.run(work, done, on_error=lambda exc: message.refused(exc, ctx.tasks.fault))
