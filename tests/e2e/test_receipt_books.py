"""统一票据 on a real (virtual) screen, by keys only: the village head signs in, Ctrl+B registers
the book the township issued (first and last serial, the prefix, Enter), Ctrl+G records the
next form as spoiled with its reason — both land in the journal, the window stays up, and the
next receipt will take the serial after the spoiled one.

It starts with Ctrl+E typed in the desk's search box, where the cursor always is: on this X
screen a line edit takes Ctrl+E as end-of-line, and the unpaid list must be exported anyway."""

from __future__ import annotations

import json
import time
from pathlib import Path

from app.services.desk import Desk
from tests.e2e.conftest import RunningGui, Screen, green_pixels, read_ledger
from tests.gui.conftest import HEAD, HEAD_PIN, FakeClock, make_demo_home


def entries(home: Path, kind: str) -> list[tuple[object, ...]]:
    fields = {"receipt_book": "'$.data.prefix', '$.data.first', '$.data.last', '$.data.by'",
              "serial_spoiled": "'$.data.serial', '$.data.reason', '$.data.by'"}[kind]
    return [tuple(json.loads(row)) for (row,) in read_ledger(
        home, f"SELECT json_extract(body, {fields}) FROM journal WHERE kind = ?", (kind,))]


def wait_for_entry(gui: RunningGui, home: Path, kind: str) -> list[tuple[object, ...]]:
    deadline = time.monotonic() + 30
    while not (found := entries(home, kind)):
        gui.alive()
        assert time.monotonic() < deadline, f"no {kind} entry in the journal"
        time.sleep(0.3)
    return found


def test_a_head_registers_a_receipt_book_and_a_spoiled_form_with_keys(laptop: Screen, tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_demo_home(home, FakeClock())
    gui = RunningGui(laptop, home, tmp_path / "gui.log")
    try:
        gui.sign_in(HEAD_PIN, name=HEAD)
        gui.keys("ctrl+e")  # in the search box: the window's key (导出未缴名单), not the field's
        gui.choose_file("导出未缴名单", tmp_path / "unpaid.xlsx")
        deadline = time.monotonic() + 30
        while not (tmp_path / "unpaid.xlsx").exists():
            gui.alive()
            assert time.monotonic() < deadline, "Ctrl+E in the search box exported nothing"
            time.sleep(0.3)
        gui.activate("示范村")
        gui.keys("ctrl+b")  # F6 opens with the cursor in 起始票号
        time.sleep(1)
        gui.type("0001201")
        gui.keys("Return")
        gui.type("0001250")
        gui.keys("Return")
        gui.paste("皖")
        gui.keys("Return")
        books = wait_for_entry(gui, home, "receipt_book")
        assert books == [("皖", "皖0001201", "皖0001250", HEAD)]

        gui.keys("ctrl+g")
        time.sleep(0.5)
        gui.paste("卡纸撕坏")
        gui.keys("Return")
        assert wait_for_entry(gui, home, "serial_spoiled") == [("皖0001201", "卡纸撕坏", HEAD)]
        time.sleep(1)
        gui.alive()
        shot = laptop.image(tmp_path / "gui-receipt-book.png")
        # The panel's message says it in green: 统一票据 皖0001201 已登记作废. Every pixel of the
        # right half below the top panels is looked at: a grid of every other pixel catches only
        # a score of a short line's thin strokes, fewer where it lands a line lower.
        green = green_pixels(shot, range(683, 1366), range(300, 768))
        assert green > 20, "no green message on the F6 panel"
    finally:
        gui.stop()
    with Desk(home) as desk:
        assert desk.verify().ok
        assert desk.receipt_books.status().next_serial == "皖0001202"
