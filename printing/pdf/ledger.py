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


def _round_of(r: Receipt) -> int:
    return r.countersign.round_no if r.countersign else 0  # 0: not settled yet


def _receipt_rows(receipts: Sequence[Receipt], rows: list[list[object]], extra: list[tuple[object, ...]],
                  seq: int) -> tuple[int, int]:
    """Append one row per receipt line; returns the valid (fen, lines) they add up to."""
    total = lines = 0
    for r in receipts:
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
                total += line.amount_fen
                lines += 1
    return total, lines


def _subtotal(rows: list[list[object]], extra: list[tuple[object, ...]], label: str, fen: int) -> None:
    rows.append([label, "", "", "", "", "", "", "", format_fen(fen), f"大写：{fen_in_words(fen)}", "", ""])
    n = len(rows) - 1
    extra += [("SPAN", (0, n), (7, n)), ("SPAN", (9, n), (11, n)),
              ("BACKGROUND", (0, n), (-1, n), SUBTOTAL_BG), ("ALIGN", (0, n), (7, n), "RIGHT")]


def ledger_pdf(receipts: Sequence[Receipt], device: Device, *, start: date, end: date) -> bytes:
    st = styles()
    rows: list[list[object]] = [list(HEADER)]
    extra: list[tuple[object, ...]] = []
    grand = 0
    seq = 0
    ordered = sorted(receipts, key=lambda r: (r.day, r.recorded_at, r.number))
    for day, day_group in groupby(ordered, key=lambda r: r.day):
        day_receipts = list(day_group)
        # A day settled more than once (cash taken after its settlement) shows each round's
        # subtotal, so each can be checked against its own 日结单.
        rounds = [(k, list(g)) for k, g in groupby(day_receipts, key=_round_of)]
        day_total = day_lines = 0
        for round_no, round_receipts in rounds:
            round_total, round_lines = _receipt_rows(round_receipts, rows, extra, seq)
            seq += sum(len(r.lines) for r in round_receipts)
            day_total += round_total
            day_lines += round_lines
            if len(rounds) > 1:
                label = f"第{round_no}次日结" if round_no else "未日结"
                _subtotal(rows, extra, f"{day:%Y-%m-%d} {label} 小计 {round_lines} 人次", round_total)
        grand += day_total
        _subtotal(rows, extra, f"{day:%Y-%m-%d} 本日合计 {day_lines} 人次", day_total)
    if start != end or not receipts:
        _subtotal(rows, extra, f"期间合计 {sum(1 for r in rows[1:] if str(r[0]).isdigit())} 行", grand)
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
