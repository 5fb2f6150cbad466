"""What every screen of one logged-in window is handed: no globals, no main-window lookup."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.records import Device, UserInfo
from app.services.desk import Desk
from app.services.operations import Operations
from ui.changes import Changes
from ui.file_dialogs import FileChooser
from ui.printer import ReceiptPrinter
from ui.sync_worker import SyncWorker
from ui.tasks import TaskManager


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
    ops: Operations = field(init=False)  # what the window does, each returning what it changed

    def __post_init__(self) -> None:
        self.ops = Operations(self.desk)
