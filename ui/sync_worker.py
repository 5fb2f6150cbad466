"""Sync in the background: its own thread (and that thread's own read connection of the one
`Desk` the program has), so the desk never waits for the network. Every minute when things go well; after a failure it waits twice as long
each time (up to 15 minutes). What it finds is a `SyncStatus` the status bar shows."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from app.services.desk import Desk
from app.services.errors import DaishouError
from app.services.operations import OpChanges


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    online: bool
    waiting: int  # entries recorded and not yet acknowledged by the county
    last_sync: str  # HH:MM of the last sync that went through, or ""
    message: str  # what to do, when offline
    roster_changed: bool = False  # a new roster came down: the window refreshes its search

    @property
    def changes(self) -> OpChanges:
        """What the sync changed in the desk's file, told to the window like an operation's."""
        return OpChanges(roster=self.roster_changed)


class SyncWorker(QObject):
    status = Signal(object)  # SyncStatus, delivered on the GUI thread

    def __init__(self, desk: Desk, *, interval: float = 60.0, longest: float = 900.0,
                 parent: QObject | None = None) -> None:
        """`desk` is the program's one Desk (its database serialises writers and gives each
        thread its own reader): a second Desk on the same file would be a second writer and a
        second high-water check. Its owner closes it, after `stop`."""
        super().__init__(parent)
        self.desk = desk
        self.interval, self.longest = interval, longest
        self.last: SyncStatus | None = None
        self._stop = threading.Event()
        self._now = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="daishou-sync", daemon=True)
            self._thread.start()

    def sync_now(self) -> None:
        self._now.set()

    def stop(self) -> None:
        self._stop.set()
        self._now.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        delay = 0.0
        while not self._stop.is_set():
            self._now.wait(delay)
            self._now.clear()
            if self._stop.is_set():
                return
            found = self._once(self.desk)
            self.last = found
            self.status.emit(found)
            delay = self.interval if found.online or not found.enrolled else min(
                max(delay * 2, self.interval / 4), self.longest)

    def _once(self, desk: Desk) -> SyncStatus:
        from sync.client import SyncClient
        from sync.messages import SyncError

        try:
            state = desk.sync.state()
            waiting = desk.sync.waiting()
        except Exception as exc:  # the file is busy or gone: say so, try again later
            return SyncStatus(False, False, 0, "", f"无法读取账本：{exc}")
        last = _hhmm(state.get("last_sync", ""))
        if not state.get("server_url"):
            return SyncStatus(False, False, waiting, last, "未注册到县服务器（设置 F6 → 县服务器）")
        try:
            report = SyncClient(desk, retries=2).run()
        except SyncError as exc:
            return SyncStatus(True, False, desk.sync.waiting(), last, exc.message)
        except DaishouError as exc:
            return SyncStatus(True, False, desk.sync.waiting(), last, exc.message)
        state = desk.sync.state()
        return SyncStatus(True, True, desk.sync.waiting(), _hhmm(state.get("last_sync", "")), "",
                          roster_changed="roster" in report.received)


def _hhmm(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%m-%d %H:%M")
    except (ValueError, TypeError):
        return ""
