"""入户 (F7) as the agent sees it: the tax office's failed debits imported with Ctrl+O put the
person first, rows refused are named; a receipt taken on the desk takes them off the list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from app.domain.insurance import Insurance
from app.services.receipts import LineRequest
from tests.door.conftest import write_list
from tests.gui.conftest import FakeFiles, wait_idle
from ui.door_view import DoorTableModel

SUN = ("341824197701025493", "孙兰军")


def test_the_agent_imports_failed_debits_and_cash_takes_the_person_off(  # type: ignore[no-untyped-def]
        qtbot, qtmodeltester, window, errors, tmp_path: Path) -> None:
    path = write_list(tmp_path / "failed.csv", [(*SUN, "2026-10-14", "余额不足"),
                                                ("110101199003070011", "外村人", "", "")])
    window.ctx.files = FakeFiles(open_=path)
    qtbot.keyClick(window, Qt.Key.Key_F7)
    wait_idle(qtbot, window.ctx.tasks)
    view = window.door_view
    assert window.tabs.currentWidget() is view and view.import_button.isVisible()
    assert view.list_kind.currentText() == "扣款失败"
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window.ctx.tasks)
    assert view.message.text().startswith("已导入 1 人，拒绝 1 行：第 4 行「身份证号」")
    model: DoorTableModel = view.model
    qtmodeltester.check(model)
    first = model.people[0]
    assert (first.name, first.debit, model.index(0, 0).data()) == (SUN[1], "扣款失败 2026-10-14", "扣款失败")
    assert SUN[0] not in [model.index(0, c).data() for c in range(model.columnCount())]  # masked on screen

    # Cash taken on the desk (F2): the door list is not read again behind the agent's back (a
    # township's takes most of a second), but opening 入户 shows the person gone.
    qtbot.keyClick(window, Qt.Key.Key_F2)
    agent = window.ctx.user
    window.ctx.desk.receipts.record(agent, [LineRequest(SUN[0], Insurance.MEDICAL, 2027),
                                            LineRequest(SUN[0], Insurance.PENSION, 2027, tier_fen=50000)],
                                    cash_fen=90000)
    window.ctx.changes.receipts.emit()
    wait_idle(qtbot, window.ctx.tasks)
    assert SUN[1] in [p.name for p in model.people]
    qtbot.keyClick(window, Qt.Key.Key_F7)
    wait_idle(qtbot, window.ctx.tasks)
    assert SUN[1] not in [p.name for p in model.people]
    assert not errors
