"""A whole day at the desk with the real `daishou gui` on a 1366x768 screen, by key presses only:
first-run wizard → login → find a person → take cash → the receipt printed on a network printer
(a socket on 127.0.0.1 that this test reads and decodes) → implausible cash asked about → void
with the village head's PIN → settle → remit → log out.

Chinese text is pasted through the clipboard (xclip), as an input method would commit it; every
other key is a real X event from xdotool. State is checked in the data file, read only, and the
screen is photographed at each step (`DAISHOU_E2E_SHOTS=docs/img` keeps the pictures)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app.demo import demo_config
from tests.e2e.conftest import RunningGui, Screen, _start_screen
from tests.printing.escpos_decoder import decode
from tests.printing.loopback import NORMAL, LoopbackPrinter

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
AGENT, AGENT_PIN = "李代收", "246810"
HEAD, HEAD_PIN = "王村长", "135790"
SUN_ID_TAIL, SUN_ID = "025493", "341824197701025493"  # 孙兰军: pension 500 + medical 400
HE_ID_TAIL = "015652"  # 何梅德: medical 400


@pytest.fixture
def laptop() -> Iterator[Screen]:
    yield from _start_screen(1366, 768)


@pytest.fixture
def printer() -> Iterator[LoopbackPrinter]:
    p = LoopbackPrinter(status=NORMAL)
    yield p
    p.close()


def wait_for(what: str, check: Callable[[], object], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


class Desk(RunningGui):
    """The real `daishou gui` and the user at its keyboard (tests/e2e/conftest.py), with the
    screenshots kept for the README and a read-only look into the data file."""

    def __init__(self, screen: Screen, home: Path, shots: Path, log: Path) -> None:
        super().__init__(screen, home, log)
        self.home, self.shots = home, shots

    def shot(self, name: str) -> QImage:
        time.sleep(0.6)  # let the last repaint land
        image = self.screen.image(self.shots / name)
        return image

    def query(self, sql: str) -> list[tuple[object, ...]]:
        path = self.home / "daishou.sqlite3"
        if not path.exists():
            return []
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute(sql).fetchall()
        except sqlite3.OperationalError:  # not created yet
            return []
        finally:
            conn.close()

    def count(self, table: str, where: str = "1") -> int:
        rows = self.query(f"SELECT COUNT(*) FROM {table} WHERE {where}")
        return int(rows[0][0]) if rows else 0  # type: ignore[call-overload]


@pytest.fixture
def desk(laptop: Screen, tmp_path: Path) -> Iterator[Desk]:
    shots = tmp_path / "shots"
    shots.mkdir()
    d = Desk(laptop, tmp_path / "home", shots, tmp_path / "gui.log")
    yield d
    d.stop()


def mostly_light(image: QImage) -> bool:
    light = sum(1 for x in range(0, image.width(), 40) for y in range(0, image.height(), 40)
                if image.pixelColor(x, y).lightness() > 200)
    return light > 0.5 * (image.width() // 40) * (image.height() // 40)


def run_wizard(d: Desk, printer: LoopbackPrinter) -> None:
    d.activate("首次设置")
    d.type("341824100201")  # village code: the cursor starts there
    d.keys("Tab")
    d.paste("示范村")
    d.keys("Tab")
    d.type("341824100")
    d.keys("Tab")
    d.paste("示范镇")
    d.keys("Tab", "ctrl+a")
    d.type("1")
    d.shot("gui-flow-wizard.png")
    d.keys("Return")
    time.sleep(0.8)
    # The config file step: the demo county's, its window covering today (the real date: the
    # window takes cash on whatever day the suite runs, as app.demo does for the demo village).
    config = d.home.parent / "county-config.json"
    config.write_text(demo_config(date.today()), encoding="utf-8")
    d.type(str(config))
    d.keys("Return")
    time.sleep(0.8)
    d.paste(AGENT)  # users step
    d.keys("Tab")
    d.type(AGENT_PIN)
    d.keys("Tab")
    d.type(AGENT_PIN)
    d.keys("Tab")
    d.paste(HEAD)
    d.keys("Tab")
    d.type(HEAD_PIN)
    d.keys("Tab")
    d.type(HEAD_PIN)
    d.keys("Return")  # leaving this step writes the village, the configuration and the users
    wait_for("the users to be written", lambda: d.count("user") == 2, 20)
    time.sleep(0.8)
    d.type(str(DEMO / "roster-2027.csv"))  # roster step: the path, then 选择文件…, then 导入
    d.keys("Tab", "Tab", "space")
    wait_for("the roster import", lambda: d.count("person") > 0, 60)
    time.sleep(1)
    d.keys("Return")  # the import put the cursor on 下一步
    time.sleep(0.8)
    d.type(f"127.0.0.1:{printer.port}")  # printer step: a network printer's address
    d.keys("Return")
    time.sleep(0.8)
    d.shot("gui-flow-wizard-done.png")
    d.keys("Return")  # 完成，去登录
    assert d.count("user") == 2 and d.count("person") == 56


def test_a_day_at_the_desk_from_first_run_to_log_out(desk: Desk, printer: LoopbackPrinter) -> None:
    d = desk
    run_wizard(d, printer)

    d.activate("登录")
    d.shot("gui-flow-login.png")
    d.type(AGENT_PIN)
    d.keys("Return")
    d.activate("示范村")

    # Find 孙兰军 by the end of the ID number, open the household, take ¥1,000 for ¥900.
    d.type(SUN_ID_TAIL)
    time.sleep(2)  # results follow typing on the database worker
    d.keys("Return")
    time.sleep(2)  # the household loads, the cursor moves to 收取现金
    d.type("1000")
    assert mostly_light(d.shot("gui-flow-desk.png"))
    d.keys("F12")
    wait_for("the receipt", lambda: d.count("receipt") == 1)
    wait_for("the receipt on the printer", lambda: printer.prints, 20)
    d.shot("gui-flow-recorded.png")
    number = str(d.query("SELECT number FROM receipt")[0][0])
    assert number == "341824100201-01-000001"
    texts = "\n".join(decode(printer.prints[0]).texts)
    assert number in texts and "900.00" in texts and "孙兰军" in texts
    assert d.query("SELECT total_fen, change_fen FROM receipt") == [(90000, 10000)]
    wait_for("the print to be logged", lambda: d.count("print_event", "ok") == 1)

    # 何梅德 hands over ¥40,000 by mistake for ¥400: asked first, Enter goes back to fix it.
    d.type(HE_ID_TAIL)
    time.sleep(2)
    d.keys("Return")
    time.sleep(2)
    d.type("40000")
    d.keys("F12")
    time.sleep(0.8)
    confirm = d.screen.wait_window("核对现金")
    assert confirm
    d.shot("gui-flow-confirm.png")
    d.keys("Return")  # the default is 返回修改
    time.sleep(0.8)
    assert d.count("receipt") == 1
    d.keys("ctrl+a")
    d.type("500")
    d.keys("F12")
    wait_for("the second receipt", lambda: d.count("receipt") == 2)
    wait_for("the second print", lambda: len(printer.prints) == 2, 20)
    assert d.query("SELECT total_fen, change_fen FROM receipt WHERE receipt_seq = 2") == [(40000, 10000)]

    # The second receipt was a mistake after all: void it with the village head's PIN.
    d.keys("F3")
    time.sleep(1)
    d.keys("ctrl+End")  # the newest receipt
    d.keys("ctrl+Delete")
    d.activate("作废收据")
    d.paste("收错了人")
    d.keys("Tab", "Tab")
    d.type(HEAD_PIN)
    d.shot("gui-flow-void.png")
    d.keys("Return")
    wait_for("the void", lambda: d.count("void") == 1)
    assert d.query("SELECT receipt_number FROM void") == [("341824100201-01-000002",)]
    d.shot("gui-flow-today.png")

    # Settle: nine 100-yuan notes, the head countersigns; the PDFs go to a folder picked once.
    reports = d.home.parent / "reports"
    reports.mkdir()
    d.keys("F4")
    time.sleep(1)
    d.keys("ctrl+a")
    d.type("9")
    d.keys("Tab")
    d.shot("gui-flow-settle.png")
    d.keys("ctrl+j")
    d.activate("日结")
    d.type(HEAD_PIN)
    d.keys("Return")
    wait_for("the settlement", lambda: d.count("settlement") == 1)
    d.activate("选择保存日结单和台账的文件夹")
    d.type(str(reports))
    d.keys("Return")
    wait_for("the day's sheet and ledger", lambda: len(list(reports.glob("*.pdf"))) == 2, 60)
    assert d.query("SELECT expected_fen, counted_fen, head FROM settlement") == [(90000, 90000, HEAD)]

    # Remit the settled cash: the cursor waits in 解缴金额 after settling.
    d.activate("示范村")
    d.type("900")
    d.keys("Tab")
    d.type("NB-2026-0001")
    d.keys("Return")
    wait_for("the remittance", lambda: d.count("remittance") == 1)
    d.shot("gui-flow-remitted.png")
    assert d.query("SELECT slip_no, amount_fen FROM remittance") == [("NB-2026-0001", 90000)]

    # The remaining screens, as the agent sees them at the end of the day.
    d.keys("F5")
    time.sleep(1.5)
    assert mostly_light(d.shot("gui-flow-progress.png"))
    d.keys("F6")
    time.sleep(1)
    assert mostly_light(d.shot("gui-flow-settings.png"))

    # Log out to the login (switch user), then cancel it: how the user quits.
    d.keys("ctrl+l")
    d.activate("登录")
    d.alive()
    d.keys("Escape")
    assert d.proc.wait(timeout=30) == 0
    result = subprocess.run([str(Path(sys.executable).with_name("daishou")), "--home", str(d.home),
                             "verify", "--json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
