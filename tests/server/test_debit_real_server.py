"""Issue 25's loop through the real `daishou-server serve` process and the desk's own command line,
on SQLite and PostgreSQL: the county loads the tax office's failed debits; the desk's sync brings
them to the grid member's list (failed first); a visit is recorded, the person pays cash, the day
is settled and synced; they leave the list with their reason kept, and the county sees the cash
against the failed debit. Thirty days after the first failure, whoever still owes moves to the
other channels or cash."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import httpx

from tests.factories import FakeClock
from tests.server.test_real_server import HE, SUN, VILLAGE, Desk, county, server_cmd  # noqa: F401 (county: fixture)

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
GRID, GRID_PIN = "周网格", "2468"


def _failed_list(path: Path) -> Path:
    """As the tax office sends it: a title, the header, one row a failed debit."""
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["批量扣款失败明细（2026年11月19日）"])
        w.writerow(["序号", "姓名", "证件号码", "扣款日期", "失败原因"])
        w.writerow([1, "何梅德", HE, "2026-11-19", "余额不足"])
        w.writerow([2, "孙兰军", SUN, "2026-11-19", "账户冻结"])
    return path


def test_failed_debit_to_the_door_list_a_visit_cash_and_back(
        county: tuple[str, str, subprocess.Popen[bytes]], tmp_path: Path, clock: FakeClock) -> None:  # noqa: F811
    db, base, _proc = county
    assert server_cmd(db, "config", "load", str(DEMO / "county-config.json"))[0] == 0
    assert server_cmd(db, "roster", "load", str(DEMO / "roster-2027.csv"), "--village-code", VILLAGE)[0] == 0
    enrol_code = server_cmd(db, "device", "enrol", "--village-code", VILLAGE, "--device-no", "1")[1].strip()
    assert server_cmd(db, "user", "add", "--name", "乡镇甲", "--role", "township", "--township-code", "341824100",
                      stdin="township-pass\n")[0] == 0

    desk = Desk(tmp_path / "desk", clock)
    assert desk("init", "--village-code", VILLAGE, "--village-name", "上庄村", "--township-code", "341824100",
                "--device-no", "1")[0] == 0
    assert desk("user", "add", "--name", "李代收", "--role", "agent", stdin="1234\n")[0] == 0
    assert desk("user", "add", "--name", "王村长", "--role", "head", stdin="567890\n")[0] == 0
    desk.json("enrol", "--server", base, "--code", enrol_code)
    assert desk.json("sync")["received"]["roster"]["version"] == 1
    code, said = desk("user", "add", "--name", GRID, "--role", "grid", "--by", "王村长", stdin=f"{GRID_PIN}\n567890\n")
    assert code == 0, said
    code, said = desk("door", "assign", "--member", GRID, "--group", "第一村民小组", "--by", "王村长", stdin="567890\n")
    assert code == 0, said

    # The county loads the tax office's file of 11-19's failures; the desk's next sync brings it.
    code, said = server_cmd(db, "debit", "load", str(_failed_list(tmp_path / "扣款失败.csv")), "--kind", "failed",
                            "--day", "2026-11-20")
    assert code == 0 and "已载入 2 行" in said, said
    got = desk.json("sync")["received"]["debit_lists"]
    assert [(x["kind"], x["taken"]) for x in got] == [("failed", 2)]
    listed = desk.json("door", "list", "--member", GRID, "--year", "2027")
    assert [(p["name"], p["section"], p["debit"]) for p in listed[:2]] == [
        ("何梅德", 0, "扣款失败 2026-11-19"), ("孙兰军", 0, "扣款失败 2026-11-19")]
    assert all(p["section"] == 1 for p in listed[2:])

    code, said = desk("door", "visit", HE, "--year", "2027", "--outcome", "已告知存足费款，本人愿交现金",
                      "--reason", "经济困难", "--by", GRID, stdin=f"{GRID_PIN}\n")
    assert code == 0, said
    number = desk.json("receipt", "record", "--agent", "李代收", "--line", f"{HE}:medical:2027", "--cash", "400",
                       stdin="1234\n")["number"]
    desk.json("settle", "--date", "2026-11-20", "--counted", "400", "--agent", "李代收", "--head", "王村长",
              stdin="1234\n567890\n")
    assert desk.json("sync")["conflicts"] == []

    names = [p["name"] for p in desk.json("door", "list", "--member", GRID, "--year", "2027")]
    assert "何梅德" not in names and names[0] == "孙兰军"
    kept = {r["id_number"]: r for r in desk.json("door", "reasons", "--year", "2027")}
    assert (kept[HE]["reason"], kept[HE]["paid"], kept[HE]["by"]) == ("经济困难", True, GRID)

    # Back at the county: the township's account sees the cash against the failed debit.
    with httpx.Client(base_url=base) as http:
        token = http.post("/api/v1/staff/login", json={"name": "乡镇甲", "password": "township-pass"}).json()["token"]
        seen = http.get(f"/api/v1/staff/debit-lists/{VILLAGE}", headers={"Authorization": f"Bearer {token}"}).json()
    status = {x["id_number"]: (x["failed_days"], x["cash_receipts"]) for x in seen}
    assert status == {HE: (["2026-11-19"], [number]), SUN: (["2026-11-19"], [])}

    # 第二十九条: thirty days after the first failure, 孙兰军 (still owing) is for the other channels.
    clock.advance(days=28)  # 2026-12-18
    first = desk.json("door", "list", "--year", "2027")[0]
    assert (first["name"], first["section"]) == ("孙兰军", 0)
    clock.advance(days=1)  # 2026-12-19: 11-19 + 30 days
    moved = desk.json("door", "list", "--year", "2027")
    assert (moved[-1]["name"], moved[-1]["section"]) == ("孙兰军", 2)
    assert [p["section"] for p in moved[:-1]] == [1] * (len(moved) - 1)
    assert desk.json("verify")["ok"]
