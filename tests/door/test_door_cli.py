"""`daishou door …`: the head gives a group to a grid member and keeps the 联络表, the agent loads
a failed-debit list, the grid member records a visit with a reason, and reads their list."""

from __future__ import annotations

from pathlib import Path

from tests.core.test_cli import Cli, cli  # noqa: F401 - the fixture
from tests.door.conftest import write_list
from tests.factories import AYGUL, POOR, ZHANG, ZHANG_WIFE


def test_the_door_commands(cli: Cli, tmp_path: Path) -> None:  # noqa: F811 - the fixture
    assert cli("user", "add", "--name", "周网格", "--role", "grid", "--by", "王村长", stdin="2468\n567890\n")[0] == 0
    assert cli("door", "assign", "--member", "周网格", "--group", "第一村民小组", "--by", "王村长",
               stdin="567890\n")[0] == 0
    code, _out, err = cli("door", "assign", "--member", "周网格", "--group", "第一村民小组", "--by", "李代收",
                          stdin="1234\n")
    assert code != 0 and "李代收" in err
    assert cli("door", "contact", "--post", "member", "--name", "周网格", "--phone", "13900002222",
               "--by", "王村长", stdin="567890\n")[0] == 0
    path = write_list(tmp_path / "f.csv", [(ZHANG_WIFE.id_number, ZHANG_WIFE.name, "2026-11-19", "余额不足")])
    taken = cli.json("door", "import-list", str(path), "--kind", "failed", "--day", "2026-11-20", "--by", "李代收",
                     stdin="1234\n")
    assert taken == {"taken": 1, "rejected": []}
    assert cli("door", "visit", ZHANG.id_number, "--year", "2027", "--outcome", "电话已通知", "--reason", "外出务工",
               "--by", "周网格", stdin="2468\n")[0] == 0
    listed = cli.json("door", "list", "--member", "周网格", "--year", "2027")
    assert listed[0]["id_number"] == ZHANG_WIFE.id_number and listed[0]["section"] == 0
    zhang = next(p for p in listed if p["id_number"] == ZHANG.id_number)
    assert (zhang["reason"], zhang["visits"]) == ("外出务工", 1)
    assert AYGUL.id_number not in [p["id_number"] for p in listed]
    code, out, _ = cli("door", "list", "--member", "周网格", "--year", "2027")
    assert code == 0 and "扣款失败：请督促" in out and ZHANG.id_number not in out
    assert cli("verify")[0] == 0


def test_the_monthly_command(cli: Cli, tmp_path: Path) -> None:  # noqa: F811 - the fixture
    """`daishou monthly`: the cash of the month by tier, the special groups, a workbook; a month
    written wrong is refused naming the option."""
    assert cli("receipt", "record", "--agent", "李代收", "--line", f"{POOR.id_number}:pension:2027:500",
               "--cash", "300", stdin="1234\n")[0] == 0
    counts = cli.json("monthly", "--month", "2026-11", "--xlsx", str(tmp_path / "m.xlsx"))
    tier = next(t for t in counts["tiers"] if t["tier_fen"] == 50000)
    assert (tier["month_payers"], tier["month_fen"]) == (1, 30000)  # 特困: 200 of the 500 tier paid by the state
    assert {(k["category"], k["people"]) for k in counts["special_counts"]} == {("特困", 1), ("低保", 1)}
    assert (tmp_path / "m.xlsx").stat().st_size > 0
    assert cli.json("monthly", "--month", "2026-10")["month_payers"] == 0
    code, _out, err = cli("monthly", "--month", "2026/11")
    assert code != 0 and "--month" in err and "2026/11" in err
