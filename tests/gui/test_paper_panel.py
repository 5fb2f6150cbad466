"""统一票据 and the scanned 台账 on the settings screen (F6), offscreen: a head registers a book,
a spoiled form is recorded, the next receipt takes the serial after it; the 2026 台账 scan is
recorded through the file dialog."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate

from app.domain.insurance import Insurance
from app.domain.records import Role
from app.services.desk import Desk
from app.services.receipts import LineRequest
from tests.gui.conftest import AGENT, AGENT_PIN, HEAD, HEAD_PIN, FakeFiles, FakePrinter, wait_idle
from ui.context import WindowContext
from ui.paper_panel import PaperPanel
from ui.tasks import TaskManager

HE = "341824195711015652"  # a resident of the demo roster


def panel(qtbot, desk: Desk, tasks: TaskManager, user, files: FakeFiles | None = None) -> PaperPanel:  # type: ignore[no-untyped-def]
    p = PaperPanel(WindowContext(desk, tasks, user, FakePrinter(), files=files or FakeFiles()))
    qtbot.addWidget(p)
    p.show()
    p.refresh()
    wait_idle(qtbot, tasks)
    return p


def test_books_are_registered_by_a_head_and_spoiled_forms_recorded(qtbot, desk: Desk, tasks: TaskManager,  # type: ignore[no-untyped-def]
                                                                   errors) -> None:
    agent = desk.users.authenticate(AGENT, AGENT_PIN)
    as_agent = panel(qtbot, desk, tasks, agent)
    assert not as_agent.add_button.isEnabled() and "没有登记统一票据" in as_agent.books.text()
    as_agent.start_book()  # Ctrl+B as an agent: told who may register a book
    assert "村委会负责人或管理员" in as_agent.message.text()
    head = desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,))
    p = panel(qtbot, desk, tasks, head)
    p.first.setText("0001201")
    p.last.setText("0001250")
    p.prefix.setText("皖")
    p.add_button.click()
    wait_idle(qtbot, tasks)
    qtbot.waitUntil(lambda: "下一张 皖0001201" in p.books.text())
    assert "已登记统一票据" in p.message.text()
    p.spoil_reason.setText("卡纸撕坏")
    p.spoil_button.click()
    wait_idle(qtbot, tasks)
    qtbot.waitUntil(lambda: "作废 1 张" in p.books.text())
    receipt = desk.receipts.record(agent, [LineRequest(HE, Insurance.MEDICAL, 2027)], cash_fen=40000)
    assert receipt.serial == "皖0001202"
    assert not errors


def test_the_scanned_ledger_is_recorded_through_the_file_dialog(qtbot, desk: Desk, tasks: TaskManager,  # type: ignore[no-untyped-def]
                                                                errors, tmp_path: Path) -> None:
    scan = tmp_path / "台账2026.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + b"0" * 2000)
    p = panel(qtbot, desk, tasks, desk.users.authenticate(AGENT, AGENT_PIN), FakeFiles(open_=scan))
    p.scan_year.setValue(2026)
    wait_idle(qtbot, tasks)
    # This village took no cash for 2026: F6 says nothing is due, as the review does (issue 21);
    # the overdue days of a year with cash are in tests/core/test_scan_rule.py.
    assert p.scan_state.text() == "2026 年度集中征期 2026-06-30 结束：本机没有收取过该年度的现金，没有台账要扫描报送"
    assert "已过期限" not in p.scan_state.text()
    p.sent_on.setDate(QDate(2026, 7, 6))
    p.scan_button.click()
    wait_idle(qtbot, tasks)
    qtbot.waitUntil(lambda: "2026-07-06 已报送（李代收）" in p.scan_state.text())
    assert "已登记报送（台账2026.pdf）" in p.message.text()
    assert desk.scans.status(2026).scans[0].sent_on == date(2026, 7, 6)
    assert not errors
