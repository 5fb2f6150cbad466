"""The township reviewer on a real (virtual) screen: signs in by name, opens a village's backup
file through the file dialog with real key presses, sees the check, the flags and the sample,
and saves the 抽查报告 through the save dialog. The process must still be running throughout."""

from __future__ import annotations

import time
from pathlib import Path

from app.domain.records import Role
from app.services.desk import Desk
from tests.e2e.conftest import RunningGui, Screen, green_pixels
from tests.gui.conftest import HEAD, HEAD_PIN, FakeClock, make_demo_home
from tests.gui.test_review_window import village_file
from tests.printing.pdftext import read_pdf

REVIEWER, REVIEWER_PIN = "赵审核", "2468"


def township_gui(laptop: Screen, tmp_path: Path) -> RunningGui:
    """The township's own PC with a reviewer: the real program started on it, not signed in."""
    make_demo_home(tmp_path / "township", FakeClock())
    with Desk(tmp_path / "township", clock=FakeClock()) as own:
        own.users.add(REVIEWER, Role.TOWNSHIP, REVIEWER_PIN, by=own.users.authenticate(HEAD, HEAD_PIN))
    return RunningGui(laptop, tmp_path / "township", tmp_path / "gui.log")


def test_a_reviewer_opens_a_village_file_and_saves_the_report(laptop: Screen, tmp_path: Path) -> None:
    clock = FakeClock()
    make_demo_home(tmp_path / "village", clock)
    with Desk(tmp_path / "village", clock=clock) as village:
        ledger = village_file(village, clock, tmp_path / "usb")
    gui = township_gui(laptop, tmp_path)
    try:
        gui.sign_in(REVIEWER_PIN, name=REVIEWER, window="乡镇审核")
        gui.keys("ctrl+o")
        gui.choose_file("打开村账本", ledger)
        laptop.wait_window("乡镇审核 — 示范村", timeout=60)  # the title names the village once it is read
        time.sleep(1.5)
        gui.alive()
        shot = laptop.image(tmp_path / "review.png")
        # The check passed: its line is drawn in green near the top of the window.
        green = green_pixels(shot, range(0, 900), range(60, 200))
        assert green > 30, "no green 账本校验：完好 line"
        # The flags table holds rows: dark text under its header (at about a fifth of the
        # screen), and the rest of the table below them is blank.
        rows = sum(1 for x in range(20, 1340, 2) for y in range(160, 205)
                   if shot.pixelColor(x, y).lightness() < 90)
        blank = sum(1 for x in range(20, 1340, 2) for y in range(300, 345)
                    if shot.pixelColor(x, y).lightness() < 90)
        assert rows > 300 and blank < 20, ("the flags table looks empty", rows, blank)

        gui.keys("ctrl+p")
        gui.activate("保存抽查报告")
        gui.keys("Return")  # the proposed name in the file's own folder
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
        gui.alive()
        laptop.shot(tmp_path / "gui-review-saved.png")
    finally:
        gui.stop()
