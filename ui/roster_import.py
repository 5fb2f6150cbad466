"""Import a roster file off the GUI thread, with progress and cancel where the service allows."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from app.services.desk import Desk
from ui.tasks import Progress, TaskManager


def reports_progress(desk: Desk) -> bool:
    """Whether roster.import_file takes a progress callback (the roster feature adds it)."""
    return "progress" in inspect.signature(desk.roster.import_file).parameters


def import_roster(desk: Desk, tasks: TaskManager, path: str | Path, *, parent: QWidget | None,
                  on_done: Any, on_error: Any = None) -> None:
    cancellable = reports_progress(desk)

    def work(progress: Progress) -> Any:
        if cancellable:
            # The callback raises Cancelled when 取消 is pressed; the import's transaction then
            # rolls back, so a cancelled import leaves the roster as it was.
            return desk.roster.import_file(Path(path), progress=progress.report)  # type: ignore[call-arg]
        return desk.roster.import_file(Path(path))

    tasks.run_long(work, on_done, label=f"正在导入征收清册 {Path(path).name}…", parent=parent,
                   on_error=on_error, cancellable=cancellable)


def describe_import(result: Any) -> str:
    rejected = getattr(result, "rejected", ())
    text = f"导入 {result.imported} 人，更新 {result.updated} 人"
    if rejected:
        first = "；".join(f"第{r.row}行 {r.column}：{r.reason}" for r in rejected[:3])
        text += f"，{len(rejected)} 行有误未导入（{first}{'…' if len(rejected) > 3 else ''}）"
    return text
