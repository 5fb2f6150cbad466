"""The township reviewer on a real (virtual) screen reads a whole folder of villages' files: the
folder picked in the dialog with real key presses, one row per village, a 疑点 answered with
Ctrl+Enter and the answers file saved through the save dialog (issue 24); then the 批量扣款清册
button pressed with the mouse, its PDF and the county's data file saved beside the files (issue 25)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from tests.e2e.conftest import RunningGui, Screen
from tests.e2e.test_township_review import REVIEWER, REVIEWER_PIN, township_gui
from tests.gui.conftest import FakeClock
from tests.review.township_files import township_folder


def test_a_reviewer_reads_a_folder_of_villages_and_saves_answers(laptop: Screen, tmp_path: Path) -> None:
    folder = township_folder(tmp_path, FakeClock())
    inventory = tmp_path / "inventory.json"
    laptop.env["DAISHOU_TEST_INVENTORY"] = str(inventory)  # where the window says its buttons are
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
        laptop.image(tmp_path / "gui-township-folder.png")
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
        _press_register(gui, laptop, inventory, folder, tmp_path)
    finally:
        gui.stop()


def _press_register(gui: RunningGui, laptop: Screen, inventory: Path, folder: Path, tmp_path: Path) -> None:
    """The 批量扣款清册 button, found where the window says it is and clicked with the mouse."""
    deadline = time.monotonic() + 20
    while True:
        shown = json.loads(inventory.read_text(encoding="utf-8")) if inventory.is_file() else {}
        found = [b for b in ((shown.get("active") or {}).get("buttons") or []) if b["name"] == "debitRegister"]
        if found and found[0]["enabled"]:
            break
        assert time.monotonic() < deadline, shown
        time.sleep(0.3)
    laptop.run("xdotool", "mousemove", "--sync", str(found[0]["x"]), str(found[0]["y"]), "click", "1")
    gui.activate("保存批量扣款清册")
    gui.keys("Return")  # the proposed name, in the folder read
    deadline = time.monotonic() + 60
    while not (list(folder.glob("批量扣款清册-*.pdf")) and list(folder.glob("批量扣款清册-*.json"))):
        assert time.monotonic() < deadline, "no 清册 saved"
        time.sleep(0.3)
    time.sleep(0.5)
    data = json.loads(next(folder.glob("批量扣款清册-*.json")).read_text(encoding="utf-8"))
    pdf = next(folder.glob("批量扣款清册-*.pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "两险批量扣款清册》（内部资料 请勿张贴）" in text and "notes.sqlite3" in text
    assert {r["village_code"] for r in data["rows"]} == {"341824100201", "341824100202"}
    assert data["people"] == len(data["rows"]) and data["total_fen"] == sum(r["amount_fen"] for r in data["rows"])
    for row in data["rows"]:
        assert row["id_number"] in text  # in full: the sheet goes to the bank
    gui.alive()
    laptop.shot(tmp_path / "gui-township-register.png")
