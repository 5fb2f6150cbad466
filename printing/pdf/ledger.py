"""现金征缴登记台账: every cash line of a period, with room for the three signatures.

The ledger is an internal control record signed by the payer, so it shows the full ID number;
public lists (公示) never do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import groupby

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from app.domain.money import fen_in_words, format_fen
from app.domain.records import Device, PayerSignoff, Receipt
from printing.pdf.base import LANDSCAPE, build, cell, para, styles, table_style

HEADER = ("序号", "收据号", "日期", "缴费人", "证件号码", "险种", "年度", "档次", "金额",
          "缴费人签字/手印", "代收人员签字", "村委会负责人签字")
WIDTHS_MM = (10, 43, 19, 25, 38, 13, 11, 14, 21, 28, 25, 26)
ROW_MM = 9  # room for a handwritten signature
SUBTOTAL_BG = colors.HexColor("#f2f2f2")
VOID_GREY = colors.HexColor("#888888")


def _period(start: date, end: date) -> str:
    return f"{start:%Y年%m月%d日}" if start == end else f"{start:%Y年%m月%d日} 至 {end:%Y年%m月%d日}"


def total_line(label: str, fen: int) -> str:
    return f"{label}：{format_fen(fen, symbol=True)}（大写：{fen_in_words(fen)}）"


def ledger_pdf(receipts: Sequence[Receipt], device: Device, *, start: date, end: date) -> bytes:
    st = styles()
    rows: list[list[object]] = [list(HEADER)]
    extra: list[tuple[object, ...]] = []
    grand = 0
    seq = 0
    ordered = sorted(receipts, key=lambda r: (r.day, r.recorded_at, r.number))
    for day, day_receipts in groupby(ordered, key=lambda r: r.day):
        day_total = day_lines = 0
        for r in day_receipts:
            payer_mark = "" if r.payer_signoff is PayerSignoff.PAPER else r.payer_signoff.label
            for line in r.lines:
                seq += 1
                amount = "已作废" if r.void else format_fen(line.amount_fen)
                tier = format_fen(line.tier_fen).removesuffix(".00") if line.tier_fen else ""
                rows.append([str(seq), r.number, f"{r.recorded_at:%Y-%m-%d}", cell(line.name, 8.5, width=WIDTHS_MM[3] * mm),
                             line.id_number, line.insurance.short_label, str(line.year), tier,
                             amount, payer_mark, "", ""])
                if r.void:
                    extra.append(("TEXTCOLOR", (0, len(rows) - 1), (-1, len(rows) - 1), VOID_GREY))
                else:
                    day_total += line.amount_fen
                    day_lines += 1
        grand += day_total
        rows.append([f"{day:%Y-%m-%d} 本日合计 {day_lines} 人次", "", "", "", "", "", "", "",
                     format_fen(day_total), f"大写：{fen_in_words(day_total)}", "", ""])
        n = len(rows) - 1
        extra += [("SPAN", (0, n), (7, n)), ("SPAN", (9, n), (11, n)),
                  ("BACKGROUND", (0, n), (-1, n), SUBTOTAL_BG), ("ALIGN", (0, n), (7, n), "RIGHT")]
    if start != end or not receipts:
        rows.append([f"期间合计 {sum(1 for r in rows[1:] if str(r[0]).isdigit())} 行", "", "", "", "",
                     "", "", "", format_fen(grand), f"大写：{fen_in_words(grand)}", "", ""])
        n = len(rows) - 1
        extra += [("SPAN", (0, n), (7, n)), ("SPAN", (9, n), (11, n)),
                  ("BACKGROUND", (0, n), (-1, n), SUBTOTAL_BG), ("ALIGN", (0, n), (7, n), "RIGHT")]
    table = Table(rows, colWidths=[w * mm for w in WIDTHS_MM],
                  rowHeights=[7 * mm] + [ROW_MM * mm] * (len(rows) - 1), repeatRows=1)
    table.setStyle(table_style(("ALIGN", (0, 1), (0, -1), "CENTER"),
                               ("ALIGN", (8, 1), (8, -1), "RIGHT"), *extra, size=8.5))
    story = [
        Paragraph("现金征缴登记台账", st["title"]),
        para(f"{device.township_name} {device.village_name}（{device.village_code}）"
             f" 第 {device.device_no} 号收款设备    {_period(start, end)}", st["sub"]),
        table,
        Spacer(1, 4 * mm),
        para(total_line("本期现金合计", grand), st["body"]),
    ]
    return build(story, pagesize=LANDSCAPE, title="现金征缴登记台账",
                 footer=f"{device.village_name} 现金征缴登记台账 {_period(start, end)}")
