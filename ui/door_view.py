"""入户 (F7): a grid member's households that still owe, their debit status and reasons; a visit
recorded (Ctrl+W) and the list printed as PDF (Ctrl+K) to take from door to door.

A grid member (网格员) signs in to this screen; an agent or a village head sees the village's
list here too. The screen faces the room like the rest of the desk: the ID masked, no phone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from app.domain.door import LIST_KINDS, DoorConfig, DoorList, DoorPerson
from app.domain.ids import mask_id
from app.domain.money import format_fen
from app.domain.records import Role
from app.services.debit_lists import RejectedDebitRow
from app.services.door import ASSIGN_ROLES, LIST_ROLES
from ui.context import WindowContext
from ui.message import MessageLine
from ui.models import Index, ListTable
from ui.reports import write_atomically, write_in_report_folder
from ui.typed_qt import STRETCH, button, form_rows, named, side_by_side, stacked

SECTION_MARK = ("扣款失败", "未缴", "转其他渠道")
WHOLE_VILLAGE = "全村名单"
NO_REASON = "（不改原因）"


class DoorTableModel(ListTable):
    headers = ("类别", "村民小组", "户号", "姓名", "证件号码", "应缴（元）", "扣款状态", "未缴原因", "最近走访")

    @property
    def people(self) -> list[DoorPerson]:
        return self.items

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        p = self.people[index.row()]
        last = p.visits[-1] if p.visits else None
        seen = f"{last.visited_on:%m-%d} {last.visitor}：{last.outcome}" if last else ""
        return (SECTION_MARK[p.section], p.group, p.household_no, p.name, mask_id(p.id_number),
                format_fen(p.total_fen), p.debit, p.reason or "", seen)[index.column()]


class DoorView(QWidget):
    def __init__(self, ctx: WindowContext, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.listing: DoorList | None = None
        self.door = DoorConfig()
        # A grid member sees their own households; the others the whole village.
        self.member = ctx.user.name if ctx.user.role is Role.GRID else None
        # The others may narrow the list to one grid member's households (to print it for them,
        # or an agent who is a grid member too: their own).
        self.member_box = named(QComboBox(), "doorMember")
        self.member_box.addItem(WHOLE_VILLAGE, None)
        self.member_box.setVisible(ctx.user.role is not Role.GRID)
        self.member_box.activated.connect(self._member_chosen)
        self.title = named(QLabel(), "doorTitle")
        self.model = DoorTableModel()
        self.table = named(QTableView(), "doorTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the form below it
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.reason = named(QComboBox(), "doorReason")
        self.outcome = named(QLineEdit(placeholderText="如：已告知存足费款 / 本人在外务工"), "doorOutcome")
        self.next_step = named(QLineEdit(placeholderText="如：三天后再访（可不填）"), "doorNextStep")
        self.record_button = named(QPushButton("登记走访（Ctrl+W）"), "doorRecord")
        self.print_button = named(QPushButton("打印入户名单（Ctrl+K）"), "doorPrint")
        # The tax office's lists (未签协议 / 重签换卡 / 扣款失败) are loaded by the agent or the head.
        self.list_kind = named(QComboBox(), "doorListKind")
        for key, label in LIST_KINDS.items():
            self.list_kind.addItem(label, key)
        self.list_kind.setCurrentIndex(list(LIST_KINDS).index("failed"))
        self.import_button = button("导入税务名单（Ctrl+O）", "doorImport", lambda: self.import_list())
        may_import = ctx.user.role in LIST_ROLES
        self.list_kind.setVisible(may_import)
        self.import_button.setVisible(may_import)
        # Giving groups to grid members and the 联络表: the village head or an administrator.
        self.grid_button = button("网格与联络表（Ctrl+H）", "doorGrid", self.open_grid)
        self.grid_button.setVisible(ctx.user.role in ASSIGN_ROLES)
        self.record_button.clicked.connect(self.record_visit)
        self.print_button.clicked.connect(lambda: self.print_list())
        self.message = MessageLine("doorMessage")
        form = form_rows(QFormLayout(), ("未缴原因", self.reason), ("走访结果", self.outcome),
                         ("下一步", self.next_step))
        buttons = side_by_side(self.record_button, self.print_button, self.grid_button, self.member_box, STRETCH,
                               self.list_kind, self.import_button)
        stacked(self, self.title, (self.table, 1), form, buttons, self.message)
        self.outcome.returnPressed.connect(self.record_visit)
        self.setFocusProxy(self.table)
        # Someone paid (they leave the list) or a new roster: read again, but only while this
        # screen is shown (opening it reads it anyway): a township's list takes most of a second
        # on the database worker, which must not follow every receipt the agent records.
        ctx.changes.receipts.connect(self._changed)
        ctx.changes.roster.connect(self._changed)

    # -- reading -------------------------------------------------------------------------------
    def _changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        desk, member = self.ctx.desk, self.member

        def fetch() -> tuple[DoorList, DoorConfig]:
            return desk.door.door_list(member=member), desk.setup.config.door

        self.ctx.tasks.run(fetch, self._show, on_error=self._refused)

    def _member_chosen(self, _index: int) -> None:
        self.member = self.member_box.currentData()
        self.refresh()

    def _show(self, result: tuple[DoorList, DoorConfig]) -> None:
        keep = self.selected()
        self.listing, self.door = result
        if self.ctx.user.role is not Role.GRID and self.listing.member is None:
            known = [self.member_box.itemData(i) for i in range(1, self.member_box.count())]
            for name in sorted({p.member for p in self.listing.people if p.member} - set(known)):
                self.member_box.addItem(f"网格员 {name} 的户", name)
        self.model.replace(self.listing.people)
        failed = len(self.listing.section(0))
        who = f"网格员 {self.member}" if self.member else "全村"
        self.title.setText(f"{self.listing.year}年度入户催缴（{who}）：未缴 {len(self.listing.people)} 人，"
                           f"其中扣款失败 {failed} 人 —— ↑↓ 选人，填写走访结果后按 Ctrl+W 登记")
        if self.reason.count() == 0:
            self.reason.addItems([NO_REASON, *self.door.all_reasons])
        row = next((n for n, p in enumerate(self.listing.people) if keep and p.id_number == keep.id_number), 0)
        if self.listing.people:
            self.table.selectRow(row)

    def selected(self) -> DoorPerson | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or not self.listing:
            return None
        return self.model.people[rows[0].row()]

    # -- acts ----------------------------------------------------------------------------------
    def record_visit(self) -> None:
        """Ctrl+W: the chosen reason (when changed) and the visit, for the selected person."""
        person = self.selected()
        if person is None or self.listing is None:
            self.message.say("请先在名单中选中一个人（↑↓）")
            return
        reason = self.reason.currentText()
        reason = "" if reason == NO_REASON or reason == person.reason else reason
        outcome, next_step = self.outcome.text(), self.next_step.text() or None
        if not outcome.strip() and not reason:
            self.message.say("请填写走访结果（或选择未缴原因）")
            self.outcome.setFocus()
            return
        desk, user, year = self.ctx.desk, self.ctx.user, self.listing.year

        def work() -> str:
            if reason:
                desk.door.record_reason(user, person.id_number, year, reason)
            if outcome.strip():
                desk.door.record_visit(user, person.id_number, year, outcome=outcome, next_step=next_step)
            return person.name

        self.ctx.tasks.run(work, self._recorded, on_error=self._refused)

    def _recorded(self, name: str) -> None:
        self.outcome.clear()
        self.next_step.clear()
        self.reason.setCurrentIndex(0)
        self.message.say(f"已登记「{name}」的走访", ok=True)
        self.refresh()
        self.table.setFocus()

    def print_list(self, folder: Path | None = None) -> None:
        """Ctrl+K: the list as PDF in the report folder, opened to print where a desktop exists."""
        desk, member = self.ctx.desk, self.member
        today = desk.clock().date()

        def build(where: Path) -> Path:
            from printing.pdf.door import door_list_pdf  # reportlab: loaded on first use

            listing = desk.door.door_list(member=member)
            pdf = door_list_pdf(listing, village=desk.setup.device.village_name, door=desk.setup.config.door)
            name = f"入户名单-{member or '全村'}-{listing.year}-{today.isoformat()}.pdf"
            return write_atomically(where / name, pdf)

        write_in_report_folder(self, self.ctx, self.message, folder, build, self.print_list,
                               busy="正在生成入户名单 PDF…")

    def open_grid(self) -> None:
        """Ctrl+H: 网格与联络表, for the village head or an administrator."""
        if self.ctx.user.role not in ASSIGN_ROLES:
            self.message.say(f"{self.ctx.user.role.label}不能分配网格或编辑联络表，请由村委会负责人或管理员办理")
            return
        from ui.grid_dialog import GridDialog

        self.grid_dialog = GridDialog(self.ctx, parent=self)
        self.grid_dialog.finished.connect(lambda _r: self.refresh())  # a group given: the list's owners change
        self.grid_dialog.open()

    def import_list(self, path: Path | None = None) -> None:
        """Ctrl+O: a list from the tax office (.xlsx/.csv) of the kind chosen beside the button;
        the rows refused are said with their row numbers, the others are taken."""
        if self.ctx.user.role not in LIST_ROLES:
            self.message.say(f"{self.ctx.user.role.label}不能导入税务名单，请由代收员或村委会负责人导入")
            return
        if path is None:
            path = self.ctx.files.open_path(self, "选择税务名单", "名单 (*.xlsx *.xls *.csv);;所有文件 (*)")
            if path is None:
                return
        desk, user, kind = self.ctx.desk, self.ctx.user, str(self.list_kind.currentData())
        chosen = path

        def work() -> tuple[int, tuple[RejectedDebitRow, ...]]:
            return desk.door.import_debit_list(user, chosen, list_kind=kind)

        self.ctx.tasks.run(work, self._imported, on_error=self._refused)

    def _imported(self, result: tuple[int, tuple[RejectedDebitRow, ...]]) -> None:
        taken, rejected = result
        said = f"已导入 {taken} 人" + (f"，拒绝 {len({r.row for r in rejected})} 行：" + "；".join(
            str(r) for r in rejected[:3]) + ("…" if len(rejected) > 3 else "") if rejected else "")
        self.message.say(said, ok=not rejected)
        self.refresh()

    def _refused(self, exc: BaseException) -> None:
        self.message.refused(exc, self.ctx.tasks.fault)
