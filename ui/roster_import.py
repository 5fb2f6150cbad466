"""Import a roster file off the GUI thread, with progress and 取消."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.roster import ImportResult
from ui.tasks import LongTask, Progress, TaskManager


def import_roster(desk: Desk, tasks: TaskManager, path: str | Path, *, parent: QWidget | None,
                  on_done: Callable[[ImportResult], None],
                  on_error: Callable[[BaseException], None] | None = None, by: UserInfo | None = None,
                  allow_removals: bool = False) -> LongTask:
    """Import on the database worker; LongTask.cancel() is what 取消 does. `by` is the signed-in
    agent or head (the roster decides who owes what)."""
    roster = desk.roster

    def work(progress: Progress) -> ImportResult:
        # progress.report raises Cancelled once 取消 was pressed; the roster service then
        # writes nothing, so a cancelled import leaves the roster as it was.
        return roster.import_file(Path(path), progress=progress.report, by=by,
                                  allow_removals=allow_removals)

    return tasks.run_long(work, on_done, label=f"正在导入征收清册 {Path(path).name}…", parent=parent,
                          on_error=on_error, cancellable=True)


def describe_import(result: Any) -> str:
    rejected = getattr(result, "rejected", ())
    text = f"导入 {result.imported} 人，更新 {result.updated} 人"
    if rejected:
        first = "；".join(f"第{r.row}行 {r.column}：{r.reason}" for r in rejected[:3])
        text += f"，{len(rejected)} 行有误未导入（{first}{'…' if len(rejected) > 3 else ''}）"
    return text
