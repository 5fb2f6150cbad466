"""The window's real receipt printer, end to end: the desk's record key, printing/'s renderer and
ESC/POS device, a network printer on 127.0.0.1, and the print logged on the receipt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from app.domain.printer_settings import PrinterSettings
from tests.gui.conftest import wait_idle
from tests.gui.test_desk import pay_at_desk
from tests.printing.escpos_decoder import decode
from tests.printing.loopback import NORMAL, PAPER_OUT, LoopbackPrinter
from ui.printer import EscposPrinter, NoPrinter, printer_from_settings


@pytest.fixture
def loopback() -> Iterator[LoopbackPrinter]:
    p = LoopbackPrinter(status=NORMAL)
    yield p
    p.close()


def received(qtbot, p: LoopbackPrinter, jobs: int):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: len(p.jobs) >= jobs, timeout=5000)
    data = p.jobs[jobs - 1]
    for n in (1, 2, 4):  # the status queries asked before and after the job
        data = data.replace(b"\x10\x04" + bytes([n]), b"")
    return decode(data)


def test_settings_make_the_printer() -> None:
    assert isinstance(printer_from_settings(PrinterSettings.from_settings({})), NoPrinter)
    saved = {"printer.uri": " tcp://10.0.0.9:9100 ", "printer.width": "80", "printer.charset": "gb2312",
             "printer.raster": "1"}
    p = printer_from_settings(PrinterSettings.from_settings(saved))
    assert isinstance(p, EscposPrinter)
    assert p.settings == PrinterSettings("tcp://10.0.0.9:9100", 80, "gb2312", True)
    assert p.settings.width_dots == 576 and PrinterSettings.from_settings(p.settings.to_settings()) == p.settings
    # A value the settings table should not hold reads as the default, not as an error at print time.
    odd = PrinterSettings.from_settings({"printer.uri": "tcp://x:9100", "printer.width": "76",
                                         "printer.charset": "big5", "printer.raster": "yes"})
    assert (odd.width_mm, odd.charset, odd.raster, odd.width_dots) == (58, "gbk", False, 384)


def test_record_prints_on_a_network_printer_then_a_reprint_is_a_copy(qtbot, window, loopback, errors) -> None:  # type: ignore[no-untyped-def]
    window.ctx.printer = printer_from_settings(PrinterSettings(loopback.uri, 80))
    pay_at_desk(qtbot, window, "孙兰军", "900")
    job = received(qtbot, loopback, 1)
    wait_idle(qtbot, window.ctx.tasks)
    (receipt,) = window.ctx.desk.receipts.list()
    text = "\n".join(job.texts)
    assert receipt.number in text and "孙兰军" in text and "补打" not in text
    assert job.qrs and receipt.number in job.qrs[0].payload and job.cut
    assert max(len(t) for t in job.texts) > 20  # 80 mm: 48 columns, not 32
    assert window.ctx.desk.receipts.get(receipt.number).prints == 1  # record_print(ok=True)
    qtbot.waitUntil(lambda: "就绪" in window.status.printer.text())

    today = window.today_view
    qtbot.keyClick(window, Qt.Key.Key_F3)
    wait_idle(qtbot, window.ctx.tasks)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    copy = received(qtbot, loopback, 2)
    wait_idle(qtbot, window.ctx.tasks)
    assert any("【补打】第1次补打" in t for t in copy.texts)
    assert window.ctx.desk.receipts.get(receipt.number).prints == 2
    assert "补打" in today.message.text()
    assert not errors


def test_printer_out_of_paper_is_logged_and_said(qtbot, window, errors) -> None:  # type: ignore[no-untyped-def]
    empty = LoopbackPrinter(status=PAPER_OUT)
    try:
        window.ctx.printer = printer_from_settings(PrinterSettings(empty.uri))
        d = window.desk_view
        pay_at_desk(qtbot, window, "孙兰军", "900")
        qtbot.waitUntil(lambda: "缺纸" in d.panel.message.text(), timeout=5000)
        wait_idle(qtbot, window.ctx.tasks)
        (receipt,) = window.ctx.desk.receipts.list()
        assert receipt.prints == 0  # a failed print does not make the next one a copy
        assert "缺纸" in window.status.printer.text()
    finally:
        empty.close()
    assert not errors
