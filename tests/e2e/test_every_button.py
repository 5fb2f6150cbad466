"""Every button of every screen, and every key F1 lists, pressed in the real `daishou gui` on a
prepared village (a closed month, settled days, a month waiting to be closed, an open day with
receipts, remitted cash); then the township reviewer's window the same way. Any 「程序内部错误」,
a traceback in the program's output or the process ending fails the test, naming the button.

The buttons are not listed here: the program, started with DAISHOU_TEST_INVENTORY, writes what
is on the screen (ui/inventory.py), and the test presses each visible enabled push button at its
centre with the real mouse. A button added later is pressed without editing this test. Keys come
from the F1 help of each screen, read from the help box itself. Whatever a press opens (a PIN
dialog, a file dialog, a detail window) is closed with Esc; the login after Ctrl+L is signed in.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from app.domain.insurance import Insurance
from app.domain.records import Role
from app.services.desk import Desk
from app.services.receipts import LineRequest
from tests.e2e.conftest import RunningGui, Screen
from tests.gui.conftest import AGENT, AGENT_PIN, HEAD, HEAD_PIN, FakeClock, make_demo_home
from tests.printing.pdftext import read_pdf

REVIEWER, REVIEWER_PIN = "乡镇审核员", "246813"
PEOPLE = ("341824195711015652", "341824197412259269", "341824197710267777", "341824200210207385")
DESK_TITLE, REVIEW_TITLE = "示范村（", "乡镇审核"
SCREENS = ("F2", "F3", "F4", "F5", "F6", "F7")
KEY = re.compile(r"Ctrl\+(?:Delete|Enter|[A-Z])\b|F\d{1,2}(?:[–-]F\d{1,2})?|Esc\b")


def month_before(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)


def prepare_village(home: Path, reports: Path) -> dict[str, Any]:
    """Two months back: cash taken, settled, remitted, the month closed. Last month: two settled
    days (its close is waiting). Today (the real clock the window runs on): cash taken, open."""
    today = date.today()
    last = month_before(today)
    closed = month_before(last)
    clock = FakeClock(datetime(closed.year, closed.month, 10, 9, 0))
    make_demo_home(home, clock)
    with Desk(home, clock=clock) as desk:
        agent = desk.users.authenticate(AGENT, AGENT_PIN)
        head = desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,))
        desk.users.add(REVIEWER, Role.TOWNSHIP, REVIEWER_PIN, by=head)
        desk.setup.set_setting("report.dir", str(reports))

        def take(person: str) -> None:
            desk.receipts.record(agent, [LineRequest(person, Insurance.MEDICAL, 2027)], cash_fen=40000)

        take(PEOPLE[0])
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
        desk.settlements.remit(amount_fen=40000, slip_no="NB-0001", day=clock().date(), by=agent)
        for n, day in enumerate((10, 12), start=1):
            clock.now = datetime(last.year, last.month, day, 9, 0)
            if n == 1:
                desk.months.close(closed.isoformat()[:7], agent=agent, head=head, counted_fen=0)
            take(PEOPLE[n])
            desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    with Desk(home) as desk:  # today, on the real clock
        desk.receipts.record(desk.users.authenticate(AGENT, AGENT_PIN),
                             [LineRequest(PEOPLE[3], Insurance.MEDICAL, 2027)], cash_fen=40000)
    return {"closed_month": closed.isoformat()[:7], "today": today}


def xdotool_key(key: str) -> str:
    """F1's spelling to xdotool's: Esc, Ctrl+Enter, Ctrl+Delete, Ctrl+P, F12."""
    if key == "Esc":
        return "Escape"
    if key.startswith("Ctrl+"):
        rest = key[5:]
        return "ctrl+" + {"Enter": "Return", "Delete": "Delete"}.get(rest, rest.lower())
    return key


@dataclass
class Walk:
    gui: RunningGui
    inventory: Path
    home_title: str
    sign_in: Any
    reopen: str | None = None  # a dialog walked like a screen: the key that opens it again once closed
    pressed: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    _log_seen: int = 0

    def state(self) -> dict[str, Any]:
        for _ in range(50):
            try:
                return dict(json.loads(self.inventory.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                time.sleep(0.1)
        raise AssertionError("the program wrote no inventory")

    def check(self, what: str) -> None:
        """No internal error on screen, none in the program's output, the process alive."""
        self.gui.alive()
        active = self.state()["active"] or {}
        shown = "\n".join(active.get("texts", []))
        assert "程序内部错误" not in shown, f"{what}: {shown}"
        log = self.gui.log.read_text(errors="replace")
        new, self._log_seen = log[self._log_seen:], len(log)
        assert "Traceback" not in new and "unexpected error" not in new, f"{what}:\n{new}"

    def home(self) -> dict[str, Any]:
        """Close whatever the last press opened until the main window is active again."""
        for _ in range(15):
            time.sleep(0.7)
            self.check("a window that opened")
            active = self.state()["active"]
            if active is None:
                continue
            if self.home_title in active["title"]:
                return dict(active)
            if self.reopen and DESK_TITLE in active["title"]:  # the dialog closed (its own 关闭 button)
                self.gui.keys(self.reopen)
                continue
            self.opened.append(active["title"])
            if "登录" in active["title"]:
                self.sign_in()
            else:
                self.gui.keys("Escape")
        raise AssertionError(f"a window did not close with Esc: {self.state()}")

    def show(self, key: str | None) -> dict[str, Any]:
        if key:
            self.gui.keys(key)
        time.sleep(0.8)
        return self.home()

    def press_buttons(self, key: str | None) -> str:
        first = self.show(key)
        tab = first["tab"] or first["title"]
        seen: dict[str, int] = {}
        wanted = []
        for b in first["buttons"]:
            name = b["name"] or b["text"]
            seen[name] = seen.get(name, 0) + 1
            wanted.append((name, seen[name]))
        for name, nth in wanted:
            now = self.show(key)
            same = [b for b in now["buttons"] if (b["name"] or b["text"]) == name]
            if len(same) < nth or not same[nth - 1]["enabled"]:
                self.skipped.append(f"{tab}: {name}")
                continue
            button = same[nth - 1]
            self.gui.alive()
            self.gui.screen.run("xdotool", "mousemove", "--sync", str(button["x"]), str(button["y"]), "click", "1")
            time.sleep(1.2)
            self.check(f"{tab}: button {button['text']}")
            self.home()
            self.check(f"{tab}: button {button['text']}")
            self.pressed.append(f"{tab}: {button['text']}")
        return str(tab)

    def help_keys(self, key: str | None) -> list[str]:
        self.show(key)
        self.gui.keys("F1")
        time.sleep(1)
        box = self.state()["active"]
        assert box is not None and "帮助" in box["title"], f"F1 opened no help: {box}"
        keys = []
        for found in KEY.findall("\n".join(box["texts"])):
            if "–" in found or "-" in found[1:]:
                first, last = (int(k[1:]) for k in re.split("[–-]", found))
                keys += [f"F{n}" for n in range(first, last + 1)]
            else:
                keys.append(found)
        self.gui.keys("Escape")
        self.home()
        return list(dict.fromkeys(keys))

    def press_keys(self, key: str | None, keys: list[str]) -> None:
        for k in keys:
            self.show(key)
            self.gui.keys(xdotool_key(k))
            time.sleep(1.2)
            self.check(f"{key or self.home_title}: key {k}")
            self.home()
            self.pressed.append(f"{key or self.home_title}: {k}")


def test_every_button_and_listed_key_of_every_screen(laptop: Screen, tmp_path: Path) -> None:
    home, reports = tmp_path / "home", tmp_path / "reports"
    village = prepare_village(home, reports)
    inventory = tmp_path / "inventory.json"
    screen = Screen({**laptop.env, "DAISHOU_TEST_INVENTORY": str(inventory)}, laptop.width, laptop.height)
    gui = RunningGui(screen, home, tmp_path / "gui.log")
    try:
        gui.sign_in(AGENT_PIN)
        walk = Walk(gui, inventory, DESK_TITLE, lambda: gui.sign_in(AGENT_PIN))
        for key in SCREENS:
            if key == "F2":  # a household open, so 全户 and the payment's buttons have something to act on
                gui.keys("F2", "Escape")
                gui.paste("吴福福")
                time.sleep(1.5)
                gui.keys("Return")
                time.sleep(1)
            tab = walk.press_buttons(key)
            walk.press_keys(key, walk.help_keys(key))
            laptop.shot(tmp_path / f"every-button-{key}-{tab}.png")
        # What the walk must have reached (so it cannot pass by pressing nothing)
        for expected in ("生成本日公示", "打印月结单（Ctrl+Y）", "日结并会签（Ctrl+J）", "作废收据（Ctrl+Delete）",
                         "保存设置（Ctrl+S）", "全户（F8）", "登记走访（Ctrl+W）", "打印入户名单（Ctrl+K）",
                         "导入税务名单（Ctrl+O）", "月度统计 PDF（Ctrl+N）", "月度统计 Excel（Ctrl+Shift+N）"):
            assert any(p.endswith(expected) for p in walk.pressed), (expected, walk.pressed)
        assert any("村委会负责人确认" in t for t in walk.opened), walk.opened
        for key in ("F1", "Ctrl+L", "Ctrl+J", "Ctrl+Y", "F12"):
            assert any(p.endswith(f": {key}") for p in walk.pressed), (key, walk.pressed)
        # The 公示 and the 月结单 pressed from the window are there and read back.
        posting = reports / f"公示-{village['today'].isoformat()}.pdf"
        month = next(reports.glob(f"月结单-{village['closed_month']}-设备1.pdf"))
        posted = read_pdf(posting.read_bytes()).all.replace(" ", "")
        assert "吴涵国" in posted and "400.00" in posted, posted
        month_text = read_pdf(month.read_bytes()).all.replace(" ", "")
        assert village["closed_month"] in month_text and "400.00" in month_text

        # The village head sees what an agent cannot press: adding users, registering receipt books.
        gui.keys("ctrl+l")
        head = Walk(gui, inventory, DESK_TITLE, lambda: gui.sign_in(HEAD_PIN, name=HEAD))
        head.sign_in()
        head.press_buttons("F6")
        assert any(p.endswith("添加用户") for p in head.pressed), (head.pressed, head.skipped)
        # 网格与联络表 (F7, the head's): its button pressed, then each button of the dialog it opens.
        shown = head.show("F7")
        grid_button = next(b for b in shown["buttons"] if b["name"] == "doorGrid")
        gui.screen.run("xdotool", "mousemove", "--sync", str(grid_button["x"]), str(grid_button["y"]), "click", "1")
        time.sleep(1.2)
        head.check("入户: button 网格与联络表")
        head.pressed.append(f"入户（F7）: {grid_button['text']}")
        grid = Walk(gui, inventory, "网格与联络表", head.sign_in, reopen="ctrl+h")
        grid.press_buttons(None)
        gui.keys("Escape")
        head.home()
        for expected in ("分配（Ctrl+Enter）", "添加到联络表（Ctrl+N）", "停用选中的一行（Ctrl+Delete）",
                         "打印联络表（Ctrl+P）", "关闭（Esc）"):
            assert any(p.endswith(expected) for p in grid.pressed), (expected, grid.pressed, grid.skipped)
        head.pressed += grid.pressed
        head.opened += grid.opened
        head.skipped += grid.skipped
        walk.pressed += head.pressed
        walk.opened += head.opened
        walk.skipped += head.skipped

        # The township reviewer's window, the same way.
        gui.keys("ctrl+l")
        reviewer = Walk(gui, inventory, REVIEW_TITLE, lambda: gui.sign_in(REVIEWER_PIN, name=REVIEWER,
                                                                          window=REVIEW_TITLE))
        reviewer.sign_in()
        reviewer.press_buttons(None)
        reviewer.press_keys(None, reviewer.help_keys(None))
        assert any(p.endswith("打开村账本…（Ctrl+O）") for p in reviewer.pressed), reviewer.pressed
        gui.alive()
        print("pressed:", walk.pressed + reviewer.pressed, "\nopened:", walk.opened + reviewer.opened,
              "\nskipped (disabled or gone):", walk.skipped + reviewer.skipped)
    finally:
        gui.stop()
