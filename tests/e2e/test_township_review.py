"""The township reviewer on a real (virtual) screen: signs in by name, opens a village's backup
file through the file dialog with real key presses, sees the check, the flags and the sample,
and saves the 抽查报告 through the save dialog. The process must still be running throughout."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app.domain.records import Role
from app.services.desk import Desk
from tests.e2e.conftest import Screen, _start_screen
from tests.gui.conftest import HEAD, HEAD_PIN, FakeClock, make_demo_home
from tests.gui.test_review_window import village_file
from tests.printing.pdftext import read_pdf

REVIEWER, REVIEWER_PIN = "赵审核", "2468"


@pytest.fixture
def laptop() -> Iterator[Screen]:
    yield from _start_screen(1366, 768)


def paste(screen: Screen, text: str) -> None:
    subprocess.run(["xclip", "-selection", "clipboard"], input=text.encode(), env=screen.env, check=True,
                   timeout=10)
    screen.run("xdotool", "key", "--delay", "60", "ctrl+v")


def test_a_reviewer_opens_a_village_file_and_saves_the_report(laptop: Screen, tmp_path: Path) -> None:
    clock = FakeClock()
    make_demo_home(tmp_path / "village", clock)
    with Desk(tmp_path / "village", clock=clock) as village:
        ledger = village_file(village, clock, tmp_path / "usb")
    make_demo_home(tmp_path / "township", FakeClock())
    with Desk(tmp_path / "township", clock=FakeClock()) as own:
        own.users.add(REVIEWER, Role.TOWNSHIP, REVIEWER_PIN, by=own.users.authenticate(HEAD, HEAD_PIN))
    log = tmp_path / "gui.log"
    daishou = Path(sys.executable).with_name("daishou")
    with log.open("wb") as out:
        proc = subprocess.Popen([str(daishou), "gui", "--home", str(tmp_path / "township")],
                                env={**laptop.env, "PYTHONFAULTHANDLER": "1"}, stdout=out, stderr=subprocess.STDOUT)

    def alive() -> None:
        code = proc.poll()
        assert code is None, f"daishou gui exited with {code}:\n{log.read_text(errors='replace')}"

    def keys(*names: str) -> None:
        alive()
        for name in names:
            laptop.run("xdotool", "key", "--delay", "60", name)
            time.sleep(0.15)

    try:
        login = laptop.wait_window("登录")
        laptop.run("xdotool", "windowactivate", "--sync", login)
        time.sleep(0.5)
        keys("shift+Tab", "ctrl+a")  # from the PIN back to the name
        paste(laptop, REVIEWER)
        keys("Tab")
        laptop.run("xdotool", "type", "--delay", "50", REVIEWER_PIN)
        keys("Return")
        win = laptop.wait_window("乡镇审核")
        laptop.run("xdotool", "windowactivate", "--sync", win)
        time.sleep(1)
        keys("ctrl+o")
        laptop.wait_window("打开村账本")
        time.sleep(0.5)
        laptop.run("xdotool", "type", "--delay", "20", str(ledger))
        keys("Return")
        laptop.wait_window("乡镇审核 — 示范村", timeout=60)  # the title names the village once it is read
        time.sleep(1.5)
        alive()
        shot = QImage(str(laptop.shot(tmp_path / "review.png")))
        assert (shot.width(), shot.height()) == (1366, 768)
        # The check passed: its line is drawn in green near the top of the window.
        green = sum(1 for x in range(0, 900) for y in range(60, 200)
                    if (c := shot.pixelColor(x, y)).green() > 70 and c.red() < 60 and c.blue() < 60)
        assert green > 30, "no green 账本校验：完好 line"
        # The flags table holds rows: dark text under its header (at about a fifth of the
        # screen), and the rest of the table below them is blank.
        rows = sum(1 for x in range(20, 1340, 2) for y in range(160, 205)
                   if shot.pixelColor(x, y).lightness() < 90)
        blank = sum(1 for x in range(20, 1340, 2) for y in range(300, 345)
                    if shot.pixelColor(x, y).lightness() < 90)
        assert rows > 300 and blank < 20, ("the flags table looks empty", rows, blank)

        keys("ctrl+p")
        laptop.wait_window("保存抽查报告")
        time.sleep(0.5)
        keys("Return")  # the proposed name in the file's own folder
        deadline = time.monotonic() + 30
        while not list((tmp_path / "usb").glob("抽查报告-*.pdf")):
            assert time.monotonic() < deadline, "no 抽查报告 saved"
            time.sleep(0.3)
        time.sleep(0.5)
        report = next((tmp_path / "usb").glob("抽查报告-*.pdf"))
        pdf = read_pdf(report.read_bytes()).all.replace(" ", "").replace("\n", "")
        seed = report.stem.split("种子")[1]
        assert f"抽查种子：{seed}" in pdf and "收错了人" in pdf and f"审核人：{REVIEWER}" in pdf
        time.sleep(1)
        alive()
        laptop.shot(tmp_path / "review-saved.png")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
