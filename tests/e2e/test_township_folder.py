"""The township reviewer on a real (virtual) screen reads a whole folder of villages' files: the
folder picked in the dialog with real key presses, one row per village, a 疑点 answered with
Ctrl+Enter and the answers file saved through the save dialog (issue 24)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from PySide6.QtGui import QImage

from tests.e2e.conftest import Screen
from tests.e2e.test_township_review import REVIEWER, REVIEWER_PIN, township_gui
from tests.gui.conftest import FakeClock
from tests.review.township_files import township_folder


def test_a_reviewer_reads_a_folder_of_villages_and_saves_answers(laptop: Screen, tmp_path: Path) -> None:
    folder = township_folder(tmp_path, FakeClock())
    gui = township_gui(laptop, tmp_path)
    try:
        gui.sign_in(REVIEWER_PIN, name=REVIEWER, window="乡镇审核")
        gui.keys("ctrl+shift+o")
        gui.choose_file("打开村账本文件夹", folder)
        time.sleep(1)
        still = subprocess.run(["xdotool", "search", "--name", "打开村账本文件夹"], env=laptop.env,
                               capture_output=True, text=True, check=False).stdout.strip()
        if still:
            gui.keys("Return")  # the dialog went into the folder: choose it
        laptop.wait_window("乡镇审核 — 示范村", timeout=60)  # the first village is shown once the folder is read
        time.sleep(1.5)
        gui.alive()
        shot = QImage(str(laptop.shot(tmp_path / "gui-township-folder.png")))
        assert (shot.width(), shot.height()) == (1366, 768)
        gui.keys("ctrl+Return")  # 核实无误 for the first 疑点 of 示范村 (its void)
        time.sleep(0.8)
        gui.keys("ctrl+shift+s")
        gui.activate("保存疑点答复文件")
        gui.keys("Return")  # the proposed name, in the folder read
        deadline = time.monotonic() + 30
        while not list(folder.glob("疑点答复-*.json")):
            assert time.monotonic() < deadline, "no answers file saved"
            time.sleep(0.3)
        time.sleep(0.5)
        data = json.loads(next(folder.glob("疑点答复-*.json")).read_text(encoding="utf-8"))
        assert [(a["village_code"], a["code"], a["verdict"], a["by"]) for a in data["answers"]] == [
            ("341824100201", "void", "核实无误", REVIEWER)]
        assert [v["village_code"] for v in data["villages"]] == ["341824100201", "341824100202"]
        gui.alive()
        laptop.shot(tmp_path / "gui-township-answered.png")
    finally:
        gui.stop()
