"""One operation per user action: the receipt and what its paper needs in one trip, the printer
thread never at the database, and "what changed" told once, by the task manager, on success."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from PySide6.QtCore import Qt

from app.services.operations import LEDGER, RECEIPTS, OpResult
from printing.receipt_layout import ReceiptContext
from tests.gui.conftest import wait_idle
from tests.gui.test_desk import find_and_choose
from ui.changes import Changes
from ui.tasks import TaskManager


def spy(record: list[tuple[str, str]], kind: str,
        real: Callable[..., AbstractContextManager[object]]) -> Callable[..., AbstractContextManager[object]]:
    def opened(*args: object, **kwargs: object) -> AbstractContextManager[object]:
        record.append((kind, threading.current_thread().name))
        return real(*args, **kwargs)
    return opened


def test_a_receipt_is_one_write_with_its_paper_facts_and_the_printer_reads_nothing(
        qtbot, window, printer, errors, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    desk, d = window.ctx.desk, window.desk_view
    find_and_choose(qtbot, window, "孙兰军")
    person = d.household_model.draft.chosen[0]
    told: list[str] = []
    window.ctx.changes.receipts.connect(lambda: told.append("receipts"))
    opened: list[tuple[str, str]] = []
    monkeypatch.setattr(desk.db, "write", spy(opened, "write", desk.db.write))
    monkeypatch.setattr(desk.db, "read", spy(opened, "read", desk.db.read))

    qtbot.keyClicks(d.panel.cash, "1000")
    qtbot.keyClick(window, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: len(printer.printed) == 1)
    wait_idle(qtbot, window.ctx.tasks)

    # Two writes: the receipt, then the log of its print; every read and write on the database worker.
    assert [kind for kind, _ in opened].count("write") == 2
    assert {thread.split("_")[0] for _, thread in opened} == {"daishou-db"}, opened
    # What the paper shows beyond the record came with the receipt: the township, the person's 类别.
    context = printer.contexts[0]
    assert isinstance(context, ReceiptContext)
    assert context.township_name == desk.setup.device.township_name != ""
    assert context.categories is not None and person.id_number in context.categories
    # Each operation told the screens once: recorded, then printed.
    assert told == ["receipts", "receipts"]
    assert "已打印" in d.panel.message.text()
    assert not errors


@pytest.fixture
def manager(qtbot) -> Iterator[TaskManager]:  # type: ignore[no-untyped-def]
    failures: list[BaseException] = []
    tasks = TaskManager(on_error=failures.append)
    yield tasks
    tasks.shutdown()


def test_changes_are_told_once_after_success_and_never_after_a_failure(qtbot, manager) -> None:  # type: ignore[no-untyped-def]
    changes = Changes()
    heard: list[str] = []
    changes.receipts.connect(lambda: heard.append("receipts"))
    changes.ledger.connect(lambda: heard.append("ledger"))
    got: list[int] = []

    manager.op(lambda: OpResult(7, LEDGER), lambda value: got.append(value), changes=changes)
    qtbot.waitUntil(lambda: got == [7])
    assert heard == ["ledger"]

    def refused() -> OpResult[int]:
        raise ValueError("refused")

    failed: list[BaseException] = []
    manager.op(refused, got.append, changes=changes, on_error=failed.append)
    qtbot.waitUntil(lambda: len(failed) == 1)
    assert heard == ["ledger"] and got == [7]  # nothing changed, nothing told

    manager.op(lambda: OpResult(None, RECEIPTS | LEDGER), changes=changes)
    qtbot.waitUntil(lambda: not manager.busy)
    assert heard == ["ledger", "receipts", "ledger"]
