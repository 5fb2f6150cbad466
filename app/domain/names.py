"""Personal names as written in the roster: Chinese, rare characters, minority names with ·."""

from __future__ import annotations

import re
import unicodedata

from app.domain.quoting import quote

# Middle dots people and spreadsheets actually use in minority names (阿依古丽·买买提).
_DOTS = "·・•‧∙⋅･.．"
_DOT_RE = re.compile(f"[{re.escape(_DOTS)}]")


class InvalidNameError(ValueError):
    """A name that cannot be a person's name; the message says why."""


def _is_han(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF  # CJK Unified Ideographs
        or 0x3400 <= cp <= 0x4DBF  # Extension A (䶮)
        or 0x20000 <= cp <= 0x3134F  # Extensions B-G, outside the BMP (𠇔)
        or 0xF900 <= cp <= 0xFAFF  # compatibility ideographs
        or 0x2F800 <= cp <= 0x2FA1F
        or cp == 0x3007  # 〇
    )


def normalize_name(text: str) -> str:
    """Strip spaces, NFC-normalise, unify every middle-dot variant to U+00B7."""
    name = unicodedata.normalize("NFC", str(text)).strip()
    name = re.sub(r"\s+", "", name)
    return _DOT_RE.sub("·", name)


# Most names are two to four common characters: already in normal form, nothing to check further.
_PLAIN = re.compile("[\u4e00-\u9fff]{1,40}")


def parse_name(text: str) -> str:
    """Validate a person's name and return its normal form."""
    if _PLAIN.fullmatch(text):
        return text
    name = normalize_name(text)
    if not name:
        raise InvalidNameError("姓名为空")
    if any(ch.isdigit() for ch in name):
        raise InvalidNameError(f"姓名「{quote(text)}」含有数字")
    if name.startswith("·") or name.endswith("·") or "··" in name:
        raise InvalidNameError(f"姓名「{quote(text)}」的间隔号位置不对")
    for ch in name:
        if ch == "·" or _is_han(ch):
            continue
        if unicodedata.category(ch).startswith("L"):
            # Latin letters appear in a few registered minority names; accept, never digits.
            continue
        raise InvalidNameError(f"姓名「{quote(text)}」含有不能用于姓名的字符「{ch}」")
    if len(name) > 40:
        raise InvalidNameError(f"姓名「{quote(text)}」过长")
    return name
