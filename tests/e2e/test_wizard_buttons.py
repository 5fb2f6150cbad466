"""Every button of the first-run wizard pressed on a real screen, page by page, as a new village
meets it: the field's 选择文件… (its Chinese file dialog closed again), 导入, 注册并下载 with no
county server typed, 查找本机的打印机, 测试打印 to a loopback printer, 上一步 and back, and
下一步 / 完成 to the login. Nothing may end in 「程序内部错误」, a traceback or the program quitting.

The buttons come from the program's own inventory (ui/inventory.py), as in test_every_button.py,
so a button added to a page later is pressed without editing this test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.demo import demo_config
from tests.e2e.conftest import RunningGui, Screen, read_ledger
from tests.e2e.test_every_button import Walk
from tests.printing.loopback import NORMAL, LoopbackPrinter

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
WIZARD = "首次设置"
NAVIGATION = {"wizardNext", "wizardBack"}


@pytest.fixture
def printer() -> Iterator[LoopbackPrinter]:
    p = LoopbackPrinter(status=NORMAL)
    yield p
    p.close()


def step_of(active: dict[str, Any] | None) -> str:
    """The wizard's 「第N步，共M步：…」 heading as shown in the active window."""
    return next((t for t in (active or {}).get("texts", []) if t.startswith("第") and "步，共" in t), "")


def button(active: dict[str, Any], name: str) -> dict[str, Any]:
    found = [b for b in active.get("buttons", []) if b["name"] == name]
    assert found, f"no {name} on {step_of(active)}: {active}"
    return dict(found[0])


def people(home: Path) -> int:
    return int(read_ledger(home, "SELECT COUNT(*) FROM person")[0][0])


def click(walk: Walk, b: dict[str, Any]) -> None:
    walk.gui.alive()
    walk.gui.screen.run("xdotool", "mousemove", "--sync", str(b["x"]), str(b["y"]), "click", "1")
    time.sleep(1.5)


def press_page_buttons(walk: Walk) -> list[str]:
    """Every visible, enabled button of the page but the navigation, each with the real mouse;
    whatever it opens is closed with Esc (Walk.home)."""
    page = step_of(walk.home())
    names = [b["name"] or b["text"] for b in walk.home()["buttons"] if b["name"] not in NAVIGATION]
    pressed = []
    for name in names:
        now = walk.home()
        assert step_of(now) == page, f"pressing buttons left {page} for {step_of(now)}"
        same = [b for b in now["buttons"] if (b["name"] or b["text"]) == name]
        if not same or not same[0]["enabled"]:
            walk.skipped.append(f"{page}: {name}")
            continue
        click(walk, same[0])
        walk.check(f"{page}: button {same[0]['text']}")
        walk.home()
        walk.check(f"{page}: button {same[0]['text']}")
        pressed.append(same[0]["text"])
        walk.pressed.append(f"{page}: {same[0]['text']}")
    return pressed


def next_page(walk: Walk, *, wait: float = 20) -> str:
    """下一步 pressed with the mouse; the heading must change."""
    before = step_of(walk.home())
    pressed = button(walk.home(), "wizardNext")
    click(walk, pressed)
    walk.pressed.append(f"{before}: {pressed['text']}")
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        walk.check(f"{before}: 下一步")
        now = walk.state()["active"]
        if now is not None and WIZARD not in now["title"]:
            return str(now["title"])  # the wizard handed over (to the login)
        if step_of(now) not in ("", before):
            return step_of(now)
        time.sleep(0.3)
    raise AssertionError(f"下一步 did not leave {before}: {walk.state()}")


def test_every_wizard_button(laptop: Screen, tmp_path: Path, printer: LoopbackPrinter) -> None:
    home = tmp_path / "home"
    inventory = tmp_path / "inventory.json"
    screen = Screen({**laptop.env, "DAISHOU_TEST_INVENTORY": str(inventory)}, laptop.width, laptop.height)
    gui = RunningGui(screen, home, tmp_path / "gui.log")
    walk = Walk(gui, inventory, WIZARD, lambda: None)
    try:
        gui.activate(WIZARD)
        # Step 1, the village and the device: typed, its buttons pressed, then on.
        gui.type("341824100201")
        gui.keys("Tab")
        gui.paste("示范村")
        gui.keys("Tab")
        gui.type("341824100")
        gui.keys("Tab")
        gui.paste("示范镇")
        gui.keys("Tab", "ctrl+a")
        gui.type("1")
        first = step_of(walk.home())
        assert first.startswith("第1步"), first
        press_page_buttons(walk)
        second = next_page(walk)
        assert second.startswith("第2步"), second

        # Step 2, the county configuration; 上一步 goes back with what was typed kept.
        config = tmp_path / "county-config.json"
        config.write_text(demo_config(date.today()), encoding="utf-8")
        click(walk, button(walk.home(), "wizardBack"))
        walk.check("上一步")
        assert step_of(walk.home()) == first
        walk.pressed.append(f"{second}: 上一步")
        assert next_page(walk) == second  # the first page's fields were kept
        press_page_buttons(walk)  # 选择文件…: a file dialog, closed; the focus is back on the button
        gui.keys("shift+Tab", "ctrl+a")  # the field before it
        gui.type(str(config))
        assert next_page(walk).startswith("第3步")

        # Step 3, the users (leaving it writes the village, the configuration and the users).
        gui.paste("李代收")
        gui.keys("Tab")
        gui.type("1234")
        gui.keys("Tab")
        gui.type("1234")
        gui.keys("Tab")
        gui.paste("王村长")
        gui.keys("Tab")
        gui.type("135790")
        gui.keys("Tab")
        gui.type("135790")
        press_page_buttons(walk)
        assert next_page(walk).startswith("第4步")

        # Step 4, the roster: 选择文件…, 导入 (the path typed), 注册并下载 with no server typed.
        gui.type(str(DEMO / "roster-2027.csv"))
        pressed = press_page_buttons(walk)
        assert {"导入", "注册并下载"} <= set(pressed), pressed
        assert "县服务器" in "\n".join(walk.home()["texts"])
        assert people(home) == 56, "导入 imported the demo roster"
        assert next_page(walk, wait=60).startswith("第5步")

        # Step 5, the printer: found printers listed, a test print on the loopback printer.
        gui.type(f"127.0.0.1:{printer.port}")
        pressed = press_page_buttons(walk)
        assert {"测试打印", "查找本机的打印机"} <= set(pressed), pressed
        deadline = time.monotonic() + 20
        while not printer.prints and time.monotonic() < deadline:
            time.sleep(0.3)
        assert printer.prints, "测试打印 sent nothing to the printer"
        assert next_page(walk).startswith("第6步")

        # The summary, then 完成，去登录: the login is shown and the program still runs.
        press_page_buttons(walk)
        assert "登录" in next_page(walk)
        gui.alive()
        print("pressed:", walk.pressed, "\nopened:", walk.opened, "\nskipped:", walk.skipped)
        for expected in ("选择文件…", "导入", "注册并下载", "测试打印", "查找本机的打印机", "上一步", "下一步"):
            assert any(p.endswith(expected) or expected in p for p in walk.pressed), (expected, walk.pressed)
    finally:
        gui.stop()
