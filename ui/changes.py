"""What changed, told to every screen of the window (Anki's OpChanges, as Qt signals).

An operation returns an `OpChanges` with its result; the task manager hands it to `announce`
once the operation succeeded, the one place where "what changed" is emitted. Screens connect to
the kinds they show and refresh only when one of those changed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.services.operations import OpChanges


class Changes(QObject):
    receipts = Signal()  # recorded, voided, printed
    ledger = Signal()  # settled, remitted
    roster = Signal()  # imported or pulled
    settings = Signal()  # printer, large text, users
    printer_state = Signal(str)  # what the printer said last (a device, not the ledger)

    def announce(self, changes: OpChanges) -> None:
        if changes.receipts:
            self.receipts.emit()
        if changes.ledger:
            self.ledger.emit()
        if changes.roster:
            self.roster.emit()
        if changes.settings:
            self.settings.emit()
        if changes.printer is not None:
            self.printer_state.emit(changes.printer)
