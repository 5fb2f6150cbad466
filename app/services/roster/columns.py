"""The roster's columns: the header aliases counties use, and finding the header row.

County rosters put one or more title rows above the header (「××村2027年度城乡居民两险征收
清册」, often a merged cell), write units into headers (「应缴金额（元）」), break long headers
over two lines, and add columns we do not need (序号, 备注). The header row is the first of the
top rows that names both the ID number and the name column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Column(StrEnum):
    """A column Daishou reads; the value is the canonical Chinese header shown to users."""

    ID_NUMBER = "证件号码"
    NAME = "姓名"
    INSURANCE = "险种"
    YEAR = "缴费年度"
    TIER = "缴费档次"
    AMOUNT = "应缴金额"
    CATEGORY = "人员类别"
    GROUP = "村民小组"
    HOUSEHOLD_NO = "户号"
    HOUSEHOLD_HEAD = "户主姓名"
    PHONE = "联系电话"
    STATUS = "缴费状态"
    CHANNEL = "缴费渠道"
    REJECT_REASON = "拒绝原因"  # only in the rejected-rows file Daishou writes


ALIASES: dict[Column, tuple[str, ...]] = {
    Column.ID_NUMBER: ("证件号码", "身份证号", "身份证号码", "公民身份号码", "证件号", "身份证",
                       "公民身份证号码", "居民身份证号码", "身份证件号码"),
    Column.NAME: ("姓名", "参保人姓名", "缴费人姓名", "参保人", "缴费人"),
    Column.INSURANCE: ("险种", "参保险种", "险种类型", "险种名称"),
    Column.YEAR: ("缴费年度", "年度", "所属年度", "费款所属期"),
    Column.TIER: ("缴费档次", "档次", "缴费档次标准"),
    Column.AMOUNT: ("应缴金额", "金额", "应缴费额", "个人应缴金额", "应缴费金额", "个人缴费金额"),
    Column.CATEGORY: ("人员类别", "类别", "参保身份", "人员身份", "特殊人群类别"),
    Column.GROUP: ("村民小组", "组", "小组", "村组", "组别"),
    Column.HOUSEHOLD_NO: ("户号", "户编号", "家庭户号"),
    Column.HOUSEHOLD_HEAD: ("户主姓名", "户主"),
    Column.PHONE: ("联系电话", "电话", "手机号", "手机号码", "联系方式", "电话号码"),
    Column.STATUS: ("缴费状态", "状态", "是否已缴", "是否缴费"),
    Column.CHANNEL: ("缴费渠道", "渠道", "缴费方式"),
    Column.REJECT_REASON: ("拒绝原因",),
}

REQUIRED = (Column.ID_NUMBER, Column.NAME, Column.INSURANCE, Column.YEAR)
HEADER_SEARCH_ROWS = 30  # title rows and notes above the header: a handful, never thirty

_LOOKUP = {alias: col for col, names in ALIASES.items() for alias in names}
_UNIT = re.compile(r"[（(][^）)]*[）)]")
_YEAR_IN_TITLE = re.compile(r"(20\d\d)\s*年")


class HeaderError(ValueError):
    """The file has no recognisable header; the message lists what is needed."""


def normalize_header(text: object) -> str:
    """「应缴金额\n（元）」 -> 「应缴金额」; 「* 姓 名」 -> 「姓名」."""
    raw = "" if text is None else str(text)
    raw = _UNIT.sub("", raw)
    return re.sub(r"[\s*＊:：]", "", raw)


@dataclass(frozen=True)
class Header:
    row_index: int  # 0-based index of the header row among the file's rows
    columns: dict[Column, int]  # column -> 0-based cell index
    names: tuple[str, ...]  # the header cells as written, for the rejected-rows file
    title_year: int | None  # a year named in the title rows, used when there is no year column


def find_header(rows: list[list[str]]) -> Header:
    """Find the header among the first rows (already converted to text)."""
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[Column, int] = {}
        for pos, cell in enumerate(cells):
            col = _LOOKUP.get(normalize_header(cell))
            if col is not None and col not in columns:
                columns[col] = pos
        if Column.ID_NUMBER in columns and Column.NAME in columns:
            years = {int(m) for cells_above in rows[:index] for c in cells_above
                     for m in _YEAR_IN_TITLE.findall(c)}
            title_year = years.pop() if len(years) == 1 else None
            missing = [c for c in REQUIRED if c not in columns
                       and not (c is Column.YEAR and title_year is not None)]
            if missing:
                raise HeaderError(
                    f"第{index + 1}行的表头缺少必需的列：{'、'.join(missing)}"
                    f"（可用的列名见 docs/roster.md；{_known(missing)}）"
                )
            return Header(index, columns, tuple(str(c) for c in cells), title_year)
    raise HeaderError(
        f"前{HEADER_SEARCH_ROWS}行中找不到表头：需要「证件号码」和「姓名」列"
        f"（也可写作 身份证号、公民身份号码 等）。请确认选择的是征收清册文件"
    )


def _known(missing: list[Column]) -> str:
    return "；".join(f"{c} 也可写作 {'、'.join(ALIASES[c][1:4])}" for c in missing)
