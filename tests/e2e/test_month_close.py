"""月结 on a real (virtual) screen: a village whose October was taken and settled opens the desk
in a later month, F4 shows the month waiting, Ctrl+M, the counted cash, Enter, the head's PIN —
and the close is in the journal, and its 月结单 in the report folder reads back with the month's
figures. The process must still be running throughout."""

from __future__ import annotations

import time
from pathlib import Path

from app.domain.insurance import Insurance
from app.domain.records import Role
from app.services.desk import Desk
from app.services.receipts import LineRequest
from tests.e2e.conftest import RunningGui, Screen, read_ledger
from tests.gui.conftest import AGENT, AGENT_PIN, HEAD, HEAD_PIN, FakeClock, make_demo_home
from tests.printing.pdftext import read_pdf

HE = "341824195711015652"  # 何梅德 in the demo roster


def closes(home: Path) -> list[tuple[str, int]]:
    return [(str(m), int(c)) for m, c in read_ledger(
        home, "SELECT json_extract(body, '$.data.month'), json_extract(body, '$.data.counted_fen') "
              "FROM journal WHERE kind = 'month_close'")]


def test_the_month_is_closed_with_keys(laptop: Screen, tmp_path: Path) -> None:
    home, clock = tmp_path / "home", FakeClock()  # 2026-10-15
    make_demo_home(home, clock)
    reports = tmp_path / "reports"
    with Desk(home, clock=clock) as desk:
        desk.setup.set_setting("report.dir", str(reports))
        agent = desk.users.authenticate(AGENT, AGENT_PIN)
        desk.receipts.record(agent, [LineRequest(HE, Insurance.MEDICAL, 2027)], cash_fen=40000)
        desk.settlements.settle(clock().date(), agent=agent,
                                head=desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,)), counted_fen=40000)
    gui = RunningGui(laptop, home, tmp_path / "gui.log")
    try:
        gui.sign_in(AGENT_PIN)
        gui.keys("F4")
        time.sleep(1.5)
        gui.keys("ctrl+m")
        gui.type("400")
        gui.keys("Return")
        gui.activate("月结")
        gui.type(HEAD_PIN)
        gui.keys("Return")
        deadline = time.monotonic() + 30
        while not closes(home):
            assert time.monotonic() < deadline, "no 月结 in the journal"
            time.sleep(0.3)
        assert closes(home) == [("2026-10", 40000)]
        sheet = reports / "月结单-2026-10-设备1.pdf"  # saved at once by the close, as a day's sheet is
        while not sheet.exists():
            assert time.monotonic() < deadline, "no 月结单 in the report folder"
            time.sleep(0.3)
        text = read_pdf(sheet.read_bytes()).all.replace(" ", "")
        assert "2026-10" in text and "400.00" in text
        time.sleep(1)
        gui.alive()
        laptop.image(tmp_path / "gui-month-closed.png")
        with Desk(home) as desk:
            assert desk.verify().ok
    finally:
        gui.stop()
