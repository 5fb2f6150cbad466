"""进度: bars and numbers from Roster.progress(), the unpaid list (table, .xlsx, PDF), roster import."""

from __future__ import annotations

import threading
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.domain.insurance import Insurance
from app.services.receipts import LineRequest
from tests.gui.conftest import DEMO, FakeFiles, wait_idle
from tests.printing.pdftext import read_pdf
from ui.progress_models import ProgressTableModel, UnpaidTableModel
from ui.roster_import import import_roster


def open_progress(qtbot, window):  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_F5)
    wait_idle(qtbot, window.ctx.tasks)
    view = window.progress_view
    assert window.tabs.currentWidget() is view and view.progress is not None
    return view


def test_bars_and_numbers_follow_the_roster_and_each_receipt(qtbot, qtmodeltester, window, errors) -> None:  # type: ignore[no-untyped-def]
    view = open_progress(qtbot, window)
    expected = window.ctx.desk.roster.progress()
    totals = [r for r in view.chart.rows if r.total]
    assert [r.line for r in totals] == list(expected.totals)
    assert len(view.chart.rows) == len(expected.totals) + len(expected.groups)
    qtmodeltester.check(view.numbers)
    qtmodeltester.check(view.unpaid)
    medical_row = next(i for i, r in enumerate(view.numbers.rows) if r.total and r.line.insurance is Insurance.MEDICAL)
    before = view.numbers.rows[medical_row].line
    assert view.numbers.data(view.numbers.index(medical_row, 1)) == "全村"
    assert view.numbers.data(view.numbers.index(medical_row, 2)) == str(before.due)
    unpaid_before = view.unpaid.rowCount()
    assert unpaid_before == len(window.ctx.desk.roster.unpaid())

    # Cash taken at the desk moves the bar, the numbers and the unpaid list.
    desk = window.ctx.desk
    person = next(p for p in view.unpaid.people if any(d.insurance is Insurance.MEDICAL for d in p.dues)
                  and len(p.dues) == 1)
    desk.receipts.record(window.ctx.user, [LineRequest(person.id_number, Insurance.MEDICAL, 2027)],
                         cash_fen=person.total_fen)
    window.ctx.changes.receipts.emit()
    wait_idle(qtbot, window.ctx.tasks)
    after = view.numbers.rows[medical_row].line
    assert (after.paid_cash, after.unpaid) == (before.paid_cash + 1, before.unpaid - 1)
    assert after.collected_fen == before.collected_fen + person.total_fen
    assert view.numbers.data(view.numbers.index(medical_row, 8)) == f"{after.collected_fen / 100:,.2f}"
    assert view.unpaid.rowCount() == unpaid_before - 1
    assert person.id_number not in {p.id_number for p in view.unpaid.people}
    view.chart.resize(700, 400)
    assert not view.chart.grab().isNull()
    assert not errors


def test_progress_waits_until_it_is_looked_at(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    view = window.progress_view
    window.ctx.changes.receipts.emit()  # the desk is showing: nothing counted for the hidden screen
    wait_idle(qtbot, window.ctx.tasks)
    assert view.progress is None
    open_progress(qtbot, window)
    assert not errors


def test_models_alone(qtmodeltester, window) -> None:  # type: ignore[no-untyped-def]
    from ui.progress_models import progress_rows

    desk = window.ctx.desk
    numbers = ProgressTableModel()
    numbers.set_rows(progress_rows(desk.roster.progress()))
    qtmodeltester.check(numbers)
    unpaid = UnpaidTableModel()
    unpaid.set_people(desk.roster.unpaid())
    qtmodeltester.check(unpaid)
    shown = unpaid.data(unpaid.index(0, 4))
    assert "*" in shown and shown != unpaid.people[0].id_number  # the screen faces the room


def test_unpaid_list_exported_as_xlsx(qtbot, window, tmp_path: Path, errors) -> None:  # type: ignore[no-untyped-def]
    view = open_progress(qtbot, window)
    window.ctx.files = FakeFiles(save=tmp_path / "名单")
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "已导出" in view.message.text())
    path = tmp_path / "名单.xlsx"
    sheet = load_workbook(path).active
    names = {c.value for c in sheet["D"]}  # 姓名
    assert {p.name for p in view.unpaid.people} <= names
    assert not list(tmp_path.glob("*.part*"))
    assert not errors


def test_unpaid_list_printed_as_pdf_asks_for_a_folder_once(qtbot, window, tmp_path: Path, errors) -> None:  # type: ignore[no-untyped-def]
    view = open_progress(qtbot, window)
    window.ctx.files = FakeFiles(folder=tmp_path)
    qtbot.keyClick(window, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "已生成" in view.message.text(), timeout=20000)
    (pdf,) = tmp_path.glob("未缴名单-2027-*.pdf")
    text = read_pdf(pdf.read_bytes()).all
    assert view.unpaid.people[0].name in text
    assert window.ctx.files.asked == 1
    assert window.ctx.desk.setup.get_setting("report.dir") == str(tmp_path)  # not asked again
    assert not errors


def test_cancelled_import_leaves_the_old_roster(qtbot, window, tmp_path: Path, errors) -> None:  # type: ignore[no-untyped-def]
    desk = window.ctx.desk
    before = desk.roster.progress()
    changed = tmp_path / "roster.csv"
    changed.write_text((DEMO / "roster-2027.csv").read_text(encoding="utf-8").replace("孙兰军", "孙兰君"),
                       encoding="utf-8")
    # Hold the database worker so 取消 is pressed before the import reads its first row.
    gate = threading.Event()
    window.ctx.tasks.run(gate.wait)
    outcome: list[object] = []
    task = import_roster(window.ctx.ops, window.ctx.tasks, window.ctx.changes, changed, parent=window,
                         on_done=outcome.append,
                         on_error=outcome.append, by=window.ctx.user)
    (cancel,) = task.dialog.findChildren(QPushButton)
    assert cancel.text() == "取消"
    cancel.click()
    gate.set()
    qtbot.waitUntil(lambda: bool(outcome))
    assert type(outcome[0]).__name__ == "Cancelled"
    assert desk.roster.search("孙兰军") and not desk.roster.search("孙兰君")
    assert desk.roster.progress() == before
    assert not errors


def test_import_from_the_progress_screen(qtbot, window, tmp_path: Path, errors) -> None:  # type: ignore[no-untyped-def]
    view = open_progress(qtbot, window)
    changed = tmp_path / "roster.csv"
    changed.write_text((DEMO / "roster-2027.csv").read_text(encoding="utf-8").replace("孙兰军", "孙兰君"),
                       encoding="utf-8")
    window.ctx.files = FakeFiles(open_=changed)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "更新" in view.message.text())
    wait_idle(qtbot, window.ctx.tasks)
    assert "更新 3 人" in view.message.text()  # he heads a household of three
    assert window.ctx.desk.roster.search("孙兰君")
    assert view.import_button.isEnabled()
    assert not errors


def test_every_rejected_row_is_listed_and_saved_for_correction(qtbot, window, tmp_path: Path, errors) -> None:  # type: ignore[no-untyped-def]
    """The window's counts are the command line's, every rejected row is listed with its Excel
    row number, and the list is saved as .xlsx to correct and import again."""
    from openpyxl import load_workbook


    view = open_progress(qtbot, window)
    lines = (DEMO / "roster-2027.csv").read_text(encoding="utf-8").splitlines()
    bad = [lines[0], *lines[1:], "341824195711015653,坏号码,城乡居民基本医疗保险,2027,,一般,第一村民小组,0009,坏号码,,",
           "341824195711015652,何梅德,城乡居民基本医疗保险,1999,,一般,第一村民小组,0001,何梅德,,"]
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    saved = tmp_path / "rejected.xlsx"
    window.ctx.files = FakeFiles(open_=path, save=saved)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(view, "rejected_dialog", None) is not None, timeout=15000)
    dialog = view.rejected_dialog
    assert "拒绝 2 行" in view.message.text() and "新增 0 人" in view.message.text()
    rows = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert rows == [str(len(lines) + 1), str(len(lines) + 2)]  # Excel row numbers, header is row 1
    assert "校验" in dialog.table.item(0, 2).text() or "证件" in dialog.table.item(0, 1).text()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "已保存 2 行" in dialog.message.text())
    sheet = load_workbook(saved).active
    assert sheet.max_row >= 3 and any(c.value == "拒绝原因" for c in sheet[1])
    dialog.close()
    assert not errors


def test_a_long_reason_is_shown_whole(qtbot, window, tmp_path: Path, errors) -> None:  # type: ignore[no-untyped-def]
    """The reason Excel's rounded numbers get is three lines long: its row grows to show it
    all, beside a one-line reason, and the cell's tooltip holds it whole."""
    view = open_progress(qtbot, window)
    lines = (DEMO / "roster-2027.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([*lines, "341824195711015600,尾数零,城乡居民基本医疗保险,2027,,一般,第一村民小组,0009,尾数零,,",
                               "341824195711015652,何梅德,城乡居民基本医疗保险,1999,,一般,第一村民小组,0001,何梅德,,"])
                    + "\n", encoding="utf-8")
    window.ctx.files = FakeFiles(open_=path, save=tmp_path / "rejected.xlsx")
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(view, "rejected_dialog", None) is not None, timeout=15000)
    dialog = view.rejected_dialog
    dialog.show()
    qtbot.waitExposed(dialog)
    long_reason, short_reason = (dialog.table.item(r, 2) for r in range(2))
    assert "Excel 把号码当成了数字" in long_reason.text()
    assert long_reason.toolTip() == long_reason.text()
    assert dialog.table.rowHeight(0) >= 2 * dialog.table.rowHeight(1)
    dialog.close()
    assert not errors
