"""The village head's 网格与联络表 (F7 → Ctrl+H) by keyboard: a group given to a grid member, a
household of another group to a second, a 联络表 line added, one taken off, the table printed; the
agent cannot open it. The 月度统计 tab of 进度 (F5): the month's figures, its PDF and workbook."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from app.domain.insurance import Insurance
from app.domain.records import Role
from app.services.desk import Desk
from app.services.receipts import LineRequest
from tests.gui.conftest import HEAD, HEAD_PIN, FakeFiles, FakePrinter, type_text, wait_idle
from tests.printing.pdftext import read_pdf
from ui.context import WindowContext
from ui.main_window import MainWindow
from ui.tasks import TaskManager

GRID, GRID_PIN = "周网格", "2468"


@pytest.fixture
def head_window(qtbot, desk: Desk, tasks: TaskManager, printer: FakePrinter,  # type: ignore[no-untyped-def]
                tmp_path: Path) -> Iterator[MainWindow]:
    head = desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,))
    desk.users.add(GRID, Role.GRID, GRID_PIN, by=head)
    desk.setup.set_setting("report.dir", str(tmp_path / "reports"))
    win = MainWindow(WindowContext(desk, tasks, head, printer, files=FakeFiles()))
    qtbot.addWidget(win)
    win.show()
    win.start()
    qtbot.waitExposed(win)
    wait_idle(qtbot, tasks)
    yield win


def test_the_head_gives_groups_and_keeps_the_contact_table_by_keyboard(  # type: ignore[no-untyped-def]
        qtbot, head_window: MainWindow, errors, tmp_path: Path) -> None:
    win, desk = head_window, head_window.ctx.desk
    qtbot.keyClick(win, Qt.Key.Key_F7)
    wait_idle(qtbot, win.ctx.tasks)
    assert win.door_view.grid_button.isVisible()
    qtbot.keyClick(win, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    dialog = win.door_view.grid_dialog
    qtbot.waitExposed(dialog)
    wait_idle(qtbot, win.ctx.tasks)
    # The grid member and the agent and head may take a group; the groups in village order.
    members = [dialog.member.itemText(i) for i in range(dialog.member.count())]
    assert sorted(members[:3]) == sorted(["李代收", "王村长", GRID]) and members[3] == "（收回，不分给任何人）"
    assert [dialog.group.itemText(i) for i in range(dialog.group.count())] == [
        "第一村民小组", "第二村民小组", "第三村民小组"]
    dialog.member.setCurrentText(GRID)
    qtbot.keyClick(dialog.member, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, win.ctx.tasks)
    assert dialog.message.text() == f"第一村民小组 已分给 {GRID}"
    # A household of the second group to the agent (an agent may be a grid member too).
    dialog.member.setCurrentText("李代收")
    dialog.group.setCurrentIndex(1)
    dialog.household.setFocus()
    qtbot.keyClicks(dialog.household, "0008")
    qtbot.keyClick(dialog.household, Qt.Key.Key_Return)
    wait_idle(qtbot, win.ctx.tasks)
    assert desk.door.assignments() == [("第一村民小组", "", GRID), ("第二村民小组", "0008", "李代收")]
    assert dialog.assigned.rowCount() == 2 and dialog.assigned.item(1, 1).text() == "0008"
    # A household the roster does not have is refused, naming it.
    dialog.household.setText("9999")
    qtbot.keyClick(dialog.household, Qt.Key.Key_Return)
    wait_idle(qtbot, win.ctx.tasks)
    assert "第二村民小组 户号 9999" in dialog.message.text()

    # The 联络表: Tab order post → name → phone; Enter adds; a bad phone is refused by name.
    dialog.post.setCurrentIndex(1)  # 村网格长
    type_text(dialog.name, "王村长")
    dialog.phone.setFocus()
    qtbot.keyClicks(dialog.phone, "1390000")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    wait_idle(qtbot, win.ctx.tasks)
    assert dialog.table.rowCount() == 1 and dialog.name.text() == ""
    dialog.post.setCurrentIndex(2)  # 网格员
    type_text(dialog.name, GRID)
    dialog.phone.setText("12")
    qtbot.keyClick(dialog.name, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, win.ctx.tasks)
    assert f"「{GRID}」的联系电话「12」" in dialog.message.text() and dialog.table.rowCount() == 1
    dialog.phone.setText("13900002222")
    qtbot.keyClick(dialog.name, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, win.ctx.tasks)
    assert [(c.post, c.name) for c in desk.door.contacts()] == [("village_leader", "王村长"), ("member", GRID)]
    dialog.table.setFocus()
    dialog.table.selectRow(0)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, win.ctx.tasks)
    assert [c.name for c in desk.door.contacts()] == [GRID] and dialog.table.rowCount() == 1
    qtbot.keyClick(dialog.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, win.ctx.tasks)
    pdf = next((tmp_path / "reports").glob("网格联络表-*.pdf"))
    text = read_pdf(pdf.read_bytes()).all.replace(" ", "")
    assert "网格化管理服务联络表" in text and "13900002222" in text and "请勿张贴" in text
    assert "村网格长" not in text  # the line taken off is not printed
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    wait_idle(qtbot, win.ctx.tasks)

    # Back on 入户: the head narrows the list to the grid member's households and prints it for them.
    view = win.door_view
    box = view.member_box
    assert [box.itemText(i) for i in range(box.count())] == ["全村名单", f"网格员 {GRID} 的户", "网格员 李代收 的户"]
    village = len(view.model.people)
    box.setCurrentIndex(1)
    box.activated.emit(1)
    wait_idle(qtbot, win.ctx.tasks)
    assert 0 < len(view.model.people) < village and {p.group for p in view.model.people} == {"第一村民小组"}
    assert f"网格员 {GRID}" in view.title.text()
    win.activateWindow()  # the dialog closed: the window's keys once it is active again
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(win, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, win.ctx.tasks)
    printed = read_pdf(next((tmp_path / "reports").glob(f"入户名单-{GRID}-*.pdf")).read_bytes()).all.replace(" ", "")
    assert f"网格员：{GRID}" in printed and "第二村民小组" not in printed
    assert not errors


def test_the_agent_cannot_open_it(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_F7)
    wait_idle(qtbot, window.ctx.tasks)
    assert not window.door_view.grid_button.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert "代收员不能分配网格" in window.door_view.message.text()
    assert not hasattr(window.door_view, "grid_dialog")


def test_the_monthly_tab_prints_and_exports(qtbot, window: MainWindow, errors, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    desk = window.ctx.desk
    desk.setup.set_setting("report.dir", str(tmp_path / "reports"))
    desk.receipts.record(window.ctx.user, [LineRequest("341824197701025493", Insurance.PENSION, 2027, tier_fen=50000)],
                         cash_fen=50000)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    window.progress_view.show_monthly()
    wait_idle(qtbot, window.ctx.tasks)
    panel = window.progress_view.monthly
    assert panel.month.currentText() == "2026年10月" and panel.month.hasFocus()
    assert "缴费 1 人，¥500.00" in panel.summary.text()
    assert "续费率（养老）：16–44岁 无上年数据，45–59岁 无上年数据。" in panel.summary.text()  # 2027 rows only
    assert panel.tiers.item(0, 0).text() == "养老 500元档" and panel.tiers.item(0, 2).text() == "500.00"
    qtbot.keyClick(panel.month, Qt.Key.Key_Down)  # September: nothing yet
    wait_idle(qtbot, window.ctx.tasks)
    assert "缴费 0 人" in panel.summary.text()
    qtbot.keyClick(panel.month, Qt.Key.Key_Up)
    wait_idle(qtbot, window.ctx.tasks)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window.ctx.tasks)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    wait_idle(qtbot, window.ctx.tasks)
    text = read_pdf((tmp_path / "reports" / "月度统计-2026-10.pdf").read_bytes()).all.replace(" ", "")
    assert "2026年10月城乡居民“两险”缴费情况统计表" in text and "500.00" in text
    book = load_workbook(tmp_path / "reports" / "月度统计-2026-10.xlsx")
    assert [r for r in book["各档次缴费"].iter_rows(values_only=True) if r[0] == "养老 500元档"][0][1:3] == (1, 500)
    assert str(tmp_path / "reports" / "月度统计-2026-10.xlsx") in panel.message.text()
    assert not errors
