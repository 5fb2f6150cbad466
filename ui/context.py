"""What every screen of one logged-in window is handed: no globals, no main-window lookup."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from app.domain.records import Device, UserInfo
from app.services.desk import Desk
from ui.file_dialogs import FileChooser
from ui.printer import ReceiptPrinter
from ui.sync_worker import SyncWorker
from ui.tasks import TaskManager


class Changes(QObject):
    """What changed, so each screen refreshes only when it must (Anki's OpChanges idea)."""

    receipts = Signal()  # recorded, voided, printed
    ledger = Signal()  # settled, remitted
    roster = Signal()  # imported
    settings = Signal()  # printer, large text, users
    printer_state = Signal(str)


@dataclass
class WindowContext:
    desk: Desk
    tasks: TaskManager
    user: UserInfo
    printer: ReceiptPrinter
    changes: Changes = field(default_factory=Changes)
    # Loaded with the login (off the GUI thread); None: the window loads it when it starts.
    device: Device | None = None
    files: FileChooser = field(default_factory=FileChooser)
    sync: SyncWorker | None = None  # the background sync (None in tests that do not need it)
