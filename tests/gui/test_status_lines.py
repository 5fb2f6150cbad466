"""Each status line says the latest state of what it describes (issue 21): the receipt just
recorded goes from 正在打印 to 已打印, or to 没有打印出来 in red; the note that the day needs a
second settlement goes once that settlement is made."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.conftest import wait_idle
from tests.gui.test_desk import find_and_choose
from tests.gui.test_today_settle import take_cash
from ui.message import ERROR_STYLE, OK_STYLE


def pay(qtbot, window, name: str) -> None:  # type: ignore[no-untyped-def]
    find_and_choose(qtbot, window, name)
    qtbot.keyClicks(window.desk_view.panel.cash, "900")
    qtbot.keyClick(window, Qt.Key.Key_F12)


def test_printing_becomes_printed(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    line = window.desk_view.panel.message
    pay(qtbot, window, "孙兰军")
    qtbot.waitUntil(lambda: len(printer.printed) == 1)
    wait_idle(qtbot, window.ctx.tasks)
    number = printer.printed[0].number
    qtbot.waitUntil(lambda: f"收据 {number} 已打印" in line.text())
    assert "正在打印" not in line.text() and line.styleSheet() == OK_STYLE
    assert not errors


def test_a_failed_print_replaces_printing_in_red(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    line = window.desk_view.panel.message
    printer.problem = "打印机缺纸"
    pay(qtbot, window, "孙兰军")
    qtbot.waitUntil(lambda: "没有打印出来" in line.text())
    assert "打印机缺纸" in line.text() and "正在打印" not in line.text() and "已打印" not in line.text()
    assert line.styleSheet() == ERROR_STYLE
    assert not errors


def test_the_second_settlement_note_goes_when_that_settlement_is_made(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    desk = window.ctx.desk
    head = desk.users.authenticate("王村长", "567890")
    take_cash(window, "覃敏兰")
    desk.settlements.settle(desk.clock().date(), agent=window.ctx.user, head=head, counted_fen=40000)
    line = window.desk_view.panel.message
    pay(qtbot, window, "孙兰军")
    qtbot.waitUntil(lambda: "再做一次日结（第2次，F4）" in line.text() and "已打印" in line.text())
    desk.settlements.settle(desk.clock().date(), agent=window.ctx.user, head=head, counted_fen=90000)
    window.ctx.changes.ledger.emit()  # what the settle screen emits after settling
    qtbot.waitUntil(lambda: "再做一次日结" not in line.text())
    assert "已打印" in line.text()
    assert not errors


def test_a_newer_message_is_not_overwritten_by_a_late_print(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    import threading

    line, release, real_print = window.desk_view.panel.message, threading.Event(), printer.print_receipt

    def slow_print(receipt, context=None) -> None:  # type: ignore[no-untyped-def]
        release.wait(10)
        real_print(receipt, context)

    printer.print_receipt = slow_print
    pay(qtbot, window, "孙兰军")
    qtbot.waitUntil(lambda: "正在打印" in line.text())
    line.say("请先选择要缴费的人员")  # something newer said on the same line before the print came back
    release.set()
    qtbot.waitUntil(lambda: len(printer.printed) == 1)
    wait_idle(qtbot, window.ctx.tasks)
    assert line.text() == "请先选择要缴费的人员"
    assert not errors


def test_f4_drops_a_refused_amount_and_its_error_once_the_cash_changed(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.test_today_settle import open_screen

    desk = window.ctx.desk
    settle = open_screen(qtbot, window, Qt.Key.Key_F4)
    settle.remit_amount.setText("5000")
    settle.slip.setText("NB-1")
    settle.remit()
    wait_idle(qtbot, window.ctx.tasks)
    refused = settle.message.text()
    assert refused and settle.message.styleSheet() == ERROR_STYLE  # nothing settled to remit yet
    settle.refresh()  # nothing changed: the error and the amount stay
    wait_idle(qtbot, window.ctx.tasks)
    assert settle.message.text() == refused and settle.remit_amount.text() == "5000"
    take_cash(window, "吴福福")
    desk.settlements.settle(desk.clock().date(), agent=window.ctx.user, head=desk.users.authenticate("王村长", "567890"),
                            counted_fen=40000)
    window.ctx.changes.ledger.emit()
    wait_idle(qtbot, window.ctx.tasks)
    assert settle.message.text() == "" and settle.remit_amount.text() == "" and settle.slip.text() == ""
    assert not errors


def test_f3_message_about_one_day_goes_when_another_day_is_shown(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.test_today_settle import open_screen

    take_cash(window, "吴福福")
    today = open_screen(qtbot, window, Qt.Key.Key_F3)
    today.table.selectRow(0)
    today.reprint()
    qtbot.waitUntil(lambda: "已打印" in today.message.text())  # the reprint came out: said so
    today.day.setDate(today.day.date().addDays(-1))
    wait_idle(qtbot, window.ctx.tasks)
    assert today.message.text() == ""
    assert not errors
