"""The 社保经办人员公示 (003 第三十二条) from settings F6: one row per person handling the two
insurances (name, duty, phone, responsibilities), saved by the village head or administrator
signed in, and printed as a notice for the wall (printing/pdf/notice.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.staff_notice import NoticeMember, read_notice, save_notice
from ui.context import WindowContext
from ui.file_dialogs import Kind
from ui.message import MessageLine
from ui.reports import open_files, resolve_folder, write_atomically
from ui.typed_qt import named

COLUMNS = ("姓名", "职务", "联系电话", "工作职责")


class StaffNoticeDialog(QDialog):
    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("社保经办人员公示")
        self.table = named(QTableWidget(0, len(COLUMNS)), "noticeTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.message = MessageLine("noticeMessage")
        add = named(QPushButton("添加一行（Ctrl+N）"), "noticeAdd")
        add.setShortcut("Ctrl+N")
        add.clicked.connect(lambda: self.add_row(NoticeMember("", "", "", "")))
        self.save_button = named(QPushButton("保存（Ctrl+S）"), "noticeSave")
        self.save_button.setShortcut("Ctrl+S")
        self.save_button.clicked.connect(self.save)
        self.print_button = named(QPushButton("保存并生成公示（Ctrl+P）"), "noticePrint")
        self.print_button.setShortcut("Ctrl+P")
        self.print_button.clicked.connect(lambda: self.save(then_print=True))
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        for b in (add, self.save_button, self.print_button, close):
            row.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self.resize(760, 360)
        for m in read_notice(ctx.desk):
            self.add_row(m)
        if not self.table.rowCount():
            self.add_row(NoticeMember(ctx.user.name, "", "", ""))

    def add_row(self, m: NoticeMember) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, value in enumerate((m.name, m.duty, m.phone, m.duties)):
            self.table.setItem(r, c, QTableWidgetItem(value))

    def members(self) -> list[NoticeMember]:
        out = []
        for r in range(self.table.rowCount()):
            values = [item.text() if (item := self.table.item(r, c)) is not None else "" for c in range(len(COLUMNS))]
            if any(v.strip() for v in values):  # a row left empty is not a person
                out.append(NoticeMember(*values))
        return out

    def save(self, *, then_print: bool = False, folder: Path | None = None) -> None:
        desk, by, members = self.ctx.desk, self.ctx.user, self.members()

        def work() -> Path | None:
            saved = save_notice(desk, members, by=by)
            if not then_print:
                return None
            where = resolve_folder(desk, folder)
            if where is None:
                raise LookupError
            from printing.pdf.notice import staff_notice_pdf

            device = desk.setup.device
            pdf = staff_notice_pdf([(m.name, m.duty, m.phone, m.duties) for m in saved],
                                   village=f"{device.township_name}{device.village_name}",
                                   report_phone=desk.setup.config.paper.report_phone, year=desk.clock().year)
            return write_atomically(where / "社保经办人员公示.pdf", pdf)

        def done(path: Path | None) -> None:
            if path is None:
                self.message.say(f"已保存 {len(members)} 名经办人员", ok=True)
                return
            opened = open_files([path])
            self.message.say(f"已生成 {path}" + ("，请在打开的窗口中打印" if opened else ""), ok=True)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, LookupError) and folder is None:
                chosen = self.ctx.files.folder(self, "选择保存公示的文件夹", kind=Kind.REPORT)
                if chosen is not None:
                    self.save(then_print=True, folder=chosen)
                    return
                self.message.say("已保存；没有选择文件夹，公示未生成")
                return
            self.message.refused(exc, self.ctx.tasks.fault)

        self.ctx.tasks.run(work, done, on_error=failed)
