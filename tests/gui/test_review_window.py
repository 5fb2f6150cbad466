"""The township reviewer's window, offscreen: a village's backup file opened, its flags and
sample shown, the sample drawn again from a typed seed, and the 抽查报告 saved."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from app.domain.insurance import Insurance
from app.domain.records import Role
from app.services.desk import Desk
from app.services.receipts import LineRequest
from tests.factories import plain_backup
from tests.gui.conftest import AGENT, AGENT_PIN, HEAD, HEAD_PIN, FakeClock, FakeFiles, wait_idle
from tests.printing.pdftext import read_pdf
from ui.context import WindowContext
from ui.review_window import ReviewWindow
from ui.tasks import TaskManager

HE, SUN = "341824195711015652", "341824197701025493"  # two residents of the demo roster


def village_file(desk: Desk, clock: FakeClock, folder: Path) -> Path:
    agent = desk.users.authenticate(AGENT, AGENT_PIN)
    head = desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,))
    first = desk.receipts.record(agent, [LineRequest(HE, Insurance.MEDICAL, 2027)], cash_fen=40000)
    desk.receipts.void(first.number, reason="收错了人", agent=agent, head=head)
    desk.receipts.record(agent, [LineRequest(SUN, Insurance.MEDICAL, 2027)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    return plain_backup(desk, folder)


def reviewer_window(qtbot, desk: Desk, tasks: TaskManager, printer, files: FakeFiles) -> ReviewWindow:  # type: ignore[no-untyped-def]
    """The township's reviewer (added by the head) signed in to the review window, shown and active."""
    desk.users.add("赵审核", Role.TOWNSHIP, "2468", by=desk.users.authenticate(HEAD, HEAD_PIN))
    win = ReviewWindow(WindowContext(desk, tasks, desk.users.authenticate("赵审核", "2468"), printer, files=files))
    qtbot.addWidget(win)
    with qtbot.waitActive(win):
        win.show()
        win.activateWindow()
    win.start()
    return win


def test_a_reviewer_opens_a_village_file_and_saves_the_report(qtbot, desk: Desk, clock: FakeClock,  # type: ignore[no-untyped-def]
                                                               tasks: TaskManager, printer, errors,
                                                               tmp_path: Path) -> None:
    ledger = village_file(desk, clock, tmp_path / "usb")
    report = tmp_path / "reports" / "抽查报告.pdf"
    win = reviewer_window(qtbot, desk, tasks, printer, FakeFiles(open_=ledger, save=report))
    assert not win.report_button.isEnabled()  # nothing to report before a file is open
    qtbot.keyClick(win, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, tasks)
    assert "示范村" in win.summary.text() and "收据 2 张" in win.summary.text()
    assert win.check.text().startswith("账本校验：完好")
    flags = [win.flags.item(r, 0).text() for r in range(win.flags.rowCount())]
    assert flags == ["作废"] and "收错了人" in win.flags.item(0, 2).text()
    assert win.sample.rowCount() == 1 and win.sample.item(0, 0).text().startswith("341824")
    seed = win.seed.text()
    assert len(seed) == 6 and seed in win.sample_box.title()

    win.seed.setText("abc")  # another seed: drawn again, shown at once, no file read again
    qtbot.keyClick(win.seed, Qt.Key.Key_Return)
    assert "种子 abc" in win.sample_box.title() and win.sample.rowCount() == 1

    qtbot.keyClick(win, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, tasks)
    text = read_pdf(report.read_bytes()).all.replace(" ", "").replace("\n", "")
    assert "抽查种子：abc" in text and "收错了人" in text and "审核人：赵审核" in text
    assert "抽查报告已保存" in win.statusBar().currentMessage()
    assert not errors


def test_a_file_that_is_not_a_ledger_is_refused_with_its_name(qtbot, desk: Desk, tasks: TaskManager,  # type: ignore[no-untyped-def]
                                                              printer, errors, tmp_path: Path,
                                                              monkeypatch) -> None:
    other = tmp_path / "账本.sqlite3"
    other.write_text("这不是数据库" * 50, encoding="utf-8")
    shown: list[str] = []
    monkeypatch.setattr("ui.review_window.show_error",
                        lambda exc, parent, title: shown.append(f"{title}:{exc}"))
    ctx = WindowContext(desk, tasks, desk.users.authenticate(AGENT, AGENT_PIN), printer,
                        files=FakeFiles(open_=other))
    win = ReviewWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    win.choose_file()
    wait_idle(qtbot, tasks)
    assert shown and "账本.sqlite3 不是代收账本文件" in shown[0]
    assert win.open_button.isEnabled() and not win.report_button.isEnabled()
    assert not errors
