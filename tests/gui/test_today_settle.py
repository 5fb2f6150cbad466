"""今日收据 (reprint, void with the head's PIN) and 日结 / 解缴."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.domain.insurance import Insurance
from app.services.receipts import LineRequest
from tests.gui.conftest import HEAD_PIN, FakeFiles, wait_idle
from tests.printing.pdftext import read_pdf


def take_cash(window, name: str, insurance: Insurance = Insurance.MEDICAL) -> str:  # type: ignore[no-untyped-def]
    desk = window.ctx.desk
    person = desk.roster.search(name)[0]
    receipt = desk.receipts.record(window.ctx.user, [LineRequest(person.id_number, insurance, 2027)],
                                   cash_fen=40000)
    window.ctx.changes.receipts.emit()
    return receipt.number


def open_screen(qtbot, window, key: Qt.Key):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, key)
    wait_idle(qtbot, window.ctx.tasks)
    return window.tabs.currentWidget()


def countersign(qtbot, view, pin: str = HEAD_PIN, reason: str | None = None):  # type: ignore[no-untyped-def]
    from ui.pin_dialog import HeadPinDialog

    dialog = next(d for d in view.findChildren(HeadPinDialog) if d.isVisible())
    qtbot.waitUntil(lambda: dialog.name.count() > 0)
    if reason is not None:
        dialog.reason.setText(reason)
    qtbot.keyClicks(dialog.pin, pin)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    return dialog


def test_reprint_is_a_copy(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    number = take_cash(window, "吴福福")
    window.ctx.desk.receipts.record_print(number, ok=True)
    today = open_screen(qtbot, window, Qt.Key.Key_F3)
    assert today is window.today_view
    assert today.model.rowCount() == 1 and "1次" in today.model.data(today.model.index(0, 7))
    assert "¥400.00" in today.cash.text()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(printer.printed) == 1)
    wait_idle(qtbot, window.ctx.tasks)
    assert printer.printed[0].prints == 1  # the renderer marks it 补打
    assert "补打" in today.message.text()
    qtbot.waitUntil(lambda: "2次" in today.model.data(today.model.index(0, 7)))
    assert not errors


def test_void_needs_reason_and_head_pin(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    number = take_cash(window, "吴福福")
    today = open_screen(qtbot, window, Qt.Key.Key_F3)
    qtbot.keyClick(window, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    dialog = countersign(qtbot, today, pin="0000", reason="收错人了")
    qtbot.waitUntil(lambda: "密码错误" in dialog.message.text())
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.pin, HEAD_PIN)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "已作废" in today.message.text())
    wait_idle(qtbot, window.ctx.tasks)
    receipt = window.ctx.desk.receipts.get(number)
    assert receipt.void is not None and receipt.void.head == "王村长" and receipt.void.reason == "收错人了"
    assert "已作废" in today.model.data(today.model.index(0, 6))
    assert not errors


def test_void_without_reason_is_refused_in_the_dialog(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    take_cash(window, "吴福福")
    today = open_screen(qtbot, window, Qt.Key.Key_F3)
    today.void()
    dialog = countersign(qtbot, today, reason="")
    assert dialog.message.text() == "请填写原因" and dialog.isVisible()
    dialog.reject()
    assert not errors


def test_settlement_with_a_difference_then_remittance(qtbot, window, tmp_path, errors) -> None:  # type: ignore[no-untyped-def]
    window.ctx.desk.setup.set_setting("backup.dir", str(tmp_path / "usb"))
    take_cash(window, "吴福福")
    take_cash(window, "孙兰军")
    settle = open_screen(qtbot, window, Qt.Key.Key_F4)
    assert "应有现金 ¥800.00" in settle.title.text()
    settle.counts[10000].setValue(7)
    settle.counts[5000].setValue(1)
    settle.counts[1000].setValue(4)  # 790 yuan: ten short
    assert settle.difference.text() == "短款 ¥10.00"
    qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert "差额原因" in settle.message.text()
    settle.reason.setText("找零时多找了十元")
    settle.settle()
    countersign(qtbot, settle)
    qtbot.waitUntil(lambda: "已日结" in settle.message.text())
    wait_idle(qtbot, window.ctx.tasks)
    (s,) = window.ctx.desk.settlements.all()
    assert (s.expected_fen, s.counted_fen, s.difference_fen) == (80000, 79000, -1000)
    assert s.denominations == {10000: 7, 5000: 1, 1000: 4} and s.head == "王村长"
    assert "今日已日结" in settle.title.text()
    # The window's settlement backs up like the command line's: one verified copy on the stick,
    # sealed with age (tests/core/test_sealing.py opens it).
    (copy,) = (tmp_path / "usb").glob("daishou-*.sqlite3.age")
    assert f"已备份到 {copy}" in settle.message.text()

    # The day's sheet and ledger are printed as PDFs into the backup folder, off the GUI thread.
    qtbot.waitUntil(lambda: "日结单和台账已保存" in settle.message.text(), timeout=20000)
    assert "已日结" in settle.message.text()
    sheet, ledger = settle.printed
    assert sheet == tmp_path / "usb" / "日结单-2026-10-15-设备1.pdf"
    sheet_text = read_pdf(sheet.read_bytes()).all.replace(" ", "")
    assert "找零时多找了十元" in sheet_text and "王村长" in sheet_text
    ledger_text = read_pdf(ledger.read_bytes()).all.replace(" ", "")
    assert "吴福福" in ledger_text and "孙兰军" in ledger_text
    assert window.ctx.files.asked == 0  # the folder came from the settings

    settle.remit_amount.setText("800")
    settle.slip.setText("NB-2026-0001")
    settle.remit()
    qtbot.waitUntil(lambda: settle.message.text() != "" and "解缴" in settle.message.text())
    assert "超过" in settle.message.text()  # only the 790 counted can go to the bank
    settle.remit_amount.setText("790")
    window.activateWindow()  # the offscreen platform does not give it back after the PIN dialog
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "已登记解缴" in settle.message.text())
    wait_idle(qtbot, window.ctx.tasks)
    (r,) = window.ctx.desk.settlements.remittances()
    assert (r.slip_no, r.amount_fen) == ("NB-2026-0001", 79000)
    assert "NB-2026-0001" in settle.remittances.text()
    assert not errors


def test_settled_day_printed_again_into_a_folder_the_agent_picks(qtbot, window, tmp_path, errors) -> None:  # type: ignore[no-untyped-def]
    desk = window.ctx.desk
    take_cash(window, "吴福福")
    desk.settlements.settle(desk.clock().date(), agent=window.ctx.user, head=desk.users.authenticate("王村长", "567890"),
                            counted_fen=40000, denominations={10000: 4})
    window.ctx.changes.ledger.emit()
    settle = open_screen(qtbot, window, Qt.Key.Key_F4)
    assert settle.print_button.isEnabled() and settle.papers.days.currentText() == "2026-10-15"
    window.ctx.files = FakeFiles(folder=tmp_path / "报表")
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # Ctrl+L is log out
    qtbot.waitUntil(lambda: "日结单和台账已保存" in settle.message.text(), timeout=20000)
    assert window.ctx.files.asked == 1
    assert sorted(p.name for p in (tmp_path / "报表").iterdir()) == [
        "台账-2026-10-15-设备1.pdf", "日结单-2026-10-15-设备1.pdf"]
    assert not errors


def test_any_days_receipt_opened_reprinted_refunded_and_the_days_posting(  # type: ignore[no-untyped-def]
        qtbot, window, printer, clock, tmp_path, errors) -> None:
    from datetime import timedelta

    desk = window.ctx.desk
    number = take_cash(window, "吴福福")
    day1 = clock().date()
    head = desk.users.authenticate("王村长", HEAD_PIN)
    desk.settlements.settle(day1, agent=window.ctx.user, head=head, counted_fen=40000)
    clock.next_day()
    take_cash(window, "覃敏兰")
    view = open_screen(qtbot, window, Qt.Key.Key_F3)
    assert view.model.rowCount() == 1 and view.shown_day == day1 + timedelta(days=1)  # today first
    view.day.setDate(view.day.date().addDays(-1))  # the day before: its receipts, not only today's
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and view.model.receipts[0].number == number)
    view.table.selectRow(0)
    view.show_detail()
    qtbot.waitUntil(lambda: view.detail_dialog is not None and view.detail_dialog.isVisible())
    text = view.detail_dialog.text.text()
    assert number in text and "吴福福" in text and "城乡居民基本医疗保险" in text
    assert "王村长" in text and "第1次日结会签" in text and "还没有打印" in text
    view.detail_dialog.reprint_button.click()
    qtbot.waitUntil(lambda: len(printer.printed) == 1)
    view.detail_dialog.refund_button.click()
    countersign(qtbot, view, reason="已在银行代扣缴费")
    qtbot.waitUntil(lambda: "已提交退费申请" in view.message.text())
    assert desk.receipts.get(number).refund is not None
    qtbot.waitUntil(lambda: view.model.data(view.model.index(0, 6)) == "有效，已申请退费")
    window.ctx.files = FakeFiles(folder=tmp_path)
    view.posting_button.click()  # the button, as the agent does (it once passed `checked` as the folder)
    qtbot.waitUntil(lambda: "已生成" in view.message.text())
    posted = tmp_path / f"公示-{day1.isoformat()}.pdf"
    assert posted.exists() and "吴福福" in read_pdf(posted.read_bytes()).all
    assert not errors
