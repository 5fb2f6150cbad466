"""The one rule for what a PIN (密码) looks like, shared by the setup wizard and the user service."""

from __future__ import annotations

PIN_MIN, PIN_MAX = 4, 12
# A village head's or an administrator's PIN countersigns other people's cash: 10^6 guesses at
# 100 ms each is more than a day of computing for one stolen file, 10^4 is fifteen minutes.
AUTHORITY_PIN_MIN = 6
AUTHORITY_ROLES = ("head", "admin")


def pin_min(role: str | None) -> int:
    return AUTHORITY_PIN_MIN if role in AUTHORITY_ROLES else PIN_MIN


def pin_shape_problem(pin: str, role: str | None = None) -> str | None:
    """Why this PIN cannot be used by a user of `role` ("agent", "head", ...), in the words the
    user sees; None when it can."""
    low = pin_min(role)
    if not (pin.isdigit() and low <= len(pin) <= PIN_MAX):
        who = "村委会负责人和管理员的" if low > PIN_MIN else ""
        return f"{who}密码应为 {low}–{PIN_MAX} 位数字"
    return None
