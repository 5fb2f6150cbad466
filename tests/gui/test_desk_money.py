"""Money that cannot go wrong at the desk: implausible cash is confirmed, the change stays on
screen, every payer starts from a clean draft, 全户, subsidies and nothing-left households."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt

from app.domain.insurance import Insurance
from app.domain.records import PayerSignoff
from tests.gui.conftest import type_text, wait_idle
from tests.gui.test_desk import check_row, find_and_choose, pay_at_desk, rows_of
from ui.models import HouseholdModel


def test_implausible_cash_is_asked_with_back_as_default(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    pay_at_desk(qtbot, window, "孙兰军", "90000")  # 合计 ¥900.00; two zeros too many
    qtbot.waitUntil(lambda: d.confirm_box is not None)  # the service's rule asks, on the worker
    box = d.confirm_box
    assert box is not None and box.isVisible()
    assert box.text() == "收 ¥90,000.00，找零 ¥89,100.00，确认？"
    assert box.defaultButton().text() == "返回修改"
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter takes the default: back to fix the cash
    qtbot.waitUntil(lambda: not box.isVisible())
    wait_idle(qtbot, window.ctx.tasks)
    assert not printer.printed and window.ctx.desk.receipts.list() == []
    assert d.panel.cash.text() == "90000" and d.household_model.draft is not None

    qtbot.keyClick(window, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: d.confirm_box is not None)
    box = d.confirm_box
    assert box is not None
    confirm = next(b for b in box.buttons() if b.text() == "确认收款")
    confirm.click()
    qtbot.waitUntil(lambda: len(printer.printed) == 1)
    wait_idle(qtbot, window.ctx.tasks)
    assert printer.printed[0].change_fen == 8910000
    # The change stays large while the agent counts it out and starts typing the next name ...
    assert d.panel.last_change.isVisible() and d.panel.last_change.text() == "请找零 ¥89,100.00"
    type_text(d.search, "何梅德")
    qtbot.waitUntil(lambda: d.results_model.rowCount() > 0)
    assert d.panel.last_change.isVisible()
    # ... until the next payer is chosen.
    qtbot.keyClick(d.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: d.household_model.draft is not None)
    wait_idle(qtbot, window.ctx.tasks)
    assert not d.panel.last_change.isVisible()
    assert not errors


def test_ordinary_change_records_without_a_question(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    pay_at_desk(qtbot, window, "孙兰军", "1000")
    assert d.confirm_box is None
    qtbot.waitUntil(lambda: len(printer.printed) == 1)
    assert d.panel.last_change.text() == "请找零 ¥100.00"
    assert not errors


def dirty_the_draft(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Everything an agent can set for one household: 全户, another tier, cash, a signature."""
    d = window.desk_view
    find_and_choose(qtbot, window, "孙兰军")
    qtbot.keyClick(window, Qt.Key.Key_F8)
    model = d.household_model
    pension = rows_of(model, "朱秀静")[0]
    model.setData(model.index(pension, HouseholdModel.TIER), 100000)
    qtbot.keyClicks(d.panel.cash, "5000")
    d.panel.pad.add_stroke([QPointF(20, 60), QPointF(80, 30)])
    d.panel.override.setVisible(True)
    assert d.panel.signoff_kind is PayerSignoff.SIGNATURE
    assert len(model.draft.chosen) == 6  # type: ignore[union-attr]


def assert_clean(d, id_number: str | None) -> None:  # type: ignore[no-untyped-def]
    p = d.panel
    assert p.cash.text() == "" and p.pad.is_empty and p.signoff_kind is PayerSignoff.PAPER
    assert not p.override.isVisible() and p.override.text() == ""
    draft = d.household_model.draft
    if id_number is None:
        assert draft is None and p.total.text() == "合计 ¥0.00"
        return
    assert draft is not None
    assert {ln.id_number for ln in draft.chosen} == {id_number}
    assert all(ln.tier_fen in (None, 20000, 50000, 100000) for ln in draft.lines)
    zhu = [ln for ln in draft.lines if ln.name == "朱秀静" and ln.insurance is Insurance.PENSION]
    assert not zhu or zhu[0].tier_fen == 20000  # the roster's tier, not the one picked before


def test_escape_starts_a_clean_draft(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    dirty_the_draft(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert_clean(d, None)
    assert d.search.hasFocus() and d.search.text() == ""
    find_and_choose(qtbot, window, "孙兰军")
    sun = d.household_model.draft.chosen[0].id_number  # type: ignore[union-attr]
    assert_clean(d, sun)
    assert not errors


def test_new_payer_starts_a_clean_draft(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    dirty_the_draft(qtbot, window)
    d.search.clear()
    find_and_choose(qtbot, window, "朱秀静")  # same household, another payer, no Esc
    zhu = next(ln.id_number for ln in d.household_model.draft.lines if ln.name == "朱秀静")  # type: ignore[union-attr]
    assert_clean(d, zhu)
    assert d.panel.total.text() == "合计 ¥600.00"
    assert not errors


def test_whole_household_key_and_button(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    assert d.whole_household.text() == "全户（F8）" and not d.whole_household.isEnabled()
    find_and_choose(qtbot, window, "孙兰军")
    assert d.panel.total.text() == "合计 ¥900.00"
    qtbot.keyClick(window, Qt.Key.Key_F8)
    # 孙兰军 500+400, 朱秀静 200+400, 王䶮 1000+400
    assert d.panel.total.text() == "合计 ¥2,900.00"
    assert d.household_model.data(d.household_model.index(0, HouseholdModel.CHECK),
                                  Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    d.whole_household.click()  # again: untick all
    assert d.panel.total.text() == "合计 ¥0.00"
    check_row(d.household_model, 0)
    assert d.panel.total.text() != "合计 ¥0.00"
    assert not errors


def test_subsidy_is_shown_beside_what_is_due(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    find_and_choose(qtbot, window, "胡珍敏")  # 低保
    model = d.household_model
    shown = {model.data(model.index(r, HouseholdModel.INSURANCE)): model.data(model.index(r, HouseholdModel.DUE))
             for r in rows_of(model, "胡珍敏")}
    assert shown == {"医疗": "120.00\n（政府资助 280.00）", "养老": "400.00\n（政府资助 100.00）"}
    assert not errors


def test_f12_on_a_household_with_nothing_left_says_so(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    d = window.desk_view
    pay_at_desk(qtbot, window, "何梅德", "400")  # the other member paid through another channel
    qtbot.waitUntil(lambda: len(printer.printed) == 1)
    wait_idle(qtbot, window.ctx.tasks)
    find_and_choose(qtbot, window, "何梅德")
    assert "本户没有需要收款的项目" in d.panel.message.text()
    assert not d.whole_household.isEnabled()
    d.panel.message.clear()
    qtbot.keyClick(window, Qt.Key.Key_F12)
    assert "本户没有需要收款的项目" in d.panel.message.text() and "已缴" in d.panel.message.text()
    assert len(printer.printed) == 1
    assert not errors


def test_only_head_taking_cash_is_told_why_and_what_to_do(qtbot, window, printer, errors) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.conftest import HEAD, HEAD_PIN

    window.ctx.user = window.ctx.desk.users.authenticate(HEAD, HEAD_PIN)  # the village head is at the desk
    d = window.desk_view
    pay_at_desk(qtbot, window, "孙兰军", "900")
    qtbot.waitUntil(lambda: "唯一的村委会负责人" in d.panel.message.text())
    assert "添加另一位村委会负责人" in d.panel.message.text()
    assert not printer.printed and window.ctx.desk.receipts.list() == []
    assert not errors
