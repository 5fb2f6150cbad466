"""Progress per insurance and group, the unpaid list and its spreadsheet, and the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import load_workbook

from app.cli import main
from app.cli.common import Context
from app.domain.insurance import Insurance
from app.services.desk import Desk
from app.services.receipts import LineRequest
from tests.factories import signed_agent
from tests.roster.conftest import NOW, agent
from tests.roster.factory import family, person_id, write_xlsx

ZHANG = person_id(11)


def _setup(desk: Desk, tmp_path: Path) -> str:
    desk.roster.import_file(write_xlsx(tmp_path / "r.xlsx", family()), by=signed_agent(desk))
    return desk.receipts.record(agent(desk),
                                [LineRequest(ZHANG, Insurance.PENSION, 2027)],
                                cash_fen=50000).number


def test_progress_counts_every_due_once(desk: Desk, tmp_path: Path) -> None:
    _setup(desk, tmp_path)
    prog = desk.roster.progress()
    pension, medical = prog.totals
    assert prog.year == 2027
    # 张三丰 paid 500 in cash; 阿依古丽 (低保, 300 tier) owes 200.
    assert (pension.due, pension.paid_cash, pension.unpaid, pension.collected_fen,
            pension.outstanding_fen) == (2, 1, 1, 50000, 20000)
    # Medical: 张, 李, 王 owe 400; 阿依古丽 (低保) 120; 𠇔明 (特困) paid elsewhere.
    assert (medical.due, medical.paid_elsewhere, medical.unpaid, medical.outstanding_fen) == (
        5, 1, 4, 3 * 40000 + 12000)
    groups = {(g.insurance, g.group): g for g in prog.groups}
    assert groups[(Insurance.PENSION, "第一村民小组")].collected_fen == 50000
    assert groups[(Insurance.MEDICAL, "第二村民小组")].unpaid == 1


def test_unpaid_xlsx_for_door_to_door(desk: Desk, tmp_path: Path) -> None:
    _setup(desk, tmp_path)
    out = tmp_path / "未缴.xlsx"
    assert desk.roster.export_unpaid_xlsx(out) == 4
    rows = [[c for c in r] for r in load_workbook(out).active.iter_rows(values_only=True)]
    assert "示范村2027年度" in rows[0][0]
    assert rows[1][:8] == ["村民小组", "户号", "户主姓名", "姓名", "证件号码", "联系电话",
                           "未缴险种", "应缴金额（元）"]
    zhang = next(r for r in rows if r[3] == "张三丰")
    assert zhang[4] == ZHANG[:6] + "********" + ZHANG[-4:]  # never the full ID on paper
    assert zhang[5] == "13800001111" and zhang[6] == "医疗 400.00" and zhang[7] == 400
    assert rows[-1][0] == "合计" and rows[-1][7] == (3 * 40000 + 12000 + 20000) / 100


def _cli(home: Path, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--home", str(home), *argv],
                context=Context(stdin=io.StringIO(stdin), stdout=out, stderr=err, clock=lambda: NOW))
    return code, out.getvalue(), err.getvalue()


def test_cli_roster_commands(desk: Desk, tmp_path: Path) -> None:
    home = desk.home
    desk.close()
    rows = [*family(), ["", "341824198001010000", "钱七", "医疗", "2027"]]
    code, out, _ = _cli(home, "roster", "import", str(write_xlsx(tmp_path / "r.xlsx", rows)),
                        "--json", "--rejected-out", str(tmp_path / "rej.xlsx"), "--by", "李代收", stdin="1234\n")
    data = json.loads(out)
    assert code == 0 and data["imported"] == 5 and data["removed"] == 0
    assert data["rejected"] == [{"row": 11, "column": "证件号码", "reason": data["rejected"][0]["reason"]}]
    assert "Excel" in data["rejected"][0]["reason"] and (tmp_path / "rej.xlsx").exists()
    code, out, _ = _cli(home, "roster", "search", "zsf", "--json")
    (person,) = json.loads(out)
    assert person["id_number"] == ZHANG and person["group"] == "第一村民小组"
    assert person["category"] == "一般"
    assert {(d["insurance"], d["due_fen"], d["paid"]) for d in person["dues"]} == {
        ("pension", 50000, False), ("medical", 40000, False)}
    code, out, _ = _cli(home, "roster", "progress", "--json")
    assert [t["unpaid"] for t in json.loads(out)["totals"]] == [2, 4]
    code, out, _ = _cli(home, "roster", "unpaid", "--out", str(tmp_path / "u.xlsx"))
    assert code == 0 and "4 人" in out and (tmp_path / "u.xlsx").exists()
    code, _, err = _cli(home, "roster", "import", str(tmp_path / "missing.csv"), "--by", "李代收", stdin="1234\n")
    assert code == 1 and "无法打开" in err
