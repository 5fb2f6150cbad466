"""月结单: a month closed (日清月结, 004) — what its receipts, settlements and remittances add up
to, the uniform receipts it used (钱票一致), the cash on hand counted against the ledger, and the
two who signed, with room for their signatures and the village seal on paper."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from app.domain.entries import MonthCloseEntry
from app.domain.money import fen_in_words, format_fen
from app.domain.records import Device
from printing.pdf.base import PORTRAIT, build, para, styles, table_style


def month_pdf(device: Device, recorded_at: str, d: MonthCloseEntry) -> bytes:
    st = styles()
    at = datetime.fromisoformat(recorded_at)
    numbers = f"{d.first_number} 至 {d.last_number}" if d.first_number else "本月无收据"
    rows: list[list[object]] = [
        ["项目", "内容"],
        ["收据", f"{d.receipts} 张（作废 {d.voids} 张）；{numbers}"],
    ]
    if d.serials:
        rows.append(["统一票据", f"{d.serials} 张（{d.first_serial} 至 {d.last_serial}，"
                                 f"其中作废票据 {d.serials_spoiled} 张）"])
    rows += [
        ["实收现金", f"{format_fen(d.collected_fen, symbol=True)}（{fen_in_words(d.collected_fen)}）"],
        ["日结合计", format_fen(d.settled_fen, symbol=True)],
        ["解缴合计", format_fen(d.remitted_fen, symbol=True)],
        ["月末应有手头现金", f"{format_fen(d.on_hand_fen, symbol=True)}（已日结未解缴）"],
        ["清点手头现金", format_fen(d.counted_fen, symbol=True)],
        ["差额", "无差额" if not d.difference_fen else
         f"{'长款' if d.difference_fen > 0 else '短款'} {format_fen(abs(d.difference_fen), symbol=True)}，"
         f"原因：{d.reason or ''}"],
    ]
    table = Table([[r[0], para(str(r[1]), st["body"]) if i else r[1]] for i, r in enumerate(rows)],
                  colWidths=[40 * mm, 140 * mm])
    table.setStyle(table_style(("ALIGN", (0, 1), (0, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")))
    story: list[Flowable] = [
        Paragraph("代收现金月结单", st["title"]),
        para(f"{device.township_name}{device.village_name}（{device.village_code}）设备 {device.device_no:02d}　"
             f"{d.month[:4]}年{int(d.month[5:7])}月", st["sub"]),
        table,
        Spacer(1, 4 * mm),
        para(f"代收员：{d.agent}（{at:%Y-%m-%d %H:%M} 电子签名）　签字：________________", st["body"]),
        Spacer(1, 3 * mm),
        para(f"村委会负责人：{d.head}（{at:%Y-%m-%d %H:%M} 会签）　签字：________________", st["body"]),
        Spacer(1, 3 * mm),
        para("村委会（盖章）：________________        日期：______年____月____日", st["body"]),
        Spacer(1, 4 * mm),
        para("日清月结：本月各日均已日结；" + ("现金、账目、票据一致" if not d.difference_fen else "清点差额已说明原因，待核查")
             + "。以上数字由账本逐条核算，县里可凭日志复核。", st["note"]),
    ]
    return build(story, pagesize=PORTRAIT, title=f"{device.village_name}月结单 {d.month}",
                 footer=f"{device.village_name} 月结单 {d.month}")
