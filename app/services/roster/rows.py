"""Checking one roster row: every column that matters, every problem named with its column.

A row is either a `ParsedRow` ready to be applied or a list of (column, reason) problems. Rows
that are not people at all (blank, a repeated header, the totals row, the 制表人 footer) are
skipped, not rejected: counties add them to every file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.domain.config import ConfigError, CountyConfig, YearConfig
from app.domain.ids import IdNumberError, parse_id_number
from app.domain.insurance import Category, Insurance
from app.domain.money import MoneyError, format_fen, parse_yuan
from app.domain.names import InvalidNameError, parse_name
from app.domain.quoting import quote
from app.services.roster.columns import ALIASES, Column, Header, normalize_header
from app.services.roster.files import Cell, cell_text

_TOTALS = ("合计", "总计", "小计", "共计", "总合计")
_FOOTERS = ("制表", "审核", "填报", "负责人", "备注", "说明", "注：", "注:", "打印", "经办人", "盖章")
_PAID = {"已缴", "已缴费", "已缴纳", "已交", "已缴清", "是", "已扣款", "已代扣"}
_UNPAID = {"", "未缴", "未缴费", "未缴纳", "未交", "否", "待缴", "欠缴"}
_ID_ALIASES = set(ALIASES[Column.ID_NUMBER])
_YEAR = re.compile(r"^([0-9]{4})(?:\.0+)?\s*(?:年度?)?$")
EXCEL_HINT = ("；若整列号码末尾都变成了0，是 Excel 把号码当成了数字：请把该列设为“文本”"
              "格式后重新填写号码")


@dataclass(slots=True)
class ParsedRow:
    row: int
    id_number: str
    name: str
    birth_date: date
    sex: str
    insurance: str
    year: int
    tier_fen: int | None
    amount_fen: int | None
    category: str
    group: str
    household_no: str
    household_head: str
    phone: str
    paid_elsewhere: str | None


Problems = list[tuple[str, str]]


class RowChecker:
    """Checks rows against the header and the county configuration (caches repeated cells)."""

    def __init__(self, header: Header, config: CountyConfig, today: date) -> None:
        self._cols = header.columns
        self._title_year = header.title_year
        self._config = config
        self._today = today
        self._insurance: dict[str, Insurance | str] = {}
        self._category: dict[str, Category | str] = {}

    def text(self, cells: Sequence[Cell], col: Column) -> str:
        pos = self._cols.get(col)
        if pos is None or pos >= len(cells):
            return ""
        return cell_text(cells[pos])

    def raw(self, cells: Sequence[Cell], col: Column) -> Cell:
        pos = self._cols.get(col)
        return cells[pos] if pos is not None and pos < len(cells) else None

    def is_skipped(self, cells: Sequence[Cell]) -> bool:
        """Blank rows, repeated headers, totals rows and signature footers are not people."""
        id_text = self.text(cells, Column.ID_NUMBER)
        if len(id_text) >= 15 and id_text[:6].isdigit():
            return False  # looks like a person (the common case: decided without the rest)
        texts = [t for t in (cell_text(c) for c in cells) if t]
        if not texts:
            return True
        if normalize_header(id_text) in _ID_ALIASES:
            return True  # the header repeated on every printed page
        first = texts[0].replace(" ", "").replace("\u3000", "")
        if any(t.replace(" ", "").replace("\u3000", "").startswith(_TOTALS) for t in texts):
            return True
        return first.startswith(_FOOTERS)

    def id_of(self, cells: Sequence[Cell]) -> str | None:
        """The row's ID number when it is valid (for a row rejected on another column)."""
        try:
            return parse_id_number(self.text(cells, Column.ID_NUMBER), today=self._today).value
        except IdNumberError:
            return None

    def check(self, row: int, cells: Sequence[Cell]) -> ParsedRow | Problems:
        problems: Problems = []
        idn = None
        raw_id = self.raw(cells, Column.ID_NUMBER)
        if isinstance(raw_id, float):
            problems.append((Column.ID_NUMBER, (
                f"证件号码「{quote(cell_text(raw_id))}」被 Excel 存成了数字，18位号码的末几位已经丢失；"
                "请把该列设为“文本”格式后重新填写号码（不要直接改格式，数字已经不对了）")))
        else:
            id_text = self.text(cells, Column.ID_NUMBER)
            try:
                idn = parse_id_number(id_text, today=self._today)
            except IdNumberError as exc:
                reason = str(exc)
                if "校验位" in reason and id_text.endswith("00"):
                    reason += EXCEL_HINT
                problems.append((Column.ID_NUMBER, reason))
        name = ""
        try:
            name = parse_name(self.text(cells, Column.NAME))
        except InvalidNameError as exc:
            problems.append((Column.NAME, str(exc)))
        insurance = self._parse_insurance(self.text(cells, Column.INSURANCE))
        if not isinstance(insurance, Insurance):  # a StrEnum is a str: test the enum
            problems.append((Column.INSURANCE, insurance))
        category = self._parse_category(self.text(cells, Column.CATEGORY))
        if not isinstance(category, Category):
            problems.append((Column.CATEGORY, category))
        year_config = self._parse_year(self.text(cells, Column.YEAR), problems)
        tier: int | None = None
        amount: int | None = None
        amount_text = self.text(cells, Column.AMOUNT)
        if amount_text:
            try:
                amount = parse_yuan(amount_text, field="应缴金额")
            except MoneyError as exc:
                problems.append((Column.AMOUNT, str(exc)))
        if (year_config is not None and isinstance(insurance, Insurance)
                and isinstance(category, Category)):
            tier = self._check_due(cells, year_config, insurance, category, amount, amount_text,
                                   problems)
        status = self.text(cells, Column.STATUS).replace(" ", "")
        paid_elsewhere = None
        if status in _PAID:
            paid_elsewhere = self.text(cells, Column.CHANNEL) or "其他渠道"
        elif status not in _UNPAID:
            problems.append((Column.STATUS, f"缴费状态「{quote(status)}」无法识别（应为 已缴 或 未缴，或留空）"))
        if problems or idn is None or year_config is None:
            return problems
        assert isinstance(insurance, Insurance) and isinstance(category, Category)
        return ParsedRow(
            row, idn.value, name, idn.birth_date, idn.sex, insurance.value, year_config.year,
            tier, amount, category.value, self.text(cells, Column.GROUP),
            self.text(cells, Column.HOUSEHOLD_NO), self.text(cells, Column.HOUSEHOLD_HEAD),
            _phone(self.text(cells, Column.PHONE)), paid_elsewhere,
        )

    def _parse_insurance(self, text: str) -> Insurance | str:
        if text not in self._insurance:
            try:
                self._insurance[text] = Insurance.parse(text.replace(" ", ""))
            except ValueError as exc:
                self._insurance[text] = "险种为空" if not text else str(exc)
        return self._insurance[text]

    def _parse_category(self, text: str) -> Category | str:
        if text not in self._category:
            try:
                self._category[text] = Category.parse(text.replace(" ", ""))
            except ValueError as exc:
                self._category[text] = str(exc)
        return self._category[text]

    def _parse_year(self, text: str, problems: Problems) -> YearConfig | None:
        if not text and Column.YEAR not in self._cols and self._title_year is not None:
            text = str(self._title_year)  # the year is named only in the title row
        match = _YEAR.match(text)
        if not match:
            problems.append((Column.YEAR, f"缴费年度「{quote(text)}」应为四位年份，如 2027" if text
                             else "缴费年度为空"))
            return None
        try:
            return self._config.year(int(match.group(1)))
        except ConfigError as exc:
            problems.append((Column.YEAR, str(exc)))
            return None

    def _check_due(self, cells: Sequence[Cell], yc: YearConfig, insurance: Insurance,
                   category: Category, amount: int | None, amount_text: str,
                   problems: Problems) -> int | None:
        """The tier (pension) and the amount must agree with the county configuration."""
        tier: int | None = None
        if insurance is Insurance.PENSION:
            tier_text = self.text(cells, Column.TIER)
            if tier_text:
                try:
                    tier = parse_yuan(tier_text, field="缴费档次", allow_zero=False)
                except MoneyError as exc:
                    problems.append((Column.TIER, str(exc)))
                    return None
                if tier not in yc.pension_tiers_fen:
                    allowed = "、".join(str(t // 100) for t in yc.pension_tiers_fen)
                    problems.append((Column.TIER, f"{yc.year}年度没有 {format_fen(tier)} 元的档次"
                                                  f"（可选：{allowed}）"))
                    return None
            elif amount is not None:
                # No tier column: the tier is the one whose amount due is the roster's amount.
                fits = [t for t in yc.pension_tiers_fen
                        if yc.due_fen(category, insurance, t) == amount]
                if len(fits) != 1:
                    problems.append((Column.TIER, "养老保险缺少缴费档次"))
                    return None
                tier = fits[0]
            else:
                problems.append((Column.TIER, "养老保险缺少缴费档次"))
                return None
        due = yc.due_fen(category, insurance, tier)
        if amount is not None and amount != due:
            what = f"{format_fen(tier)}元档" if tier is not None else ""
            problems.append((Column.AMOUNT, (
                f"应缴金额 {amount_text} 元与县级配置不符：{yc.year}年度{category.value}人员"
                f"{insurance.short_label}{what}应缴 {format_fen(due)} 元")))
        return tier


def _phone(text: str) -> str:
    """Phone numbers lose their separators; anything else in the cell is kept as written."""
    compact = re.sub(r"[\s\-－()（）]", "", text)
    return compact if compact.isdigit() else text
