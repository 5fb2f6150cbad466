"""Receipt -> ESC/POS bytes: a pure function, no device, no database.

Text goes through the printer's Chinese mode (`FS &` ... `FS .`) as GBK bytes, written here
rather than with python-escpos `text()`, whose code-page guessing mangles `￥` and full-width
punctuation. A line the printer cannot encode becomes a `GS v 0` raster image drawn with a
TrueType font that has the glyph, so a name with 䶮 or 𠇔 never prints as "?". Images and the
QR code are made with python-escpos.
"""

from __future__ import annotations

from dataclasses import dataclass

import qrcode
from PIL import Image

from app.domain.printer_settings import Charset, PrinterSettings
from app.domain.records import Receipt
from printing import raster
from printing._escpos import dummy_printer, escpos_modules
from printing.receipt_layout import Cut, Feed, Item, QrCode, ReceiptContext, Text, receipt_items

ESC_INIT = b"\x1b@"
CHINESE_ON = b"\x1c&"  # FS &
CHINESE_OFF = b"\x1c."  # FS .
CUT = b"\x1dVB\x00"  # GS V 66 0: feed to the cutter and cut; ignored by printers without one
_ALIGN = {"left": 0, "center": 1, "right": 2}
QR_DOT = 5  # module size in dots: ~6 mm modules-wide codes that phone cameras read easily


@dataclass(frozen=True)
class ReceiptOptions:
    width_dots: int = 384  # 384 for 58 mm paper, 576 for 80 mm
    # The set of characters the printer's built-in Chinese font has. Most 58/80 mm printers
    # sold in China have GBK; some older ones only GB2312; a few claim all of GB18030.
    charset: Charset = "gbk"
    # For printers with no Chinese font at all: the whole receipt as one raster image.
    raster_all: bool = False

    def __post_init__(self) -> None:
        if self.width_dots not in (384, 576):
            raise ValueError(f"不支持的纸宽 {self.width_dots} 点（应为 384=58mm 或 576=80mm）")

    @classmethod
    def for_printer(cls, printer: PrinterSettings) -> ReceiptOptions:
        """The options a receipt printer's saved settings ask for."""
        return cls(width_dots=printer.width_dots, charset=printer.charset, raster_all=printer.raster)


def encode_text(text: str, charset: Charset) -> bytes | None:
    """The bytes the printer's Chinese mode expects, or None when a character is not in its font.

    GB2312 and GBK are subsets of GB18030 with identical byte values, so one codec encodes and
    the narrower one only decides what the printer can show.
    """
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return None
    return text.encode("gb18030")


def _style(item: Text) -> bytes:
    size = (0x10 if item.wide else 0) | (0x01 if item.tall else 0)
    return (b"\x1ba" + bytes([_ALIGN[item.align]]) + b"\x1bE" + bytes([item.bold])
            + b"\x1d!" + bytes([size]))


def _raster(image: Image.Image, width_dots: int) -> bytes:
    printer = dummy_printer(width_dots)
    printer.image(image, impl="bitImageRaster")
    return bytes(printer.output)


def _qr_native(payload: str, width_dots: int) -> bytes:
    printer = dummy_printer(width_dots)
    _, _, constants = escpos_modules()
    printer.qr(payload, native=True, size=QR_DOT, ec=constants.QR_ECLEVEL_M)
    return bytes(printer.output) + b"\n"


def qr_image(payload: str, width_dots: int) -> Image.Image:
    code = qrcode.QRCode(box_size=QR_DOT, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    img = code.make_image().get_image().convert("1")
    canvas = Image.new("1", (width_dots, img.height), 1)
    canvas.paste(img, ((width_dots - img.width) // 2, 0))
    return canvas


def _text_mode(items: list[Item], opts: ReceiptOptions) -> bytes:
    out = bytearray(ESC_INIT)
    style = b""  # after ESC @ the printer is left-aligned, regular, normal size

    def restyle(item: Text) -> None:
        # Style bytes only where the style changes: a 9600-baud serial line moves ~1 KB/s.
        nonlocal style
        wanted = _style(item)
        if wanted != style and not (style == b"" and wanted == _style(Text(""))):
            out.extend(wanted)
        style = wanted

    for item in items:
        if isinstance(item, Feed):
            out += b"\x1bd" + bytes([item.lines])  # ESC d n
        elif isinstance(item, Cut):
            out += CUT
        elif isinstance(item, QrCode):
            restyle(Text("", align="center"))
            out += _qr_native(item.payload, opts.width_dots)
        else:
            encoded = encode_text(item.text, opts.charset)
            if encoded is not None:
                restyle(item)
                out += CHINESE_ON + encoded + CHINESE_OFF + b"\n"
            else:
                # The image carries alignment, size and bold itself, so it starts at dot 0.
                restyle(Text(""))
                out += _raster(raster.render_text(item, opts.width_dots), opts.width_dots)
    restyle(Text(""))
    return bytes(out + CUT)


def _page_image(items: list[Item], opts: ReceiptOptions) -> Image.Image:
    images: list[Image.Image] = []
    for item in items:
        if isinstance(item, Cut):
            images.append(raster.render_text(Text("- - - - 沿此线裁开 - - - -", align="center"), opts.width_dots))
        elif isinstance(item, Feed):
            images.append(Image.new("1", (opts.width_dots, raster.LINE_PITCH * item.lines), 1))
        elif isinstance(item, QrCode):
            images.append(qr_image(item.payload, opts.width_dots))
        else:
            images.append(raster.render_text(item, opts.width_dots))
    return raster.stack(images, opts.width_dots)


def items_to_bytes(items: list[Item], opts: ReceiptOptions) -> bytes:
    """A complete print job, from `ESC @` to the cut."""
    if opts.raster_all:  # one image per part, cut between them
        parts: list[list[Item]] = [[]]
        for item in items:
            if isinstance(item, Cut):
                parts.append([])
            else:
                parts[-1].append(item)
        return ESC_INIT + CUT.join(_raster(_page_image(part, opts), opts.width_dots) for part in parts) + CUT
    return _text_mode(items, opts)


def render_receipt(receipt: Receipt, options: ReceiptOptions | None = None,
                   context: ReceiptContext | None = None) -> bytes:
    """The complete print job for one receipt, from `ESC @` to the cut."""
    opts = options or ReceiptOptions()
    return items_to_bytes(receipt_items(receipt, opts.width_dots, context), opts)


def preview_image(receipt: Receipt, options: ReceiptOptions | None = None,
                  context: ReceiptContext | None = None) -> Image.Image:
    """What the receipt looks like on paper, for a preview on screen (always raster)."""
    opts = options or ReceiptOptions()
    return _page_image(receipt_items(receipt, opts.width_dots, context), opts)
