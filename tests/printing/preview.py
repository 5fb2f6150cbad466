"""Turn decoded ESC/POS bytes back into a picture of the paper, to look at a job by eye.

    python -m tests.printing.preview OUT.png [58|80] [rare|minority|reprint|raster]
"""

from __future__ import annotations

import sys

from PIL import Image

from printing import raster
from printing.escpos_receipt import ReceiptOptions, qr_image, render_receipt
from printing.receipt_layout import Text
from tests.printing import samples
from tests.printing.escpos_decoder import Qr, RasterBlock, TextLine, decode

_ALIGN = {0: "left", 1: "center", 2: "right"}


def job_image(data: bytes, width_dots: int) -> Image.Image:
    images: list[Image.Image] = []
    for event in decode(data).events:
        if isinstance(event, TextLine):
            item = Text(event.text, align=_ALIGN[event.align], bold=event.bold,  # type: ignore[arg-type]
                        tall=bool(event.size & 0x01), wide=bool(event.size & 0x10))
            images.append(raster.render_text(item, width_dots))
        elif isinstance(event, RasterBlock):
            images.append(event.image())
        elif isinstance(event, Qr):
            images.append(qr_image(event.payload, width_dots))
        elif isinstance(event, tuple) and event[0] == "feed":
            images.append(Image.new("1", (width_dots, raster.LINE_PITCH * event[1]), 1))
    return raster.stack(images, width_dots)


def main(argv: list[str]) -> int:
    out = argv[0]
    width = 576 if len(argv) > 1 and argv[1] == "80" else 384
    kind = argv[2] if len(argv) > 2 else "rare"
    receipt = {"rare": samples.RARE_NAMES, "minority": samples.MINORITY,
               "reprint": samples.REPRINT, "raster": samples.ORDINARY}[kind]
    data = render_receipt(receipt, ReceiptOptions(width_dots=width, raster_all=kind == "raster"))
    job_image(data, width).save(out)
    print(f"{out}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
