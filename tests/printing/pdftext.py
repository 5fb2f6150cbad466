"""Read a generated PDF back the way a person (or a search box) would: text and fonts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO

import pypdf


@dataclass
class PdfText:
    pages: list[str]
    # embedded font base name (subset prefix removed) -> characters it is asked to draw
    font_chars: dict[str, set[str]]

    @property
    def all(self) -> str:
        return "\n".join(self.pages)


_ENTRY = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def read_pdf(data: bytes) -> PdfText:
    reader = pypdf.PdfReader(BytesIO(data))
    pages = [page.extract_text() or "" for page in reader.pages]
    font_chars: dict[str, set[str]] = {}
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            base = str(font["/BaseFont"]).lstrip("/").split("+", 1)[-1]
            if "/ToUnicode" not in font:
                continue
            cmap = font["/ToUnicode"].get_object().get_data()
            chars = font_chars.setdefault(base, set())
            for _, uni in _ENTRY.findall(cmap.split(b"beginbfchar", 1)[-1]):
                chars.add(bytes.fromhex(uni.decode()).decode("utf-16-be"))
    return PdfText(pages, font_chars)
