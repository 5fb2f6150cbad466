"""抽查报告: the township's inspection report of one village ledger — what the file's check
found, every 疑点 with its reason and a column for the finding, and the receipts drawn for
inspection with the seed that draws them again. ID numbers are masked: the report is filed and
passed on, and the reviewer checks a payer by name and receipt number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from app.domain.ids import mask_id
from app.domain.money import format_fen
from app.domain.records import Device
from app.domain.review import SAMPLE_SHARE, LedgerReview, ReceiptRow
from printing.pdf.base import PORTRAIT, build, para, styles, table_style

FLAG_HEADER = ("序号", "类别", "日期", "说明", "核查结果")
FLAG_MM = (10, 24, 20, 92, 40)
SAMPLE_HEADER = ("序号", "收据号", "收款日期", "缴费人", "证件号码", "金额", "代收员", "状态", "疑点", "核查结果")
SAMPLE_MM = (8, 36, 18, 17, 30, 15, 15, 12, 15, 20)


def inspection_pdf(device: Device, review: LedgerReview, sample: Sequence[ReceiptRow], *, seed: str,
                   as_of: date, check_ok: bool, check_reason: str | None, reviewer: str = "") -> bytes:
    st = styles()
    small = st["small"]
    small.fontSize, small.leading = 8, 10.5
    village = f"{device.township_name}{device.village_name}（{device.village_code}）设备 {device.device_no:02d}"
    period = f"{review.first_day} 至 {review.last_day}" if review.first_day else "无收据"
    story: list[Flowable] = [
        Paragraph("城乡居民两险现金代收抽查报告", st["title"]),
        para(f"{village}    收款期间：{period}    审核日期：{as_of:%Y年%m月%d日}", st["sub"]),
        para(f"收据 {len(review.receipts)} 张，实收 {format_fen(review.collected_fen, symbol=True)}，"
             f"作废 {format_fen(review.voided_fen, symbol=True)}；已日结 {format_fen(review.settled_fen, symbol=True)}，"
             f"已解缴 {format_fen(review.remitted_fen, symbol=True)}。", st["body"]),
        para("账本校验：完好（哈希链、收据编号连续、派生表与日志一致）" if check_ok
             else f"账本校验失败：{check_reason}。该文件被改动过，以下内容仅供参考，须调取村里原始台账核对。",
             st["body"]),
        para(f"一、疑点数据（{len(review.flags)} 条，应在 15 日内组织自查自纠）", st["h2"]),
    ]
    if review.flags:
        rows: list[list[object]] = [list(FLAG_HEADER)]
        for i, f in enumerate(review.flags, start=1):
            rows.append([str(i), para(f.label, small), f.day, para(f.reason, small), ""])
        table = Table(rows, colWidths=[w * mm for w in FLAG_MM], repeatRows=1)
        table.setStyle(table_style(("ALIGN", (0, 1), (0, -1), "CENTER"), ("VALIGN", (0, 1), (-1, -1), "TOP"),
                                   size=8.5))
        story.append(table)
    else:
        story.append(para("未发现疑点。", st["body"]))
    k = len(sample)
    story.append(para(f"二、随机抽查（共 {len(review.receipts)} 张收据，抽取 {k} 张，不少于 {SAMPLE_SHARE:.0%}）", st["h2"]))
    story.append(para(f"抽查种子：{seed}。按种子与收据号的 SHA-256 排序抽取，输入同一种子可重现同一抽查结果。"
                      "请向缴费人核实缴费金额与收据是否一致。", st["note"]))
    if sample:
        rows = [list(SAMPLE_HEADER)]
        for i, r in enumerate(sample, start=1):
            flags = "、".join(review.labels_of(r.number)) or "—"
            rows.append([str(i), r.number, r.day, para(r.payer_name, small), mask_id(r.payer_id_number),
                         format_fen(r.total_fen), para(r.agent, small), r.status, para(flags, small), ""])
        table = Table(rows, colWidths=[w * mm for w in SAMPLE_MM], repeatRows=1, spaceBefore=2 * mm)
        table.setStyle(table_style(("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (5, 1), (5, -1), "RIGHT"),
                                   size=7))
        story.append(table)
    story += [
        Spacer(1, 10 * mm),
        para(f"审核人：{reviewer or '________________'}        签字：________________        "
             "日期：______年____月____日", st["body"]),
        Spacer(1, 6 * mm),
        para("村委会负责人：________________        代收员：________________", st["body"]),
    ]
    return build(story, pagesize=PORTRAIT, title=f"{device.village_name}抽查报告",
                 footer=f"{device.village_name} 抽查报告 种子 {seed}")
