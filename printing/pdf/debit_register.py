"""The 《两险批量扣款清册》 on paper (003 第二十六条): the rows the bank debits (full ID numbers: the
sheet goes to the tax office and the bank, never on a wall, and says 「内部资料 请勿张贴」 in its title
and on every page), the township's account of it (who meets the condition, by 人员类别, who does
not and why), and the boxes for the 经办人, the main leader's signature and the government's seal.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from app.domain.debit_register import NOT_TO_POST, DebitRegister, RegisterLine
from app.domain.money import fen_in_words, format_fen
from printing.pdf.base import HEAD_BG, PORTRAIT, build, cell, para, styles, table_style

HEADER = ("序号", "村（社区）", "村民小组", "姓名", "身份证号码", "人员类别", "缴费明细", "缴费金额（元）")
WIDTHS_MM = (11, 22, 20, 20, 40, 16, 35, 22)
SIGN_HEADER = ("经办人（签字）", "审核人：主要领导（签字）", "乡（镇）人民政府（盖章）")


def _row(n: int, x: RegisterLine, village: str) -> list[object]:
    w = [m * mm for m in WIDTHS_MM]
    dues = "；".join(f"{d.insurance.short_label}{format_fen(d.due_fen)}" for d in x.dues)
    return [str(n), cell(village, 8, width=w[1]), cell(x.group, 8, width=w[2]), cell(x.name, 8.5, width=w[3]),
            x.id_number, cell(x.category, 8, width=w[5]), cell(dues, 7.5, width=w[6]), format_fen(x.total_fen)]


def _lines(register: DebitRegister) -> Table:
    body: list[list[object]] = [list(HEADER)]
    n = 0
    for v in register.villages:
        for x in v.lines:
            n += 1
            body.append(_row(n, x, v.village_name or v.village_code))
    body.append(["合计", "", "", f"{register.people} 人", "", "", "", format_fen(register.total_fen)])
    table = Table(body, colWidths=[m * mm for m in WIDTHS_MM], repeatRows=1)
    table.setStyle(table_style(("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (7, 1), (7, -1), "RIGHT"),
                               ("SPAN", (0, -1), (2, -1)), ("BACKGROUND", (0, -1), (-1, -1), HEAD_BG), size=8.5))
    return table


def _account(register: DebitRegister) -> list[Flowable]:
    st = styles()
    categories = [["人员类别", "符合批扣条件人数", "缴费金额（元）"]]
    categories += [[c.category, str(c.people), format_fen(c.amount_fen)] for c in register.by_category()]
    categories.append(["合计", str(register.people), format_fen(register.total_fen)])
    table = Table(categories, colWidths=[50 * mm, 45 * mm, 45 * mm], hAlign="LEFT")
    table.setStyle(table_style(("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("BACKGROUND", (0, -1), (-1, -1), HEAD_BG)))
    out_of = register.left_out()
    villages = "；".join(f"{v.village_name or v.village_code} {len(v.lines)} 人 {format_fen(v.total_fen)} 元"
                        for v in register.villages)
    unknown = [v.village_name or v.village_code for v in register.villages if not v.agreements_known]
    lines: list[Flowable] = [
        Paragraph("情况说明", st["h2"]),
        para(f"本乡镇（{_township(register)}）{len(register.villages)} 个村（社区）符合批量扣款条件的居民共 "
             f"{register.people} 人，缴费金额合计 {format_fen(register.total_fen, symbol=True)}"
             f"（大写：{fen_in_words(register.total_fen)}）。各村：{villages}。", st["body"]),
        Spacer(1, 1.5 * mm), table, Spacer(1, 1.5 * mm),
        para(f"不符合批扣条件、未列入本清册的：未签两两协议 {out_of['未签两两协议']} 人，需重签协议或换卡 "
             f"{out_of['需重签协议或换卡']} 人；乡镇督促其签订（重签）协议，或引导其通过其他渠道缴费（第二十九条）。",
             st["body"]),
    ]
    if register.unreadable:
        lines.append(para("注：以下文件未能读取，其中的村未列入本清册：" + "；".join(f"{n}（{why}）"
                                                                 for n, why in register.unreadable), st["note"]))
    if unknown:
        lines.append(para(f"注：{'、'.join(unknown)} 尚未收到税务的未签两两协议名单，该村应缴人员均按已签协议列入。",
                          st["note"]))
    return lines


def _signatures() -> Table:
    table = Table([list(SIGN_HEADER), ["", "", ""], ["日期：    年  月  日", "日期：    年  月  日",
                                                      "日期：    年  月  日"]],
                  colWidths=[62 * mm, 62 * mm, 62 * mm], rowHeights=[8 * mm, 30 * mm, 8 * mm])
    table.setStyle(table_style(("ALIGN", (0, 2), (-1, 2), "LEFT")))
    return table


def register_files(register: DebitRegister) -> tuple[bytes, bytes]:
    """The PDF, and the data file the county receives beside it (with the PDF's digest)."""
    import hashlib
    import json

    pdf = debit_register_pdf(register)
    data = json.dumps(register.data(hashlib.sha256(pdf).hexdigest()), ensure_ascii=False, indent=1)
    return pdf, data.encode("utf-8")


def debit_register_pdf(register: DebitRegister) -> bytes:
    st = styles()
    title = f"{register.county}两险批量扣款清册"
    story: list[Flowable] = [
        Paragraph(f"《{title}》（{NOT_TO_POST}）", st["title"]),
        para(f"乡镇：{_township(register)}    缴费年度：{register.year}    "
             f"编制日期：{register.as_of:%Y年%m月%d日}", st["sub"]),
        _lines(register), *_account(register), Spacer(1, 4 * mm), _signatures(), Spacer(1, 2 * mm),
        para(f"本清册含完整身份证号码，仅报送税务部门用于批量扣款，{NOT_TO_POST}。", st["note"]),
    ]
    return build(story, pagesize=PORTRAIT, title=title,
                 footer=f"{_township(register)} 批量扣款清册（{NOT_TO_POST}）")


def _township(register: DebitRegister) -> str:
    name = register.township_name
    return f"{name}（{register.township_code}）" if name else register.township_code
