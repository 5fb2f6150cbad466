"""The real `daishou-server serve` process on loopback and the desk's own command line, on SQLite
and on PostgreSQL: enrol, pull the county's configuration and roster, record and settle several
days, sync, remit, and see the county's 入库 confirmation come down."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.cli import main
from app.cli.common import Context
from sync.server import cli as server_cli
from tests.factories import FakeClock
from tests.server.conftest import database_url, free_port

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
VILLAGE = "341824100201"
HE, SUN = "341824195711015652", "341824197701025493"  # two residents of the demo roster


def server_cmd(db: str, *argv: str, stdin: str = "") -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = server_cli.main(["--db", db, *argv], stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue()


class Desk:
    def __init__(self, home: Path, clock: FakeClock) -> None:
        self.home, self.clock = home, clock

    def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(["--home", str(self.home), *argv],
                    context=Context(stdin=io.StringIO(stdin), stdout=out, stderr=err, clock=self.clock))
        return code, out.getvalue() + err.getvalue()

    def json(self, *argv: str, stdin: str = "") -> dict:  # type: ignore[type-arg]
        code, out = self(*argv, "--json", stdin=stdin)
        assert code == 0, out
        return json.loads(out)  # type: ignore[no-any-return]


def start_server(db: str, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    """`daishou-server serve` as its own process(es), once it answers."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "sync.server.cli", "--db", db, "serve", "--port", str(port),
                             "--workers", str(workers)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "daishou-server did not answer"
        time.sleep(0.1)


@pytest.fixture(params=["sqlite", "postgresql"])
def county(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, subprocess.Popen[bytes]]]:
    for db in database_url(request.param, tmp_path):
        assert server_cmd(db, "init")[0] == 0
        port = free_port()
        proc = start_server(db, port)
        try:
            yield db, f"http://127.0.0.1:{port}", proc
        finally:
            proc.terminate()
            proc.communicate(timeout=10)  # closes its pipe


def test_enrol_pull_settle_sync_confirm(county: tuple[str, str, subprocess.Popen[bytes]], tmp_path: Path,
                                        clock: FakeClock) -> None:
    db, base, proc = county
    assert server_cmd(db, "config", "load", str(DEMO / "county-config.json"))[0] == 0
    code, said = server_cmd(db, "roster", "load", str(DEMO / "roster-2027.csv"), "--village-code", VILLAGE)
    assert code == 0 and "清册第 1 版" in said
    code, enrol_code = server_cmd(db, "device", "enrol", "--village-code", VILLAGE, "--device-no", "1")
    assert code == 0 and len(enrol_code.strip()) == 9  # XXXX-XXXX, short enough to type

    desk = Desk(tmp_path / "desk", clock)
    assert desk("init", "--village-code", VILLAGE, "--village-name", "上庄村", "--township-code", "341824100",
                "--device-no", "1")[0] == 0
    assert desk("user", "add", "--name", "李代收", "--role", "agent", stdin="1234\n")[0] == 0
    assert desk("user", "add", "--name", "王村长", "--role", "head", stdin="567890\n")[0] == 0
    assert desk.json("enrol", "--server", base, "--code", enrol_code.strip())["device_id"] == f"{VILLAGE}-01"
    first = desk.json("sync")  # the setup entries go up; the county's configuration and roster come down
    assert first["conflicts"] == [] and first["received"]["roster"]["version"] == 1
    assert first["received"]["roster"]["imported"] > 0 and first["received"]["config"]
    assert desk.json("roster", "search", HE)[0]["name"] == "何梅德"

    receipts = []
    for person, day_cash in ((HE, "400"), (SUN, "400")):
        receipts.append(desk.json("receipt", "record", "--agent", "李代收", "--line", f"{person}:medical:2027",
                                  "--cash", day_cash, stdin="1234\n")["number"])
        desk.json("settle", "--date", clock().date().isoformat(), "--counted", day_cash, "--agent", "李代收",
                  "--head", "王村长", stdin="1234\n567890\n")
        clock.next_day()
    desk.json("remit", "--amount", "800", "--slip", "JK-0001", "--date", clock().date().isoformat(),
              "--agent", "李代收", stdin="1234\n")
    sent = desk.json("sync")
    newest = desk.json("verify")["entries"]
    assert sent["sent"] == [[first["held"] + 1, newest]] and sent["held"] == newest and sent["conflicts"] == []
    assert desk.json("sync")["sent"] == []  # again: nothing new, nothing doubled

    code, said = server_cmd(db, "confirm", "--slip", "JK-0001", "--amount", "800", "--date", "2026-11-23")
    assert code == 0 and "已确认入库" in said
    assert desk.json("sync")["received"]["confirmations"] == ["JK-0001"]
    assert desk.json("confirmations")["JK-0001"]["amount_fen"] == 80000
    code, said = server_cmd(db, "check")
    assert code == 0 and f"1 台设备，{newest} 条记录，全部完好" in said
    check = httpx.get(f"{base}/api/v1/receipts/{receipts[0]}",
                      params={"code": desk.json("receipt", "show", receipts[0])["hash"][:12]}).json()
    assert check["found"] and check["total_fen"] == 40000
    assert proc.poll() is None  # the server is still serving


def test_a_townships_roster_is_split_by_its_village_column(tmp_path: Path) -> None:
    db = str(tmp_path / "county.sqlite3")
    assert server_cmd(db, "init")[0] == 0
    assert server_cmd(db, "config", "load", str(DEMO / "county-config.json"))[0] == 0
    lines = (DEMO / "roster-2027.csv").read_text(encoding="utf-8").splitlines()
    township = ["村代码," + lines[0]] + [f"{'341824100201' if n % 2 else '341824100202'},{line}"
                                        for n, line in enumerate(lines[1:])]
    path = tmp_path / "乡镇清册.csv"
    path.write_text("\n".join(township) + "\n", encoding="utf-8")
    code, said = server_cmd(db, "roster", "load", str(path))
    assert code == 0, said
    assert "341824100201 清册第 1 版" in said and "341824100202 清册第 1 版" in said
    code, said = server_cmd(db, "roster", "load", str(DEMO / "roster-2027.csv"))
    assert code == 1 and "没有“村代码”列" in said
