"""What every report shares: embedded CJK fonts with per-character fallback, the page frame
with 第 x 页 共 y 页, and table styling.

reportlab draws a character its font lacks as nothing at all, without a warning. Every string
that goes on a page passes through `cell()`/`para()`, which checks each character against the
fonts' cmaps and switches font for just the characters that need it, or raises naming the font
to install.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, TableStyle

from printing import fonts, training_mark

PORTRAIT = A4
LANDSCAPE = landscape(A4)
GRID = colors.HexColor("#555555")
HEAD_BG = colors.HexColor("#e6e6e6")


_original_to_unicode = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's ToUnicode CMap with characters outside the BMP written as UTF-16 pairs."""
    text = _original_to_unicode(fontname, [0x20] * len(subset))
    entries = "\n".join(f"<{i:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>"
                         for i, v in enumerate(subset))
    head, _, rest = text.partition(f"{len(subset)} beginbfchar\n")
    _, _, tail = rest.partition("\nendbfchar")
    return f"{head}{len(subset)} beginbfchar\n{entries}\nendbfchar{tail}"


# WORKAROUND: reportlab 4.x writes `<%04X>` for every code point, so 𠇔 (U+201D4) comes out
# as <201D4> and PDF readers copy it as ” (U+201D) followed by junk: a rare-character name
# would print right but copy, search and extract wrong. Write UTF-16BE surrogate pairs instead.
ttfonts.makeToUnicodeCMap = _to_unicode_cmap


@cache
def register(font: fonts.LoadedFont) -> str:
    """Register (once) and return the reportlab name of a discovered font; it is embedded."""
    pdfmetrics.registerFont(TTFont(font.key, str(font.path), subfontIndex=font.spec.subfont))
    return font.key


def main_font_name() -> str:
    return register(fonts.main_font())


def _covered_by_main(text: str) -> bool:
    main = fonts.main_font()
    return all(ch.isspace() or main.covers(ch) for ch in text)


class MixedText(Flowable):
    """One line of text drawn run by run, each run in a font that has its glyphs."""

    def __init__(self, text: str, size: float, align: str = "LEFT") -> None:
        super().__init__()
        self.runs = [(register(f), part) for f, part in fonts.runs(text)]
        self.text = text
        self.size = size
        self.align = align
        self.width_needed = sum(pdfmetrics.stringWidth(p, f, size) for f, p in self.runs)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._avail = avail_width
        return avail_width, self.size * 1.25

    def draw(self) -> None:
        x = 0.0
        if self.align == "CENTER":
            x = (self._avail - self.width_needed) / 2
        elif self.align == "RIGHT":
            x = self._avail - self.width_needed
        # One text object with font switches, not one per run: readers then extract, copy and
        # search the name as one word instead of one line per run.
        text = self.canv.beginText(x, self.size * 0.25)
        for font, part in self.runs:
            text.setFont(font, self.size)
            text.textOut(part)
        self.canv.drawText(text)


def cell(text: str, size: float = 9, align: str = "LEFT", *,
         width: float | None = None) -> str | MixedText:
    """A single-line table cell. The plain string when the main font has every glyph and it
    fits (fast path for big tables); otherwise font runs, shrunk to fit `width` points (long
    minority names) down to a still readable 5.5 pt.
    """
    room = None if width is None else width - 12  # Table pads a cell 6 pt a side
    fits = room is None or pdfmetrics.stringWidth(text, main_font_name(), size) <= room
    if fits and _covered_by_main(text):
        return text
    item = MixedText(text, size, align)
    if room is not None and item.width_needed > room:
        item = MixedText(text, max(5.5, size * room / item.width_needed), align)
    return item


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A wrapping paragraph with the fallback font switched in per run via <font> tags."""
    marked = "".join(
        f'<font name="{register(f)}">{escape(part)}</font>' for f, part in fonts.runs(text)
    )
    return Paragraph(marked, style)


def para_lines(lines: Sequence[str], style: ParagraphStyle) -> Paragraph:
    """Several short lines in one cell (a name and a time), each with its font runs."""
    marked = "<br/>".join("".join(f'<font name="{register(f)}">{escape(part)}</font>'
                                  for f, part in fonts.runs(line)) for line in lines)
    return Paragraph(marked, style)


def styles() -> dict[str, ParagraphStyle]:
    font = main_font_name()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1,
                                spaceAfter=2 * mm),
        "sub": ParagraphStyle("sub", fontName=font, fontSize=10, leading=14, alignment=1,
                              spaceAfter=3 * mm),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=15),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=12, leading=17, spaceBefore=3 * mm,
                             spaceAfter=1.5 * mm, keepWithNext=1),
        "small": ParagraphStyle("small", fontName=font, fontSize=7, leading=8.5),
        "note": ParagraphStyle("note", fontName=font, fontSize=9, leading=13,
                               textColor=colors.HexColor("#333333")),
    }


def table_style(*extra: tuple[Any, ...], size: float = 9) -> TableStyle:
    return TableStyle([
        ("FONT", (0, 0), (-1, -1), main_font_name(), size),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *extra,
    ])


def _numbered_canvas(footer: str, mark: str = "") -> type[Canvas]:
    """A canvas that holds pages back until the end so each can say 第 x 页 共 y 页."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                width, _ = self._pagesize
                self.setFont(main_font_name(), 9)
                self.drawCentredString(width / 2, 8 * mm, f"第 {number} 页 共 {total} 页")
                if footer:
                    self.drawString(15 * mm, 8 * mm, footer)
                if mark:  # 培训模式 (printing/training_mark.py): at the top and bottom of every page
                    _, height = self._pagesize
                    self.setFillColorRGB(0.85, 0.33, 0.0)
                    self.setFont(main_font_name(), 14)
                    self.drawCentredString(width / 2, height - 8 * mm, mark)
                    self.drawRightString(width - 12 * mm, 8 * mm, mark)
                    self.setFillColorRGB(0, 0, 0)
                super().showPage()
            super().save()

    return NumberedCanvas


def build(story: Sequence[Flowable], *, pagesize: tuple[float, float], title: str,
          footer: str = "", on_page: Callable[[Canvas, Any], None] | None = None) -> bytes:
    """Lay out `story` and return the PDF bytes (fonts embedded, pages numbered)."""
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=pagesize, title=title, author="代收",
                            leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=15 * mm)
    hook = on_page or (lambda canvas, doc: None)
    doc.build(list(story), onFirstPage=hook, onLaterPages=hook,
              canvasmaker=_numbered_canvas(footer, training_mark.current()))
    return out.getvalue()
