"""Work off the GUI thread: one worker for the database, one for devices (printer, network).

Anki's taskman pattern: the database is used by one thread at a time, so every service call
goes through a single-worker executor and its result comes back to the GUI thread by signal.
A progress dialog appears only when work takes longer than PROGRESS_DELAY_MS, so quick
searches never flash a dialog at the agent.

An operation (`op`) is work that changes the ledger: it returns an `OpResult`, its value goes to
the caller's callback and its `OpChanges` to the window's `Changes`, here and nowhere else.
Everything is typed by the work's result: `run(fn: () -> T, on_done: (T) -> ...)`.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.services.operations import OpResult
from ui.changes import Changes

PROGRESS_DELAY_MS = 600

T = TypeVar("T")
Failed = Callable[[BaseException], None]


class Cancelled(Exception):
    """Raised inside cancellable work when the user pressed 取消."""


class Progress:
    """Handed to long work: report(done, total) from the worker; raises Cancelled when asked."""

    def __init__(self, emit: Callable[[int, int], None]) -> None:
        self._emit = emit
        self.cancelled = threading.Event()

    def report(self, done: int, total: int) -> None:
        if self.cancelled.is_set():
            raise Cancelled
        self._emit(done, total)


@dataclass(frozen=True)
class LongTask(Generic[T]):
    future: Future[T]
    progress: Progress
    dialog: QProgressDialog

    def cancel(self) -> None:
        """What the 取消 button does."""
        self.progress.cancelled.set()


class TaskManager(QObject):
    # Emitted from worker threads; Qt queues the call onto the GUI thread.
    # One tuple carries it all: PySide6 6.12 lost a reference to None travelling as a bare
    # `object` argument (6.12 is excluded in pyproject.toml; the tuple costs nothing).
    _finished = Signal(object)  # (token,): the GUI thread reads the result from the future
    _progress = Signal(object)  # (dialog, label, done, total)
    busy_changed = Signal(bool)

    def __init__(self, *, on_error: Failed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._default_error = on_error
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="daishou-db")
        self._io = ThreadPoolExecutor(max_workers=2, thread_name_prefix="daishou-io")
        self._pending = 0
        self._closed = False
        # What each task calls back, kept here on the GUI thread (see _submit).
        self._calls: dict[int, tuple[Callable[[], object], Callable[[], None], bool]] = {}
        self._tokens = itertools.count()
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._progress.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)

    # -- public ------------------------------------------------------------------------------
    def run(self, fn: Callable[[], T], on_done: Callable[[T], object] | None = None, *,
            on_error: Failed | None = None, io: bool = False, background: bool = False) -> Future[T]:
        """Run fn on the database worker (or the device pool with io=True).

        background=True: preparation nobody waits for (warming a cache); it does not make the
        window busy, so closing is not held up by it.
        """
        return self._submit(self._io if io else self._db, fn, on_done, on_error, counted=not background)

    def op(self, fn: Callable[[], OpResult[T]], on_done: Callable[[T], object] | None = None, *,
           changes: Changes, on_error: Failed | None = None) -> Future[OpResult[T]]:
        """Run an operation on the database worker; once it succeeded, `on_done` gets its value
        and `changes` is told what it changed."""
        return self.run(fn, self._announcing(on_done, changes), on_error=on_error)

    def op_long(self, fn: Callable[[Progress], OpResult[T]], on_done: Callable[[T], object] | None = None, *,
                changes: Changes, label: str, parent: QWidget | None, on_error: Failed | None = None,
                cancellable: bool = True) -> LongTask[OpResult[T]]:
        """`run_long` for an operation (a roster import): `op`'s announcement, with the dialog."""
        return self.run_long(fn, self._announcing(on_done, changes), label=label, parent=parent,
                             on_error=on_error, cancellable=cancellable)

    def run_long(self, fn: Callable[[Progress], T], on_done: Callable[[T], object] | None = None, *,
                 label: str, parent: QWidget | None, on_error: Failed | None = None,
                 cancellable: bool = True) -> LongTask[T]:
        """Long work with a progress dialog after PROGRESS_DELAY_MS and a 取消 button."""
        dialog = QProgressDialog(label, "取消" if cancellable else "", 0, 0, parent)
        dialog.setWindowTitle("请稍候")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(PROGRESS_DELAY_MS)
        # The import reports done == total before it writes: the dialog must stay up for that.
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.reset()  # QProgressDialog shows itself on construction otherwise; wait for the timer
        progress = Progress(lambda done, total: self._progress.emit((dialog, label, done, total)))
        dialog.canceled.connect(progress.cancelled.set)
        timer = QTimer(dialog, singleShot=True, interval=PROGRESS_DELAY_MS)
        timer.timeout.connect(dialog.show)
        timer.start()

        def close() -> None:
            timer.stop()
            dialog.hide()
            dialog.deleteLater()

        def done(result: T) -> None:
            close()
            if on_done:
                on_done(result)

        def failed(exc: BaseException) -> None:
            close()
            (on_error or self._default_error)(exc)

        future = self._submit(self._db, lambda: fn(progress), done, failed)
        return LongTask(future, progress, dialog)

    def arrived(self, result: OpResult[T], on_done: Callable[[T], object] | None = None, *,
                changes: Changes) -> None:
        """An operation's result that ran elsewhere (the sync thread, on its own schedule), on
        the GUI thread: `on_done` gets its value and `changes` is told what it changed, as `op`."""
        self._announcing(on_done, changes)(result)

    def fault(self, exc: BaseException) -> None:
        """An error no view can show in place goes to the one error dialog (tests collect them)."""
        self._default_error(exc)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def shutdown(self) -> None:
        """Finish queued work; later requests (from windows closing) are dropped."""
        self._closed = True
        self._db.shutdown(wait=True, cancel_futures=True)
        self._io.shutdown(wait=True, cancel_futures=True)

    # -- internals ---------------------------------------------------------------------------
    @staticmethod
    def _announcing(on_done: Callable[[T], object] | None, changes: Changes) -> Callable[[OpResult[T]], None]:
        """The one place what an operation changed is emitted: after the caller's callback
        (Anki's order), so the screens refresh from the state it set (the new printer after
        saving the settings); emitted even when that callback failed."""
        def done(result: OpResult[T]) -> None:
            try:
                if on_done is not None:
                    on_done(result.value)
            finally:
                changes.announce(result.changes)
        return done

    def _submit(self, pool: ThreadPoolExecutor, fn: Callable[[], T], on_done: Callable[[T], object] | None,
                on_error: Failed | None, *, counted: bool = True) -> Future[T]:
        if self._closed:
            dropped: Future[T] = Future()
            dropped.cancel()
            return dropped
        if counted:
            self._pending += 1
            if self._pending == 1:
                self.busy_changed.emit(True)
        # A worker thread must never hold the last reference to a Qt object: dropping it there
        # destroys the widget off the GUI thread (a segfault, seen in about a third of the GUI
        # test runs). fn and the callbacks often capture widgets, so the worker side holds only
        # a token; the GUI thread keeps them in _calls and lets go of them in _deliver.
        token = next(self._tokens)
        holder = [fn]

        def call() -> T:
            return holder.pop()()  # the GUI thread still holds fn: this is never the last ref

        manager = weakref.ref(self)

        def finished(_f: Future[T]) -> None:
            tasks = manager()
            if tasks is not None:
                tasks._finished.emit((token,))

        future = pool.submit(call)

        def deliver() -> None:  # on the GUI thread, the future done
            exc = future.exception() if not future.cancelled() else Cancelled()
            if exc is not None:
                (on_error or self._default_error)(exc)
            elif on_done is not None:
                on_done(future.result())

        self._calls[token] = (fn, deliver, counted)
        future.add_done_callback(finished)
        return future

    def _deliver(self, outcome: tuple[int]) -> None:
        call = self._calls.pop(outcome[0], None)
        if call is None:
            return
        _fn, deliver, counted = call
        if counted:
            self._pending -= 1
            if self._pending == 0:
                self.busy_changed.emit(False)
        deliver()

    def _show_progress(self, report: tuple[QProgressDialog, str, int, int]) -> None:
        dialog, label, done, total = report
        try:
            if total:
                dialog.setMaximum(total)
                dialog.setValue(min(done, total))
            else:  # streaming: the total is not known, say how far it got
                dialog.setMaximum(0)
                dialog.setLabelText(f"{label}\n已读取 {done:,} 行")
        except RuntimeError:  # the dialog was deleted: the work finished in between
            pass
