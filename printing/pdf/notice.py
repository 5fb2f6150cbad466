"""The village's 社保经办人员公示 (003 第三十二条): who handles the two insurances, their duty,
phone and responsibilities, and the county's 监督举报电话. Takes plain rows; the phone numbers
are shown in full on purpose: this notice exists so villagers can call them."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from printing.pdf.base import PORTRAIT, build, cell, para, styles, table_style

HEADER = ("序号", "姓名", "职务", "联系电话", "工作职责")
WIDTHS_MM = (12, 24, 32, 32, 80)


def staff_notice_pdf(members: Sequence[tuple[str, str, str, str]], *, village: str, report_phone: str,
                     year: int) -> bytes:
    """`members`: (name, duty, phone, responsibilities) in the order posted."""
    st = styles()
    rows: list[list[object]] = [list(HEADER)]
    for i, (name, duty, phone, duties) in enumerate(members, start=1):
        rows.append([str(i), cell(name, 10, width=WIDTHS_MM[1] * mm), cell(duty, 10, width=WIDTHS_MM[2] * mm),
                     phone, para(duties, st["body"])])  # wraps: a duty is a sentence
    table = Table(rows, colWidths=[w * mm for w in WIDTHS_MM], repeatRows=1)
    table.setStyle(table_style(("ALIGN", (0, 0), (-1, 0), "CENTER"), ("ALIGN", (0, 1), (0, -1), "CENTER"),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), size=10))
    story: list[Flowable] = [
        Paragraph(f"{village}社保经办人员公示", st["title"]),
        para(f"{year}年度城乡居民基本养老保险、基本医疗保险", st["sub"]),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 6 * mm),
        para("以上人员负责本村城乡居民社会保险的政策宣传、参保登记和缴费服务。缴费请索要收据，"
             "并可扫描收据上的二维码查验。", st["body"]),
        para(f"监督举报电话：{report_phone}" if report_phone else "监督举报电话：________________", st["body"]),
        Spacer(1, 10 * mm),
        para("村民委员会（盖章）：________________        日期：______年____月____日", st["body"]),
    ]
    return build(story, pagesize=PORTRAIT, title=f"{village}社保经办人员公示", footer=f"{village} 社保经办人员公示")
