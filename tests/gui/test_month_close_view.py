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
