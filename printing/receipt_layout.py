"""What goes on a receipt, line by line, independent of how the bytes are made.

The layout works in printer columns: in Chinese mode a thermal printer's Font A prints an ASCII
character 12 dots wide and a GBK character 24 dots wide, so a 58 mm head (384 dots) has 32
columns and an 80 mm head (576 dots) 48. The raster fallback draws on the same grid, so a line
that had to become an image lines up with its neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.domain.ids import mask_id
from app.domain.money import fen_in_words, format_fen
from app.domain.records import Receipt

Align = Literal["left", "center", "right"]
DOTS_PER_COLUMN = 12
WIDTHS = {58: 384, 80: 576}  # paper width in mm -> printable dots
TITLE = "城乡居民社会保险费代收收据"
SEAL_NOTE = "加盖村委会印章有效"


@dataclass(frozen=True)
class Text:
    text: str
    align: Align = "left"
    bold: bool = False
    tall: bool = False  # double height
    wide: bool = False  # double width


@dataclass(frozen=True)
class QrCode:
    payload: str


@dataclass(frozen=True)
class Feed:
    lines: int = 1


Item = Text | QrCode | Feed


def columns(width_dots: int) -> int:
    return width_dots // DOTS_PER_COLUMN


def cell_width(ch: str) -> int:
    """Columns a character takes on the printer: ASCII one, anything double-byte two."""
    return 1 if ord(ch) < 0x80 else 2


def text_width(text: str) -> int:
    return sum(cell_width(ch) for ch in text)


def spread(left: str, right: str, cols: int) -> str:
    """`left` and `right` on one line, padded apart; wraps `right` below when both don't fit."""
    gap = cols - text_width(left) - text_width(right)
    if gap >= 1:
        return left + " " * gap + right
    return left + "\n" + " " * max(0, cols - text_width(right)) + right


def yuan(fen: int) -> str:
    # Full-width ￥ (GBK A3A4): the half-width ¥ (U+00A5) does not exist in GBK at all.
    return "￥" + format_fen(fen)


def qr_payload(receipt: Receipt) -> str:
    """Receipt number, total and short hash: enough to check a paper receipt against the ledger.

    ASCII only, so any phone scanner reads it and the QR stays small.
    """
    return f"DS1|{receipt.number}|{format_fen(receipt.total_fen).replace(',', '')}|{receipt.short_hash}"


def wrap(text: str, cols: int) -> list[str]:
    """Break `text` into printer lines of at most `cols` columns, never inside a character."""
    out: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0
        for ch in para:
            w = cell_width(ch)
            if used + w > cols:
                out.append(line)
                line, used = "  ", 2  # continuation lines are indented
            line += ch
            used += w
        out.append(line)
    return out


def _lines(text: str, cols: int, align: Align = "left", **style: bool) -> list[Text]:
    return [Text(part, align=align, **style) for part in wrap(text, cols)]


def receipt_items(receipt: Receipt, width_dots: int) -> list[Item]:
    """The receipt as a list of printable items for a head `width_dots` wide."""
    cols = columns(width_dots)
    rule = Text("-" * cols)
    items: list[Item] = [Text(TITLE, align="center", bold=True, tall=True)]
    if receipt.prints > 0:
        items.append(Text(f"【补打】第{receipt.prints}次补打", align="center", bold=True))
    if receipt.void is not None:
        items.append(Text("【已作废】此收据无效", align="center", bold=True))
    for text in (
        f"收据号：{receipt.number}",
        f"日期：{receipt.recorded_at:%Y-%m-%d %H:%M:%S}",
        f"村（社区）：{receipt.village_name}",
        f"缴费人：{receipt.payer_name}",
        f"证件号码：{mask_id(receipt.payer_id_number)}",
    ):
        items += _lines(text, cols)
    items.append(rule)
    for line in receipt.lines:
        items += _lines(spread(f"{line.name}", yuan(line.amount_fen), cols), cols)
        detail = f"  {line.insurance.short_label} {line.year}年度"
        if line.tier_fen is not None:
            detail += f" 档次{format_fen(line.tier_fen).removesuffix('.00')}元"
        items.append(Text(detail))
    items += [
        rule,
        *_lines(spread("合计：", yuan(receipt.total_fen), cols), cols, bold=True),
        *_lines(f"大写：{fen_in_words(receipt.total_fen)}", cols),
        *_lines(spread("实收现金：", yuan(receipt.cash_fen), cols), cols),
        *_lines(spread("找零：", yuan(receipt.change_fen), cols), cols),
        *_lines(f"代收员：{receipt.agent}", cols),
        Feed(1),
        Text("缴费人签字：" + "_" * (cols - 12)),
        Feed(1),
        Text("代收员签字：" + "_" * (cols - 12)),
        Feed(1),
        QrCode(qr_payload(receipt)),
        Text(f"校验码：{receipt.short_hash}", align="center"),
        Text(f"「{SEAL_NOTE}」", align="center", bold=True),
    ]
    return items
