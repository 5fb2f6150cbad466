"""Import a roster file off the GUI thread, with progress and 取消."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.operations import Operations, OpResult
from app.services.roster import ImportResult
from ui.changes import Changes
from ui.file_dialogs import FileChooser, Kind
from ui.tasks import LongTask, Progress, TaskManager
from ui.typed_qt import button, named


def import_roster(ops: Operations, tasks: TaskManager, changes: Changes, path: str | Path, *,
                  parent: QWidget | None, on_done: Callable[[ImportResult], None],
                  on_error: Callable[[BaseException], None] | None = None, by: UserInfo | None = None,
                  allow_removals: bool = False) -> LongTask[OpResult[ImportResult]]:
    """Import on the database worker; LongTask.cancel() is what 取消 does. `by` is the signed-in
    agent or head (the roster decides who owes what); `changes` hears that the roster changed."""

    def work(progress: Progress) -> OpResult[ImportResult]:
        # progress.report raises Cancelled once 取消 was pressed; the roster service then
        # writes nothing, so a cancelled import leaves the roster as it was.
        # The window warms the new roster's search index when it hears of the import.
        return ops.import_roster(Path(path), progress=progress.report, by=by, allow_removals=allow_removals)

    return tasks.op_long(work, on_done, changes=changes, label=f"正在导入征收清册 {Path(path).name}…",
                         parent=parent, on_error=on_error, cancellable=True)


def describe_import(result: ImportResult) -> str:
    """The same counts as `daishou roster import`, and what the agent should know besides."""
    text = result.summary
    if result.rejected:
        text += "；拒绝的行见弹出的清单，可保存为 Excel 修正后再导入"
    return text + "".join(f"。注意：{n}" for n in result.notes)


WRAPPED_ROWS = 500  # rejected rows up to which each row is as tall as its whole reason


class RejectedRowsDialog(QDialog):
    """Every rejected row with its Excel row number, column and reason; saved as .xlsx (the
    rows as they were, with a reason column) to correct and import again."""

    def __init__(self, desk: Desk, tasks: TaskManager, files: FileChooser, result: ImportResult, *,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rejectedRows")
        self.setWindowTitle("清册中被拒绝的行")
        self.desk, self.tasks, self.files, self.imported = desk, tasks, files, result
        self.table = named(QTableWidget(len(result.rejected), 3), "rejectedTable")
        self.table.setHorizontalHeaderLabels(["行号（Excel）", "列", "原因"])
        for n, r in enumerate(result.rejected):
            for col, value in enumerate((str(r.row), str(r.column), r.reason)):
                item = QTableWidgetItem(value)
                if col == 2:
                    item.setToolTip(value)  # the whole reason, wherever the row is cut
                self.table.setItem(n, col, item)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.resize(960, 480)
        self.table.setColumnWidth(0, 100)
        self.table.setColumnWidth(1, 90)
        if self.table.rowCount() <= WRAPPED_ROWS:
            # A reason is read whole: the tiers the county allows, what Excel did to a number.
            # Rows fit their reason again whenever the columns change width (the dialog shown,
            # resized); measuring a township's thousands of rejections would stall.
            self.table.horizontalHeader().sectionResized.connect(
                lambda *_: self.table.resizeRowsToContents())
        self.message = named(QLabel(f"共 {result.rejected_rows} 行没有导入：", wordWrap=True), "rejectedMessage")
        self.save_button = button("保存为 Excel（修正后可直接再导入）", "saveRejected", self.save)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def save(self) -> None:
        path = self.files.save_path(self, "保存被拒绝的行", "清册-拒绝的行.xlsx", "Excel (*.xlsx)",
                                   kind=Kind.REPORT)
        if path is None:
            return
        roster, result = self.desk.roster, self.imported
        self.tasks.run(lambda: roster.export_rejected_xlsx(result, path),
                       lambda n: self.message.setText(f"已保存 {n} 行到 {path}：修正后可直接再次导入"),
                       on_error=lambda exc: self.message.setText(f"保存失败：{exc}"))
