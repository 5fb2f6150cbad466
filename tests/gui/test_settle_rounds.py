"""The settle screen before and after a day's first settlement: the agent is told that later
cash needs another settlement, and that second round is offered and settled like the first."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.conftest import wait_idle
from tests.gui.test_desk import pay_at_desk
from tests.gui.test_today_settle import countersign, open_screen, take_cash


def test_late_cash_is_settled_as_the_days_second_round(qtbot, window, tmp_path, errors) -> None:  # type: ignore[no-untyped-def]
    desk = window.ctx.desk
    desk.setup.set_setting("report.dir", str(tmp_path / "reports"))
    take_cash(window, "吴福福")
    settle = open_screen(qtbot, window, Qt.Key.Key_F4)
    assert settle.title.text().startswith("待日结：2026-10-15")
    assert "再做一次日结（第2次）" in settle.note.text()  # told before settling
    settle.counts[10000].setValue(4)
    settle.settle()
    dialog = countersign(qtbot, settle)
    assert "第2次" in dialog.findChildren(type(settle.title))[0].text()  # and again in the PIN dialog
    qtbot.waitUntil(lambda: "已日结" in settle.message.text())
    wait_idle(qtbot, window.ctx.tasks)
    assert settle.title.text() == "今日已日结，没有待日结的现金" and not settle.settle_button.isEnabled()

    take_cash(window, "孙兰军")  # a villager comes after the day was settled
    wait_idle(qtbot, window.ctx.tasks)
    assert settle.title.text().startswith("第2次日结：2026-10-15") and "¥400.00" in settle.title.text()
    assert settle.settle_button.isEnabled() and "（第3次）" in settle.note.text()
    settle.counts[10000].setValue(4)
    settle.settle()
    countersign(qtbot, settle)
    qtbot.waitUntil(lambda: "已日结（第2次日结）" in settle.message.text())
    wait_idle(qtbot, window.ctx.tasks)
    assert [s.round_no for s in desk.settlements.all()] == [1, 2]
    assert settle.title.text() == "今日已日结，没有待日结的现金"
    assert not errors


def test_head_dialog_names_the_way_out_when_no_other_head_can_countersign(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.conftest import HEAD, HEAD_PIN
    from ui.pin_dialog import HeadPinDialog

    desk = window.ctx.desk
    take_cash(window, "吴福福")
    window.ctx.user = desk.users.authenticate(HEAD, HEAD_PIN)  # the only head settles: nobody else may countersign
    settle = open_screen(qtbot, window, Qt.Key.Key_F4)
    settle.counts[10000].setValue(4)
    settle.settle()
    dialog = next(d for d in settle.findChildren(HeadPinDialog) if d.isVisible())
    wait_idle(qtbot, window.ctx.tasks)
    assert dialog.name.count() == 0
    assert "没有可以会签的另一位村委会负责人" in dialog.message.text()
    # What to do in the window, and whom to call in a village with no administrator: no command line.
    assert "「设置 F6 → 用户和 PIN」添加另一位村委会负责人账户" in dialog.message.text()
    assert "本机没有管理员时，请打电话给乡镇社保所" in dialog.message.text()
    assert "daishou" not in dialog.message.text()
    dialog.reject()
    assert not errors


def test_cash_after_the_days_settlement_is_said_to_need_another(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    desk = window.ctx.desk
    take_cash(window, "吴福福")
    desk.settlements.settle(desk.clock().date(), agent=window.ctx.user, head=desk.users.authenticate("王村长", "567890"),
                            counted_fen=40000)
    d = window.desk_view
    pay_at_desk(qtbot, window, "孙兰军", "900")
    qtbot.waitUntil(lambda: "再做一次日结（第2次，F4）" in d.panel.message.text())
    assert "已收款 ¥900.00" in d.panel.message.text()
    qtbot.waitUntil(lambda: len(printer.printed) == 1)  # the receipt prints on the printer's thread (正在打印)
    assert not errors
