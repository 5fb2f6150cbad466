"""往日单据 on F4: the 日结单 and 台账 of any settled day, and the 月结单 of any closed month, as
PDFs from the window (the README lists them among the papers; before, an earlier day and the
month were command-line only).

The lists come from the ledger on the database worker: the days that have a settlement, and
of their months those the ledger records as closed (months close only once every day in them is
settled, so every closed month with cash has a settled day).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QPushButton, QWidget

from app.services.desk import Desk
from app.training import is_training
from ui.context import WindowContext
from ui.message import MessageLine
from ui.reports import open_files, resolve_folder, write_atomically
from ui.typed_qt import button, named

Papers = tuple[list[date], list[str]]


def settled_papers(desk: Desk) -> Papers:
    """On the database worker: settled days and closed months, newest first."""
    days = sorted({s.day for s in desk.settlements.all()}, reverse=True)
    months = [m for m in sorted({d.isoformat()[:7] for d in days}, reverse=True) if desk.months.figures(m).closed]
    return days, months


def save_month(desk: Desk, month: str, folder: Path | None) -> Path | None:
    """On the database worker: the 月结单 saved in the report folder (None: no folder known yet)."""
    from printing.reports import render_report  # reportlab is heavy: import it on first use

    where = resolve_folder(desk, folder)
    if where is None:
        return None
    pdf, _summary = render_report(desk.paper.month(month), training=is_training(desk.home))
    return write_atomically(where / f"月结单-{month}-设备{desk.setup.device.device_no}.pdf", pdf)


class PapersBox(QGroupBox):
    """The day list beside the day's print button (owned by the settle view), and the months."""

    def __init__(self, ctx: WindowContext, message: MessageLine, print_day: QPushButton, *,
                 refused: Callable[[BaseException], None], parent: QWidget | None = None) -> None:
        super().__init__("往日单据", parent)
        self.ctx, self.message, self._refused = ctx, message, refused
        self.days = named(QComboBox(), "settledDays")
        self.months = named(QComboBox(), "closedMonths")
        self.month_button = button("打印月结单（Ctrl+Y）", "printMonthButton", lambda: self.print_month())
        form = QFormLayout(self)
        day_row = QHBoxLayout()
        day_row.addWidget(self.days, 1)
        day_row.addWidget(print_day)
        form.addRow("已日结的日子", day_row)
        month_row = QHBoxLayout()
        month_row.addWidget(self.months, 1)
        month_row.addWidget(self.month_button)
        form.addRow("已月结的月份", month_row)
        self._shown: Papers = ([], [])
        self.show_papers(self._shown)

    def chosen_day(self) -> date | None:
        value = self.days.currentData()
        return value if isinstance(value, date) else None

    def show_papers(self, papers: Papers) -> None:
        """A day or month just settled or closed comes first and is chosen; otherwise the agent's
        choice stays through a refresh."""
        days, months = papers
        keep_day = self.chosen_day() if days == self._shown[0] else None
        keep_month = self.months.currentText() if months == self._shown[1] else ""
        self._shown = (days, months)
        self.days.clear()
        for day in days:
            self.days.addItem(day.isoformat(), day)
        if keep_day in days:
            self.days.setCurrentIndex(days.index(keep_day))
        self.months.clear()
        self.months.addItems(months)
        if keep_month in months:
            self.months.setCurrentText(keep_month)
        self.days.setEnabled(bool(days))
        self.months.setEnabled(bool(months))
        self.month_button.setEnabled(bool(months))

    def print_month(self, month: str | None = None, folder: Path | None = None, *, lead: str = "") -> None:
        """The 月结单 of the chosen (or given) closed month, saved and opened to print; `lead` is
        what the message line said just before (the month closed), kept above the outcome."""
        month = month or self.months.currentText()
        if not month:
            self.message.say("还没有已月结的月份：月结后（Ctrl+M）可在此打印月结单")
            return
        desk = self.ctx.desk

        def done(path: Path | None) -> None:
            if path is None:  # no report or backup folder set: ask once (it is remembered)
                chosen = self.ctx.files.folder(self, "选择保存月结单的文件夹")
                if chosen is None:
                    self.message.say(lead + "没有选择文件夹，月结单未生成；可稍后按 Ctrl+Y 再生成")
                    return
                self.print_month(month, chosen, lead=lead)
                return
            opened = open_files([path])
            self.message.say(lead + f"{month} 月结单已保存：{path}" + ("，请在打开的窗口中打印" if opened else ""),
                             ok=True)

        self.ctx.tasks.run_long(lambda _progress: save_month(desk, month, folder), done, parent=self,
                                label=f"正在生成 {month} 月结单…", on_error=self._refused, cancellable=False)
