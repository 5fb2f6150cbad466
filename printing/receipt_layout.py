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
from app.domain.records import (
    ReceiptContext as ReceiptContext,  # the renderers' callers name it here
)

Align = Literal["left", "center", "right"]
DOTS_PER_COLUMN = 12
WIDTHS = {58: 384, 80: 576}  # paper width in mm -> printable dots
TITLE = "城乡居民社会保险费代收收据"
TRAINING_TEXT = "【培训】练习收据 不是缴费凭证"
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


@dataclass(frozen=True)
class Cut:
    """Where the printer cuts between the payer's part and the stub."""


Item = Text | QrCode | Feed | Cut


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


def qr_payload(receipt: Receipt, verify_url: str = "") -> str:
    """With the county's check address: that address with the receipt number and check code, so
    a payer's phone opens the county's answer. Without one: number, total and short hash, enough
    to check a paper receipt against the ledger by hand. ASCII only, so the QR stays small."""
    if verify_url:
        joiner = "&" if "?" in verify_url else "?"
        return f"{verify_url}{joiner}no={receipt.number}&code={receipt.short_hash}"
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


def text_lines(text: str, cols: int, align: Align = "left", **style: bool) -> list[Text]:
    return [Text(part, align=align, **style) for part in wrap(text, cols)]


def receipt_items(receipt: Receipt, width_dots: int, context: ReceiptContext | None = None) -> list[Item]:
    """The receipt for a head `width_dots` wide: the payer's part, and where the county wants
    it, a cut and the stub that stays with the 台账 (the only part with the payer's signature line)."""
    ctx = context or ReceiptContext()
    items = _part(receipt, width_dots, ctx, stub=False)
    if ctx.parts == "both":
        items += [Feed(2), Cut(), *_part(receipt, width_dots, ctx, stub=True)]
    return items


def person_lines(receipt: Receipt, cols: int, ctx: ReceiptContext) -> list[Item]:
    """Each covered person: name and masked ID, the full insurance name, year and tier, and where
    the government pays part, the standard, the subsidy and what the person paid — so "档次 500
    元，实缴 400 元" never reads as short-changing."""
    items: list[Item] = []
    wide = cols >= 48
    for line in receipt.lines:
        category = (ctx.categories or {}).get(line.id_number, "")
        if wide:  # 80 mm: name, ID and amount side by side
            left = f"{line.name}  {mask_id(line.id_number)}"
            items += text_lines(spread(left, yuan(line.amount_fen), cols), cols)
        else:
            items += text_lines(spread(line.name, yuan(line.amount_fen), cols), cols)
            items.append(Text(f"  {mask_id(line.id_number)}"))
        detail = f"  {line.insurance.label} {line.year}年度"
        if line.tier_fen is not None:
            detail += f" 档次{format_fen(line.tier_fen).removesuffix('.00')}元"
        items += text_lines(detail, cols)
        standard = line.tier_fen if line.tier_fen is not None else (ctx.standard_fen or {}).get(
            (line.insurance.value, line.year))
        if standard is not None and standard > line.due_fen:
            note = (f"  {category + '：' if category else ''}标准{format_fen(standard).removesuffix('.00')}元，"
                    f"政府代缴/资助{format_fen(standard - line.due_fen).removesuffix('.00')}元，"
                    f"个人缴{format_fen(line.amount_fen).removesuffix('.00')}元")
            items += text_lines(note, cols)
        elif category and category != "一般":
            items += text_lines(f"  人员类别：{category}", cols)
    return items


def _part(receipt: Receipt, width_dots: int, ctx: ReceiptContext, *, stub: bool) -> list[Item]:
    cols = columns(width_dots)
    rule = Text("-" * cols)
    items: list[Item] = [Text(TITLE, align="center", bold=True, tall=True)]
    if ctx.training:
        items.append(Text(TRAINING_TEXT, align="center", bold=True, tall=True))
    if ctx.parts == "both":  # two parts: say which is which
        items.append(Text("（存根：随台账保存）" if stub else "（缴费人留存）", align="center"))
    if receipt.prints > 0:
        items.append(Text(f"【补打】第{receipt.prints}次补打", align="center", bold=True))
    if receipt.void is not None:
        items.append(Text("【已作废】此收据无效", align="center", bold=True))
    for text in (
        f"收据号：{receipt.number}",
        *([f"票号：{receipt.serial}"] if receipt.serial else []),
        f"日期：{receipt.recorded_at:%Y-%m-%d %H:%M:%S}",
        f"乡镇：{ctx.township_name}　村（社区）：{receipt.village_name}" if ctx.township_name
        else f"村（社区）：{receipt.village_name}",
        f"缴费人：{receipt.payer_name}",
        f"证件号码：{mask_id(receipt.payer_id_number)}",
    ):
        items += text_lines(text, cols)
    items.append(rule)
    items += person_lines(receipt, cols, ctx)
    items += [
        rule,
        *text_lines(spread("合计：", yuan(receipt.total_fen), cols), cols, bold=True),
        *text_lines(f"大写：{fen_in_words(receipt.total_fen)}", cols),
        *text_lines(spread("实收现金：", yuan(receipt.cash_fen), cols), cols),
        *text_lines(spread("找零：", yuan(receipt.change_fen), cols), cols),
        *text_lines(f"代收员：{receipt.agent}", cols),
    ]
    if ctx.collection_phone:
        items += text_lines(f"咨询电话：{ctx.collection_phone}", cols)
    items.append(Feed(1))
    if stub or ctx.parts != "both":  # the payer signs the part that stays with the 台账
        items += [Text("缴费人签字：" + "_" * (cols - 12)), Feed(1)]
    items += [Text("代收员签字：" + "_" * (cols - 12)), Feed(1)]
    if not stub:
        items.append(QrCode(qr_payload(receipt, ctx.verify_url)))
        if ctx.verify_url:  # with the number above and the 校验码 below: what to type without a phone
            items += text_lines(f"查验：{ctx.verify_url}", cols, align="left")
    items += [
        Text(f"校验码：{receipt.short_hash}", align="center"),
        Text(f"「{SEAL_NOTE}」", align="center", bold=True),
    ]
    if ctx.training:  # at both ends: a torn-off half still says it
        items.append(Text(TRAINING_TEXT, align="center", bold=True))
    return items
