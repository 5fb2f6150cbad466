"""What the /overview page shows, for a chosen period, as an xlsx and as a PDF 通报 the county
prints (003 第三十九条: the summary after the collection period; 001 五(三): monthly 通报).
Both are drawn from county_view.build, the page's own data: the same rows, the same figures.

Rows: each township's villages, then the township's subtotal; the county total last."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from app.domain.insurance import Insurance
from app.domain.money import format_fen
from sync.server.county_view import local_text

Row = dict[str, Any]


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def rows_in_order(view: dict[str, Any]) -> Iterator[tuple[str, Row]]:
    """("village" | "township" | "county", row), as the page lists them."""
    for town in view["townships"]:
        for v in view["villages"]:
            if v["township_code"] == town["code"]:
                yield "village", v
        yield "township", town
    yield "county", view["county"]


def unit_name(kind: str, row: Row) -> tuple[str, str, str]:
    """(乡镇, 代码, 名称) as printed."""
    if kind == "village":
        return row["township_name"] or row["township_code"], row["code"], row["name"] or "—"
    if kind == "township":
        return (row["name"] or row["code"]), row["code"], "乡镇小计"
    return "全县", "", "合计"


def _line(ins: str) -> list[tuple[str, Callable[[Row], Any]]]:
    short = Insurance(ins).short_label
    def g(key: str) -> Callable[[Row], Any]:
        return lambda r: r["progress"]["lines"][ins][key]
    return [(f"{short}应缴", g("due")), (f"{short}已缴", g("paid")), (f"{short}现金", g("cash")),
            (f"{short}其他渠道", g("other")), (f"{short}银行代扣", g("bank")), (f"{short}政府代缴", g("subsidised")),
            (f"{short}未缴", g("unpaid")), (f"{short}本期已缴", g("period_paid")),
            (f"{short}完成率", lambda r: pct(r["progress"]["lines"][ins]["completion"])),
            (f"{short}参保率", lambda r: pct(r["progress"]["lines"][ins]["coverage"])),
            (f"{short}目标", lambda r: f"{r['progress']['targets'][ins]:g}%")]


def _renewal(i: int) -> list[tuple[str, Callable[[Row], Any]]]:
    return [(f"续费率{['16–44岁', '45–59岁'][i]}", lambda r: pct(r["progress"]["renewal"][i]["rate"])),
            (f"续费人数{['16–44岁', '45–59岁'][i]}",
             lambda r: f"{r['progress']['renewal'][i]['renewed']}/{r['progress']['renewal'][i]['base']}")]


def _reported(kind: str, r: Row) -> str:
    if kind == "village":
        return str(r["reporting"]["status"])
    counts = r["reporting"]
    return f"按时{counts['按时']} 迟报{counts['迟报']} 未报{counts['未报']}"


MONEY: list[tuple[str, Callable[[Row], Any]]] = [
    ("实收（元）", lambda r: format_fen(r["collected_fen"])), ("已日结（元）", lambda r: format_fen(r["settled_fen"])),
    ("已解缴（元）", lambda r: format_fen(r["remitted_fen"])), ("已入库（元）", lambda r: format_fen(r["confirmed_fen"])),
    ("日结未解缴（元）", lambda r: format_fen(r["settled_fen"] - r["remitted_fen"])), ("疑点", lambda r: r["flags"])]
COLUMNS = MONEY + _line("pension") + _line("medical") + _renewal(0) + _renewal(1)


def span(view: dict[str, Any]) -> str:
    return f"{view['start'] or '征收开始'} 至 {view['end'] or view['today']}"


def title(view: dict[str, Any]) -> str:
    return f"城乡居民两险征缴进度通报（{view['year']}年度，{span(view)}）"


def table(view: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    headers = ["乡镇", "村代码", "村名", *(h for h, _ in COLUMNS), "本周上报"]
    body = [[*unit_name(kind, r), *(get(r) for _, get in COLUMNS), _reported(kind, r)]
            for kind, r in rows_in_order(view)]
    return headers, body


def xlsx(view: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "进度总览"
    sheet.append([title(view)])
    sheet.append([f"生成时间 {local_text(view['generated_at'])}（北京时间）；现金按收据日期、其他渠道按缴费日期计至 "
                  f"{view['end'] or view['today']}；本期已缴为 {span(view)} 缴费的人次"])
    headers, body = table(view)
    sheet.append(headers)
    for row in body:
        sheet.append(row)
        if row[2] in ("乡镇小计", "合计"):
            for c in sheet[sheet.max_row]:
                c.font = Font(bold=True)
    sheet.freeze_panes = "D4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(view: dict[str, Any]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from printing.pdf.base import main_font_name

    font = main_font_name()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title(view))
    head = ParagraphStyle("h", fontName=font, fontSize=14, leading=18)
    small = ParagraphStyle("s", fontName=font, fontSize=8, leading=11)
    story: list[Any] = [Paragraph(title(view), head), Spacer(1, 3 * mm),
                        Paragraph(f"生成时间 {local_text(view['generated_at'])}（北京时间）。完成率＝已缴÷（应缴−政府代缴）；"
                                  "参保率＝（已缴＋政府代缴）÷应缴；续费率＝上年已缴者中本年已缴的比例（养老）。"
                                  f"本周上报：{view['on_time_days']} 天内日结并同步为按时。", small), Spacer(1, 3 * mm)]
    headers, body = table(view)
    fixed = 3
    groups = [list(range(fixed, fixed + len(MONEY))) + [len(headers) - 1],
              list(range(fixed + len(MONEY), fixed + len(MONEY) + 11)),
              list(range(fixed + len(MONEY) + 11, fixed + len(MONEY) + 22)),
              list(range(fixed + len(MONEY) + 22, len(headers) - 1))]
    for cols in groups:
        data = [[headers[i] for i in [0, 2, *cols]]] + [[str(row[i]) for i in [0, 2, *cols]] for row in body]
        t = Table(data, repeatRows=1)
        style = [("FONT", (0, 0), (-1, -1), font, 7), ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                 ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")), ("ALIGN", (2, 1), (-1, -1), "RIGHT")]
        for n, row in enumerate(body, start=1):
            if row[2] in ("乡镇小计", "合计"):
                style.append(("BACKGROUND", (0, n), (-1, n), colors.HexColor("#f3f3f3")))
        t.setStyle(TableStyle(style))
        story += [t, Spacer(1, 5 * mm)]
    doc.build(story)
    return out.getvalue()


def filename(view: dict[str, Any], ext: str) -> str:
    stamp = datetime.fromisoformat(view["generated_at"]).strftime("%Y%m%d")
    return f"progress-{view['year']}-{view['start'] or 'start'}-{view['end'] or view['today']}-{stamp}.{ext}"


def _widths(cells: list[list[str]], total: float, font: str, size: float = 7) -> list[float]:
    """Each column as wide as its longest text at `size` points (a heading may take two lines):
    short columns (a code, a name, a date) keep their width, long ones (说明) share what is left
    and wrap."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def want(text: str) -> float:
        return 12 + min(float(stringWidth(text, font, size)), 300.0)  # a cell's padding is 6 points a side

    natural = [max(want(cells[0][i]) / 2 + 6, 24.0, *(want(line[i]) for line in cells[1:]))
               for i in range(len(cells[0]))]
    if sum(natural) <= total:
        return [total * n / sum(natural) for n in natural]
    short = sum(n for n in natural if n <= 80)
    long_sum = sum(n for n in natural if n > 80)
    if total - short <= 0 or not long_sum:
        return [total * n / sum(natural) for n in natural]
    return [n if n <= 80 else (total - short) * n / long_sum for n in natural]


def tables_pdf(title: str, subtitle: str, sections: list[tuple[str, tuple[str, ...], list[list[Any]]]],
               *, note: str = "") -> bytes:
    """Tables under headings on landscape A4, pages numbered, every cell wrapping in the desk's
    CJK fonts (a rare character typed at a village desk falls back, never a blank box): the 疑点
    report (sync/server/doubt_export.py) printed for the file."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, Paragraph, Spacer, Table

    from printing.pdf.base import LANDSCAPE, build, main_font_name, para, styles, table_style

    st = styles()
    st["h2"].keepWithNext = 0  # a long table starts under its heading and runs on, not on a new page
    story: list[Flowable] = [Paragraph(title, st["title"]), para(subtitle, st["sub"])]
    for heading, header, rows in sections:
        story.append(para(heading, st["h2"]))
        if not rows:
            story.append(para("无", st["body"]))
            continue
        cells = [[str(h) for h in header]] + [["" if v is None else str(v) for v in row] for row in rows]
        body = [[para(text, st["small"]) for text in line] for line in cells]
        table = Table(body, repeatRows=1, colWidths=_widths(cells, 273 * mm, main_font_name()))
        table.setStyle(table_style(size=7))
        story += [table, Spacer(1, 3 * mm)]
    if note:
        story.append(para(note, st["note"]))
    return build(story, pagesize=LANDSCAPE, title=title, footer=title)
