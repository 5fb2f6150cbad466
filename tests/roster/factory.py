"""Rosters built the way counties build them: title rows, aliases, GBK, numbers as numbers.

`person_id` makes valid ID numbers (the check character computed, not typed); the writers put
rows into .csv and .xlsx files with the quirks the import must survive.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from app.domain.ids import check_character

HEADER = ["序号", "身份证号码", "姓名", "险种", "缴费年度", "缴费档次", "应缴金额（元）",
          "人员类别", "村民小组", "户号", "户主姓名", "联系电话", "缴费状态"]
TITLE = "示范村2027年度城乡居民两险征收清册"


def person_id(n: int, *, born: str = "19800101", region: str = "341824") -> str:
    """A valid ID number; n makes it unique (sequence digits), odd n is male."""
    first17 = f"{region}{born}{n % 1000:03d}"
    return first17 + check_character(first17)


def wrong_check(idn: str) -> str:
    digits = "0123456789X"
    return idn[:17] + digits[(digits.index(idn[17]) + 1) % 11]


def row(idn: str, name: str, insurance: str = "医疗", *, tier: str = "", amount: str = "",
        category: str = "一般", group: str = "第一村民小组", household: str = "0001",
        head: str = "", phone: str = "", status: str = "", year: str = "2027") -> list[object]:
    return ["", idn, name, insurance, year, tier, amount, category, group, household,
            head or name, phone, status]


def family() -> list[list[object]]:
    """Five people, seven rows: a household of three, a minority name, a rare character."""
    return [
        row(person_id(11), "张三丰", "养老", tier="500", amount="500", household="0001",
            phone="13800001111"),
        row(person_id(11), "张三丰", "医疗", amount="400", household="0001", phone="13800001111"),
        row(person_id(12, born="19821212"), "李秀英", "医疗", household="0001", head="张三丰"),
        row(person_id(13, born="20150601"), "王䶮", "医疗", household="0001", head="张三丰"),
        row(person_id(21, born="19700315"), "阿依古丽·买买提", "养老", tier="300", category="低保",
            group="第二村民小组", household="0002"),
        row(person_id(21, born="19700315"), "阿依古丽·买买提", "医保", category="低保",
            group="第二村民小组", household="0002"),
        row(person_id(33, born="19660909"), "𠇔明", "医疗", category="特困",
            group="第二村民小组", household="0003", status="已缴"),
    ]


def _number(rows: Sequence[Sequence[object]]) -> list[list[object]]:
    return [[i, *r[1:]] for i, r in enumerate(rows, start=1)]


def write_csv(path: Path, rows: Sequence[Sequence[object]], *, encoding: str = "utf-8",
              title: bool = True, totals: bool = True, header: Sequence[str] = HEADER) -> Path:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    if title:
        out.writerow([TITLE] + [""] * (len(header) - 1))
    out.writerow(header)
    out.writerows(_number(rows))
    if totals:
        out.writerow(["合计", "", f"{len(rows)}人"] + [""] * (len(header) - 3))
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], *, title_rows: int = 2,
               totals: bool = True, blank_tail: int = 3, header: Sequence[str] = HEADER,
               numeric_ids: bool = False) -> Path:
    """Title rows in a merged cell, the header, the rows, a totals row, then blank rows that
    Excel keeps as formatted-but-empty."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title_rows:
        sheet.append([TITLE])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        for _ in range(title_rows - 1):
            sheet.append(["填报单位：示范村村委会", "", "", "", "", "", "", "", "单位：元"])
    sheet.append(list(header))
    for r in _number(rows):
        cells = list(r)
        if numeric_ids and str(cells[1]).isdigit():
            cells[1] = float(str(cells[1]))  # what Excel does to an 18-digit number
        sheet.append(cells)
    if totals:
        sheet.append(["合计", "", f"{len(rows)}人", "", "", "", 1234.5])
    for _ in range(blank_tail):
        sheet.append([None] * len(header))
    book.save(path)
    return path
