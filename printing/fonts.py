"""Find TrueType CJK fonts on this machine and pick, per character, one that has the glyph.

Both the receipt raster (Pillow) and the PDFs (reportlab) draw through these fonts. reportlab
and Pillow silently draw nothing (or a box) for a character the font lacks, so coverage is
checked per character against the font's own cmap, and a character no font covers is an error
that names the font to install, never a blank in somebody's name.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

_REPO_FONTS = Path(__file__).resolve().parent.parent / "resources" / "fonts"
_WINDOWS_FONTS = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
_DEBIAN_FONTS = Path("/usr/share/fonts/truetype")


class FontMissingError(RuntimeError):
    """No usable font; the message (Chinese) names what to install."""


@dataclass(frozen=True)
class FontSpec:
    """A font file candidate; `role` is "main" for body text or "rare" for the fallbacks."""

    label: str  # what a person would call it, used in messages
    filename: str
    subfont: int = 0
    role: str = "main"
    package: str = ""  # Debian package that ships it, for messages


# Order matters: the first main font found sets the look; every later font is a fallback.
CANDIDATES: tuple[FontSpec, ...] = (
    FontSpec("微软雅黑", "msyh.ttc"),
    FontSpec("宋体", "simsun.ttc"),
    FontSpec("文泉驿正黑", "wqy/wqy-zenhei.ttc", package="fonts-wqy-zenhei"),
    FontSpec("AR PL UMing", "arphic/uming.ttc", package="fonts-arphic-uming"),
    FontSpec("宋体-方正超大字符集", "simsunb.ttf", role="rare"),
    FontSpec("SimSun-ExtG", "SimsunExtG.ttf", role="rare"),
    FontSpec("花园明朝A", "hanazono/HanaMinA.ttf", role="rare", package="fonts-hanazono"),
    FontSpec("花园明朝B", "hanazono/HanaMinB.ttf", role="rare", package="fonts-hanazono"),
    FontSpec("BabelStone Han", "babelstone/BabelStoneHan.ttf", role="rare",
             package="fonts-babelstone-han"),
)

INSTALL_HINT_MAIN = (
    "请安装中文字体：Windows 上应有 微软雅黑(msyh.ttc) 或 宋体(simsun.ttc)；"
    "Debian/统信/麒麟 上请安装 fonts-wqy-zenhei 或 fonts-arphic-uming"
)
INSTALL_HINT_RARE = (
    "请安装生僻字字体：Windows 上为 宋体-方正超大字符集(simsunb.ttf)；"
    "Debian/统信/麒麟 上请安装 fonts-hanazono"
)


def _search_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("DAISHOU_FONT_DIRS", "").split(os.pathsep) if p]
    dirs = [*extra, _REPO_FONTS]
    dirs.append(_WINDOWS_FONTS if sys.platform == "win32" else _DEBIAN_FONTS)
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        if local:  # fonts installed "for this user only" since Windows 10 1809
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return dirs


@dataclass(eq=False)  # identity: one per file, hashable for caches
class LoadedFont:
    spec: FontSpec
    path: Path
    _cmap: frozenset[int] | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """A name without spaces, usable as a reportlab font name."""
        return "Daishou-" + Path(self.spec.filename).stem + f"-{self.spec.subfont}"

    @property
    def cmap(self) -> frozenset[int]:
        if self._cmap is None:
            self._cmap = frozenset(_ttfile(str(self.path), self.spec.subfont).charToGlyph)
        return self._cmap

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.cmap


@cache
def _ttfile(path: str, subfont: int) -> Any:  # reportlab has no type hints
    from reportlab.pdfbase.ttfonts import TTFontFile

    return TTFontFile(path, subfontIndex=subfont)


def _usable(path: Path, spec: FontSpec) -> bool:
    """reportlab refuses CFF-outline fonts (Noto CJK); skip them rather than fail later."""
    from reportlab.pdfbase.ttfonts import TTFError

    try:
        _ttfile(str(path), spec.subfont)
    except (TTFError, OSError):
        return False
    return True


@cache
def discover() -> tuple[LoadedFont, ...]:
    """All usable candidate fonts on this machine, main fonts first, in CANDIDATES order."""
    found: list[LoadedFont] = []
    for spec in CANDIDATES:
        for folder in _search_dirs():
            path = folder / spec.filename
            if not path.is_file():
                path = folder / Path(spec.filename).name  # flat folders (Windows, resources/)
            if path.is_file() and _usable(path, spec):
                found.append(LoadedFont(spec, path))
                break
    return tuple(sorted(found, key=lambda f: f.spec.role != "main"))


def main_font() -> LoadedFont:
    for font in discover():
        if font.spec.role == "main":
            return font
    raise FontMissingError(f"找不到可用的中文字体。{INSTALL_HINT_MAIN}")


def font_for(ch: str, fonts: Iterable[LoadedFont] | None = None) -> LoadedFont:
    """The first font that has a glyph for `ch`; raises FontMissingError naming the character."""
    chain = tuple(fonts) if fonts is not None else discover()
    for font in chain:
        if font.covers(ch):
            return font
    if not chain:
        raise FontMissingError(f"找不到可用的中文字体。{INSTALL_HINT_MAIN}")
    have = "、".join(f.spec.label for f in chain)
    raise FontMissingError(
        f"字符「{ch}」(U+{ord(ch):04X}) 在已安装的字体（{have}）中都没有字形，"
        f"打印会缺字。{INSTALL_HINT_RARE}"
    )


def runs(text: str, fonts: Iterable[LoadedFont] | None = None) -> Iterator[tuple[LoadedFont, str]]:
    """Split `text` into (font, substring) runs: each character in the first font of the chain
    that has it, so a fallback font is used only for the characters that need it.

    Spaces go with the current run: every font has a space.
    """
    chain = tuple(fonts) if fonts is not None else discover()
    if not chain:
        raise FontMissingError(f"找不到可用的中文字体。{INSTALL_HINT_MAIN}")
    current = chain[0]
    buf: list[str] = []
    for ch in text:
        font = current if ch.isspace() else font_for(ch, chain)
        if font is current:
            buf.append(ch)
            continue
        if buf:
            yield current, "".join(buf)
            buf = []
        current = font
        buf.append(ch)
    if buf:
        yield current, "".join(buf)
