"""网格与联络表 (F7 → Ctrl+H): the village head or an administrator gives a 村民小组, or one
household of it, to a grid member, and keeps the 联络表 of 000 附件2 (乡镇网格长, 村网格长,
网格员, 税务网格长/员 with their phones), printed as PDF.

Keyboard first: Tab walks the fields in order; Ctrl+Enter gives the group, Ctrl+N adds the
contact line, Ctrl+Delete takes the selected line off the table, Ctrl+P prints it; Esc closes.
Everything is journalled by app/services/door.py, which refuses anyone but a head or an admin.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.door import POSTS, Contact
from app.services.door import VISIT_ROLES
from ui.context import WindowContext
from ui.message import MessageLine
from ui.reports import write_atomically, write_in_report_folder
from ui.text_table import fill, text_table
from ui.typed_qt import button, named

TAKE_BACK = "（收回，不分给任何人）"
WHOLE_GROUP = "整个村民小组（户号不填）"


class GridDialog(QDialog):
    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("网格与联络表")
        self.contacts: list[Contact] = []
        self.message = MessageLine("gridMessage")
        # -- 网格分配 --
        self.member = named(QComboBox(), "gridMember")
        self.group = named(QComboBox(), "gridGroup")
        self.household = named(QLineEdit(placeholderText=WHOLE_GROUP), "gridHousehold")
        self.assign_button = button("分配（Ctrl+Enter）", "gridAssign", self.assign)
        self.assigned = text_table("gridAssignments", ("村民小组", "户号", "网格员"), single=True)
        form = QFormLayout()
        form.addRow("网格员", self.member)
        form.addRow("村民小组", self.group)
        form.addRow("户号", self.household)
        form.addRow("", self.assign_button)
        left = QGroupBox("网格分配")
        lv = QVBoxLayout(left)
        lv.addLayout(form)
        lv.addWidget(self.assigned, 1)
        # -- 联络表 --
        self.post = named(QComboBox(), "contactPost")
        for key, label in POSTS.items():
            self.post.addItem(label, key)
        self.name = named(QLineEdit(placeholderText="姓名"), "contactName")
        self.phone = named(QLineEdit(placeholderText="手机或座机"), "contactPhone")
        self.unit = named(QLineEdit(placeholderText="税务网格填基层税务分局（可不填）"), "contactUnit")
        self.add_button = button("添加到联络表（Ctrl+N）", "contactAdd", self.add_contact)
        self.drop_button = button("停用选中的一行（Ctrl+Delete）", "contactDrop", self.drop_contact)
        self.print_button = button("打印联络表（Ctrl+P）", "contactPrint", lambda: self.print_contacts())
        self.table = text_table("contactTable", ("职务", "姓名", "联系电话", "单位"), single=True)
        cform = QFormLayout()
        cform.addRow("职务", self.post)
        cform.addRow("姓名", self.name)
        cform.addRow("联系电话", self.phone)
        cform.addRow("单位", self.unit)
        cbuttons = QHBoxLayout()
        for b in (self.add_button, self.drop_button, self.print_button):
            cbuttons.addWidget(b)
        right = QGroupBox("联络表（附件2）")
        rv = QVBoxLayout(right)
        rv.addLayout(cform)
        rv.addLayout(cbuttons)
        rv.addWidget(self.table, 1)
        close = named(QPushButton("关闭（Esc）"), "gridClose")
        close.clicked.connect(self.reject)
        halves = QHBoxLayout()
        halves.addWidget(left, 1)
        halves.addWidget(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(halves, 1)
        layout.addWidget(self.message)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        for key, slot in (("Ctrl+Return", self.assign), ("Ctrl+Enter", self.assign), ("Ctrl+N", self.add_contact),
                          ("Ctrl+Delete", self.drop_contact), ("Ctrl+P", self.print_contacts)):
            QShortcut(QKeySequence(key), self).activated.connect(slot)
        self.name.returnPressed.connect(self.add_contact)
        self.phone.returnPressed.connect(self.add_contact)
        self.household.returnPressed.connect(self.assign)
        self.resize(1100, 560)
        self.member.setFocus()
        self.load()

    # -- reading -------------------------------------------------------------------------------
    def load(self) -> None:
        desk = self.ctx.desk

        def fetch() -> tuple[list[str], list[str], list[tuple[str, str, str]], list[Contact]]:
            members = [u.name for u in desk.users.list() if u.role in VISIT_ROLES]
            return members, desk.door.groups(), desk.door.assignments(), desk.door.contacts()

        self.ctx.tasks.run(fetch, self._show, on_error=self._refused)

    def _show(self, found: tuple[list[str], list[str], list[tuple[str, str, str]], list[Contact]]) -> None:
        members, groups, assigned, contacts = found
        if not self.member.count():
            self.member.addItems([*members, TAKE_BACK])
            self.group.addItems(groups)
        fill(self.assigned, [(g, h or "（整组）", m) for g, h, m in assigned])
        self.contacts = contacts
        fill(self.table, [(POSTS[c.post], c.name, c.phone, c.unit) for c in contacts])

    # -- acts ----------------------------------------------------------------------------------
    def assign(self) -> None:
        """Ctrl+Enter: the chosen group (or one household of it) to the chosen grid member."""
        member = "" if self.member.currentText() == TAKE_BACK else self.member.currentText()
        group, household = self.group.currentText(), self.household.text().strip()
        if not group:
            self.message.say("征收清册中还没有村民小组：请先导入征收清册")
            return
        desk, by = self.ctx.desk, self.ctx.user
        where = group + (f" 户号 {household}" if household else "")

        def work() -> str:
            desk.door.assign(by, member=member, group=group, household_no=household)
            return f"{where} 已分给 {member}" if member else f"{where} 已收回"

        self.ctx.tasks.run(work, self._done, on_error=self._refused)

    def add_contact(self) -> None:
        """Ctrl+N: a line of the 联络表 from the fields."""
        if not self.name.text().strip():
            self.message.say("请填写姓名")
            self.name.setFocus()
            return
        desk, by = self.ctx.desk, self.ctx.user
        post, name, phone, unit = str(self.post.currentData()), self.name.text(), self.phone.text(), self.unit.text()

        def work() -> str:
            desk.door.add_contact(by, post=post, name=name, phone=phone, unit=unit)
            return f"联络表：{POSTS[post]} {name.strip()}"

        def added(said: str) -> None:
            for field in (self.name, self.phone, self.unit):
                field.clear()
            self._done(said)
            self.name.setFocus()

        self.ctx.tasks.run(work, added, on_error=self._refused)

    def drop_contact(self) -> None:
        """Ctrl+Delete: the selected line leaves the table (journalled as no longer in the post)."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.contacts):
            self.message.say("请先在联络表中选中一行（Tab 到表格，↑↓ 选择）")
            return
        c = self.contacts[rows[0].row()]
        desk, by = self.ctx.desk, self.ctx.user

        def work() -> str:
            desk.door.add_contact(by, post=c.post, name=c.name, phone=c.phone, unit=c.unit, active=False)
            return f"已停用：{POSTS[c.post]} {c.name}"

        self.ctx.tasks.run(work, self._done, on_error=self._refused)

    def print_contacts(self, folder: Path | None = None) -> None:
        """Ctrl+P: the 联络表 as PDF in the report folder, opened to print."""
        desk = self.ctx.desk

        def build(where: Path) -> Path:
            from printing.pdf.door import contacts_pdf

            device = desk.setup.device
            pdf = contacts_pdf(desk.door.contacts(), county=desk.setup.config.county,
                               township=device.township_name, village=device.village_name)
            return write_atomically(where / f"网格联络表-{desk.clock().date().isoformat()}.pdf", pdf)

        write_in_report_folder(self, self.ctx, self.message, folder, build, self.print_contacts)

    def _done(self, said: str) -> None:
        self.message.say(said, ok=True)
        self.load()

    def _refused(self, exc: BaseException) -> None:
        self.message.refused(exc, self.ctx.tasks.fault)
