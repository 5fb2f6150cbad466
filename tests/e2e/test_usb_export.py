"""A village with no network and no OS keyring, on a real (virtual) screen: F6, 导出到U盘 (Alt+U)
says to type the county's USB code and puts the cursor there; the code typed, Alt+U again opens
the save dialog (in Chinese), Enter writes the file on the stick. The county's real server
process then imports it and its overview shows the village's cash."""

from __future__ import annotations

import dataclasses
import io
import json
import time
from pathlib import Path

import httpx

from app.domain.insurance import Insurance
from app.domain.records import Role
from app.services.desk import Desk
from app.services.receipts import LineRequest
from sync import protocol as p
from sync.server import cli as server_cli
from tests.e2e.conftest import RunningGui, Screen, green_pixels
from tests.gui.conftest import AGENT, AGENT_PIN, HEAD, HEAD_PIN, FakeClock, make_demo_home
from tests.server.conftest import free_port
from tests.server.test_real_server import HE, SUN, start_server

VILLAGE = "341824100201"


def county(db: str, *argv: str, stdin: str = "") -> str:
    out = io.StringIO()
    code = server_cli.main(["--db", db, *argv], stdin=io.StringIO(stdin), stdout=out, stderr=out)
    assert code == 0, out.getvalue()
    return out.getvalue()


def settled_day(home: Path, stick: Path) -> int:
    clock = FakeClock()
    make_demo_home(home, clock)
    with Desk(home, clock=clock) as desk:
        agent = desk.users.authenticate(AGENT, AGENT_PIN)
        head = desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,))
        for person in (HE, SUN):
            desk.receipts.record(agent, [LineRequest(person, Insurance.MEDICAL, 2027)], cash_fen=40000)
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=80000)
        desk.setup.set_setting("backup.dir", str(stick))  # the stick: where the save dialog starts
    return 80000


def test_usb_export_from_the_window_reaches_the_county_overview(laptop: Screen, tmp_path: Path) -> None:
    stick = tmp_path / "U盘"
    stick.mkdir()
    collected = settled_day(tmp_path / "home", stick)
    db = f"sqlite:///{tmp_path / 'county.sqlite3'}"
    county(db, "init")
    code = county(db, "device", "enrol", "--village-code", VILLAGE, "--device-no", "1", "--usb").strip()

    # No keyring on this PC (keyring's own switch), and a dump of what each file dialog reads.
    dump = tmp_path / "dialogs.jsonl"
    env = {**laptop.env, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "DAISHOU_DIALOG_DUMP": str(dump)}
    gui = RunningGui(dataclasses.replace(laptop, env=env), tmp_path / "home", tmp_path / "gui.log")
    try:
        gui.sign_in(AGENT_PIN)
        gui.keys("F6")
        time.sleep(1)
        gui.keys("alt+u")  # nothing bound yet: told to type the code, the cursor put there
        time.sleep(1.5)
        gui.alive()
        assert not dump.exists(), "a save dialog opened before the code was typed"
        gui.type(code)
        gui.keys("alt+u")
        gui.activate("导出到U盘")
        time.sleep(1)
        laptop.shot(tmp_path / "gui-usb-save-dialog.png")
        gui.keys("Return")  # the proposed name, in the stick's folder
        deadline = time.monotonic() + 30
        while not list(stick.glob("代收数据-*.json")):
            assert time.monotonic() < deadline, "no file written on the stick"
            time.sleep(0.3)
        time.sleep(1.5)
        gui.alive()
        shot = laptop.image(tmp_path / "gui-usb-exported.png")
        assert green_pixels(shot, range(0, 1366), range(60, 768)) > 30, "no green 已导出 line"
    finally:
        gui.stop()

    seen = json.loads(dump.read_text(encoding="utf-8").splitlines()[0])
    assert seen["title"].startswith("导出到U盘") and seen["directory"] == str(stick)
    assert seen["labels"]["lookInLabel"] == "查看(&L)：" and seen["labels"]["fileTypeLabel"] == "文件类型(&T)："

    exported = next(stick.glob("代收数据-*.json"))
    assert code.replace("-", "") not in exported.read_text(encoding="utf-8")
    assert '"status": "accepted"' in county(db, "import", str(exported))
    county(db, "user", "add", "--name", "县社保", "--role", "county", stdin="county-pass-1\n")
    port = free_port()
    server = start_server(db, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            token = http.post(f"{p.API}/staff/login", json={"name": "县社保", "password": "county-pass-1"}).json()["token"]
            rows = {r["code"]: r for r in http.get(f"{p.API}/staff/overview",
                                                    headers={"Authorization": f"Bearer {token}"}).json()}
    finally:
        server.terminate()
        server.communicate(timeout=10)
    assert (rows[VILLAGE]["receipts"], rows[VILLAGE]["collected_fen"], rows[VILLAGE]["settled_fen"]) == (
        2, collected, collected)
