"""Spreadsheets for the agent: the rejected rows to fix and import again, and the unpaid list.

The rejected-rows file keeps the county's own header, so it imports like the original; its
「拒绝原因」 column tells the importer it is a correction (no one is marked removed by it).
The unpaid list is for door-to-door reminders: it carries phone numbers (the agent calls people)
but masks ID numbers, which a reminder never needs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.ids import mask_id
from app.domain.insurance import Insurance
from app.domain.money import format_fen
from app.domain.records import UnpaidPerson
from app.services.roster.columns import Column
from app.services.roster.importer import RejectedRow

if TYPE_CHECKING:
    from openpyxl import Workbook

_TEXT = "@"  # Excel's text format: an ID typed into the cell stays 18 characters


def write_rejected(path: Path, header: Sequence[str], rejected: Sequence[RejectedRow],
                   id_position: int | None) -> int:
    """One line per rejected row: the row as it was, then the original row number and reasons."""
    reasons: dict[int, list[str]] = defaultdict(list)
    cells: dict[int, tuple[str, ...]] = {}
    for r in rejected:
        reasons[r.row].append(f"{r.column}：{r.reason}")
        cells.setdefault(r.row, r.cells)
    # A correction file corrected again must not grow a second reason column.
    keep = [i for i, name in enumerate(header) if name not in (Column.REJECT_REASON, "原行号")]
    from openpyxl import Workbook  # imported when a file is written, not with every command
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "拒绝的行"
    sheet.append([header[i] for i in keep] + ["原行号", str(Column.REJECT_REASON)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sorted(reasons):
        values = cells[row]
        sheet.append([values[i] if i < len(values) else "" for i in keep]
                     + [row, "；".join(reasons[row])])
    if id_position is not None and id_position in keep:
        column = sheet.cell(row=1, column=keep.index(id_position) + 1).column_letter
        for (cell,) in sheet.iter_rows(min_col=keep.index(id_position) + 1,
                                       max_col=keep.index(id_position) + 1):
            cell.number_format = _TEXT
        sheet.column_dimensions[column].width = 22
    sheet.column_dimensions[sheet.cell(row=1, column=len(keep) + 2).column_letter].width = 60
    _save(book, path)
    return len(reasons)


def write_unpaid(path: Path, people: Sequence[UnpaidPerson], *, village: str, year: int,
                 today: date) -> int:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "未缴名单"
    sheet.append([f"{village}{year}年度城乡居民两险未缴名单（截至{today.isoformat()}）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=9)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    headers = ["村民小组", "户号", "户主姓名", "姓名", "证件号码", "联系电话", "未缴险种",
               "应缴金额（元）", "备注"]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    order = list(Insurance)
    total = 0
    for p in people:
        dues = sorted(p.dues, key=lambda d: order.index(d.insurance))
        what = "；".join(f"{d.insurance.short_label}"
                        + (f"（{format_fen(d.tier_fen)}元档）" if d.tier_fen else "")
                        + f" {format_fen(d.due_fen)}" for d in dues)
        sheet.append([p.group, p.household_no, p.household_head, p.name, mask_id(p.id_number),
                      p.phone, what, p.total_fen / 100, ""])
        sheet.cell(row=sheet.max_row, column=8).number_format = "0.00"
        total += p.total_fen
    sheet.append(["合计", "", "", f"{len(people)}人", "", "", "", total / 100, ""])
    sheet.cell(row=sheet.max_row, column=8).number_format = "0.00"
    for letter, width in zip("ABCDEFGHI", (14, 8, 10, 12, 22, 14, 36, 14, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    _save(book, path)
    return len(people)


_LIVE = ("=", "+", "-", "@", "\t", "\r")


def _as_text(book: Workbook) -> None:
    """No cell of a file we write is a live formula: a name or reason typed as "=HYPERLINK(...)"
    or "+1" in a roster comes back out as the text it was, never as something Excel runs."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(_LIVE):
                    cell.data_type = "s"


def _save(book: Workbook, path: Path) -> None:
    # Write beside the target and rename: a half-written file never replaces a good one.
    _as_text(book)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    book.save(tmp)
    tmp.replace(path)
