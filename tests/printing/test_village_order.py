"""The unpaid list in the order a village reads it — 第一, 第二, … 第十一 (not 第十一 before 第二
as text sorts), each household with its 户主 first — the same on screen, in the .xlsx and on paper."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from app.domain.groups import group_order, village_order
from app.services.desk import Desk
from printing.reports import render_report
from tests.factories import CONFIG_PATH, FakeClock, Resident, make_id, write_roster
from tests.printing.pdftext import read_pdf

# (name, group, household, is the 户主); the 户主 of 0002 (乙二) sorts after his wife by name
PEOPLE = [("甲一", "第十一村民小组", "0011", True), ("乙二", "第二村民小组", "0002", True),
          ("丁二", "第二村民小组", "0002", False), ("丙一", "第一村民小组", "0001", True),
          ("戊三", "3组", "0003", True)]
EXPECTED = ["丙一", "乙二", "丁二", "戊三", "甲一"]


def test_group_numbers_not_text() -> None:
    groups = ["第十一村民小组", "第二村民小组", "第一村民小组", "三组", "东头", "第10组"]
    assert sorted(groups, key=group_order) == ["第一村民小组", "第二村民小组", "三组", "第10组", "第十一村民小组", "东头"]
    assert village_order("第二村民小组", "0002", "乙二", "乙二") < village_order("第二村民小组", "0002", "乙二", "丁二")


def test_unpaid_list_reads_the_same_on_screen_in_excel_and_on_paper(tmp_path: Path) -> None:
    residents = []
    for n, (name, group, household, _head) in enumerate(PEOPLE, start=1):
        residents.append(Resident(make_id(date(1970, 1, n), n), name, group=group, household=household,
                                  pension_tier=None))
    roster = write_roster(tmp_path / "r.csv", residents)
    # write_roster names the first resident as every 户主: set each household's 户主 as listed
    heads = {household: name for name, _g, household, head in PEOPLE if head}
    lines = roster.read_text(encoding="utf-8").splitlines()
    fixed = [lines[0]] + [",".join(cols[:8] + [heads[cols[7]]] + cols[9:])
                          for cols in (ln.split(",") for ln in lines[1:])]
    roster.write_text("\n".join(fixed) + "\n", encoding="utf-8")
    with Desk(tmp_path / "home", clock=FakeClock()) as desk:
        desk.setup.init(village_code="341824100201", village_name="示范村", township_code="341824100", device_no=1)
        desk.setup.import_config(CONFIG_PATH.read_text(encoding="utf-8"))
        desk.roster.import_file(roster)
        screen = [p.name for p in desk.roster.unpaid(2027)]
        desk.roster.export_unpaid_xlsx(tmp_path / "u.xlsx", 2027)
        sheet = load_workbook(tmp_path / "u.xlsx").active
        names = {name for name, *_ in PEOPLE}
        rows = list(sheet.iter_rows(values_only=True))
        header = next(r for r in rows if "姓名" in r)
        column = header.index("姓名")
        excel = [r[column] for r in rows if r[column] in names]
        pdf, _ = render_report(desk.paper.report("unpaid", None, today=date(2026, 11, 20), year=2027))
    text = read_pdf(pdf).all
    paper = sorted(names, key=text.index)
    assert screen == EXPECTED
    assert excel == EXPECTED
    assert paper == EXPECTED
