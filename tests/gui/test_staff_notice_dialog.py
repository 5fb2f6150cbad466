"""F6's 社保经办人员公示: the agent may read it but not change it; the village head fills the
rows, saves, and gets the notice as a PDF in the report folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem

from app.services.staff_notice import NoticeMember, read_notice
from tests.gui.conftest import HEAD_PIN, FakeFiles, wait_idle
from tests.printing.pdftext import read_pdf
from ui.staff_notice_dialog import StaffNoticeDialog


def test_the_head_fills_saves_and_prints_the_notice(qtbot, window, tmp_path: Path, errors) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_F6)
    wait_idle(qtbot, window.ctx.tasks)
    window.settings_view.notice_button.click()
    dialog = window.settings_view.findChild(StaffNoticeDialog)
    assert dialog is not None and dialog.table.item(0, 0).text() == "李代收"  # the signed-in user to start
    dialog.table.setItem(0, 1, QTableWidgetItem("村社保协理员"))
    dialog.table.setItem(0, 2, QTableWidgetItem("0563-8101234"))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "由村委会负责人或管理员填写" in dialog.message.text())
    assert read_notice(window.ctx.desk) == []
    dialog.ctx = type(window.ctx)(window.ctx.desk, window.ctx.tasks,
                                  window.ctx.desk.users.authenticate("王村长", HEAD_PIN), window.ctx.printer,
                                  files=FakeFiles(folder=tmp_path))
    dialog.add_row(NoticeMember("王村长", "村委会主任", "13905631234", "审核、会签日结"))
    dialog.print_button.click()
    qtbot.waitUntil(lambda: "已生成" in dialog.message.text())
    assert [m.name for m in read_notice(window.ctx.desk)] == ["李代收", "王村长"]
    text = read_pdf((tmp_path / "社保经办人员公示.pdf").read_bytes()).all
    assert "村社保协理员" in text and "13905631234" in text
    assert not errors
