"""Free text a person types into the ledger: reasons for voids, refunds, overrides, differences.

A reason is read later by a village head, a township auditor and on paper. Terminal control
characters could rewrite what a terminal shows of the ledger, and bidirectional overrides
(U+202E …) could make "退5元" display as something else; neither is ever stored. The text is
refused with a message rather than silently cleaned, so what is stored is what was typed.
"""

from __future__ import annotations

import unicodedata

MAX_REASON = 200  # characters: a sentence or two; the 台账 prints it in one cell

# Bidirectional embeddings, overrides and isolates, and the invisible marks that steer them.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


class ReasonError(ValueError):
    """A reason that cannot be stored; the message names the field."""


def clean_reason(text: str | None, *, field: str = "原因", required: bool = True) -> str | None:
    """The reason as it will be stored (NFC, spaces collapsed), or None when empty and optional."""
    value = unicodedata.normalize("NFC", text or "")
    for ch in value:
        if ch in _BIDI:
            raise ReasonError(f"{field}含有改变文字方向的隐藏字符（U+{ord(ch):04X}），请重新输入")
        if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") and ch not in "\t\n\r":
            raise ReasonError(f"{field}含有不可见的控制字符（U+{ord(ch):04X}），请重新输入")
    value = " ".join(value.split())
    if not value:
        if required:
            raise ReasonError(f"{field}必须填写")
        return None
    if len(value) > MAX_REASON:
        raise ReasonError(f"{field}太长（{len(value)} 字），最多 {MAX_REASON} 字")
    return value
