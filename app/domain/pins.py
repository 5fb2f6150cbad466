"""The one rule for what a PIN (密码) looks like, shared by the setup wizard and the user service."""

from __future__ import annotations

PIN_MIN, PIN_MAX = 4, 12


def pin_shape_problem(pin: str) -> str | None:
    """Why this PIN cannot be used, in the words the user sees; None when it can."""
    if not (pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        return f"密码应为 {PIN_MIN}–{PIN_MAX} 位数字"
    return None
