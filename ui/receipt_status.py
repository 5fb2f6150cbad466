"""The desk's line about the receipt just recorded, always saying where that receipt is now.

It used to be written once and appended to: 「正在打印」 stayed after the receipt came out, a
failed print added 「没有打印出来」 under a green 「正在打印」, and 「须再做一次日结（第2次）」
stayed after that second settlement. Here the line is drawn from a small state — the receipt,
its print (printing, printed, or what went wrong), and whether it waits for another settlement
of its day — and redrawn whenever one of those changes (the print comes back, the ledger
changes). When something else has since been said on the same line (a refusal, the next
payment), that newer message is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QObject

from app.domain.money import format_fen
from app.domain.records import Receipt
from app.services.operations import RecordedReceipt
from ui.context import WindowContext
from ui.message import MessageLine
from ui.print_jobs import print_receipt

PRINTING, PRINTED = "正在打印", "已打印"


@dataclass(frozen=True)
class ReceiptState:
    receipt: Receipt
    printed: str = PRINTING  # PRINTING, PRINTED, or what print_receipt said went wrong
    failed: bool = False
    next_round: int | None = None  # the day's settlement this cash still waits for

    def text(self) -> str:
        r = self.receipt
        head = f"已收款 ¥{format_fen(r.total_fen)}，找零 ¥{format_fen(r.change_fen)}。"
        # failed: print_receipt's own words (收据 … 已保存，但没有打印出来：…，请在“收据”中补打（F3）)
        line = head + self.printed if self.failed else f"{head}收据 {r.number} {self.printed}。"
        if self.next_round:
            line += (f"\n今天已经日结过：这笔现金须在今天再做一次日结（第{self.next_round}次，F4），"
                     "否则明天不能收款。")
        return line


class LastReceiptLine(QObject):
    def __init__(self, ctx: WindowContext, line: MessageLine, *, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.line = ctx, line
        self.state: ReceiptState | None = None
        self._drawn = ""
        ctx.changes.ledger.connect(self.recheck)

    def recorded(self, recorded: RecordedReceipt) -> None:
        """A receipt was just recorded: say so (and whether its day was settled), print it."""
        receipt = recorded.receipt
        self._set(ReceiptState(receipt, next_round=recorded.next_round))
        print_receipt(self.ctx, receipt, recorded.print_facts, on_problem=lambda error: self._printed(receipt, error),
                      on_printed=lambda: self._printed(receipt, None))

    def _printed(self, receipt: Receipt, error: str | None) -> None:
        if self._current(receipt) and self.state is not None:
            self._set(replace(self.state, printed=error or PRINTED, failed=error is not None))

    def recheck(self) -> None:
        """After a settlement (or any ledger change): does the receipt still wait for one?"""
        if self.state is None or self.line.text() != self._drawn:
            return
        receipt, desk = self.state.receipt, self.ctx.desk

        def fetch() -> int | None:
            rounds = len(desk.settlements.rounds(receipt.day))
            settled = desk.receipts.get(receipt.number).countersign is not None
            return rounds + 1 if rounds and not settled else None

        self.ctx.tasks.run(fetch, lambda next_round: self._rounds(receipt, next_round))

    def _rounds(self, receipt: Receipt, next_round: int | None) -> None:
        if self._current(receipt) and self.state is not None:
            self._set(replace(self.state, next_round=next_round))

    def _current(self, receipt: Receipt) -> bool:
        """Still the receipt the line is about, and nothing newer said on it."""
        return (self.state is not None and self.state.receipt.number == receipt.number
                and self.line.text() == self._drawn)

    def _set(self, state: ReceiptState) -> None:
        self.state = state
        self._drawn = state.text()
        self.line.say(self._drawn, ok=not state.failed)
        self._drawn = self.line.text()
