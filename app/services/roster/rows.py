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
from operator import itemgetter

from app.domain.config import ConfigError, CountyConfig, YearConfig
from app.domain.ids import IdNumberError, checked_id_number, parse_id_number, sex_of
from app.domain.insurance import Category, Insurance
from app.domain.money import MoneyError, format_fen, parse_yuan
from app.domain.names import InvalidNameError, parse_name
from app.domain.quoting import quote
from app.services.roster.columns import ALIASES, Column, Header, normalize_header
from app.services.roster.files import MAX_CELL_CHARS, Cell, cell_text, visible

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
_TERMS_CACHED = 10_000  # distinct (insurance, category, year, tier, amount, status) remembered


@dataclass(frozen=True, slots=True)
class _Terms:
    """A row's insurance, category, year, tier, amount and status, checked (values, or problems)."""

    insurance: str
    category: str
    year: int
    tier: int | None
    amount: int | None
    paid_elsewhere: str | None
    problems: tuple[tuple[str, str], ...]


# Every column the checker reads has a slot in a row's texts; a column the file lacks reads "".
_SLOTS = tuple(Column)
(_C_ID, _C_NAME, _C_INSURANCE, _C_YEAR, _C_TIER, _C_AMOUNT, _C_CATEGORY, _C_GROUP, _C_HOUSEHOLD_NO,
 _C_HOUSEHOLD_HEAD, _C_PHONE, _C_STATUS, _C_CHANNEL, _C_REJECT_REASON) = range(len(_SLOTS))
assert _SLOTS[_C_CHANNEL] is Column.CHANNEL and _SLOTS[_C_ID] is Column.ID_NUMBER
_SEP = "\x1f"  # joins a row's cells to clean them in one call


class RowChecker:
    """Checks rows against the header and the county configuration (caches repeated cells).

    A row is read as `texts(cells)`: the text of each column the checker knows, computed once
    (a township file is a million cells; each was converted a dozen times before)."""

    def __init__(self, header: Header, config: CountyConfig, today: date) -> None:
        self._cols = header.columns
        self._width = max(header.columns.values()) + 1
        self._pick = itemgetter(*(header.columns.get(c, self._width) for c in _SLOTS))
        self._id_pos = header.columns.get(Column.ID_NUMBER, self._width)
        self._title_year = header.title_year
        self._config = config
        self._today = today
        self._insurance: dict[str, Insurance | str] = {}
        self._category: dict[str, Category | str] = {}
        self._terms: dict[tuple[str, ...], _Terms] = {}

    def texts(self, cells: Sequence[Cell]) -> list[str]:
        """The text of every known column (slot order), each cut at MAX_CELL_CHARS."""
        short = self._width + 1 - len(cells)
        picked = self._pick([*cells, *([""] * short)] if short > 0 else cells)
        try:  # all text (a CSV): cleaned in one call
            joined = _SEP.join(picked)
        except TypeError:  # a sheet's number, date or empty cell among them: as Excel shows it
            picked = [v if v.__class__ is str else cell_text(v) for v in picked]
            joined = _SEP.join(picked)
        texts = visible(joined).split(_SEP)
        if len(texts) == len(picked):  # a cell holding the separator itself takes the slow way
            texts = list(map(str.strip, texts))
            if len(joined) <= MAX_CELL_CHARS:
                return texts  # no cell can be too long (the common case: no length each)
        else:
            texts = [cell_text(v) for v in picked]
        if max(map(len, texts)) > MAX_CELL_CHARS:
            texts = [t[:MAX_CELL_CHARS] + "…" if len(t) > MAX_CELL_CHARS else t for t in texts]
        return texts

    def is_skipped(self, cells: Sequence[Cell], t: Sequence[str]) -> bool:
        """Blank rows, repeated headers, totals rows and signature footers are not people."""
        id_text = t[_C_ID]
        if len(id_text) >= 15 and id_text[:6].isdigit():
            return False  # looks like a person (the common case: decided without the rest)
        texts = [x for x in (cell_text(c) for c in cells) if x]
        if not texts:
            return True
        if normalize_header(id_text) in _ID_ALIASES:
            return True  # the header repeated on every printed page
        first = texts[0].replace(" ", "").replace("\u3000", "")
        if any(x.replace(" ", "").replace("\u3000", "").startswith(_TOTALS) for x in texts):
            return True
        return first.startswith(_FOOTERS)

    def id_of(self, t: Sequence[str]) -> str | None:
        """The row's ID number when it is valid (for a row rejected on another column)."""
        try:
            return parse_id_number(t[_C_ID], today=self._today).value
        except IdNumberError:
            return None

    def check(self, row: int, cells: Sequence[Cell], t: Sequence[str]) -> ParsedRow | Problems:
        problems: Problems = []
        idn: tuple[str, date] | None = None
        raw_id = cells[self._id_pos] if self._id_pos < len(cells) else None
        if raw_id.__class__ in (int, float):  # only a spreadsheet's number cell is not text
            problems.append((Column.ID_NUMBER, (
                f"证件号码「{quote(cell_text(raw_id))}」被 Excel 存成了数字，18位号码的末几位已经丢失；"
                "请把该列设为“文本”格式后重新填写号码（不要直接改格式，数字已经不对了）")))
        else:
            id_text = t[_C_ID]
            try:
                idn = checked_id_number(id_text, today=self._today)
            except IdNumberError as exc:
                reason = str(exc)
                if "校验位" in reason and id_text.endswith("00"):
                    reason += EXCEL_HINT
                problems.append((Column.ID_NUMBER, reason))
        name = ""
        try:
            name = parse_name(t[_C_NAME])
        except InvalidNameError as exc:
            problems.append((Column.NAME, str(exc)))
        key = (t[_C_INSURANCE], t[_C_CATEGORY], t[_C_YEAR], t[_C_TIER], t[_C_AMOUNT], t[_C_STATUS],
               t[_C_CHANNEL])
        terms = self._terms.get(key)
        if terms is None:
            terms = self._check_terms(*key)
            if len(self._terms) < _TERMS_CACHED:
                self._terms[key] = terms
        if terms.problems:
            problems += terms.problems
        if problems or idn is None:
            return problems
        return ParsedRow(
            row, idn[0], name, idn[1], sex_of(idn[0]), terms.insurance, terms.year,
            terms.tier, terms.amount, terms.category, t[_C_GROUP],
            t[_C_HOUSEHOLD_NO], t[_C_HOUSEHOLD_HEAD],
            _phone(t[_C_PHONE]), terms.paid_elsewhere,
        )

    def _check_terms(self, insurance_text: str, category_text: str, year_text: str, tier_text: str,
                     amount_text: str, status_text: str, channel: str) -> _Terms:
        """What a row owes, from the cells that say it (a township file has a few dozen distinct
        combinations of them, so each is checked once)."""
        problems: Problems = []
        insurance = self._parse_insurance(insurance_text)
        if not isinstance(insurance, Insurance):  # a StrEnum is a str: test the enum
            problems.append((Column.INSURANCE, insurance))
        category = self._parse_category(category_text)
        if not isinstance(category, Category):
            problems.append((Column.CATEGORY, category))
        year_config = self._parse_year(year_text, problems)
        tier: int | None = None
        amount: int | None = None
        if amount_text:
            try:
                amount = parse_yuan(amount_text, field="应缴金额")
            except MoneyError as exc:
                problems.append((Column.AMOUNT, str(exc)))
        if (year_config is not None and isinstance(insurance, Insurance)
                and isinstance(category, Category)):
            tier = self._check_due(tier_text, year_config, insurance, category, amount, amount_text,
                                   problems)
        status = status_text.replace(" ", "")
        paid_elsewhere = None
        if status in _PAID:
            paid_elsewhere = channel or "其他渠道"
        elif status not in _UNPAID:
            problems.append((Column.STATUS, f"缴费状态「{quote(status)}」无法识别（应为 已缴 或 未缴，或留空）"))
        if problems:
            return _Terms("", "", 0, None, None, None, tuple(problems))
        # Without a problem each was read (a year that is not read appends one).
        assert isinstance(insurance, Insurance) and isinstance(category, Category) and year_config
        return _Terms(insurance.value, category.value, year_config.year, tier, amount,
                      paid_elsewhere, ())

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

    def _check_due(self, tier_text: str, yc: YearConfig, insurance: Insurance,
                   category: Category, amount: int | None, amount_text: str,
                   problems: Problems) -> int | None:
        """The tier (pension) and the amount must agree with the county configuration."""
        tier: int | None = None
        if insurance is Insurance.PENSION:
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
    if not text or text.isdigit():
        return text
    compact = re.sub(r"[\s\-－()（）]", "", text)
    return compact if compact.isdigit() else text
