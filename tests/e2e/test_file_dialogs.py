"""Every file dialog the keyboard opens, on a real (virtual) screen with no locale set (as a bare
Linux PC, or this test machine, has): each reads Chinese — its labels, its file list's type column
and dates — and starts where that kind of file goes, never in the program's folder.

What each dialog shows is read back through DAISHOU_DIALOG_DUMP (ui/file_dialogs.py): the texts
of its labels and rows as the running program has them. Without qtbase_zh_CN, without the gaps
it leaves (ui/qt_chinese.py), or with the C locale's dates, these assertions fail.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from pathlib import Path

from app.domain.insurance import Insurance
from app.domain.records import Role
from app.services.desk import Desk
from app.services.receipts import LineRequest
from tests.e2e.conftest import RunningGui, Screen
from tests.gui.conftest import AGENT, AGENT_PIN, HEAD, HEAD_PIN, FakeClock, make_demo_home
from tests.server.test_real_server import HE

CHINESE_DATE = re.compile(r"^\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}$")

# What the agent presses, and the dialog's title: every file dialog a key opens in the desk window.
DESK_DIALOGS = [(("ctrl+e",), "导出未缴名单"), (("ctrl+u",), "选择保存报表的文件夹"),
                (("ctrl+i",), "选择征收清册文件"), (("F4", "ctrl+d"), "选择保存日结单和台账的文件夹")]


def read_dump(dump: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()] if dump.exists() else []


def open_and_read(gui: RunningGui, dump: Path, keys: tuple[str, ...], title: str, shot: Path | None) -> dict:  # type: ignore[type-arg]
    before = len(read_dump(dump))
    gui.keys(*keys)
    gui.activate(title)
    deadline = time.monotonic() + 20
    while len(read_dump(dump)) == before:
        assert time.monotonic() < deadline, f"the dialog 「{title}」 wrote nothing"
        time.sleep(0.2)
    if shot is not None:
        gui.screen.shot(shot)
    gui.keys("Escape")
    time.sleep(0.8)
    gui.alive()
    return read_dump(dump)[-1]


def assert_chinese(seen: dict, title: str, start: Path) -> None:  # type: ignore[type-arg]
    assert seen["title"] == title
    labels = seen["labels"]
    assert labels["lookInLabel"] == "查看(&L)：", labels
    assert labels["fileNameLabel"] in ("文件名称(&N)：", "目录："), labels
    assert labels["fileTypeLabel"] == "文件类型(&T)：", labels
    assert seen["directory"] == str(start), (seen["directory"], "not where this kind of file goes")
    folders = [r for r in seen["rows"] if r and r[0] == "村里的文件"]
    assert folders, seen["rows"]
    assert folders[0][2] == "文件夹" and CHINESE_DATE.match(folders[0][3]), folders[0]
    assert not any(re.search(r"[A-Za-z]{3,}", " ".join(r[1:])) for r in seen["rows"]
                   if r and not r[0].endswith(".csv")), seen["rows"]


def test_each_file_dialog_reads_chinese_and_starts_in_the_right_folder(laptop: Screen, tmp_path: Path) -> None:
    clock = FakeClock()
    make_demo_home(tmp_path / "home", clock)
    with Desk(tmp_path / "home", clock=clock) as desk:  # a settled day, for Ctrl+D
        agent = desk.users.authenticate(AGENT, AGENT_PIN)
        desk.receipts.record(agent, [LineRequest(HE, Insurance.MEDICAL, 2027)], cash_fen=40000)
        desk.settlements.settle(clock().date(), agent=agent,
                                head=desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,)), counted_fen=40000)
        desk.users.add("赵审核", Role.TOWNSHIP, "2468", by=desk.users.authenticate(HEAD, HEAD_PIN))
    user_home = tmp_path / "用户"  # the agent's own folder: where a dialog starts with nothing chosen
    (user_home / "村里的文件").mkdir(parents=True)
    (user_home / "清册.csv").write_text("x", encoding="utf-8")
    dump = tmp_path / "dialogs.jsonl"
    env = {**laptop.env, "HOME": str(user_home), "DAISHOU_DIALOG_DUMP": str(dump)}
    for name in ("LANG", "LC_ALL", "LC_TIME", "LC_MESSAGES"):
        env.pop(name, None)  # no locale at all, as on the machine the issue was seen on
    screen = dataclasses.replace(laptop, env=env)

    gui = RunningGui(screen, tmp_path / "home", tmp_path / "gui.log")
    try:
        gui.sign_in(AGENT_PIN)
        for i, (keys, title) in enumerate(DESK_DIALOGS):
            seen = open_and_read(gui, dump, keys, title, tmp_path / "gui-file-dialog.png" if i == 0 else None)
            assert_chinese(seen, title, user_home)
    finally:
        gui.stop()

    gui = RunningGui(screen, tmp_path / "home", tmp_path / "review.log")
    try:
        gui.sign_in("2468", name="赵审核", window="乡镇审核")
        assert_chinese(open_and_read(gui, dump, ("ctrl+o",), "打开村账本", None), "打开村账本", user_home)
    finally:
        gui.stop()
