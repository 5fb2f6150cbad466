"""Settings, the progress chart, and every table model under qtmodeltester."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.domain.insurance import Insurance
from app.services.payment import PaymentDraft
from app.services.receipts import LineRequest
from tests.gui.conftest import wait_idle
from ui.models import HouseholdModel, PersonTableModel, ReceiptTableModel
from ui.printer import EscposPrinter


def test_settings_save_printer_server_backup_and_large_text(qtbot, window, qapp, errors) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_F6)
    wait_idle(qtbot, window.ctx.tasks)
    s = window.settings_view
    assert "李代收（代收员）" in s.users.text()
    s.kind.setCurrentIndex(s.kind.findData("tcp"))
    s.address.setText("192.168.1.50:9100")
    s.paper_width.setCurrentIndex(s.paper_width.findData(80))
    s.server.setText("https://county.example/daishou")
    s.backup.setText("/media/usb/daishou")
    s.large.setChecked(True)
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: s.message.text() == "设置已保存")
    setup = window.ctx.desk.setup
    assert setup.get_setting("printer.uri") == "tcp://192.168.1.50:9100"
    assert (setup.get_setting("printer.width"), setup.get_setting("ui.large_text")) == ("80", "1")
    assert setup.get_setting("backup.dir") == "/media/usb/daishou"
    assert isinstance(window.ctx.printer, EscposPrinter) and window.ctx.printer.settings.width_mm == 80
    assert "192.168.1.50" in window.status.printer.text()
    assert qapp.font().pointSize() == 15
    s.large.setChecked(False)
    s.save()
    qtbot.waitUntil(lambda: qapp.font().pointSize() == 10)
    assert not errors


def test_settings_users_and_pin_change(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    s = window.settings_view
    window.show_screen(s)
    wait_idle(qtbot, window.ctx.tasks)
    assert not s.add_user_button.isEnabled()  # an agent cannot add users
    s.old_pin.setText("1234")
    s.changed_pin.setText("4321")
    s.change_pin()
    qtbot.waitUntil(lambda: s.message.text() == "密码已修改")
    window.ctx.desk.users.authenticate("李代收", "4321")
    s.old_pin.setText("9999")
    s.changed_pin.setText("1111")
    s.change_pin()
    qtbot.waitUntil(lambda: "密码错误" in s.message.text())
    assert not errors


def test_test_print_uses_the_printer_typed(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    s = window.settings_view
    window.show_screen(s)
    wait_idle(qtbot, window.ctx.tasks)
    s.address.clear()
    s.test_print()
    qtbot.waitUntil(lambda: "尚未设置" in s.message.text())
    assert not errors


def test_models(qtmodeltester, window) -> None:  # type: ignore[no-untyped-def]
    desk = window.ctx.desk
    people = desk.roster.search("孙", limit=50)
    persons = PersonTableModel()
    persons.set_people(people)
    qtmodeltester.check(persons)

    household = HouseholdModel()
    sun = desk.roster.search("孙兰军")[0].id_number
    household.set_draft(PaymentDraft(desk.setup.config, desk.roster.household(sun), chosen_id=sun))
    qtmodeltester.check(household)
    assert household.setData(household.index(0, HouseholdModel.CHECK), Qt.CheckState.Unchecked.value,
                             Qt.ItemDataRole.CheckStateRole)
    qtmodeltester.check(household)

    member = desk.roster.search("吴福福")[0]
    number = desk.receipts.record(window.ctx.user, [LineRequest(member.id_number, Insurance.MEDICAL, 2027)],
                                  cash_fen=40000).number
    receipts = ReceiptTableModel()
    receipts.set_receipts(desk.receipts.list())
    qtmodeltester.check(receipts)
    assert receipts.data(receipts.index(0, 0)) == number


def test_an_administrator_unlocks_and_resets_a_pin_from_the_window(qtbot, tasks, printer, tmp_path, errors) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from app.services.desk import Desk
    from app.services.errors import AuthError
    from tests.conftest import ADMIN, ADMIN_PIN, set_up_village
    from tests.factories import FakeClock
    from tests.gui.conftest import AGENT, FakeFiles
    from ui.context import WindowContext
    from ui.main_window import MainWindow

    desk = Desk(tmp_path / "home", clock=FakeClock())
    set_up_village(desk, tmp_path, admin=True)  # the township's administrator set the PC up
    admin = desk.users.authenticate(ADMIN, ADMIN_PIN)
    for _ in range(5):
        with pytest.raises(AuthError):
            desk.users.authenticate(AGENT, "0000")
    window = MainWindow(WindowContext(desk, tasks, admin, printer, files=FakeFiles()))
    qtbot.addWidget(window)
    window.show()
    window.start()
    s = window.settings_view
    window.show_screen(s)
    wait_idle(qtbot, window.ctx.tasks)
    assert s.unlock_button.isEnabled() and s.reset_pin_button.isEnabled()
    s.admin_user.setCurrentIndex(s.admin_user.findData(AGENT))
    assert "已锁定" in s.admin_user.currentText()
    s.unlock_button.click()
    qtbot.waitUntil(lambda: s.message.text() == f"已解除「{AGENT}」的锁定")
    assert desk.users.authenticate(AGENT, "1234").name == AGENT
    s.admin_user.setCurrentIndex(s.admin_user.findData(AGENT))
    s.admin_new_pin.setText("8642")
    s.reset_pin_button.click()
    qtbot.waitUntil(lambda: "已为「李代收」设置新密码" in s.message.text())
    assert desk.users.authenticate(AGENT, "8642").name == AGENT and desk.verify().ok
    assert not errors
    window.close()
    desk.close()


def test_only_an_administrator_has_the_unlock_and_reset_buttons(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    s = window.settings_view
    assert not s.unlock_button.isEnabled() and "需由管理员登录" in s.unlock_button.toolTip()
