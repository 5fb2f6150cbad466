"""月结 on the 日结与解缴 screen (F4): shown once a month with cash has ended, the cash on hand
counted, the head's PIN, and the month closed."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt

from app.domain.records import Role
from tests.gui.conftest import HEAD, HEAD_PIN, FakeClock, wait_idle
from tests.gui.test_today_settle import countersign, open_screen, take_cash


def test_the_month_is_closed_from_the_settle_screen(qtbot, window, clock: FakeClock, errors) -> None:  # type: ignore[no-untyped-def]
    desk = window.ctx.desk
    take_cash(window, "吴福福")
    head = desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,))
    desk.settlements.settle(clock().date(), agent=window.ctx.user, head=head, counted_fen=40000)
    settle = open_screen(qtbot, window, Qt.Key.Key_F4)
    assert not settle.month_box.isVisibleTo(settle)  # October has not ended
    clock.now = datetime(2026, 10, 31, 18, 0)
    settle.refresh()
    wait_idle(qtbot, window.ctx.tasks)
    assert settle.month_box.isVisibleTo(settle)
    assert "2026-10：收据 1 张" in settle.month_figures.text() and "月末手头应有 ¥400.00" in settle.month_figures.text()
    settle.month_counted.setText("300")
    settle.close_month()
    assert "请先填写差额原因" in settle.message.text()  # nothing asked of the head yet
    settle.month_counted.setText("400")
    settle.close_month()
    countersign(qtbot, settle)
    wait_idle(qtbot, window.ctx.tasks)
    assert "2026-10 已月结" in settle.message.text()
    assert desk.months.figures("2026-10").closed and desk.verify().ok
    qtbot.waitUntil(lambda: not settle.month_box.isVisibleTo(settle))
    assert desk.months.due() is None and date(2026, 10, 31) == clock().date()
    assert not errors


def test_an_earlier_days_sheet_and_a_closed_months_sheet_from_f4(  # type: ignore[no-untyped-def]
        qtbot, window, clock: FakeClock, tmp_path, errors) -> None:
    from tests.gui.conftest import FakeFiles
    from tests.printing.pdftext import read_pdf

    desk = window.ctx.desk
    head = desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,))
    take_cash(window, "吴福福")  # 2026-10-15
    desk.settlements.settle(clock().date(), agent=window.ctx.user, head=head, counted_fen=40000)
    clock.now = datetime(2026, 11, 2, 9, 0)
    desk.months.close("2026-10", agent=window.ctx.user, head=head, counted_fen=40000)
    take_cash(window, "覃敏兰")  # 2026-11-02
    desk.settlements.settle(clock().date(), agent=window.ctx.user, head=head, counted_fen=40000)
    window.ctx.files = FakeFiles(folder=tmp_path / "报表")
    settle = open_screen(qtbot, window, Qt.Key.Key_F4)
    wait_idle(qtbot, window.ctx.tasks)
    days = [settle.papers.days.itemText(i) for i in range(settle.papers.days.count())]
    assert days == ["2026-11-02", "2026-10-15"] and settle.papers.months.currentText() == "2026-10"
    settle.papers.days.setCurrentIndex(1)  # the earlier day, then Ctrl+D
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "日结单和台账已保存" in settle.message.text(), timeout=20000)
    sheet = tmp_path / "报表" / "日结单-2026-10-15-设备1.pdf"
    assert "吴福福" in read_pdf((tmp_path / "报表" / "台账-2026-10-15-设备1.pdf").read_bytes()).all
    assert sheet.exists()
    window.activateWindow()  # the offscreen platform does not give it back after the progress dialog
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "月结单已保存" in settle.message.text(), timeout=20000)
    text = read_pdf((tmp_path / "报表" / "月结单-2026-10-设备1.pdf").read_bytes()).all.replace(" ", "")
    assert "2026-10" in text and "400.00" in text
    assert window.ctx.files.asked == 1  # the folder was asked once, then remembered
    assert not errors
