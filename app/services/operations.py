"""The window's actions as operations: each returns its result and what it changed.

Anki's way (qt/aqt/operations): a screen calls one operation on the database worker and gets
back the result plus an `OpChanges` saying which kinds of data it changed; the task manager
tells every screen once, and each screen decides from that whether to refresh. What an action
changes is written here, next to the services, instead of in the screens that happen to call it.

Recording a receipt is one trip: the receipt, what its paper needs beyond the record (the
township, the county's phone and check address, each person's 人员类别, the standard amounts) and
whether its day was already settled come back together, so the printer thread never reads the
database and the desk's line needs no second look.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, ParamSpec, TypeVar

from app.domain.records import Receipt, ReceiptContext
from app.services.desk import Desk

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class OpChanges:
    receipts: bool = False  # recorded, voided, printed, refund asked, paid on the payer's behalf
    ledger: bool = False  # settled, remitted, month closed
    roster: bool = False  # imported or pulled
    settings: bool = False  # printer, folders, large text
    printer: str | None = None  # what the printer said of the newest print ("就绪", or its problem)

    def __or__(self, other: OpChanges) -> OpChanges:
        return OpChanges(self.receipts or other.receipts, self.ledger or other.ledger,
                         self.roster or other.roster, self.settings or other.settings,
                         other.printer if other.printer is not None else self.printer)


RECEIPTS, LEDGER = OpChanges(receipts=True), OpChanges(ledger=True)
ROSTER, SETTINGS = OpChanges(roster=True), OpChanges(settings=True)


@dataclass(frozen=True)
class OpResult(Generic[T]):
    value: T
    changes: OpChanges


# What a receipt's paper shows beyond its record: the domain's ReceiptContext, made once (with the
# receipt, in the transaction that recorded it) by app/services/paper.py, the 培训 mark included.
PrintFacts = ReceiptContext


@dataclass(frozen=True)
class RecordedReceipt:
    receipt: Receipt
    print_facts: PrintFacts
    next_round: int | None  # the day was settled already: the settlement this cash waits for


def print_facts(desk: Desk, receipts: Iterable[Receipt]) -> PrintFacts:
    """The first receipt's context: the one recorded with it, else read once (a reprint)."""
    return desk.paper.receipt_context(next(iter(receipts)))


def changing(changes: OpChanges, fn: Callable[P, T]) -> Callable[P, OpResult[T]]:
    """`fn` as an operation: same arguments, its result with `changes`."""
    def op(*args: P.args, **kwargs: P.kwargs) -> OpResult[T]:
        return OpResult(fn(*args, **kwargs), changes)
    return op


def _for_print(desk: Desk, record: Callable[P, Receipt]) -> Callable[P, OpResult[RecordedReceipt]]:
    def op(*args: P.args, **kwargs: P.kwargs) -> OpResult[RecordedReceipt]:
        receipt = record(*args, **kwargs)
        rounds = len(desk.settlements.rounds(receipt.day))  # a fresh receipt is never countersigned
        return OpResult(RecordedReceipt(receipt, print_facts(desk, [receipt]), rounds + 1 if rounds else None),
                        RECEIPTS)
    return op


class Operations:
    """The actions of one desk's window, each with the same arguments as its service."""

    def __init__(self, desk: Desk) -> None:
        self._desk = desk
        receipts = desk.receipts
        self.record_receipt = _for_print(desk, receipts.record)
        self.void = changing(RECEIPTS, receipts.void)
        self.request_refund = changing(RECEIPTS, receipts.request_refund)
        self.record_paid_on_behalf = changing(RECEIPTS, receipts.record_paid_on_behalf)
        self.settle = changing(LEDGER, desk.closing.settle)
        self.remit = changing(LEDGER, desk.settlements.remit)
        self.close_month = changing(LEDGER, desk.months.close)  # the window loads months anyway
        self.import_roster = changing(ROSTER, desk.roster.import_file)

    def log_print(self, number: str, *, ok: bool, error: str | None = None) -> OpResult[int]:
        """A print attempt logged (its copy number); what the printer said goes to the window too."""
        copy_no = self._desk.receipts.record_print(number, ok=ok, error=error)
        return OpResult(copy_no, OpChanges(receipts=True, printer=error or "就绪"))

    def save_settings(self, values: Mapping[str, str]) -> OpResult[None]:
        for key, value in values.items():
            self._desk.setup.set_setting(key, value)
        return OpResult(None, SETTINGS)
