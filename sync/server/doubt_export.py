"""The year's 疑点 report as an xlsx a county officer files or forwards (issue 24): the summary per
township, every pushed 疑点 with where it stands, the draws with their seeds, and the special
inspections. Every cell is a value (text or number), never a formula: text typed at a village
desk that starts with '=' stays text."""

from __future__ import annotations

import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session

from sync.server import doubts, inspections
from sync.server import models as m

SUMMARY = ("乡镇代码", "年度", "推送疑点", "按时答复", "逾期答复", "逾期未答复", "待答复", "抽查", "抽查比例",
           "已检查", "自查属实", "自查不实", "发现违纪问题", "专项检查次数", "专项检查尚缺", "抽查种子")
DETAIL = ("编号", "乡镇代码", "村代码", "来源", "类别", "设备", "收据/单号", "日期", "说明", "推送日期", "答复期限",
          "状态", "答复", "答复人", "答复时间", "答复方式", "答复说明", "抽中", "检查结论", "检查情况")


def _text(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # shown as typed, never evaluated
    return value


def _sheet(book: Workbook, title: str, header: tuple[str, ...], rows: list[list[Any]], first: bool = False) -> None:
    ws = book.active if first else book.create_sheet()
    ws.title = title
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_text(value) for value in row])
    ws.freeze_panes = "A2"


def report_xlsx(s: Session, staff: m.Staff, *, year: int) -> bytes:
    summary = inspections.report(s, staff, year=year)
    pushed = doubts.doubts_for(s, staff, year=year)
    stand = inspections.standings(s, pushed, today=doubts.county_date(doubts.clock()))
    book = Workbook()
    _sheet(book, "汇总", SUMMARY, [
        [r.township_code, r.year, r.pushed, r.answered_on_time, r.answered_late, r.overdue, r.waiting, r.drawn,
         f"{r.drawn / r.pushed:.0%}" if r.pushed else "—", r.inspected,
         *(r.findings.get(f, 0) for f in inspections.FINDINGS), r.special_inspections, r.specials_short,
         "、".join(r.seeds)] for r in summary], first=True)
    detail = []
    for d in pushed:
        st = stand[d.id or 0]
        last = st.answers[-1] if st.answers else None
        inspected = st.inspections[-1] if st.inspections else None
        detail.append([d.id, d.township_code, d.village_code, doubts.SOURCES.get(d.source, d.source),
                       doubts.label(d.source, d.code), d.device_id or "", d.ref, d.day, d.reason, d.pushed_on, d.due_on,
                       st.state, last.verdict if last else "", last.answered_by if last else "",
                       last.answered_at if last else "", last.via if last else "", last.note if last else "",
                       "是" if st.draws else "", inspected.result if inspected else "",
                       inspected.finding if inspected else ""])
    _sheet(book, "疑点明细", DETAIL, detail)
    _sheet(book, "抽查", ("抽查编号", "乡镇代码", "年度", "种子", "疑点总数", "抽中", "抽中编号", "抽查人", "按种子重抽一致"),
           [[d.id, d.township_code, d.year, d.seed, len(json.loads(d.population)), len(json.loads(d.chosen)),
             "、".join(json.loads(d.chosen)), d.drawn_by, "一致" if inspections.reproduce(d) else "不一致"]
            for d in inspections.draws_for(s, staff, year=year)])
    _sheet(book, "专项检查", ("乡镇代码", "检查日期", "参加单位", "检查情况", "登记人"),
           [[sp.township_code, sp.held_on, sp.units, sp.summary, sp.recorded_by]
            for sp in inspections.specials_for(s, staff, year=year)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
