"""Closing a day as one operation that the command line and the window both call.

Settling used to be two steps that only the command line took together: the settlement, then
a backup to the configured folder (a USB stick). The window skipped the backup, and it chose
the day to settle itself. Here both live once, as Anki's operations do: `settle` records the
settlement, backs up, and returns what changed; `next_day` says which day (and which round of
it) is due and what the agent must know before settling it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.domain.money import format_fen
from app.domain.records import Settlement, UserInfo
from app.services.backup import Backups
from app.services.errors import DaishouError
from app.services.settlement import Settlements
from app.storage.database import Clock


@dataclass(frozen=True)
class NextDay:
    """The day to settle next, or day None when nothing is waiting (today already settled)."""

    day: date | None
    round_no: int  # 1, or 2, 3 ... when cash was taken after the day was settled
    expected_fen: int
    receipts: int
    voids: int
    last_settled: date | None

    @property
    def heading(self) -> str:
        if self.day is None:
            return "今日已日结，没有待日结的现金"
        what = f"第{self.round_no}次日结" if self.round_no > 1 else "待日结"
        return (f"{what}：{self.day.isoformat()}　有效收据 {self.receipts} 张，作废 {self.voids} 张，"
                f"应有现金 ¥{format_fen(self.expected_fen)}")

    @property
    def later_cash_note(self) -> str:
        """What the agent is told before settling: the day can still take cash, settled again."""
        if self.day is None:
            return ""
        return (f"日结后当天如再有村民来缴费，仍可照常收款，但这些现金须在当天再做一次日结"
                f"（第{self.round_no + 1}次），否则次日不能收款。")


@dataclass(frozen=True)
class SettleResult:
    """What a settlement changed: the ledger (always), and a backup copy when one was made."""

    settlement: Settlement
    backup: Path | None  # the verified copy, or None when no folder is set or it failed
    backup_problem: str | None  # why the backup failed; the settlement stands regardless
    backup_note: str | None = None  # why the copy is not sealed to this desk (app/services/sealing.py)

    @property
    def summary(self) -> str:
        s = self.settlement
        diff = f"，差额 ¥{format_fen(s.difference_fen)}（{s.reason}）" if s.difference_fen else ""
        again = f"（第{s.round_no}次日结）" if s.round_no > 1 else ""
        text = (f"{s.day.isoformat()} 已日结{again}：应有 ¥{format_fen(s.expected_fen)}，清点 ¥{format_fen(s.counted_fen)}"
                f"{diff}；收据 {s.receipts} 张，作废 {s.voids} 张；{s.head} 已会签。")
        if self.backup is not None:
            text += f"已备份到 {self.backup}。"
            if self.backup_note:
                text += f"注意：{self.backup_note}。"
        elif self.backup_problem:
            text += f"警告：日结已完成，但{self.backup_problem}。请检查备份文件夹（U盘）后在设置中重新备份。"
        return text


class Closing:
    def __init__(self, settlements: Settlements, backups: Backups, clock: Clock) -> None:
        self._settlements = settlements
        self._backups = backups
        self._clock = clock

    def next_day(self) -> NextDay:
        """The oldest day with unsettled cash (日清日结 in order); else today if not yet settled."""
        today = self._clock().date()
        days = [d for d in self._settlements.unsettled_days() if d <= today]
        all_rounds = self._settlements.all()
        settled = {s.day for s in all_rounds}
        last = max(settled, default=None)
        day = days[0] if days else (None if today in settled else today)
        if day is None:
            return NextDay(None, 0, 0, 0, 0, last)
        expected, receipts, voids = self._settlements.preview(day)
        round_no = sum(1 for s in all_rounds if s.day == day) + 1
        return NextDay(day, round_no, expected, receipts, voids, last)

    def settle(self, day: date, *, agent: UserInfo, head: UserInfo, counted_fen: int | None = None,
               denominations: dict[int, int] | None = None, reason: str | None = None) -> SettleResult:
        """Settle the day's open round, then back up to the configured folder.

        The settlement is committed before the backup: a missing USB stick is reported in the
        result, never an undone settlement."""
        settlement = self._settlements.settle(day, agent=agent, head=head, counted_fen=counted_fen,
                                              denominations=denominations, reason=reason)
        try:
            backup = self._backups.write_to_configured()
        except DaishouError as exc:
            return SettleResult(settlement, None, exc.message)
        return SettleResult(settlement, backup.path if backup else None, None, backup.note if backup else None)
