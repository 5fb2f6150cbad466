"""A grid member's session on a real screen: sign in by name and PIN, their households with the
failed debit first (and no one else's), a reason and a visit recorded by keyboard, the list
printed as PDF; the cash screens' keys lead back to 入户 (a grid member takes no cash)."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date
from pathlib import Path

import orjson

from app.domain.records import Role
from app.services.desk import Desk
from tests.door.conftest import write_list
from tests.e2e.conftest import RunningGui, Screen, green_pixels
from tests.gui.conftest import AGENT, AGENT_PIN, HEAD, HEAD_PIN, FakeClock, make_demo_home
from tests.printing.pdftext import read_pdf

GRID, GRID_PIN = "周网格", "2468"
SUN = ("341824197701025493", "孙兰军")  # 第一村民小组, household 0002: owes pension and medical
OTHER_GROUP = "周梅强"  # 第二村民小组, unpaid: on the village's list, not on this grid member's


def _home(tmp_path: Path) -> tuple[Path, Path, date]:
    home, reports = tmp_path / "home", tmp_path / "reports"
    make_demo_home(home, FakeClock())
    with Desk(home) as desk:
        head = desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,))
        desk.users.add(GRID, "grid", GRID_PIN, by=head)
        desk.door.assign(head, member=GRID, group="第一村民小组")
        agent = desk.users.authenticate(AGENT, AGENT_PIN)
        today = desk.clock().date()
        desk.door.import_debit_list(agent, write_list(tmp_path / "failed.csv", [(*SUN, today.isoformat(), "余额不足")]),
                                    list_kind="failed", day=today)
        desk.setup.set_setting("report.dir", str(reports))
    return home, reports, today


def _visits(home: Path) -> list[dict[str, object]]:
    conn = sqlite3.connect(f"file:{home / 'daishou.sqlite3'}?mode=ro", uri=True)
    try:
        return [orjson.loads(b)["data"] for (b,) in conn.execute(
            "SELECT body FROM journal WHERE kind IN ('door_visit', 'unpaid_reason') ORDER BY seq")]
    finally:
        conn.close()


def _wait(check: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def test_a_grid_member_records_a_visit_and_prints_their_list(laptop: Screen, tmp_path: Path) -> None:
    home, reports, listed_on = _home(tmp_path)  # the failed debit's day (a run across midnight keeps it)
    inventory = tmp_path / "inventory.json"
    screen = Screen({**laptop.env, "DAISHOU_TEST_INVENTORY": str(inventory)}, laptop.width, laptop.height)
    gui = RunningGui(screen, home, tmp_path / "gui.log")
    try:
        gui.sign_in(GRID_PIN, name=GRID)
        time.sleep(2)
        gui.alive()
        first = laptop.image(tmp_path / "gui-door-list.png")
        # The door screen opened by itself with its first row (the failed debit) selected: the
        # selection's blue across the row under the header, and white rows below it.
        selected = first.pixelColor(40, 122)
        assert selected.blue() > 150 and selected.red() < 120, selected.name()
        assert first.pixelColor(40, 152).lightness() > 200

        def shown() -> dict[str, object]:
            _wait(lambda: inventory.exists())
            return dict(json.loads(inventory.read_text(encoding="utf-8"))["active"])

        title = next(t for t in shown()["texts"] if "入户催缴" in t)  # type: ignore[attr-defined]
        assert f"网格员 {GRID}" in title, title
        # The cash screens' keys (收款 F2, 收据 F3, 日结 F4), 进度 F5 (the whole village's unpaid
        # list, phones included) and F12 (收款) lead back to 入户.
        for key in ("F2", "F3", "F4", "F5", "F12"):
            gui.keys(key)
            time.sleep(0.8)
            assert shown()["tab"] == "入户（F7）", key
        gui.alive()
        # The reason, the outcome and the next step, by keyboard from the list.
        gui.keys("Tab", "Down")  # the reason box: 外出务工
        gui.keys("Tab")
        gui.paste("已告知存足费款")
        gui.keys("Tab")
        gui.paste("三天后再访")
        laptop.shot(tmp_path / "gui-door-visit-typed.png")
        gui.keys("ctrl+w")
        _wait(lambda: len(_visits(home)) == 2)
        reason, visit = _visits(home)
        assert (reason["id_number"], reason["reason"], reason["by"]) == (SUN[0], "外出务工", GRID)
        assert (visit["id_number"], visit["visitor"], visit["outcome"], visit["next_step"]) == (
            SUN[0], GRID, "已告知存足费款", "三天后再访")
        time.sleep(1)
        laptop.shot(tmp_path / "gui-door-visit-recorded.png")
        gui.keys("ctrl+k")
        _wait(lambda: any(reports.glob("入户名单-*.pdf")))
        time.sleep(1)
        gui.alive()
        printed = laptop.image(tmp_path / "gui-door-printed.png")
        assert green_pixels(printed, range(10, 900, 2), range(712, 742)) > 40, "no green 已生成 line"
        pdf = next(reports.glob("入户名单-*.pdf"))
        text = read_pdf(pdf.read_bytes()).all.replace(" ", "")
        assert "请勿张贴" in text and f"网格员：{GRID}" in text
        assert text.index("扣款失败：请督促") < text.index(SUN[1]) < text.index("未缴费人员")
        assert f"扣款失败{listed_on.isoformat()}" in text and "外出务工" in text and "已告知存足费款" in text
        assert SUN[0] not in text and "13510330406" not in text
        # Their households only: the first group's, not the second's.
        assert "第一村民小组" in text and "第二村民小组" not in text and OTHER_GROUP not in text
        with Desk(home) as desk:  # the village's list has them: the grid member's leaves them out
            assert OTHER_GROUP in [p.name for p in desk.door.door_list().people]
    finally:
        gui.stop()
