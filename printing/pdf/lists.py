"""公示名单 (public posting) and 未缴名单 (the agent's unpaid list), grouped by 村民小组.

The posting goes on the village notice board: ID and phone numbers are masked here, from the
full values, so a caller cannot forget to; the page never holds a full number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from itertools import groupby
from typing import TypeVar

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from app.domain.groups import group_order
from app.domain.ids import mask_id, mask_numbers, mask_phone
from app.domain.money import fen_in_words, format_fen
from app.domain.paper import PostingRow as PostingRow  # the renderers' callers name them here
from app.domain.paper import UnpaidRow as UnpaidRow
from printing.pdf.base import HEAD_BG, PORTRAIT, build, cell, para, styles, table_style

POSTING_HEADER = ("序号", "姓名", "证件号码", "联系电话", "险种", "年度", "缴费金额", "缴费日期", "方式")
POSTING_MM = (12, 24, 36, 24, 14, 12, 22, 22, 20)
UNPAID_HEADER = ("序号", "姓名", "证件号码", "联系电话", "人员类别", "险种", "年度", "应缴金额", "备注")
UNPAID_MM = (12, 26, 38, 26, 18, 14, 12, 20, 20)


def _group_table(title: str, rows: list[list[object]], widths: Sequence[float],
                 amount_col: int) -> Table:
    """One group's table; its title is the first row so every page it runs onto repeats it
    (and a title can never be left alone at the bottom of a page)."""
    heading: list[object] = [title, *[""] * (len(widths) - 1)]
    table = Table([heading, *rows], colWidths=[w * mm for w in widths], repeatRows=2,
                  spaceBefore=3 * mm)
    table.setStyle(table_style(
        ("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), None),
        ("FONTSIZE", (0, 0), (-1, 0), 11), ("ALIGN", (0, 0), (-1, 0), "LEFT"),
        ("BACKGROUND", (0, 1), (-1, 1), HEAD_BG), ("ALIGN", (0, 1), (-1, 1), "CENTER"),
        ("ALIGN", (0, 2), (0, -1), "CENTER"), ("ALIGN", (amount_col, 2), (amount_col, -1), "RIGHT"),
        size=8.5))
    return table


_R = TypeVar("_R", PostingRow, UnpaidRow)


def _grouped(story: list[Flowable], ordered: Sequence[_R], header: Sequence[str], widths: Sequence[float],
             amount_col: int, line: Callable[[int, _R], list[object]], fen: Callable[[_R], int],
             heading: Callable[[str, int, int], str]) -> int:
    """One table per 村民小组 (rows already in order), each headed by its count and sum; the total."""
    total = 0
    for group, members in groupby(ordered, key=lambda r: r.group):
        body: list[list[object]] = [list(header)]
        group_total = 0
        for i, r in enumerate(members, start=1):
            body.append(line(i, r))
            group_total += fen(r)
        total += group_total
        story.append(_group_table(heading(group, len(body) - 1, group_total), body, widths, amount_col=amount_col))
    return total


def posting_pdf(rows: Sequence[PostingRow], *, village: str, year: int, start: date, end: date,
                contact: str = "", posted: tuple[date, date] | None = None, report_phone: str = "") -> bytes:
    """The public posting: `posted` is the 公示期 (first and last day on the wall), `report_phone`
    the county's 监督举报电话 from its configuration."""
    st = styles()
    story: list[Flowable] = [
        Paragraph(f"{year}年度城乡居民社会保险缴费公示名单", st["title"]),
        para(f"{village}    缴费日期：{start:%Y年%m月%d日} 至 {end:%Y年%m月%d日}", st["sub"]),
    ]
    def line(i: int, r: PostingRow) -> list[object]:
        # Every free-text column too: a phone typed into a name or a remark stays private.
        return [str(i), cell(mask_numbers(r.name), 8.5, width=POSTING_MM[1] * mm),
                mask_id(r.id_number), mask_phone(r.phone) if r.phone else "",
                r.insurance.short_label, str(r.year), format_fen(r.amount_fen),
                f"{r.paid_on:%Y-%m-%d}" if r.paid_on else "税务提供", cell(mask_numbers(r.channel), 8.5, width=POSTING_MM[8] * mm)]

    ordered = sorted(rows, key=lambda r: (group_order(r.group), r.paid_on or date.max, r.name))
    total = _grouped(story, ordered, POSTING_HEADER, POSTING_MM, 6, line, lambda r: r.amount_fen,
                     lambda group, n, fen: f"{mask_numbers(group)}（{n} 人次，合计 {format_fen(fen, symbol=True)}）")
    story += [
        Spacer(1, 4 * mm),
        para(f"合计 {len(rows)} 人次，{format_fen(total, symbol=True)}（大写：{fen_in_words(total)}）",
             st["body"]),
        Spacer(1, 2 * mm),
        para((f"公示期：{posted[0]:%Y年%m月%d日} 至 {posted[1]:%Y年%m月%d日}（共{(posted[1] - posted[0]).days + 1}天）。"
              if posted else "公示期为七天。")
             + "如对公示内容有异议，请在公示期内向村委会反映"
             + (f"，联系电话：{contact}" if contact else "") + "。", st["note"]),
        para(f"监督举报电话：{report_phone}" if report_phone else "监督举报电话：________________", st["body"]),
        para("为保护个人信息，证件号码和电话号码已部分隐藏。", st["note"]),
        Spacer(1, 10 * mm),
        para("村民委员会（盖章）：________________        日期：______年____月____日", st["body"]),
    ]
    return build(story, pagesize=PORTRAIT, title=f"{village}缴费公示名单",
                 footer=f"{village} 缴费公示名单")


def unpaid_pdf(rows: Sequence[UnpaidRow], *, village: str, year: int, as_of: date,
               agent: str = "") -> bytes:
    """The agent's own list of who still has to pay; ID masked, phone shown so they can call."""
    st = styles()
    story: list[Flowable] = [
        Paragraph(f"{year}年度城乡居民社会保险未缴费人员名单", st["title"]),
        para(f"{village}    截至 {as_of:%Y年%m月%d日}" + (f"    代收员：{agent}" if agent else ""),
             st["sub"]),
    ]
    def line(i: int, r: UnpaidRow) -> list[object]:
        return [str(i), cell(r.name, 8.5, width=UNPAID_MM[1] * mm), mask_id(r.id_number),
                r.phone, cell(r.category, 8.5, width=UNPAID_MM[4] * mm),
                r.insurance.short_label, str(r.year), format_fen(r.due_fen), ""]

    # Rows come in village order (group, household, 户主 first); a stable sort by group number
    # keeps it, and puts 第十一 after 第二.
    ordered = sorted(rows, key=lambda r: group_order(r.group))
    total = _grouped(story, ordered, UNPAID_HEADER, UNPAID_MM, 7, line, lambda r: r.due_fen,
                     lambda group, n, fen: f"{group}（{n} 人次，应缴 {format_fen(fen, symbol=True)}）")
    story += [
        Spacer(1, 4 * mm),
        para(f"未缴合计 {len(rows)} 人次，应缴 {format_fen(total, symbol=True)}"
             f"（大写：{fen_in_words(total)}）", st["body"]),
        para("本名单仅供代收员工作使用，请勿张贴。", st["note"]),
    ]
    return build(story, pagesize=PORTRAIT, title=f"{village}未缴费人员名单",
                 footer=f"{village} 未缴费人员名单（内部）")
