"""The receipt printer's settings as one typed value, instead of four string keys read in five
places: where it is (a printer URI), the paper width, the code page and whether text is sent as
an image. Stored as the `printer.*` settings rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Charset = Literal["gb2312", "gbk", "gb18030"]
CHARSETS: tuple[Charset, ...] = ("gbk", "gb18030", "gb2312")
PaperWidth = Literal[58, 80]

URI, WIDTH, CHARSET, RASTER = "printer.uri", "printer.width", "printer.charset", "printer.raster"


@dataclass(frozen=True)
class PrinterSettings:
    uri: str = ""  # tcp://192.168.1.100:9100, usb://04b8:0e15, serial:///dev/ttyUSB0, win32://名称
    width_mm: PaperWidth = 58
    charset: Charset = "gbk"
    raster: bool = False  # every line as an image (printers without a Chinese font)

    @property
    def configured(self) -> bool:
        return bool(self.uri)

    @property
    def width_dots(self) -> int:
        """Printable dots across: 384 on 58 mm paper, 576 on 80 mm (203 dpi heads)."""
        return 576 if self.width_mm == 80 else 384

    @classmethod
    def from_settings(cls, settings: Mapping[str, str | None]) -> PrinterSettings:
        """What the settings rows say; a missing or unknown value reads as the default."""
        charset = (settings.get(CHARSET) or "").strip().lower()
        return cls(
            uri=(settings.get(URI) or "").strip(),
            width_mm=80 if (settings.get(WIDTH) or "").strip() == "80" else 58,
            charset=charset if charset in CHARSETS else "gbk",
            raster=(settings.get(RASTER) or "").strip() == "1",
        )

    def to_settings(self) -> dict[str, str]:
        return {URI: self.uri.strip(), WIDTH: str(self.width_mm), CHARSET: self.charset,
                RASTER: "1" if self.raster else "0"}
