"""统一票据 and the scanned 台账 on the settings screen (F6): register a book of serials the county
issued (a village head or administrator signed in confirms), record a spoiled form with its
reason, and record the scanned 台账 sent to the tax office after the collection period."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.domain.records import Role
from app.services.errors import DaishouError
from app.services.receipt_books import BookStatus
from app.services.scans import ScanStatus
from ui.context import WindowContext
from ui.file_dialogs import Kind
from ui.message import MessageLine
from ui.typed_qt import button, day_edit, named, pydate, qdate, side_by_side

SCAN_FILTER = "扫描件 (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;所有文件 (*)"


class PaperPanel(QGroupBox):
    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__("统一票据和台账扫描件", parent)
        self.ctx = ctx
        self.books = named(QLabel(wordWrap=True), "bookStatus")
        self.first = named(QLineEdit(placeholderText="起始票号"), "bookFirst")
        self.last = named(QLineEdit(placeholderText="终止票号"), "bookLast")
        self.prefix = named(QLineEdit(placeholderText="前缀（可空）", maxLength=12), "bookPrefix")
        self.add_button = button("登记票据（Ctrl+B）", "addBook", self.add_book)
        for field in (self.first, self.last):  # typed in order, Enter goes on, then registers
            field.returnPressed.connect(self.focusNextChild)
        self.prefix.returnPressed.connect(self.add_book)
        self.spoil_reason = named(QLineEdit(placeholderText="下一张票据损坏的原因，如 卡纸撕坏"), "spoilReason")
        self.spoil_reason.returnPressed.connect(self.spoil)
        self.spoil_button = button("登记作废票据（Ctrl+G）", "spoilSerial", self.spoil)
        self.scan_state = named(QLabel(wordWrap=True), "scanStatus")
        self.scan_year = named(QSpinBox(minimum=2000, maximum=2100), "scanYear")
        self.scan_year.setValue(ctx.desk.clock().year)
        self.scan_year.valueChanged.connect(lambda _v: self.refresh())
        self.sent_on = day_edit("scanSentOn")
        self.scan_button = button("选择扫描件并登记报送…", "recordScan", self.record_scan)
        self.message = MessageLine("paperMessage")

        form = QFormLayout(self)
        form.addRow(self.books)
        form.addRow("新领票据", side_by_side(self.first, self.last, self.prefix, self.add_button))
        form.addRow("作废票据", side_by_side(self.spoil_reason, self.spoil_button))
        form.addRow(self.scan_state)
        form.addRow("台账扫描件", side_by_side(QLabel("年度"), self.scan_year, QLabel("报送日期"), self.sent_on,
                                          self.scan_button))
        form.addRow(self.message)
        can_register = ctx.user.role in (Role.HEAD, Role.ADMIN)
        self.add_button.setEnabled(can_register)
        if not can_register:
            self.add_button.setToolTip("登记统一票据需由村委会负责人或管理员登录")
        handles_cash = ctx.user.role in (Role.AGENT, Role.HEAD)
        for w in (self.spoil_button, self.scan_button):
            w.setEnabled(handles_cash)

    def start_book(self) -> None:
        """Ctrl+B: the cursor in 起始票号 (a head or an administrator registers a book)."""
        if not self.add_button.isEnabled():
            self.message.say(self.add_button.toolTip())
            return
        self.first.setFocus()
        self.first.selectAll()

    def start_spoil(self) -> None:
        """Ctrl+G: the cursor in the reason of the next form spoiled."""
        if not self.spoil_button.isEnabled():
            self.message.say("只有代收员或村委会负责人登记作废票据")
            return
        self.spoil_reason.setFocus()

    def refresh(self) -> None:
        desk, year = self.ctx.desk, self.scan_year.value()

        def fetch() -> tuple[BookStatus, ScanStatus | None]:
            try:
                scans = desk.scans.status(year)
            except DaishouError:  # a year the county configuration does not have
                scans = None
            return desk.receipt_books.status(), scans

        self.ctx.tasks.run(fetch, self._show)

    def _show(self, result: tuple[BookStatus, ScanStatus | None]) -> None:
        books, scans = result
        if books.books:
            ranges = "、".join(f"{b.serial(b.first)}–{b.serial(b.last)}" for b in books.books)
            self.books.setText(f"统一票据 {ranges}：已用 {books.used} 张（作废 {len(books.spoiled)} 张），"
                               f"剩余 {books.remaining} 张" + (f"，下一张 {books.next_serial}" if books.next_serial
                                                              else "，已用完：请领取新票据并登记"))
        else:
            self.books.setText("本村没有登记统一票据：收据只用本机编号")
        if scans is None:
            self.scan_state.setText(f"县级配置中没有 {self.scan_year.value()} 年度")
            return
        self.sent_on.setDate(qdate(self.ctx.desk.clock().date()))
        sent = "；".join(f"{s.sent_on.isoformat()} 已报送（{s.by}）" + ("" if s.intact else "，保存的副本已被改动")
                        for s in scans.scans)
        self.scan_state.setText(f"{scans.headline}：" + (sent or scans.unsent_text(self.ctx.desk.clock().date())))


    def _refused(self, exc: BaseException) -> None:
        self.message.refused(exc, self.ctx.tasks.fault)

    def add_book(self) -> None:
        first, last, prefix = self.first.text(), self.last.text(), self.prefix.text()
        books, by = self.ctx.desk.receipt_books, self.ctx.user  # the head or admin signed in confirms

        def done(status: BookStatus) -> None:
            for w in (self.first, self.last, self.prefix):
                w.clear()
            self.message.say(f"已登记统一票据，下一张 {status.next_serial}", ok=True)
            self.refresh()

        self.ctx.tasks.run(lambda: books.add(first, last, prefix=prefix, by=by), done, on_error=self._refused)

    def spoil(self) -> None:
        reason, books, by = self.spoil_reason.text(), self.ctx.desk.receipt_books, self.ctx.user

        def done(serial: str) -> None:
            self.spoil_reason.clear()
            self.message.say(f"统一票据 {serial} 已登记作废", ok=True)
            self.refresh()

        self.ctx.tasks.run(lambda: books.spoil(reason=reason, by=by), done, on_error=self._refused)

    def record_scan(self) -> None:
        path = self.ctx.files.open_path(self, "选择台账扫描件", SCAN_FILTER, kind=Kind.SCAN)
        if path is None:
            return
        year, sent_on = self.scan_year.value(), pydate(self.sent_on.date())
        scans, by = self.ctx.desk.scans, self.ctx.user

        def done(status: ScanStatus) -> None:
            late = f"，晚于期限 {status.late_by} 天" if status.late_by else ""
            self.message.say(f"{year} 年度台账扫描件已登记报送（{Path(path).name}）{late}", ok=not status.late_by)
            self.refresh()

        self.ctx.tasks.run(lambda: scans.record(year, path, sent_on=_day(sent_on), by=by), done,
                           on_error=self._refused)


def _day(value: object) -> date:
    assert isinstance(value, date)
    return value
