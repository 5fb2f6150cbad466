"""现金征缴登记台账: one block per receipt — the payer, then each insured person — with the
sign-offs as they were given, page totals carried forward, and a footer to sign and seal.

The ledger is an internal control record signed by the payer, so it shows the full ID number;
public lists (公示) never do. Electronic sign-offs (the agent's at recording, the head's at the
day's settlement, the payer's signature image or fingerprint) are printed with name and time; a
box is left blank only for what is still to be signed on paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from itertools import groupby

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, PageBreak, Paragraph, Spacer, Table

from app.domain.money import fen_in_words, format_fen
from app.domain.paper import LedgerContext as LedgerContext  # the renderer's callers name it here
from app.domain.records import Device, PayerSignoff, Receipt
from printing.pdf.base import LANDSCAPE, build, cell, para, para_lines, styles, table_style

HEADER = ("序号", "收据号 / 日期", "缴费人", "参保人", "证件号码", "人员类别", "险种", "年度", "档次",
          "政府资助", "金额", "缴费人签字/手印", "代收人员签字", "村委会负责人签字")
WIDTHS_MM = (9, 36, 18, 18, 36, 15, 10, 10, 12, 14, 18, 26, 26, 25)
ROW_MM = 9  # room for a handwritten signature
ROWS_PER_PAGE = 13  # fixed-height rows: the page totals are of exactly the rows on that page
SUBTOTAL_BG = colors.HexColor("#f2f2f2")
VOID_GREY = colors.HexColor("#888888")
AMOUNT = 10  # column of the amount


@dataclass
class _Row:
    cells: list[object]
    fen: int = 0  # what the row adds to the cash total
    kind: str = "line"  # line | note | subtotal
    void: bool = False


def _period(start: date, end: date) -> str:
    return f"{start:%Y年%m月%d日}" if start == end else f"{start:%Y年%m月%d日} 至 {end:%Y年%m月%d日}"


def total_line(label: str, fen: int) -> str:
    return f"{label}：{format_fen(fen, symbol=True)}（大写：{fen_in_words(fen)}）"


def _round_of(r: Receipt) -> int:
    return r.countersign.round_no if r.countersign else 0  # 0: not settled yet


def _payer_signoff(r: Receipt, ctx: LedgerContext) -> object:
    if r.payer_signoff is PayerSignoff.SIGNATURE and r.signature_sha256 in ctx.signatures:
        image = Image(BytesIO(ctx.signatures[r.signature_sha256]))
        scale = min(24 * mm / image.imageWidth, 8 * mm / image.imageHeight)
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        return image
    if r.payer_signoff is PayerSignoff.PAPER:
        return ""  # signed here, on paper
    return r.payer_signoff.label


def _receipt_rows(r: Receipt, ctx: LedgerContext, seq: int) -> tuple[list[_Row], int]:
    st = styles()
    rows: list[_Row] = []
    agent = para_lines([f"{r.agent} {r.recorded_at:%m-%d %H:%M}", "电子签名"], st["small"])
    head = (para_lines([f"{r.countersign.head} {r.countersign.at:%m-%d %H:%M}", "日结会签"], st["small"])
            if r.countersign else "")
    for n, line in enumerate(r.lines):
        seq += 1
        standard = line.tier_fen if line.tier_fen is not None else ctx.standard_fen.get(
            (line.insurance.value, line.year))
        subsidy = standard - line.due_fen if standard is not None and standard > line.due_fen else 0
        first = n == 0
        rows.append(_Row([
            str(seq),
            para_lines([r.number, *([f"票号 {r.serial}"] if r.serial else []), f"{r.recorded_at:%Y-%m-%d}"],
                       st["small"]) if first else "",
            cell(r.payer_name, 8, width=WIDTHS_MM[2] * mm) if first else "",
            cell(line.name, 8, width=WIDTHS_MM[3] * mm), line.id_number,
            cell(ctx.categories.get(line.id_number, ""), 8, width=WIDTHS_MM[5] * mm),
            line.insurance.short_label, str(line.year),
            format_fen(line.tier_fen).removesuffix(".00") if line.tier_fen else "",
            format_fen(subsidy) if subsidy else "",
            "已作废" if r.void else format_fen(line.amount_fen),
            _payer_signoff(r, ctx) if first else "", agent if first else "", head if first else "",
        ], 0 if r.void else line.amount_fen, void=r.void is not None))
    notes = []
    if r.void is not None:
        notes.append(f"作废：{r.void.reason}（{r.void.agent}办理，{r.void.head}会签，{r.void.at:%Y-%m-%d %H:%M}）")
    if r.override_reason:
        notes.append(f"改动应缴金额的原因：{r.override_reason}")
    if r.paid is not None:
        notes.append(f"代为缴费：{r.paid.channel} 凭证号 {r.paid.voucher}（{r.paid.agent}，{r.paid.at:%Y-%m-%d %H:%M}）")
    if r.refund is not None:
        notes.append(f"退费申请：{format_fen(r.refund.amount_fen, symbol=True)}，{r.refund.reason}"
                     f"（{r.refund.agent}申请，{r.refund.head}会签，{r.refund.at:%Y-%m-%d}）")
    for note in notes:
        rows.append(_Row(["", para(f"{r.number}　{note}", st["small"]), *[""] * (len(HEADER) - 2)], kind="note",
                         void=r.void is not None))
    return rows, seq


def _subtotal(label: str, fen: int) -> _Row:
    cells: list[object] = [label, *[""] * 9, format_fen(fen), f"大写：{fen_in_words(fen)}", "", ""]
    return _Row(cells, kind="subtotal")


def _all_rows(receipts: Sequence[Receipt], ctx: LedgerContext) -> tuple[list[_Row], int]:
    rows: list[_Row] = []
    grand = seq = 0
    ordered = sorted(receipts, key=lambda r: (r.day, r.recorded_at, r.number))
    for day, day_group in groupby(ordered, key=lambda r: r.day):
        day_receipts = list(day_group)
        # A day settled more than once (cash taken after its settlement) shows each round's
        # subtotal, so each can be checked against its own 日结单.
        rounds = [(k, list(g)) for k, g in groupby(day_receipts, key=_round_of)]
        day_total = day_lines = 0
        for round_no, round_receipts in rounds:
            round_total = round_lines = 0
            for r in round_receipts:
                block, seq = _receipt_rows(r, ctx, seq)
                rows += block
                round_total += sum(b.fen for b in block)
                round_lines += sum(1 for b in block if b.kind == "line" and not b.void)
            day_total += round_total
            day_lines += round_lines
            if len(rounds) > 1:
                label = f"第{round_no}次日结" if round_no else "未日结"
                rows.append(_subtotal(f"{day:%Y-%m-%d} {label} 小计 {round_lines} 人次", round_total))
        grand += day_total
        rows.append(_subtotal(f"{day:%Y-%m-%d} 本日合计 {day_lines} 人次", day_total))
    return rows, grand


def _page_table(rows: list[_Row], page_fen: int, carried: int) -> Table:
    data: list[list[object]] = [[*HEADER], *(r.cells for r in rows)]
    extra: list[tuple[object, ...]] = []
    for i, r in enumerate(rows, start=1):
        if r.void:
            extra.append(("TEXTCOLOR", (0, i), (-1, i), VOID_GREY))
        if r.kind == "note":
            extra.append(("SPAN", (1, i), (-1, i)))
        if r.kind == "subtotal":
            extra += [("SPAN", (0, i), (9, i)), ("SPAN", (11, i), (13, i)), ("BACKGROUND", (0, i), (-1, i), SUBTOTAL_BG),
                      ("ALIGN", (0, i), (9, i), "RIGHT")]
    for label, fen in (("本页小计", page_fen), ("累计（含承前页）", carried)):
        data.append([label, *[""] * 9, format_fen(fen), f"大写：{fen_in_words(fen)}", "", ""])
        i = len(data) - 1
        extra += [("SPAN", (0, i), (9, i)), ("SPAN", (11, i), (13, i)), ("BACKGROUND", (0, i), (-1, i), SUBTOTAL_BG),
                  ("ALIGN", (0, i), (9, i), "RIGHT")]
    table = Table(data, colWidths=[w * mm for w in WIDTHS_MM],
                  rowHeights=[7 * mm] + [ROW_MM * mm] * len(rows) + [7 * mm, 7 * mm])
    table.setStyle(table_style(("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (AMOUNT, 1), (AMOUNT, -1), "RIGHT"),
                               *extra, size=8))
    return table


def ledger_pdf(receipts: Sequence[Receipt], device: Device, *, start: date, end: date,
               context: LedgerContext | None = None) -> bytes:
    ctx = context or LedgerContext()
    st = styles()
    rows, grand = _all_rows(receipts, ctx)
    pages = [rows[i:i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)] or [[]]
    heading = (f"{device.township_name} {device.village_name}（{device.village_code}）"
               f" 第 {device.device_no} 号收款设备    {_period(start, end)}")
    footer = (f"制表人：{ctx.prepared_by or '________'}　　审核人（村委会负责人）：{ctx.reviewer or '________'}"
              "　　日期：______年____月____日　　（村委会盖章）")
    story: list[Flowable] = []
    carried = 0
    for n, page in enumerate(pages):
        page_fen = sum(r.fen for r in page)
        carried += page_fen
        if n:
            story.append(PageBreak())
        story += [Paragraph("现金征缴登记台账", st["title"]), para(heading, st["sub"]),
                  _page_table(page, page_fen, carried), Spacer(1, 2 * mm), para(footer, st["body"])]
    story += [Spacer(1, 2 * mm), para(total_line("本期现金合计", grand), st["body"])]
    return build(story, pagesize=LANDSCAPE, title="现金征缴登记台账",
                 footer=f"{device.village_name} 现金征缴登记台账 {_period(start, end)}")
