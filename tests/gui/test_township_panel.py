"""The review window's township part: a folder of villages' files in one overview, a village's
疑点 answered from the keyboard, and the answers saved as the county's file."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt

from tests.gui.conftest import FakeClock, FakeFiles, wait_idle
from tests.gui.test_review_window import reviewer_window
from tests.review.township_files import township_folder


def test_a_folder_of_villages_answered_and_saved(qtbot, desk, tasks, printer, errors, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = township_folder(tmp_path, FakeClock())
    answers = tmp_path / "answers.json"
    win = reviewer_window(qtbot, desk, tasks, printer, FakeFiles(folder=folder, save=answers))
    panel = win.township
    assert not panel.isVisible() and panel.open_button.isVisible()  # one file at a time until a folder is read
    qtbot.keyClick(win, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    wait_idle(qtbot, tasks)
    qtbot.waitUntil(panel.isVisible)
    rows = [[panel.villages.item(r, c).text() for c in range(panel.villages.columnCount())]
            for r in range(panel.villages.rowCount())]
    assert [r[:3] for r in rows] == [["341824100201", "示范村", "完好（1 台设备）"],
                                     ["341824100202", "东山村", "完好（1 台设备）"]]
    assert rows[0][4:] == ["400.00", "400.00", "0.00", "作废 1", "0/1"]
    assert rows[1][3:6] == ["2", "800.00", "700.00"] and "日结差额 1" in rows[1][7]
    assert "notes.sqlite3" in panel.status.text()  # the stray file is named, not fatal
    assert "示范村" in win.summary.text()  # the first village is shown at once
    panel.villages.setFocus()
    qtbot.keyClick(panel.villages, Qt.Key.Key_Down)
    assert "东山村" in win.summary.text()
    labels = [win.flags.item(r, 0).text() for r in range(win.flags.rowCount())]
    win.flags.selectRow(labels.index("日结差额"))
    panel.verdict.setCurrentText("已整改")
    panel.note.setText("代收员已补交100元")
    qtbot.keyClick(win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert panel.villages.item(1, 8).text() == "1/" + str(len(labels))
    assert "【已整改：代收员已补交100元（赵审核）】" in win.flags.item(labels.index("日结差额"), 2).text()
    qtbot.keyClick(win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    wait_idle(qtbot, tasks)
    qtbot.waitUntil(lambda: "已保存 1 条答复" in panel.status.text())
    data = json.loads(answers.read_text(encoding="utf-8"))
    assert [(a["village_code"], a["code"], a["verdict"], a["by"], a["note"]) for a in data["answers"]] == [
        ("341824100202", "difference", "已整改", "赵审核", "代收员已补交100元")]
    assert not errors
