"""What the township counts each month, for this village (seed 004 镇级4、5; issue 25): the
rows read in one snapshot, counted by the pure app/domain/monthly.py (the county server counts a
township with the same function), and written as a spreadsheet for the township.

Anyone signed in to the desk may read and export them: they hold names and masked ID numbers,
no phone, no cash figure the 进度 screen does not already show.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.ids import mask_id
from app.domain.insurance import Insurance
from app.domain.monthly import LastYear, MonthlyCounts, monthly_counts, renewal_text
from app.services.errors import InvalidInput, NotFound
from app.services.setup import Setup
from app.storage import monthly as rows
from app.storage import roster
from app.storage.database import Clock, Database

if TYPE_CHECKING:
    from openpyxl import Workbook


class Monthly:
    def __init__(self, db: Database, clock: Clock, setup: Setup) -> None:
        self._db, self._clock, self._setup = db, clock, setup

    def counts(self, month: date | None = None, *, year: int | None = None) -> MonthlyCounts:
        """The counts of `month` (this month when not given) for the benefit `year` (the
        roster's newest when not given)."""
        first = (month or self._clock().date()).replace(day=1)
        with self._db.read() as conn:
            y = year if year is not None else roster.newest_year(conn)
            if y is None:
                raise NotFound("征收清册为空：请先导入征收清册")
            try:
                config = self._setup.config.year(y)
            except ValueError as exc:
                raise InvalidInput(str(exc)) from None
            try:
                before = self._setup.config.year(y - 1)
            except ValueError:
                before = None  # a fully subsidised due of last year is then not known as paid
            last = LastYear(rows.dues(conn, y - 1), rows.paid_lines(conn, y - 1), before)
            return monthly_counts(first, config, rows.people(conn), rows.dues(conn, y), rows.paid_lines(conn, y),
                                  last_year=last)

    def export_xlsx(self, path: Path, counts: MonthlyCounts) -> Path:
        """The counts as a workbook: one sheet each for the tiers, the subsidies, the special
        groups and 到龄; written beside the target and renamed."""
        write_xlsx(Path(path), counts, village=self._setup.device.village_name)
        return Path(path)


def write_xlsx(path: Path, c: MonthlyCounts, *, village: str) -> None:
    from app.services.roster.export import _save

    _save(workbook(c, village=village), path)


def workbook(c: MonthlyCounts, *, village: str) -> Workbook:
    """The counts' sheets under the title 「{village}{month}两险缴费统计」; the county server's
    export of a township's month is this same workbook with the township's name."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    title = f"{village}{c.label}两险缴费统计（{c.year}年度）"

    def sheet(name: str, header: list[str], body: Sequence[Sequence[object]], first: bool = False) -> None:
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        ws.title = name
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(header)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in body:
            ws.append(row)
        for n in range(1, len(header) + 1):
            ws.column_dimensions[ws.cell(row=2, column=n).column_letter].width = 16

    def yuan(fen: int) -> float:
        return fen / 100  # a number the township can sum in Excel

    sheet("各档次缴费", ["档次", "当月缴费人数", "当月缴费金额（元）", "累计缴费人数", "累计缴费金额（元）"],
          [[t.label, t.month_payers, yuan(t.month_fen), t.total_payers, yuan(t.total_fen)] for t in c.tiers]
          + [["合计", c.month_payers, yuan(c.month_fen), "", yuan(sum(t.total_fen for t in c.tiers))]], first=True)
    sheet("续费率", ["年龄段（1月1日周岁）", "上年已缴人数", "其中本年已缴", "续费率", "目标"],
          [[r.band.label, r.base, r.renewed, renewal_text(r), f"{r.band.default_target_pct:g}%"] for r in c.renewal])
    sheet("财政补贴", ["人员类别", "险种", "当月缴费人数", "当月补贴（元）", "全年应补贴人数", "全年应补贴（元）"],
          [[s.category.value, s.insurance.short_label, s.month_people, yuan(s.month_fen), s.year_people,
            yuan(s.year_fen)] for s in c.subsidies]
          + [["合计", "", "", yuan(c.month_subsidy_fen), "", yuan(c.year_subsidy_fen)]])
    sheet("特殊群体", ["人员类别", "村民小组", "户号", "姓名", "证件号码", "养老", "医疗"],
          [[s.category.value, s.group, s.household_no, s.name, mask_id(s.id_number),
            dict(s.states).get(Insurance.PENSION, ""), dict(s.states).get(Insurance.MEDICAL, "")] for s in c.specials]
          + [[f"{k.category.value}：{k.people}人，已缴或代缴{k.paid}人，未缴{k.unpaid}人"] for k in c.special_counts])
    sheet("到龄人员", ["村民小组", "户号", "姓名", "证件号码", "出生日期", "年满60周岁日期", f"截至{c.label}"],
          [[a.group, a.household_no, a.name, mask_id(a.id_number), a.birth_date.isoformat(),
            a.reaches_on.isoformat(), "已到龄" if a.reached_by(c.month_end) else "未到龄"] for a in c.reaching_age])
    return book
