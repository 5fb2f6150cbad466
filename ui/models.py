"""Table models for the desk: search results, the household's due lines, the day's receipts.

Each holds frozen values from the services (never an ORM row) and is replaced wholesale with
beginResetModel/endResetModel: the lists are short (a page of results, a household, a day).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.domain.money import format_fen, parse_yuan
from app.domain.records import PersonInfo, Receipt
from app.services.payment import PaymentDraft

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_GREY = QBrush(QColor("#777777"))


def owed_summary(p: PersonInfo) -> str:
    unpaid = [d for d in p.dues if not d.paid and not d.removed and d.due_fen > 0]
    if p.removed:
        return "已移出清册"
    if not unpaid:
        return "无待缴"
    return "、".join(f"{d.insurance.short_label}{format_fen(d.due_fen)}" for d in unpaid)


class _Table(QAbstractTableModel):
    headers: tuple[str, ...] = ()

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else self._rows()

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.headers)):
            return self.headers[section]
        return None

    def _rows(self) -> int:
        """How many rows the model has; a model over nothing yet is empty."""
        return 0


class ListTable(_Table):
    """A table over a list of frozen service results, replaced wholesale when they change."""

    def __init__(self, *, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[Any] = []

    def replace(self, items: Iterable[Any]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def _rows(self) -> int:
        return len(self.items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(item)[index.column()]
        return self.style(item, index.column(), role)

    def cells(self, item: Any) -> tuple[Any, ...]:
        """What one row shows, a text per column."""
        raise NotImplementedError

    def style(self, item: Any, column: int, role: int) -> Any:
        """Any other role of a cell (colour, alignment, font); None for Qt's default."""
        return None


class PersonTableModel(ListTable):
    # 待缴 right after the name: it is what the agent reads, and in large text at 1366 the
    # columns at the end scroll out of sight.
    headers = ("姓名", "待缴", "证件号码", "联系电话", "村民小组", "户号", "户主", "人员类别")
    set_people = ListTable.replace

    @property
    def people(self) -> list[PersonInfo]:
        return self.items

    def cells(self, p: PersonInfo) -> tuple[Any, ...]:
        return (p.name, owed_summary(p), p.id_number, p.phone, p.group, p.household_no, p.household_head,
                p.category)

    def style(self, p: PersonInfo, column: int, role: int) -> Any:
        return _GREY if role == Qt.ItemDataRole.ForegroundRole and p.removed else None


class HouseholdModel(_Table):
    """The household's due lines; column 0 ticks who pays now, 档次 and 金额 are editable."""

    headers = ("缴", "姓名", "险种", "年度", "档次", "应缴", "本次收取", "状态")
    CHECK, NAME, INSURANCE, YEAR, TIER, DUE, AMOUNT, STATUS = range(8)

    def __init__(self, *, parent: Any = None) -> None:
        super().__init__(parent)
        self.draft: PaymentDraft | None = None

    def set_draft(self, draft: PaymentDraft | None) -> None:
        self.beginResetModel()
        self.draft = draft
        self.endResetModel()

    def _rows(self) -> int:
        return len(self.draft.lines) if self.draft else 0

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or self.draft is None:
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        line = self.draft.lines[index.row()]
        if not line.payable:
            return base
        if index.column() == self.CHECK:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == self.AMOUNT or (index.column() == self.TIER and line.tier_fen is not None):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.draft is None:
            return None
        line = self.draft.lines[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == self.CHECK:
            return Qt.CheckState.Checked if line.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            tier = format_fen(line.tier_fen) if line.tier_fen is not None else "—"
            # the subsidy under what is due, not beside it: the table then fits its half of a
            # 1366-pixel screen in large text without scrolling sideways
            return ("", line.name, line.insurance.short_label, str(line.year), tier,
                    line.due_text.replace("（", "\n（", 1), format_fen(line.amount_fen) if line.payable else "—",
                    line.status)[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == self.STATUS:
            return line.status  # the whole text where the column is narrower (large text)
        if role == Qt.ItemDataRole.EditRole and col == self.TIER:
            return line.tier_fen
        if role == Qt.ItemDataRole.EditRole and col == self.AMOUNT:
            return format_fen(line.amount_fen).replace(",", "")
        if role == Qt.ItemDataRole.ForegroundRole and not line.payable:
            return _GREY
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        changeable = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable
        if not index.isValid() or self.draft is None or not self.flags(index) & changeable:
            return False
        row, col = index.row(), index.column()
        if col == self.CHECK and role == Qt.ItemDataRole.CheckStateRole:
            self.draft.set_checked(row, Qt.CheckState(value) == Qt.CheckState.Checked)
        elif col == self.TIER and role == Qt.ItemDataRole.EditRole and value is not None:
            self.draft.set_tier(row, int(value))
        elif col == self.AMOUNT and role == Qt.ItemDataRole.EditRole:
            try:
                self.draft.set_amount(row, parse_yuan(str(value)))
            except ValueError:
                return False
        else:
            return False
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        return True


def _status(r: Receipt) -> str:
    """What became of a receipt, as the agent needs it at a glance: voided, a refund asked for,
    paid in the tax system on the payer's behalf (or, in such a county, still to pay)."""
    if r.void:
        return f"已作废（{r.void.reason}）"
    if r.refund:
        return "有效，已申请退费"
    if r.paid:
        return f"有效，已代缴（凭证号 {r.paid.voucher}）"
    return "有效"


class ReceiptTableModel(ListTable):
    headers = ("收据号", "时间", "缴费人", "项目", "金额", "收款人", "状态", "打印")
    set_receipts = ListTable.replace

    @property
    def receipts(self) -> list[Receipt]:
        return self.items

    def cells(self, r: Receipt) -> tuple[Any, ...]:
        items = "、".join(f"{ln.name}{ln.insurance.short_label}" for ln in r.lines)
        prints = f"{r.prints}次" if r.prints else "未打印"
        return (r.number, r.recorded_at.strftime("%H:%M"), r.payer_name, items,
                format_fen(r.total_fen), r.agent, _status(r), prints)

    def style(self, r: Receipt, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and r.void:
            return _GREY
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
