"""Draw receipt lines as 1-bit images on the printer's own column grid.

Used for a line holding a character the printer's font cannot encode (生僻字 in a name), and
for the whole receipt on printers with no Chinese font. Each character is drawn centred in the
cell the printer would give it (12 dots for ASCII, 24 for anything else), with the first font
that has its glyph, so a raster line lines up with the text lines around it.
"""

from __future__ import annotations

from functools import cache

from PIL import Image, ImageDraw, ImageFont

from printing import fonts
from printing.receipt_layout import DOTS_PER_COLUMN, Text, cell_width, text_width

LINE_DOTS = 24  # Font A height; also the em size the CJK glyphs are drawn at
# The printer's default line spacing is 30 dots (1/6 inch at 180 dpi) for a 24-dot font.
LINE_PITCH = 30


@cache
def _pil_font(path: str, subfont: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size=size, index=subfont)


def _draw_char(draw: ImageDraw.ImageDraw, x: int, ch: str, *, bold: bool) -> None:
    font = fonts.font_for(ch)
    size = LINE_DOTS if cell_width(ch) == 2 else LINE_DOTS - 2
    pil = _pil_font(str(font.path), font.spec.subfont, size)
    cell = cell_width(ch) * DOTS_PER_COLUMN
    advance = pil.getlength(ch)
    left = x + max(0, (cell - advance) / 2)
    # "ms" anchors at the middle of the em box's baseline-independent middle: glyphs of
    # different fonts then sit at the same height.
    for dx in (0, 1) if bold else (0,):
        draw.text((left + dx, LINE_DOTS / 2), ch, font=pil, fill=0, anchor="lm")


def render_text(item: Text, width_dots: int) -> Image.Image:
    """One printed line (possibly double height/width) as a mode "1" image, full head width."""
    scale_x = 2 if item.wide else 1
    logical = width_dots // scale_x
    img = Image.new("1", (logical, LINE_DOTS), 1)
    draw = ImageDraw.Draw(img)
    used = text_width(item.text) * DOTS_PER_COLUMN
    x = 0
    if item.align == "center":
        x = max(0, (logical - used) // 2)
    elif item.align == "right":
        x = max(0, logical - used)
    for ch in item.text:
        if not ch.isspace():
            _draw_char(draw, x, ch, bold=item.bold)
        x += cell_width(ch) * DOTS_PER_COLUMN
    if item.tall or item.wide:
        img = img.resize((logical * scale_x, LINE_DOTS * (2 if item.tall else 1)), Image.Resampling.NEAREST)
    return img


def stack(images: list[Image.Image], width_dots: int, *, pitch: bool = True) -> Image.Image:
    """Images one below the other; with `pitch`, text lines get the printer's line spacing."""
    heights = [max(im.height, LINE_PITCH) if pitch and im.height <= 2 * LINE_DOTS else im.height
               for im in images]
    out = Image.new("1", (width_dots, sum(heights)), 1)
    y = 0
    for im, h in zip(images, heights, strict=True):
        out.paste(im, ((width_dots - im.width) // 2, y))
        y += h
    return out
