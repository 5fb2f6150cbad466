"""进度: collected against due per insurance and per group, as bars and as numbers; the unpaid
list to export (.xlsx), print (PDF) and a new roster to import.

QtCharts is not in PySide6-Essentials, so the bars are drawn with QPainter: a few rectangles
are all an agent needs to see how far the village is.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import format_fen
from app.domain.records import RosterProgress, UnpaidPerson
from app.services.roster import ImportResult, RemovalsNeedConfirmation
from ui.context import WindowContext
from ui.file_dialogs import Kind
from ui.message import MessageLine
from ui.monthly_view import MonthlyPanel
from ui.progress_models import ProgressRow, ProgressTableModel, UnpaidTableModel, progress_rows
from ui.reports import open_files, resolve_folder, save_report
from ui.roster_import import RejectedRowsDialog, describe_import, import_roster
from ui.text_size import scaled
from ui.typed_qt import named

CASH, ELSEWHERE, SUBSIDISED, EMPTY = (QColor("#2e7d32"), QColor("#81c784"), QColor("#90a4ae"),
                                      QColor("#e0e0e0"))
ROW_H, BAR_H = 30, 22


class BarChart(QWidget):
    """One stacked bar per row: cash here, paid elsewhere, subsidised, and grey for unpaid."""

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressChart")
        self.rows: list[ProgressRow] = []
        # As tall as its bars and legend: the rest of the screen goes to the tables below.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)

    def set_rows(self, rows: list[ProgressRow]) -> None:
        self.rows = rows
        self.setMinimumHeight(36 + ROW_H * len(rows))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(600, self.minimumHeight())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        metrics = painter.fontMetrics()
        label_w = max([metrics.horizontalAdvance(r.label) for r in self.rows] + [60]) + 16
        bar_x, bar_w = label_w, max(40, self.width() - label_w - 190)
        bold = QFont(painter.font())
        bold.setBold(True)
        normal = QFont(painter.font())
        for n, row in enumerate(self.rows):
            y = 4 + n * ROW_H
            painter.setFont(bold if row.total else normal)
            painter.setPen(QColor("#222222"))
            painter.drawText(QRectF(0, y, label_w - 8, BAR_H),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, row.label)
            painter.fillRect(QRectF(bar_x, y, bar_w, BAR_H), EMPTY)
            x, due = float(bar_x), max(row.line.due, 1)
            for count, colour in ((row.line.paid_cash, CASH), (row.line.paid_elsewhere, ELSEWHERE),
                                  (row.line.subsidised, SUBSIDISED)):
                w = bar_w * count / due
                painter.fillRect(QRectF(x, y, w, BAR_H), colour)
                x += w
            painter.drawText(QRectF(bar_x + bar_w + 8, y, 190, BAR_H), Qt.AlignmentFlag.AlignVCenter,
                             f"{row.paid}/{row.payable} 人　{row.ratio:.0%}")
        y = 8 + len(self.rows) * ROW_H
        painter.setFont(normal)
        x = bar_x
        for text, colour in (("本处收现", CASH), ("其他渠道", ELSEWHERE), ("政府代缴", SUBSIDISED),
                             ("未缴", EMPTY)):
            painter.fillRect(QRectF(x, y + 5, 14, 14), colour)
            painter.setPen(QColor("#222222"))
            painter.drawText(QRectF(x + 18, y, 100, 24), Qt.AlignmentFlag.AlignVCenter, text)
            x += 26 + metrics.horizontalAdvance(text)
        painter.end()


def _table(model: object, name: str) -> QTableView:
    view = named(QTableView(), name)
    view.setModel(model)  # type: ignore[arg-type]
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return view


class ProgressView(QWidget):
    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.progress: RosterProgress | None = None
        self._stale = True
        self.title = named(QLabel("收缴进度"), "progressTitle")
        scaled(self.title, 1.4, bold=True)
        self.chart = BarChart()
        self.numbers = ProgressTableModel(parent=self)
        self.numbers_table = _table(self.numbers, "progressTable")
        self.unpaid = UnpaidTableModel(parent=self)
        self.unpaid_table = _table(self.unpaid, "unpaidTable")
        self.unpaid_title = named(QLabel(), "unpaidTitle")
        self.message = MessageLine("progressMessage")
        self.export_button = named(QPushButton("导出未缴名单 Excel（Ctrl+E）"), "exportUnpaid")
        self.pdf_button = named(QPushButton("打印未缴名单 PDF（Ctrl+U）"), "printUnpaid")
        self.import_button = named(QPushButton("导入新清册（Ctrl+I）"), "importRoster")
        self.export_button.clicked.connect(lambda: self.export_unpaid())
        self.pdf_button.clicked.connect(lambda: self.print_unpaid())
        self.import_button.clicked.connect(lambda: self.import_roster())
        # 月度统计 (seed 004): its tab shows the month; the buttons print or export the month chosen.
        self.monthly = MonthlyPanel(ctx, self.message)
        self.monthly_pdf_button = named(QPushButton("月度统计 PDF（Ctrl+N）"), "monthlyPdf")
        self.monthly_xlsx_button = named(QPushButton("月度统计 Excel（Ctrl+Shift+N）"), "monthlyXlsx")
        self.monthly_pdf_button.clicked.connect(lambda: self.monthly.print_pdf())
        self.monthly_xlsx_button.clicked.connect(lambda: self.monthly.export_xlsx())

        tabs = named(QTabWidget(), "progressTabs")
        tabs.addTab(self.numbers_table, "各组数字")
        unpaid_page = QWidget()
        uv = QVBoxLayout(unpaid_page)
        uv.setContentsMargins(0, 0, 0, 0)
        uv.addWidget(self.unpaid_title)
        uv.addWidget(self.unpaid_table)
        tabs.addTab(unpaid_page, "未缴名单")
        tabs.addTab(self.monthly, "月度统计")
        tabs.currentChanged.connect(lambda _i: self._tab_changed())
        self.detail_tabs = tabs
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(tabs)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        buttons = QHBoxLayout()
        for b in (self.export_button, self.pdf_button, self.import_button, self.monthly_pdf_button,
                  self.monthly_xlsx_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setFocusProxy(self.numbers_table)
        ctx.changes.receipts.connect(self._changed)
        ctx.changes.roster.connect(self._changed)

    def _tab_changed(self) -> None:
        if self.detail_tabs.currentWidget() is self.monthly:
            self.monthly.refresh()

    def show_monthly(self) -> None:
        """The 月度统计 tab, its month box focused (↑↓ picks another month)."""
        self.detail_tabs.setCurrentWidget(self.monthly)
        self.monthly.month.setFocus()

    def _changed(self) -> None:
        # Counting a 100,000-person roster takes a while: only for the screen being looked at.
        self._stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        roster = self.ctx.desk.roster

        def fetch() -> tuple[RosterProgress, tuple[UnpaidPerson, ...]]:
            progress = roster.progress()
            return progress, roster.unpaid(progress.year)

        self._stale = False
        self.ctx.tasks.run(fetch, self._show, on_error=self._refused)

    def _show(self, result: tuple[RosterProgress, tuple[UnpaidPerson, ...]]) -> None:
        progress, unpaid = result
        self.progress = progress
        rows = progress_rows(progress)
        self.chart.set_rows(rows)
        self.numbers.set_rows(rows)
        self.unpaid.set_people(unpaid)
        parts = [f"{r.line.insurance.short_label} 已收现金 ¥{format_fen(r.line.collected_fen)}，"
                 f"未缴 {r.line.unpaid} 人 ¥{format_fen(r.line.outstanding_fen)}" for r in rows if r.total]
        self.title.setText(f"{progress.year} 年度收缴进度（已缴人数 / 需自缴人数，含其他渠道缴费）")
        self.unpaid_title.setText(f"未缴 {len(unpaid)} 人，合计 ¥{format_fen(sum(p.total_fen for p in unpaid))}"
                                  f"（{'；'.join(parts)}）")
        enabled = bool(unpaid)
        self.export_button.setEnabled(enabled)
        self.pdf_button.setEnabled(enabled)


    def _refused(self, exc: BaseException) -> None:
        self.message.refused(exc, self.ctx.tasks.fault)

    def _name(self, what: str, suffix: str) -> str:
        year = self.progress.year if self.progress else self.ctx.desk.clock().year
        return f"{what}-{year}-{self.ctx.desk.clock().date().isoformat()}{suffix}"

    # -- unpaid list -------------------------------------------------------------------------
    def export_unpaid(self, path: Path | None = None) -> None:
        """Ctrl+E: the unpaid list as .xlsx, written on the database worker."""
        if path is None:
            path = self.ctx.files.save_path(self, "导出未缴名单", self._name("未缴名单", ".xlsx"),
                                            "Excel 工作簿 (*.xlsx)", kind=Kind.REPORT)
            if path is None:
                return
        target = path if path.suffix.lower() == ".xlsx" else path.with_suffix(".xlsx")
        roster, year = self.ctx.desk.roster, self.progress.year if self.progress else None

        def work(_progress: object) -> tuple[Path, int]:
            # Written beside the target and renamed: a half-written file never looks finished.
            part = target.with_name(f".{target.stem}.part.xlsx")
            count = roster.export_unpaid_xlsx(part, year)
            os.replace(part, target)
            return target, count

        self.message.say(f"正在导出未缴名单到 {target}…", ok=True)
        self.ctx.tasks.run_long(work, self._exported, label="正在导出未缴名单…", parent=self,
                                on_error=self._refused, cancellable=False)

    def _exported(self, result: tuple[Path, int]) -> None:
        path, count = result
        self.message.say(f"已导出未缴名单 {count} 人：{path}", ok=True)
        open_files([path])

    def print_unpaid(self, folder: Path | None = None) -> None:
        """Ctrl+U: the unpaid list as PDF in the report folder, opened to print where a desktop exists."""
        desk, name = self.ctx.desk, self._name("未缴名单", ".pdf")
        today = desk.clock().date()

        def work(_progress: object) -> Path | None:
            where = resolve_folder(desk, folder)
            if where is None:
                return None
            return save_report(desk, "unpaid", None, where, name, today=today)

        self.message.say("正在生成未缴名单 PDF…", ok=True)
        self.ctx.tasks.run_long(work, lambda p: self._printed(p, retry=self.print_unpaid),
                                label="正在生成未缴名单 PDF…", parent=self, on_error=self._refused,
                                cancellable=False)

    def _printed(self, path: Path | None, *, retry: Callable[[Path], None]) -> None:
        if path is None:  # no report or backup folder set: ask once, then try again
            folder = self.ctx.files.folder(self, "选择保存报表的文件夹", kind=Kind.REPORT)
            if folder is None:
                self.message.say("没有选择文件夹，未生成 PDF")
                return
            retry(folder)
            return
        opened = open_files([path])
        self.message.say(f"已生成 {path}" + ("，请在打开的窗口中打印" if opened else ""), ok=True)

    # -- roster import -----------------------------------------------------------------------
    def import_roster(self, path: Path | None = None) -> None:
        """Ctrl+I: a new roster file from the county; 取消 leaves the roster as it was."""
        if path is None:
            path = self.ctx.files.open_path(self, "选择征收清册文件", "清册 (*.xlsx *.xls *.csv)", kind=Kind.USB)
            if path is None:
                return
        self.import_button.setEnabled(False)
        self.message.say(f"正在导入 {path.name}…", ok=True)
        self._importing = path
        import_roster(self.ctx.ops, self.ctx.tasks, self.ctx.changes, path, parent=self, on_done=self._imported,
                      on_error=self._import_failed, by=self.ctx.user)

    def _confirm_removals(self, exc: RemovalsNeedConfirmation) -> bool:
        """Ask before a roster marks more than a fifth of the village as removed."""
        answer = QMessageBox.warning(
            self, "确认移除人员", exc.message + "\n\n确认这份清册完整无误，并导入吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _imported(self, result: ImportResult) -> None:
        self.import_button.setEnabled(True)
        self.message.say(describe_import(result), ok=True)
        if result.rejected:
            self.rejected_dialog = RejectedRowsDialog(self.ctx.desk, self.ctx.tasks, self.ctx.files, result,
                                                      parent=self)
            self.rejected_dialog.open()

    def _import_failed(self, exc: BaseException) -> None:
        from ui.tasks import Cancelled

        self.import_button.setEnabled(True)
        if isinstance(exc, RemovalsNeedConfirmation) and self._confirm_removals(exc):
            self.import_button.setEnabled(False)
            import_roster(self.ctx.ops, self.ctx.tasks, self.ctx.changes, self._importing, parent=self,
                          on_done=self._imported, on_error=self._import_failed, by=self.ctx.user,
                          allow_removals=True)
        elif isinstance(exc, Cancelled):
            self.message.say("已取消导入，清册没有任何改变")
        elif isinstance(exc, OSError):
            self.message.say(f"读取文件失败：{exc.strerror or exc}")
        else:
            self._refused(exc)
