"""The banner on a real (virtual) screen: what blocks taking cash today, and cash held past the
county's 双限, said at login and on the empty desk before a villager waits — and gone (or
changed) once the key it names was pressed.

The ledger is written under a faked clock some days back (as tests/e2e/test_month_close.py
does); the program then runs on the real date, so the earlier day is really earlier."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtGui import QImage

from app.domain.insurance import Insurance
from app.domain.records import Role
from app.services.desk import Desk
from app.services.receipts import LineRequest
from tests.e2e.conftest import RunningGui, Screen, read_ledger
from tests.gui.conftest import AGENT, AGENT_PIN, HEAD, HEAD_PIN, FakeClock, make_demo_home

HE = "341824195711015652"  # 何梅德 in the demo roster
BLOCK_RED = (0xB0, 0x00, 0x20)  # the banner's background when cash is refused today
DUE_PINK = (0xFD, 0xE0, 0xDC)  # the banner's background when a 双限 limit is reached or past


def pixels(shot: QImage, colour: tuple[int, int, int], box: tuple[int, int, int, int]) -> int:
    """Pixels within 12 of `colour` in each channel, inside box (x, y, width, height)."""
    x0, y0, w, h = box
    return sum(1 for x in range(max(0, x0), min(shot.width(), x0 + w), 2)
               for y in range(max(0, y0), min(shot.height(), y0 + h), 2)
               if all(abs(a - b) <= 12 for a, b in zip(shot.pixelColor(x, y).getRgb()[:3], colour, strict=True)))


def _home(tmp_path: Path, days_ago: int, *, settle: bool) -> Path:
    home = tmp_path / "home"
    clock = FakeClock(datetime.now().replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=days_ago))
    make_demo_home(home, clock)
    with Desk(home, clock=clock) as desk:
        agent = desk.users.authenticate(AGENT, AGENT_PIN)
        desk.receipts.record(agent, [LineRequest(HE, Insurance.MEDICAL, 2027)], cash_fen=40000)
        if settle:
            desk.settlements.settle(clock().date(), agent=agent,
                                    head=desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,)),
                                    counted_fen=40000)
    return home


def _settlements(home: Path) -> int:
    return int(read_ledger(home, "SELECT COUNT(*) FROM journal WHERE kind = 'settlement'")[0][0])


def _wait(what: str, check: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"no {what}"
        time.sleep(0.3)


def _in_login_box(gui: RunningGui, laptop: Screen, shot: Path, colour: tuple[int, int, int]) -> int:
    """The pixels of the banner's `colour` inside the login box, once it is drawn."""
    login = gui.activate("登录")
    time.sleep(1.5)
    return pixels(laptop.image(shot), colour, laptop.geometry(login))


def test_an_unsettled_day_is_said_at_login_and_on_the_desk_and_f4_fixes_it(laptop: Screen, tmp_path: Path) -> None:
    home = _home(tmp_path, 2, settle=False)
    gui = RunningGui(laptop, home, tmp_path / "gui.log")
    try:
        red = _in_login_box(gui, laptop, tmp_path / "gui-banner-login.png", BLOCK_RED)
        assert red > 400, "no red banner in the login box"

        gui.sign_in(AGENT_PIN)
        time.sleep(1.5)
        shot = laptop.image(tmp_path / "gui-banner-unsettled.png")
        top = (0, 0, 900, 220)  # the desk's banner sits above the search box
        assert pixels(shot, BLOCK_RED, top) > 1500, "no red banner on the empty desk"

        # What the banner says: F4, then settle with the head's countersign.
        gui.keys("F4")
        time.sleep(1.5)
        gui.keys("ctrl+a")
        gui.type("4")  # four 100-yuan notes
        gui.keys("Tab", "ctrl+j")
        gui.activate("日结")
        gui.type(HEAD_PIN)
        gui.keys("Return")
        _wait("settlement", lambda: _settlements(home) == 1)
        reports = tmp_path / "reports"
        reports.mkdir()
        gui.activate("选择保存日结单和台账的文件夹")
        gui.type(str(reports))
        gui.keys("Return")
        _wait("day's sheet", lambda: len(list(reports.glob("*.pdf"))) == 2, 60)
        gui.activate("示范村")
        gui.keys("F2")
        time.sleep(1.5)
        gui.alive()
        shot = laptop.image(tmp_path / "gui-banner-settled.png")
        # The block is gone; the ¥400 settled two days ago is past the 1-day limit: remit.
        assert pixels(shot, BLOCK_RED, top) < 50
        assert pixels(shot, DUE_PINK, top) > 1500, "no remittance banner after settling"
    finally:
        gui.stop()


def test_cash_held_for_30_days_is_said_at_login_and_on_the_desk(laptop: Screen, tmp_path: Path) -> None:
    home = _home(tmp_path, 30, settle=True)
    gui = RunningGui(laptop, home, tmp_path / "gui.log")
    try:
        assert _in_login_box(gui, laptop, tmp_path / "gui-banner-login-cash.png", DUE_PINK) > 400
        gui.sign_in(AGENT_PIN)
        time.sleep(1.5)
        gui.alive()
        shot = laptop.image(tmp_path / "gui-banner-cash.png")
        assert pixels(shot, DUE_PINK, (0, 0, 900, 220)) > 1500, "no banner for cash held 30 days"
        assert pixels(shot, BLOCK_RED, (0, 0, 900, 220)) < 50  # nothing blocks: cash can be taken
    finally:
        gui.stop()
