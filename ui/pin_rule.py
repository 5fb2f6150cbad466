"""The word and the rule for a PIN as the window says them. The word is 密码 everywhere a person
reads it (a bank card's 6-digit 密码 is what villagers know; "PIN" is not a word they use); the
rule comes from app/domain/pins.py, the one place it lives, so a hint never says 4–12 where 6–12
is enforced."""

from __future__ import annotations

from app.domain.pins import PIN_MAX, pin_min


def pin_hint(role: str | None) -> str:
    """「6–12 位数字」 for a village head or an administrator, 「4–12 位数字」 for the others."""
    return f"{pin_min(role)}–{PIN_MAX} 位数字"
