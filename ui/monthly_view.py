"""月度统计 (the 进度 screen's third tab; seed 004 镇级4、5): for the month chosen, payers and amounts
per tier, the fiscal subsidy per category, the special groups and the people reaching pension
age; Ctrl+N prints it as PDF and Ctrl+Shift+N writes the workbook, for the township.

Counting reads the whole roster: it runs on the database worker, and only while the tab is shown.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.domain.money import format_fen
from app.domain.monthly import MonthlyCounts, renewal_text
from ui.context import WindowContext
from ui.message import MessageLine
from ui.reports import write_atomically, write_in_report_folder
from ui.text_table import fill, text_table
from ui.typed_qt import named

MONTHS_BACK = 18


def months_up_to(today: date, n: int = MONTHS_BACK) -> list[date]:
    """The first days of this month and the n-1 before it, newest first."""
    out, y, m = [], today.year, today.month
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


class MonthlyPanel(QWidget):
    def __init__(self, ctx: WindowContext, message: MessageLine, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.message = ctx, message
        self.counts: MonthlyCounts | None = None
        self.month = named(QComboBox(), "monthlyMonth")
        for first in months_up_to(ctx.desk.clock().date()):
            self.month.addItem(f"{first:%Y年%m月}", first)
        self.month.currentIndexChanged.connect(lambda _i: self.refresh())
        self.summary = named(QLabel(), "monthlySummary")
        self.summary.setWordWrap(True)
        self.tiers = text_table("monthlyTiers", ("档次", "当月人数", "当月金额（元）", "累计人数", "累计金额（元）"),
                                whole_rows=False)
        self.subsidies = text_table("monthlySubsidies", ("人员类别", "险种", "当月人数", "当月补贴（元）",
                                                         "全年应补贴人数", "全年应补贴（元）"), whole_rows=False)
        top = QHBoxLayout()
        top.addWidget(QLabel("统计月份"))
        top.addWidget(self.month)
        top.addStretch(1)
        tables = QHBoxLayout()
        tables.addWidget(self.tiers, 1)
        tables.addWidget(self.subsidies, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addLayout(tables, 1)
        self.setFocusProxy(self.month)

    def chosen(self) -> date:
        return self.month.currentData() or self.ctx.desk.clock().date().replace(day=1)

    def refresh(self) -> None:
        monthly, month = self.ctx.desk.monthly, self.chosen()
        self.ctx.tasks.run(lambda: monthly.counts(month), self._show, on_error=self._refused)

    def _show(self, c: MonthlyCounts) -> None:
        self.counts = c
        fill(self.tiers, [[t.label, str(t.month_payers), format_fen(t.month_fen), str(t.total_payers),
                            format_fen(t.total_fen)] for t in c.tiers if t.total_payers or t.month_payers])
        fill(self.subsidies, [[s.category.value, s.insurance.short_label, str(s.month_people), format_fen(s.month_fen),
                                str(s.year_people), format_fen(s.year_fen)] for s in c.subsidies])
        specials = "；".join(f"{k.category.value} {k.people} 人（未缴 {k.unpaid}）" for k in c.special_counts) or "无"
        reached = sum(1 for a in c.reaching_age if a.reached_by(c.month_end))
        renewal = "，".join(f"{r.band.label} {renewal_text(r)}" + (f"（{r.renewed}/{r.base}）" if r.base else "")
                            for r in c.renewal)
        self.summary.setText(
            f"{c.label}（{c.year}年度）：缴费 {c.month_payers} 人，¥{format_fen(c.month_fen)}；"
            f"财政补贴 当月 ¥{format_fen(c.month_subsidy_fen)}，全年应补贴 ¥{format_fen(c.year_subsidy_fen)}。\n"
            f"特殊群体：{specials}。{c.month.year}年到龄 {len(c.reaching_age)} 人（截至月末已到龄 {reached} 人）。"
            f"续费率（养老）：{renewal}。"
            "Ctrl+N 打印月度统计（PDF），Ctrl+Shift+N 导出 Excel。")

    # -- the township's copies -----------------------------------------------------------------
    def print_pdf(self, folder: Path | None = None) -> None:
        """Ctrl+N: the month's counts as PDF in the report folder."""
        desk, month = self.ctx.desk, self.chosen()

        def build(where: Path) -> Path:
            from printing.pdf.monthly import monthly_pdf

            c = desk.monthly.counts(month)
            device = desk.setup.device
            pdf = monthly_pdf(c, village=device.village_name, township=device.township_name)
            return write_atomically(where / f"月度统计-{month:%Y-%m}.pdf", pdf)

        write_in_report_folder(self, self.ctx, self.message, folder, build, self.print_pdf,
                               busy="正在生成月度统计 PDF…", not_made="没有选择文件夹，未生成文件")

    def export_xlsx(self, folder: Path | None = None) -> None:
        """Ctrl+Shift+N: the month's counts as a workbook in the report folder."""
        desk, month = self.ctx.desk, self.chosen()

        def build(where: Path) -> Path:
            where.mkdir(parents=True, exist_ok=True)
            return desk.monthly.export_xlsx(where / f"月度统计-{month:%Y-%m}.xlsx", desk.monthly.counts(month))

        write_in_report_folder(self, self.ctx, self.message, folder, build, self.export_xlsx,
                               busy="正在导出月度统计…", not_made="没有选择文件夹，未生成文件")

    def _refused(self, exc: BaseException) -> None:
        self.message.refused(exc, self.ctx.tasks.fault)
