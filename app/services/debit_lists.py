"""Reading the tax office's lists (003 第二十五、二十八条) as the county hands them out: .xlsx or .csv,
one person a row, each row checked like a roster row (the same file reader, ID and name checks),
every rejected row named with its row number, column and reason.

Three kinds: who has no 两两协议 (未签协议), who must re-sign or change card (重签/换卡), and one
day's failed batch debits (扣款失败, with the day of each failure when the list gives it).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.domain.door_entries import DebitRow
from app.domain.ids import IdNumberError, checked_id_number
from app.domain.names import InvalidNameError, parse_name
from app.domain.reasons import ReasonError, clean_reason
from app.services.roster.columns import ALIASES, Column, normalize_header
from app.services.roster.files import Cell, FileFormatError, Row, cell_text, open_sheets

_ID = set(ALIASES[Column.ID_NUMBER])
_NAME = set(ALIASES[Column.NAME])
_DAY = {"扣款日期", "失败日期", "日期", "扣款时间", "反馈日期"}
_DETAIL = {"失败原因", "原因", "备注", "说明", "扣款结果", "反馈信息"}
_HEADER_ROWS = 10  # a title and a note or two come before the header


class DebitFileError(ValueError):
    """The file cannot be read as a tax office list at all; the message says what to do."""


@dataclass(frozen=True)
class RejectedDebitRow:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第 {self.row} 行「{self.column}」：{self.reason}"


@dataclass(frozen=True)
class DebitFile:
    rows: tuple[DebitRow, ...]
    rejected: tuple[RejectedDebitRow, ...]


def _day(value: Cell, default: date) -> date:
    if value is None or value == "":
        return default
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return date.fromisoformat(text[:10])


NOT_IN_VILLAGE = "{name} 不在本村征收清册中"


def read_debit_file(path: Path, *, day: date, known: Container[str],
                    not_known: str = NOT_IN_VILLAGE) -> DebitFile:
    """The rows of a list; `known` is the roster's ID numbers (a row of someone else's village is
    rejected, so nobody is chased for a debit that is not theirs; `not_known` says so, with the
    row's {name}); `day` is the list's day, used for rows without a date of their own.

    The desk passes its own roster; the county passes every roster it issued (one rule for both)."""
    try:
        with open_sheets(Path(path)) as sheets:
            for _name, rows in sheets:
                found = _read(rows, day, known, not_known)
                if found is not None:
                    return found
    except FileFormatError as exc:
        raise DebitFileError(str(exc)) from None
    raise DebitFileError("找不到表头：名单需要「身份证号（证件号码）」和「姓名」两列")


def check_row(row_no: int, id_text: str, name_text: str, day_cell: Cell, detail_text: str, *, day: date,
              known: Container[str], seen: set[str], not_known: str = NOT_IN_VILLAGE) -> DebitRow | RejectedDebitRow:
    """One row of a list, as a file gives it or as the county sends it down: the accepted row, or
    why not (its row number, column and reason). `seen` holds the IDs accepted so far."""
    try:
        id_number = checked_id_number(id_text)[0]
    except IdNumberError as exc:
        return RejectedDebitRow(row_no, "身份证号", str(exc))
    try:
        name = parse_name(name_text)
    except InvalidNameError as exc:
        return RejectedDebitRow(row_no, "姓名", str(exc))
    if id_number not in known:
        return RejectedDebitRow(row_no, "身份证号", not_known.format(name=name))
    try:
        on_day = _day(day_cell, day)
    except ValueError:
        return RejectedDebitRow(row_no, "扣款日期", f"「{cell_text(day_cell)[:20]}」不是日期（应为 YYYY-MM-DD）")
    if on_day > day:
        return RejectedDebitRow(row_no, "扣款日期", f"{on_day} 晚于名单日期 {day}")
    if id_number in seen:
        return RejectedDebitRow(row_no, "身份证号", f"{name} 在名单中重复")
    try:
        detail = clean_reason(detail_text[:200], field="失败原因", required=False) or ""
    except ReasonError as exc:
        return RejectedDebitRow(row_no, "失败原因", str(exc))
    seen.add(id_number)
    return DebitRow(id_number, name, on_day.isoformat(), detail)


def check_rows(rows: Iterable[tuple[int, str, str, Cell, str]], *, day: date, known: Container[str],
               not_known: str = NOT_IN_VILLAGE) -> DebitFile:
    """Rows (row number, ID, name, day, detail) through `check_row`."""
    accepted: list[DebitRow] = []
    rejected: list[RejectedDebitRow] = []
    seen: set[str] = set()
    for row in rows:
        found = check_row(*row, day=day, known=known, seen=seen, not_known=not_known)
        if isinstance(found, DebitRow):
            accepted.append(found)
        else:
            rejected.append(found)
    return DebitFile(tuple(accepted), tuple(rejected))


def _read(rows_iter: Iterator[Row], day: date, known: Container[str], not_known: str) -> DebitFile | None:
    columns: dict[str, int] | None = None
    body: list[tuple[int, str, str, Cell, str]] = []
    for n, (row_no, cells) in enumerate(rows_iter):
        texts = [cell_text(c) for c in cells]
        if columns is None:
            if n >= _HEADER_ROWS:
                return None
            heads = [normalize_header(t) for t in texts]
            ids = [i for i, h in enumerate(heads) if h in _ID]
            names = [i for i, h in enumerate(heads) if h in _NAME]
            if ids and names:
                columns = {"id": ids[0], "name": names[0]}
                for key, aliases in (("day", _DAY), ("detail", _DETAIL)):
                    hit = [i for i, h in enumerate(heads) if h in aliases]
                    if hit:
                        columns[key] = hit[0]
            continue
        if not any(texts):
            continue

        def at(key: str, cells: list[str] = texts, cols: dict[str, int] = columns) -> str:
            i = cols.get(key)
            return cells[i] if i is not None and i < len(cells) else ""

        if at("id").startswith(("合计", "制表", "备注", "说明")):
            continue
        i = columns.get("day")
        body.append((row_no, at("id"), at("name"), cells[i] if i is not None and i < len(cells) else None,
                     at("detail")))
    if columns is None:
        return None
    return check_rows(body, day=day, known=known, not_known=not_known)
