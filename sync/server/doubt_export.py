"""The year's 疑点 report a county officer files or forwards (issue 24): the summary per
township, every pushed 疑点 with where it stands, the draws with their seeds, and the special
inspections; townships and villages by name with their code, times in Beijing time. As tables
(`report_tables`), written as an xlsx here and as a printable PDF by sync/server/exports.py.
In the xlsx every cell is a value (text or number), never a formula: text typed at a village
desk that starts with '=' stays text."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, col, select

from sync.server import doubts, inspections
from sync.server import models as m
from sync.server.core import ServerRefusal
from sync.server.county_view import local_text

SUMMARY = ("乡镇代码", "乡镇", "年度", "推送疑点", "按时答复", "逾期答复", "逾期未答复", "待答复", "抽查", "抽查比例",
           "已检查", "自查属实", "自查不实", "发现违纪问题", "专项检查次数", "专项检查尚缺", "抽查种子")
DETAIL = ("编号", "乡镇代码", "乡镇", "村代码", "村名", "来源", "类别", "设备", "收据/单号", "日期", "说明", "推送日期",
          "答复期限", "状态", "答复", "答复人", "答复时间（北京时间）", "答复方式", "答复说明", "抽中", "检查结论", "检查情况")
DRAWS = ("抽查编号", "乡镇代码", "乡镇", "年度", "种子", "疑点总数", "抽中", "抽中编号", "抽查人", "按种子重抽一致")
SPECIALS = ("乡镇代码", "乡镇", "检查日期", "参加单位", "检查情况", "登记人")


@dataclass(frozen=True)
class Sheet:
    title: str
    header: tuple[str, ...]
    rows: list[list[Any]]


def beijing(at: str) -> str:
    """An answer's time in Beijing time; a naive one (a desk's file) is the county's already."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    return local_text(moment) if moment.tzinfo else moment.strftime("%Y-%m-%d %H:%M")


def names(s: Session, townships: set[str], villages: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The names the county loaded (`daishou-server places load`, a roster's village name)."""
    towns = {t.code: t.name for t in s.exec(select(m.Township).where(col(m.Township.code).in_(list(townships)))).all()}
    vills = {v.code: v.name for v in s.exec(select(m.Village).where(col(m.Village.code).in_(list(villages)))).all()}
    return towns, vills


def report_tables(s: Session, staff: m.Staff, *, year: int, township: str | None = None) -> list[Sheet]:
    """The four tables of the year's report; only `township`'s rows when one is given."""
    if township is not None and staff.role == "township" and township != staff.township_code:
        raise ServerRefusal(403, "not_your_township", f"乡镇 {township} 不是本账号的乡镇")
    def mine(code: str) -> bool:
        return township is None or code == township

    summary = [r for r in inspections.report(s, staff, year=year) if mine(r.township_code)]
    pushed = [d for d in doubts.doubts_for(s, staff, year=year) if mine(d.township_code)]
    draws = [d for d in inspections.draws_for(s, staff, year=year) if mine(d.township_code)]
    specials = [sp for sp in inspections.specials_for(s, staff, year=year) if mine(sp.township_code)]
    stand = inspections.standings(s, pushed, today=doubts.county_date(doubts.clock()))
    town, village = names(s, {r.township_code for r in summary} | {d.township_code for d in pushed},
                          {d.village_code for d in pushed})
    detail = []
    for d in pushed:
        st = stand[d.id or 0]
        last = st.answers[-1] if st.answers else None
        inspected = st.inspections[-1] if st.inspections else None
        detail.append([d.id, d.township_code, town.get(d.township_code, ""), d.village_code,
                       village.get(d.village_code, ""), doubts.SOURCES.get(d.source, d.source),
                       doubts.label(d.source, d.code), d.device_id or "", d.ref, d.day, d.reason, d.pushed_on, d.due_on,
                       st.state, last.verdict if last else "", last.answered_by if last else "",
                       beijing(last.answered_at) if last else "", last.via if last else "",
                       last.note if last else "", "是" if st.draws else "", inspected.result if inspected else "",
                       inspected.finding if inspected else ""])
    return [
        Sheet("汇总", SUMMARY, [
            [r.township_code, town.get(r.township_code, ""), r.year, r.pushed, r.answered_on_time, r.answered_late,
             r.overdue, r.waiting, r.drawn, f"{r.drawn / r.pushed:.0%}" if r.pushed else "—", r.inspected,
             *(r.findings.get(f, 0) for f in inspections.FINDINGS), r.special_inspections, r.specials_short,
             "、".join(r.seeds)] for r in summary]),
        Sheet("疑点明细", DETAIL, detail),
        Sheet("抽查", DRAWS, [
            [d.id, d.township_code, town.get(d.township_code, ""), d.year, d.seed, len(json.loads(d.population)),
             len(json.loads(d.chosen)), "、".join(json.loads(d.chosen)), d.drawn_by,
             "一致" if inspections.reproduce(d) else "不一致"] for d in draws]),
        Sheet("专项检查", SPECIALS, [[sp.township_code, town.get(sp.township_code, ""), sp.held_on, sp.units,
                                      sp.summary, sp.recorded_by] for sp in specials]),
    ]


def _text(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # shown as typed, never evaluated
    return value


def report_xlsx(s: Session, staff: m.Staff, *, year: int, township: str | None = None) -> bytes:
    book = Workbook()
    for n, sheet in enumerate(report_tables(s, staff, year=year, township=township)):
        ws = book.active if n == 0 else book.create_sheet()
        ws.title = sheet.title
        ws.append(list(sheet.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([_text(value) for value in row])
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PDF_DETAIL = ("编号", "乡镇", "村名", "村代码", "类别", "收据/单号", "日期", "说明", "推送日期", "答复期限", "状态",
              "答复", "答复人", "答复时间（北京时间）", "抽中", "检查结论")


def _pick(title: str, sheet: Sheet, columns: tuple[str, ...]) -> tuple[str, tuple[str, ...], list[list[Any]]]:
    at = [sheet.header.index(c) for c in columns]
    return title, columns, [[row[i] for i in at] for row in sheet.rows]


def report_pdf(s: Session, staff: m.Staff, *, year: int, township: str | None = None) -> bytes:
    """The same tables printed (the 疑点 with the columns a page has room for)."""
    from sync.server.exports import tables_pdf

    summary, detail, draws, specials = report_tables(s, staff, year=year, township=township)
    if township is None and staff.role == "county":
        who = "全县"
    else:
        who = "、".join(f"{r[1] or r[0]}（{r[0]}）" for r in summary.rows) or str(township or staff.township_code)
    sections = [("一、按乡镇汇总", summary.header, summary.rows), _pick("二、疑点明细", detail, PDF_DETAIL),
                ("三、抽查（不少于推送疑点的10%，按种子可重现）", draws.header, draws.rows),
                ("四、专项检查（每个乡镇每年不少于两次）", specials.header, specials.rows)]
    return tables_pdf(f"{year}年度疑点核查报告", f"{who}　生成时间 {local_text(doubts.clock())}（北京时间）",
                      sections, note="按时答复：推送后15日内答复；逾期未答复：期限已过仍未答复。")
