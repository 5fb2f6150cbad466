"""双限 (002: 按日或双限报解): settled cash the agent still holds is remitted at the latest when
it has been held a number of days or when it reaches an amount, whichever comes first.

The county configuration sets both limits (`remit_limits` in README "County configuration");
a file without them gets the defaults below. One function judges the cash held against them,
so the desk's banner and the township's review (on a village PC or the county server) say the
same thing. Cash held is settled cash not yet remitted, the oldest remitted first: cash of an
open day is not yet counted, and the unsettled day has its own warning.

Defaults: 1 day, from the seeds — 002 asks for remittance 按日 (daily) unless a county sets
双限, and 003 第三十条 for 第一时间 — so cash settled today goes to the bank by tomorrow; and
¥5,000, an amount a village office should not keep overnight (the seeds name none: a county
sets its own)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.money import format_fen

DEFAULT_AMOUNT_FEN = 500_000
DEFAULT_DAYS = 1
WARN_SHARE = 0.8  # the desk warns from 80% of either limit on
MAX_DAYS = 60


@dataclass(frozen=True)
class RemitLimits:
    amount_fen: int = DEFAULT_AMOUNT_FEN
    days: int = DEFAULT_DAYS

    def to_json(self) -> dict[str, Any]:
        return {"amount_yuan": self.amount_fen / 100, "days": self.days}


@dataclass(frozen=True)
class CashHeld:
    """Settled cash not remitted as of a day, judged against the limits."""

    held_fen: int
    oldest_day: date | None  # the oldest settled day whose cash is (partly) still held
    days_held: int  # days since that day's settlement day (0: settled today)
    limits: RemitLimits

    @property
    def over_amount(self) -> bool:
        return self.held_fen > 0 and self.held_fen >= self.limits.amount_fen

    @property
    def over_days(self) -> bool:
        return self.oldest_day is not None and self.days_held >= self.limits.days

    @property
    def past_days(self) -> bool:
        """Held longer than the limit allows: the township's review flags it."""
        return self.oldest_day is not None and self.days_held > self.limits.days

    @property
    def past_amount(self) -> bool:
        """More than the amount limit held: the township's review flags it."""
        return self.held_fen > self.limits.amount_fen

    @property
    def near(self) -> bool:
        """Within reach of a limit (from WARN_SHARE of it on), but at neither yet."""
        if self.held_fen <= 0 or self.over_amount or self.over_days:
            return False
        return (self.held_fen >= WARN_SHARE * self.limits.amount_fen
                or self.days_held >= WARN_SHARE * self.limits.days)

    def describe(self) -> str:
        """What the agent and the reviewer read: the cash, since when, and the limits."""
        since = f"，最早为 {self.oldest_day.isoformat()} 日结的（已 {self.days_held} 天）" if self.oldest_day else ""
        return (f"已日结未解缴现金 {format_fen(self.held_fen)} 元{since}；"
                f"县里规定的解缴双限：满 {format_fen(self.limits.amount_fen)} 元或满 {self.limits.days} 天即解缴")


def uncovered(settled: Sequence[tuple[date, int]], remitted_fen: int) -> list[tuple[date, int]]:
    """The settled rounds' cash that remittances have not covered, oldest first: remittances
    cover the oldest settled cash first (a round partly covered keeps what is left of it)."""
    left = remitted_fen
    out = []
    for day, fen in sorted(settled, key=lambda s: s[0]):
        covered = min(left, fen)
        left -= covered
        if fen - covered > 0:
            out.append((day, fen - covered))
    return out


def cash_held(settled: Sequence[tuple[date, int]], remitted_fen: int, today: date,
              limits: RemitLimits) -> CashHeld:
    """`settled`: (day, counted fen) of every settlement round in journal order; `remitted_fen`:
    every remittance so far. Remittances cover the oldest settled cash first."""
    held = uncovered(settled, remitted_fen)
    oldest = held[0][0] if held else None
    days = (today - oldest).days if oldest is not None else 0
    return CashHeld(sum(fen for _, fen in held), oldest, max(0, days), limits)
