"""The desk: search with Chinese input, household payment, sign-off, refusals and the override."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt

from app.domain.insurance import Insurance
from app.services.receipts import LineRequest
from tests.gui.conftest import type_text, wait_idle
from ui.models import HouseholdModel


def find_and_choose(qtbot, window, name: str) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    type_text(d.search, name)
    qtbot.waitUntil(lambda: d.results_model.rowCount() > 0 and d.results_model.people[0].name == name)
    qtbot.keyClick(d.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: d.household_model.draft is not None)
    wait_idle(qtbot, window.ctx.tasks)


def pay_at_desk(qtbot, window, name: str, cash: str) -> None:  # type: ignore[no-untyped-def]
    """Find `name`'s household, type `cash` yuan tendered for what is ticked and press F12."""
    find_and_choose(qtbot, window, name)
    qtbot.keyClicks(window.desk_view.panel.cash, cash)
    qtbot.keyClick(window, Qt.Key.Key_F12)


def check_row(model: HouseholdModel, row: int, checked: bool = True) -> None:
    state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
    assert model.setData(model.index(row, HouseholdModel.CHECK), state.value, Qt.ItemDataRole.CheckStateRole)


def rows_of(model: HouseholdModel, name: str) -> list[int]:
    assert model.draft is not None
    return [i for i, line in enumerate(model.draft.lines) if line.name == name]


def test_search_box_has_focus_and_finds_by_chinese_name(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    assert d.search.hasFocus()
    type_text(d.search, "孙兰")
    qtbot.waitUntil(lambda: d.results_model.rowCount() == 1)
    assert d.results_model.data(d.results_model.index(0, 0)) == "孙兰军"
    assert "养老500.00" in d.results_model.data(d.results_model.index(0, 1))
    assert d.results_model.headers[:2] == ("姓名", "待缴") and "联系电话" in d.results_model.headers
    assert not errors


def test_record_one_person_with_keyboard_only(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    find_and_choose(qtbot, window, "孙兰军")
    assert d.panel.cash.hasFocus()
    assert d.panel.total.text() == "合计 ¥900.00"
    assert d.panel.words.text() == "玖佰元整"
    qtbot.keyClicks(d.panel.cash, "1000")
    assert d.panel.change.text() == "找零 ¥100.00"
    qtbot.keyClick(d.panel.cash, Qt.Key.Key_Return)  # Enter moves to the record key ...
    assert d.panel.record.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_F12)  # ... and the one record key takes the money
    qtbot.waitUntil(lambda: len(printer.printed) == 1)
    wait_idle(qtbot, window.ctx.tasks)
    receipt = printer.printed[0]
    assert receipt.total_fen == 90000 and receipt.change_fen == 10000
    assert receipt.payer_name == "孙兰军" and receipt.agent == "李代收"
    assert "找零 ¥100.00" in d.panel.message.text()
    assert d.search.hasFocus() and d.search.text() == ""
    assert window.ctx.desk.receipts.get(receipt.number).prints == 1
    assert "¥900.00" in window.status.cash.text()
    assert not errors


def test_household_payment_with_another_tier_and_signature(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    find_and_choose(qtbot, window, "孙兰军")
    model = d.household_model
    zhu = rows_of(model, "朱秀静")
    for row in zhu:
        check_row(model, row)
    pension = next(r for r in zhu if model.draft.lines[r].insurance is Insurance.PENSION)  # type: ignore[union-attr]
    model.setData(model.index(pension, HouseholdModel.TIER), 30000)
    assert d.panel.total.text() == "合计 ¥1,600.00"
    d.panel.radios[d.panel.signoff_kind.SIGNATURE].setChecked(True)
    qtbot.keyClicks(d.panel.cash, "1600")
    d.panel.record.click()
    assert "签名板" in d.panel.message.text()  # no signature yet: refused in place
    d.panel.pad.add_stroke([QPointF(20, 60), QPointF(80, 30), QPointF(140, 70)])
    d.panel.record.click()
    qtbot.waitUntil(lambda: len(printer.printed) == 1)
    receipt = printer.printed[0]
    assert {(ln.name, ln.insurance, ln.tier_fen) for ln in receipt.lines} == {
        ("孙兰军", Insurance.PENSION, 50000), ("孙兰军", Insurance.MEDICAL, None),
        ("朱秀静", Insurance.PENSION, 30000), ("朱秀静", Insurance.MEDICAL, None)}
    assert receipt.signature_sha256
    png = window.ctx.desk.receipts.signature(receipt.signature_sha256)
    assert png is not None and png.startswith(b"\x89PNG")
    assert not errors


def test_already_paid_behind_the_desks_back_is_refused_in_place(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    find_and_choose(qtbot, window, "何梅德")
    desk = window.ctx.desk
    person = d.household_model.draft.lines[0]  # type: ignore[union-attr]
    # Another device (or the command line) takes the same money while the household is open.
    desk.receipts.record(window.ctx.user, [LineRequest(person.id_number, Insurance.MEDICAL, 2027)],
                         cash_fen=40000)
    qtbot.keyClicks(d.panel.cash, "400")
    qtbot.keyClick(window, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: "不能重复收取" in d.panel.message.text())
    assert not printer.printed and not errors
    # The paid line of a freshly loaded household cannot even be ticked.
    find_and_choose(qtbot, window, "何梅德")
    assert not d.household_model.draft.chosen  # type: ignore[union-attr]
    assert d.household_model.draft.lines[0].status.startswith("已缴（收据")  # type: ignore[union-attr]


def test_wrong_amount_asks_for_a_reason_then_records_it(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    find_and_choose(qtbot, window, "何梅德")
    model = d.household_model
    assert model.setData(model.index(0, HouseholdModel.AMOUNT), "380")
    assert d.panel.total.text() == "合计 ¥380.00"
    qtbot.keyClicks(d.panel.cash, "380")
    qtbot.keyClick(window, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: d.panel.override.isVisible())
    assert "与应缴 400.00 元不符" in d.panel.message.text()
    assert d.panel.override.hasFocus() and not printer.printed
    type_text(d.panel.override, "县里通知本户减免20元")
    qtbot.keyClick(d.panel.override, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(printer.printed) == 1)
    assert printer.printed[0].override_reason == "县里通知本户减免20元"
    assert not d.panel.override.isVisible()
    assert not errors


def test_unsettled_earlier_day_blocks_new_cash(qtbot, window, clock, printer, errors) -> None:  # type: ignore[no-untyped-def]
    desk = window.ctx.desk
    person = desk.roster.search("吴福福")[0]
    desk.receipts.record(window.ctx.user, [LineRequest(person.id_number, Insurance.MEDICAL, 2027)],
                         cash_fen=40000)
    clock.next_day()
    d = window.desk_view
    pay_at_desk(qtbot, window, "孙兰军", "900")
    qtbot.waitUntil(lambda: "尚未日结" in d.panel.message.text())
    assert not d.panel.override.isVisible()  # no reason lifts 日清日结
    assert not printer.printed and not errors


def test_too_little_cash_and_nobody_ticked_are_said_in_place(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    qtbot.keyClick(window, Qt.Key.Key_F12)
    assert "勾选" in d.panel.message.text()
    find_and_choose(qtbot, window, "孙兰军")
    qtbot.keyClicks(d.panel.cash, "500")
    assert d.panel.change.text() == "还差 ¥400.00"
    qtbot.keyClick(window, Qt.Key.Key_F12)
    assert "少于合计" in d.panel.message.text()
    assert not errors


def test_printer_failure_keeps_the_receipt_and_says_to_reprint(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    printer.problem = "打印机缺纸，请装入热敏纸"
    d = window.desk_view
    pay_at_desk(qtbot, window, "孙兰军", "900")
    qtbot.waitUntil(lambda: "补打" in d.panel.message.text())
    wait_idle(qtbot, window.ctx.tasks)
    assert "缺纸" in window.status.printer.text()
    (receipt,) = window.ctx.desk.receipts.list()
    assert receipt.prints == 0
    assert not errors


def test_an_empty_roster_is_said_where_the_agent_types_with_the_way_to_import(  # type: ignore[no-untyped-def]
        qtbot, tmp_path, tasks, printer, errors) -> None:
    from tests.factories import FakeClock
    from tests.gui.conftest import AGENT, AGENT_PIN, DEMO, FakeFiles, make_demo_home
    from ui.context import WindowContext
    from ui.main_window import MainWindow

    clock = FakeClock()
    make_demo_home(tmp_path / "fresh", clock, roster=False)
    from app.services.desk import Desk

    with Desk(tmp_path / "fresh", clock=clock) as desk:
        files = FakeFiles(open_=DEMO / "roster-2027.csv")
        ctx = WindowContext(desk, tasks, desk.users.authenticate(AGENT, AGENT_PIN), printer, files=files)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        window.start()
        view = window.desk_view
        qtbot.waitUntil(view.empty_roster.isVisible)
        assert "本机还没有征收清册" in view.empty_roster_text.text()
        view.import_button.click()  # the window's import, from where the agent is
        qtbot.waitUntil(lambda: not desk.roster.is_empty(), timeout=15000)
        qtbot.waitUntil(view.empty_roster.isHidden, timeout=15000)  # the bar goes once the roster is in
        assert not errors
