"""What this desk holds that the county cannot see yet (issue 24): the cash of days not settled,
and settled cash not yet remitted. The journal goes up only up to the newest settled entry
(sync_state.py), so a village holding cash for weeks would show the county nothing but an old
last-sync time; the sync client sends this summary (signed with the device key) at every attempt,
and the entries themselves still go up only when their day is settled.

Qt-free and one read of the projections the desk already keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from app.storage import journal
from app.storage.projections import expected_cash, unsettled_days
from app.storage.settlements import cash_position, settled_not_remitted

if TYPE_CHECKING:
    from app.services.desk import Desk


@dataclass(frozen=True)
class OpenState:
    open_since: date | None  # the oldest day with cash not in a settlement round
    open_days: int  # days with cash not settled, today's included
    open_receipts: int  # valid receipts not in a settlement round
    open_cash_fen: int  # their cash: on hand, not settled
    held_fen: int  # settled, not yet remitted (cash on hand too)
    held_since: date | None  # the oldest settled day whose cash is still held
    newest_seq: int  # the newest journal entry (the county holds up to the newest settled one)

    @property
    def cash_on_hand_fen(self) -> int:
        return self.open_cash_fen + self.held_fen

    def days_not_settled(self, today: date) -> int:
        """Whole days the oldest open day has waited for its settlement (0: only today's cash)."""
        return max(0, (today - self.open_since).days) if self.open_since is not None else 0

    def to_json(self) -> dict[str, Any]:
        return {"open_since": self.open_since.isoformat() if self.open_since else None,
                "open_days": self.open_days, "open_receipts": self.open_receipts,
                "open_cash_fen": self.open_cash_fen, "held_fen": self.held_fen,
                "held_since": self.held_since.isoformat() if self.held_since else None,
                "newest_seq": self.newest_seq}


def open_state(desk: Desk) -> OpenState:
    with desk.db.read() as conn:
        days = unsettled_days(conn)
        rounds = [expected_cash(conn, day) for day in days]  # each open day's round: (fen, valid, ...)
        position = cash_position(conn)
        held = settled_not_remitted(conn)
        newest, _hash = journal.head(conn)
    return OpenState(open_since=days[0] if days else None, open_days=len(days),
                     open_receipts=sum(r[1] for r in rounds), open_cash_fen=position.unsettled_fen,
                     held_fen=position.settled_not_remitted_fen, held_since=held[0][0] if held else None,
                     newest_seq=newest)
