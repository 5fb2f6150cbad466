"""The grid member's door-to-door list and the 联络表 (issue 25), as PDF.

The list leaves the office in a grid member's hands, so it is made to be safe if it ends up on a
wall: ID numbers masked, no phone column, and every free-text cell (a reason, a visit's outcome)
passed through `mask_numbers`; the title and every page's footer say 「请勿张贴」. The county's
guidance to the other channels and the QR of its payment entry (from its configuration) close it.
The 联络表 does carry phone numbers (it is how grid members reach each other) and says so.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from app.domain.door import POSTS, SECTIONS, Contact, DoorConfig, DoorList, DoorPerson
from app.domain.ids import mask_id, mask_numbers
from app.domain.money import fen_in_words, format_fen
from printing.pdf.base import HEAD_BG, LANDSCAPE, PORTRAIT, build, cell, para, styles, table_style

DO_NOT_POST = "请勿张贴"
LIST_HEADER = ("序号", "姓名", "证件号码", "户号·户主", "人员类别", "应缴明细", "合计", "扣款状态", "未缴原因",
               "最近走访（日期 走访人 结果）")
LIST_MM = (10, 24, 34, 28, 16, 40, 18, 28, 22, 53)
CONTACT_HEADER = ("序号", "职务", "姓名", "联系电话", "单位")
CONTACT_MM = (14, 40, 40, 44, 48)


def _qr(url: str, size_mm: float = 32) -> Drawing:
    widget = QrCodeWidget(url)
    x0, y0, x1, y1 = widget.getBounds()
    side = size_mm * mm
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


@functools.cache
def _small() -> ParagraphStyle:
    return styles()["small"]  # 7 pt: a visit's line wraps within its cell


def _row(i: int, p: DoorPerson) -> list[object]:
    w = [m * mm for m in LIST_MM]
    dues = "；".join(f"{d.insurance.short_label}{format_fen(d.due_fen)}" for d in p.dues)
    last = p.visits[-1] if p.visits else None
    seen = (f"{last.visited_on:%m-%d} {last.visitor} {last.outcome}"
            + (f"，下一步：{last.next_step}" if last.next_step else "")) if last else ""
    if len(p.visits) > 1:
        seen = f"（共{len(p.visits)}次）" + seen
    home = " ".join(x for x in (p.household_no, p.household_head) if x)
    return [str(i), cell(mask_numbers(p.name), 8.5, width=w[1]), mask_id(p.id_number),
            cell(mask_numbers(home), 8, width=w[3]), cell(p.category, 8, width=w[4]),
            cell(dues, 7.5, width=w[5]), format_fen(p.total_fen), cell(p.debit, 7.5, width=w[7]),
            cell(mask_numbers(p.reason or ""), 7.5, width=w[8]), para(mask_numbers(seen), _small())]


def _section(title: str, people: Sequence[DoorPerson]) -> Table:
    body: list[list[object]] = [[f"{title}（{len(people)} 人，应缴 {format_fen(sum(p.total_fen for p in people), symbol=True)}）",
                                 *[""] * (len(LIST_MM) - 1)], list(LIST_HEADER)]
    last_group = None
    group_rows: list[int] = []
    for n, p in enumerate(people, 1):
        if p.group != last_group:  # a sub-heading per 村民小组
            group_rows.append(len(body))
            body.append([mask_numbers(p.group), *[""] * (len(LIST_MM) - 1)])
            last_group = p.group
        body.append(_row(n, p))
    table = Table(body, colWidths=[m * mm for m in LIST_MM], repeatRows=2, spaceBefore=3 * mm)
    table.setStyle(table_style(
        ("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), None), ("FONTSIZE", (0, 0), (-1, 0), 11),
        ("ALIGN", (0, 0), (-1, 0), "LEFT"), ("BACKGROUND", (0, 1), (-1, 1), HEAD_BG),
        ("ALIGN", (0, 1), (-1, 1), "CENTER"), ("ALIGN", (6, 2), (6, -1), "RIGHT"),
        *[("SPAN", (0, i), (-1, i)) for i in group_rows],
        *[("BACKGROUND", (0, i), (-1, i), HEAD_BG) for i in group_rows],
        size=8))
    return table


def door_list_pdf(listing: DoorList, *, village: str, door: DoorConfig, member_label: str = "") -> bytes:
    """A grid member's list (or the village's, when `listing.member` is None)."""
    st = styles()
    who = member_label or listing.member or "全村"
    story: list[Flowable] = [
        Paragraph(f"{listing.year}年度城乡居民“两险”入户催缴名单（{DO_NOT_POST}）", st["title"]),
        para(f"{village}    网格员：{mask_numbers(who)}    截至 {listing.as_of:%Y年%m月%d日}", st["sub"]),
    ]
    for n, title in enumerate(SECTIONS):
        people = listing.section(n)
        if people:
            story.append(_section(title, people))
    if not listing.people:
        story.append(para("名单内的人员均已缴费（逐一销号完毕）。", st["body"]))
    total = sum(p.total_fen for p in listing.people)
    story += [Spacer(1, 3 * mm),
              para(f"合计 {len(listing.people)} 人，应缴 {format_fen(total, symbol=True)}（大写：{fen_in_words(total)}）",
                   st["body"])]
    guidance = door.guidance or "可通过税务社保缴费微信小程序、支付宝小程序、银行柜面、POS机等方式缴费；确有困难的，可到村代收点缴纳现金并索取收据。"
    text = [para("其他缴费渠道：" + mask_numbers(guidance), st["body"])]
    if door.pay_url:
        box = Table([[text, _qr(door.pay_url)], [para("扫码进入县缴费入口", st["small"]), ""]],
                    colWidths=[220 * mm, 40 * mm])
        box.setStyle(table_style(("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, 0), colors.white)))
        story += [Spacer(1, 2 * mm), box]
    else:
        story += text
    story.append(para(f"本名单仅供网格员入户工作使用，{DO_NOT_POST}；证件号码已隐去中间位，不含联系电话。", st["note"]))
    return build(story, pagesize=LANDSCAPE, title=f"{village}入户催缴名单",
                 footer=f"{village} 入户催缴名单（内部，{DO_NOT_POST}）")


def contacts_pdf(contacts: Sequence[Contact], *, county: str, township: str, village: str) -> bytes:
    """联络表 (000 附件2): who holds which post in the village's grid, with their phone."""
    st = styles()
    order = list(POSTS)
    rows: list[list[object]] = [list(CONTACT_HEADER)]
    for i, c in enumerate(sorted(contacts, key=lambda c: order.index(c.post)), 1):
        rows.append([str(i), POSTS[c.post], cell(c.name, 9, width=CONTACT_MM[2] * mm), c.phone,
                     cell(c.unit or (township if c.post == "township_leader" else village), 9,
                          width=CONTACT_MM[4] * mm)])
    table = Table(rows, colWidths=[m * mm for m in CONTACT_MM], repeatRows=1)
    table.setStyle(table_style(("ALIGN", (0, 1), (0, -1), "CENTER")))
    story: list[Flowable] = [
        Paragraph(f"{county}城乡居民“两险”网格化管理服务联络表", st["title"]),
        para(f"乡镇（街道）：{township}    村（社区）：{village}", st["sub"]),
        table, Spacer(1, 3 * mm),
        para(f"本表含联系电话，仅供网格内部联络使用，{DO_NOT_POST}。", st["note"]),
    ]
    return build(story, pagesize=PORTRAIT, title=f"{village}网格化管理服务联络表",
                 footer=f"{village} 网格联络表（内部，{DO_NOT_POST}）")
