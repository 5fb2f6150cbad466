"""Table models of the 进度 screen: progress lines as numbers, and the unpaid list.

Both hold frozen values from `Roster.progress()` / `Roster.unpaid()` and are replaced wholesale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from app.domain.ids import mask_id
from app.domain.money import format_fen
from app.domain.records import ProgressLine, RosterProgress, UnpaidPerson
from ui.models import ListTable

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
WHOLE_VILLAGE = "全村"
NO_GROUP = "未分组"


@dataclass(frozen=True)
class ProgressRow:
    """One bar and one table row: an insurance for the whole village or for one group."""

    line: ProgressLine
    total: bool  # the whole village

    @property
    def label(self) -> str:
        where = WHOLE_VILLAGE if self.total else (self.line.group or NO_GROUP)
        return f"{self.line.insurance.short_label}　{where}"

    @property
    def payable(self) -> int:
        """People who have something to pay themselves (the government pays the subsidised)."""
        return self.line.due - self.line.subsidised

    @property
    def paid(self) -> int:
        return self.line.paid_cash + self.line.paid_elsewhere

    @property
    def ratio(self) -> float:
        return self.paid / self.payable if self.payable else 1.0


def progress_rows(progress: RosterProgress) -> list[ProgressRow]:
    """Per insurance: the whole village first, then its groups."""
    rows: list[ProgressRow] = []
    for total in progress.totals:
        rows.append(ProgressRow(total, True))
        rows.extend(ProgressRow(g, False) for g in progress.groups if g.insurance is total.insurance)
    return rows


class ProgressTableModel(ListTable):
    headers = ("险种", "村民小组", "应缴人数", "本处收现", "其他渠道", "政府代缴", "未缴人数", "完成率",
               "已收现金（元）", "未缴金额（元）", "移出清册但已收")
    set_rows = ListTable.replace

    @property
    def rows(self) -> list[ProgressRow]:
        return self.items

    def cells(self, row: ProgressRow) -> tuple[Any, ...]:
        ln = row.line
        return (ln.insurance.short_label, WHOLE_VILLAGE if row.total else (ln.group or NO_GROUP),
                str(ln.due), str(ln.paid_cash), str(ln.paid_elsewhere), str(ln.subsidised),
                str(ln.unpaid), f"{row.ratio:.0%}", format_fen(ln.collected_fen),
                format_fen(ln.outstanding_fen), str(ln.removed_paid) if ln.removed_paid else "")

    def style(self, row: ProgressRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return _RIGHT
        if role == Qt.ItemDataRole.FontRole and row.total:
            font = QFont()
            font.setBold(True)
            return font
        return None


class UnpaidTableModel(ListTable):
    headers = ("村民小组", "户号", "户主", "姓名", "证件号码", "联系电话", "人员类别", "未缴项目", "合计（元）")
    set_people = ListTable.replace

    @property
    def people(self) -> list[UnpaidPerson]:
        return self.items

    def cells(self, p: UnpaidPerson) -> tuple[Any, ...]:
        # The ID is masked as on the printed list: the screen faces the room.
        items = "、".join(f"{d.insurance.short_label}{format_fen(d.due_fen)}" for d in p.dues)
        return (p.group or NO_GROUP, p.household_no, p.household_head, p.name, mask_id(p.id_number),
                p.phone, p.category, items, format_fen(p.total_fen))

    def style(self, p: UnpaidPerson, column: int, role: int) -> Any:
        return _RIGHT if role == Qt.ItemDataRole.TextAlignmentRole and column == 8 else None
