"""First run through the Qt wizard, login with lockout, and each role's window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.domain.records import Role
from app.services.desk import Desk
from app.services.setup_flow import RosterSource, Step
from tests.gui.conftest import (
    AGENT,
    AGENT_PIN,
    DEMO,
    HEAD,
    HEAD_PIN,
    FakeClock,
    FakePrinter,
    type_text,
    wait_idle,
)
from ui.app import DeskApp
from ui.main_window import MainWindow
from ui.message import ERROR_STYLE, OK_STYLE
from ui.review_window import ReviewWindow


def make_app(qtbot, desk: Desk, printer: FakePrinter) -> DeskApp:  # type: ignore[no-untyped-def]
    app = DeskApp(desk, printer_factory=lambda _d: printer)
    app.start()
    wait_idle(qtbot, app.tasks)
    return app


def test_first_run_wizard_to_login(qtbot, tmp_path: Path, errors) -> None:  # type: ignore[no-untyped-def]
    printer = FakePrinter()
    with Desk(tmp_path, clock=FakeClock()) as desk:
        app = make_app(qtbot, desk, printer)
        wizard = app.wizard
        assert wizard is not None and app.login is None
        qtbot.addWidget(wizard)
        f = wizard.fields

        def press_enter() -> None:
            qtbot.keyClick(wizard.next_button, Qt.Key.Key_Return)
            wait_idle(qtbot, app.tasks)

        assert f["device_no"].text() == "1"  # the first PC of a village needs nothing typed here
        assert "区划代码" in f["village_code"].placeholderText()  # where the village code comes from
        for key, value in (("village_code", "341824100201"), ("township_code", "341824100")):
            qtbot.keyClicks(f[key], value)
        press_enter()
        assert wizard.flow.step is Step.DEVICE and "请改正标红的项" in wizard.message.text()
        # the problem is shown at its field, and the field has the focus
        assert wizard.field_errors["village_name"].text() == "请填写村名称"
        assert not wizard.field_errors["village_name"].isHidden() and f["village_name"].hasFocus()
        assert wizard.field_errors["village_code"].isHidden()
        type_text(f["village_name"], "示范村")
        press_enter()
        assert wizard.flow.step is Step.CONFIG
        config_page = wizard.page_of[Step.CONFIG]
        assert any("由乡镇社保中心提供" in label.text() for label in config_page.findChildren(QLabel))
        f["config_path"].setText(str(DEMO / "county-config.json"))
        press_enter()
        assert wizard.flow.step is Step.USERS
        # the hint is the rule enforced: a head's PIN has 6 digits at least
        assert (f["agent_pin"].placeholderText(), f["head_pin"].placeholderText()) == ("4–12 位数字", "6–12 位数字")
        type_text(f["agent_name"], "李代收")
        type_text(f["head_name"], "王村长")
        for key, value in (("agent_pin", "1234"), ("agent_pin_again", "1234"),
                           ("head_pin", "567890"), ("head_pin_again", "567891")):
            qtbot.keyClicks(f[key], value)
        press_enter()
        assert "不一致" in wizard.field_errors["head_pin_again"].text() and not desk.setup.initialised
        f["head_pin_again"].setText("567890")
        press_enter()
        assert wizard.flow.step is Step.ROSTER and not wizard.back_button.isEnabled()
        assert desk.setup.device.village_name == "示范村"
        assert wizard.roster_radios[RosterSource.SERVER].isEnabled()  # the county server is an option
        press_enter()  # nothing imported yet: refused in red
        refused = [e for e in wizard.field_errors.values() if not e.isHidden()]
        assert refused or wizard.message.styleSheet() == ERROR_STYLE
        f["roster_path"].setText(str(DEMO / "roster-2027.csv"))
        wizard.import_button.click()
        qtbot.waitUntil(lambda: "新增 " in wizard.import_result.text())
        # the red refusal went with the import: only the green 清册已导入 is left
        assert all(e.isHidden() for e in wizard.field_errors.values())
        assert "清册已导入" in wizard.message.text() and wizard.message.styleSheet() == OK_STYLE
        press_enter()
        assert wizard.flow.step is Step.PRINTER
        f["printer_address"].setText("127.0.0.1:9100")
        press_enter()
        assert wizard.flow.step is Step.DONE and "示范村" in wizard.summary.text()
        press_enter()
        qtbot.waitUntil(lambda: app.login is not None)
        qtbot.addWidget(app.login)
        assert desk.setup.get_setting("printer.uri") == "tcp://127.0.0.1:9100"
        assert desk.roster.search("孙兰军")
        app.shutdown()
    assert not errors


def login(qtbot, app: DeskApp, name: str, pin: str) -> None:  # type: ignore[no-untyped-def]
    dialog = app.login
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.name.count() > 0)
    dialog.name.setCurrentText(name)
    qtbot.keyClicks(dialog.pin, pin)
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    wait_idle(qtbot, app.tasks)


def test_login_lockout_and_agent_window(qtbot, desk: Desk, printer: FakePrinter, errors) -> None:  # type: ignore[no-untyped-def]
    app = make_app(qtbot, desk, printer)
    assert app.login is not None and app.wizard is None
    qtbot.addWidget(app.login)
    login(qtbot, app, AGENT, "0000")
    assert "还可再试4次" in app.login.message.text()
    for _ in range(4):
        login(qtbot, app, AGENT, "0000")
    assert "锁定15分钟" in app.login.message.text()
    login(qtbot, app, AGENT, AGENT_PIN)  # even the right PIN now waits
    assert "已锁定" in app.login.message.text() and app.window is None
    app.shutdown()
    assert not errors


def test_each_role_gets_its_window(qtbot, desk: Desk, printer: FakePrinter, errors) -> None:  # type: ignore[no-untyped-def]
    desk.users.add("赵审核", Role.TOWNSHIP, "2468", by=desk.users.authenticate(HEAD, HEAD_PIN))
    app = make_app(qtbot, desk, printer)
    qtbot.addWidget(app.login)
    login(qtbot, app, AGENT, AGENT_PIN)
    assert isinstance(app.window, MainWindow)
    qtbot.addWidget(app.window)
    assert app.window.desk_view.search.hasFocus()
    assert app.window.status.network.text() == "离线：未注册到县服务器"  # never pretends to be online
    qtbot.waitUntil(lambda: app.window.status.outbox.text().startswith("待上传 7 条"))  # setup entries wait
    app.window.close()
    app.show_login()
    qtbot.addWidget(app.login)
    login(qtbot, app, "赵审核", "2468")
    assert isinstance(app.window, ReviewWindow)
    qtbot.addWidget(app.window)
    assert "请打开村里备份的账本文件" in app.window.summary.text()
    app.shutdown()
    assert not errors


def test_a_head_with_an_old_short_pin_sets_a_new_one_at_login(qtbot, bare_desk: Desk, printer: FakePrinter, errors,  # type: ignore[no-untyped-def]
                                                              tmp_path, monkeypatch) -> None:
    import sqlite3

    from app.services.users import hash_pin
    from tests.conftest import set_up_village
    from tests.legacy import older_release

    with older_release(monkeypatch):  # users of the release before signing keys
        desk = set_up_village(bare_desk, tmp_path)

    conn = sqlite3.connect(desk.db.path)  # as an older version stored a 4-digit head PIN
    conn.execute("UPDATE user SET pin_salt = ?, pin_hash = ?, pin_kdf = 'scrypt$1024$8$1' WHERE name = ?",
                 (b"s" * 16, hash_pin("4321", b"s" * 16, "scrypt$1024$8$1"), HEAD))
    conn.commit()
    conn.close()
    app = make_app(qtbot, desk, printer)
    qtbot.addWidget(app.login)
    login(qtbot, app, HEAD, "4321")
    dialog = app.login
    assert dialog is not None and app.window is None
    assert "密码太短" in dialog.message.text() and dialog.new_pin.isVisibleTo(dialog)
    qtbot.keyClicks(dialog.new_pin, "864213")
    qtbot.keyClicks(dialog.new_pin_again, "864210")
    qtbot.mouseClick(dialog.button, Qt.MouseButton.LeftButton)
    assert "不一致" in dialog.message.text()
    dialog.new_pin_again.clear()
    qtbot.keyClicks(dialog.new_pin_again, "864213")
    qtbot.mouseClick(dialog.button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app.tasks)
    qtbot.waitUntil(lambda: app.window is not None)
    assert desk.users.authenticate(HEAD, "864213").name == HEAD
    app.window.close()
    app.shutdown()
    assert not errors


def test_the_wizard_finds_the_printers_this_pc_sees(qtbot, tmp_path, tasks, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.services.setup_flow import WizardFlow
    from printing import discover
    from printing.discover import Found
    from tests.factories import FakeClock
    from tests.gui.conftest import make_demo_home
    from ui.wizard import SetupWizard

    monkeypatch.setattr(discover, "find_printers", lambda: (
        [Found("serial", "COM3?baud=9600", "串口 COM3（USB-SERIAL CH340）"), Found("usb", "0416:5011", "USB 打印机 0416:5011")],
        ["USB 打印机需要 libusb 驱动，本机没有安装，所以没有列出 USB 打印机"]))
    make_demo_home(tmp_path / "home", FakeClock())
    with Desk(tmp_path / "home", clock=FakeClock()) as desk:
        wizard = SetupWizard(desk, tasks, WizardFlow(start=Step.PRINTER))
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.find_button.click()
        qtbot.waitUntil(lambda: wizard.found_printers.count() == 3)
        # none is chosen for the agent, and the window says so
        assert wizard.found_printers.currentIndex() == 0 and wizard.fields["printer_address"].text() == ""
        assert "尚未选择" in wizard.message.text()
        wizard.found_printers.setCurrentIndex(2)
        wizard._printer_chosen(2)
        assert (wizard.printer_kind.currentData(), wizard.fields["printer_address"].text()) == ("usb", "0416:5011")
        assert "libusb" in wizard.message.text()
