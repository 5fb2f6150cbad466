"""Importing rosters as counties hand them out; every rejected row says where and why."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.domain.insurance import Insurance
from app.services.desk import Desk
from app.services.errors import InvalidInput
from tests.factories import signed_agent
from tests.roster.factory import (
    HEADER,
    family,
    person_id,
    row,
    write_csv,
    write_xlsx,
    wrong_check,
)

DATA = Path(__file__).parent / "data"


def _reasons(result: object) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for r in result.rejected:  # type: ignore[attr-defined]
        out.setdefault(r.row, []).append((r.column, r.reason))
    return out


def _check_family(desk: Desk) -> None:
    zhang = desk.roster.person(person_id(11))
    assert zhang is not None and zhang.name == "张三丰"
    assert {(d.insurance, d.tier_fen, d.due_fen) for d in zhang.dues} == {
        (Insurance.PENSION, 50000, 50000), (Insurance.MEDICAL, None, 40000)}
    ayi = desk.roster.person(person_id(21, born="19700315"))
    assert ayi is not None and ayi.name == "阿依古丽·买买提" and ayi.category == "低保"
    rare = desk.roster.person(person_id(33, born="19660909"))
    assert rare is not None and rare.name == "𠇔明"
    assert rare.dues[0].paid_elsewhere == "其他渠道"
    assert desk.roster.person(person_id(13, born="20150601")).name == "王䶮"  # type: ignore[union-attr]


def test_xlsx_with_merged_title_totals_and_blank_tail(desk: Desk, tmp_path: Path) -> None:
    result = desk.roster.import_file(write_xlsx(tmp_path / "清册.xlsx", family()), by=signed_agent(desk))
    assert (result.imported, result.updated, result.removed, result.rejected) == (5, 0, 0, ())
    _check_family(desk)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_csv_encodings_are_detected(desk: Desk, tmp_path: Path, encoding: str) -> None:
    # GBK has no 䶮 or 𠇔: a GBK file cannot hold those people, GB18030 and UTF-8 can.
    rows = [r for r in family() if encoding != "gbk" or r[2] not in ("𠇔明", "王䶮")]
    result = desk.roster.import_file(write_csv(tmp_path / "清册.csv", rows, encoding=encoding), by=signed_agent(desk))
    assert result.rejected == ()
    assert result.imported == (3 if encoding == "gbk" else 5)
    if encoding != "gbk":
        _check_family(desk)
    assert desk.roster.person(person_id(21, born="19700315")).name == "阿依古丽·买买提"  # type: ignore[union-attr]


def test_old_xls_file(desk: Desk) -> None:
    # Made by tests/roster/data/make_xls.py with xlwt: title row, numeric year/tier cells.
    result = desk.roster.import_file(DATA / "roster-2027.xls", by=signed_agent(desk))
    assert result.rejected == ()
    _check_family(desk)


def test_each_bad_row_is_named_with_its_excel_row_column_and_reason(desk: Desk,
                                                                    tmp_path: Path) -> None:
    good = person_id(41)
    rows = [
        row(good, "赵六", "医疗"),                                              # row 4: fine
        row(wrong_check(person_id(42)), "钱七", "医疗"),                        # 5
        row(person_id(43), "孙八", "养老", tier="550"),                          # 6
        row(person_id(44), "周九", "医疗", amount="350"),                        # 7
        row(person_id(45), "吴十", "工伤保险"),                                   # 8
        row(person_id(46), "郑一", "医疗", category="富户"),                      # 9
        row(person_id(47), "王二", "医疗", year="2031"),                         # 10
        row(good, "赵六", "医疗"),                                              # 11: duplicate
        row(person_id(48), "陈3", "医疗"),                                      # 12
        row(person_id(49), "林四", "医疗", status="待定"),                        # 13
        row(person_id(50), "何五", "养老"),                                     # 14: no tier
        row("34182419800230001X", "冯六", "医疗"),                               # 15: 2月30日
    ]
    result = desk.roster.import_file(write_xlsx(tmp_path / "bad.xlsx", rows), by=signed_agent(desk))
    reasons = _reasons(result)
    assert sorted(reasons) == [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    assert reasons[5][0][0] == "证件号码" and "校验位错误" in reasons[5][0][1]
    assert reasons[6][0][0] == "缴费档次" and "550.00" in reasons[6][0][1]
    assert reasons[7][0][0] == "应缴金额" and "应缴 400.00 元" in reasons[7][0][1]
    assert reasons[8][0][0] == "险种" and "工伤保险" in reasons[8][0][1]
    assert reasons[9][0][0] == "人员类别" and "富户" in reasons[9][0][1]
    assert reasons[10][0][0] == "缴费年度" and "2031" in reasons[10][0][1]
    assert reasons[11][0][0] == "证件号码" and "与第4行重复" in reasons[11][0][1]
    assert reasons[12][0][0] == "姓名" and "数字" in reasons[12][0][1]
    assert reasons[13][0][0] == "缴费状态"
    assert reasons[14][0][0] == "缴费档次" and "缺少缴费档次" in reasons[14][0][1]
    assert "出生日期" in reasons[15][0][1]
    # The identical duplicate does not cost the first row: 赵六 is on the roster.
    assert result.imported == 1 and desk.roster.person(good) is not None
    assert desk.roster.person(person_id(42)) is None


def test_numeric_id_cells_are_named_with_the_fix(desk: Desk, tmp_path: Path) -> None:
    result = desk.roster.import_file(write_xlsx(tmp_path / "n.xlsx", family(), numeric_ids=True), by=signed_agent(desk))
    # An ID ending in X cannot be a number: that one stays text and imports.
    assert result.imported == 1 and result.rejected_rows == 6
    for r in result.rejected:
        assert r.column == "证件号码"
        assert "Excel 存成了数字" in r.reason and "“文本”格式" in r.reason


def test_scientific_notation_in_csv(desk: Desk, tmp_path: Path) -> None:
    rows = [row("3.41824E+17", "赵六", "医疗")]
    result = desk.roster.import_file(write_csv(tmp_path / "s.csv", rows), by=signed_agent(desk))
    assert result.rejected[0].row == 3 and "科学计数法" in result.rejected[0].reason


def test_same_id_for_two_names_rejects_both(desk: Desk, tmp_path: Path) -> None:
    idn = person_id(51)
    rows = [row(idn, "朱秀静", "医疗"), row(person_id(52), "杨一", "医疗"), row(idn, "覃珍敏", "养老",
                                                                           tier="200")]
    result = desk.roster.import_file(write_csv(tmp_path / "d.csv", rows, title=False), by=signed_agent(desk))
    assert sorted(_reasons(result)) == [2, 4]
    assert desk.roster.person(idn) is None and result.imported == 1


def test_year_from_the_title_when_there_is_no_year_column(desk: Desk, tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "缴费年度"]
    rows = [[c for i, c in enumerate(r) if i != 4] for r in family()]
    result = desk.roster.import_file(write_xlsx(tmp_path / "t.xlsx", rows, header=header), by=signed_agent(desk))
    assert result.imported == 5 and result.rejected == ()
    assert desk.roster.person(person_id(11)).dues[0].year == 2027  # type: ignore[union-attr]


def test_files_that_are_not_rosters_are_refused_whole(desk: Desk, tmp_path: Path) -> None:
    html = tmp_path / "导出.xls"
    html.write_text("<html><table><tr><td>姓名</td></tr></table></html>", encoding="utf-8")
    with pytest.raises(InvalidInput, match="网页格式"):
        desk.roster.import_file(html, by=signed_agent(desk))
    no_header = write_csv(tmp_path / "x.csv", [["1", "2", "3"]], header=["甲", "乙", "丙"])
    with pytest.raises(InvalidInput, match="找不到表头"):
        desk.roster.import_file(no_header, by=signed_agent(desk))
    missing = write_csv(tmp_path / "m.csv", [[1, person_id(1), "赵六"]],
                        header=["序号", "证件号码", "姓名"])
    with pytest.raises(InvalidInput, match="险种"):
        desk.roster.import_file(missing, by=signed_agent(desk))
    assert desk.roster.search("赵六") == []


def test_rejected_rows_file_can_be_fixed_and_imported_again(desk: Desk, tmp_path: Path) -> None:
    bad = wrong_check(person_id(42))
    rows = [*family(), row(bad, "钱七", "医疗"), row(person_id(43), "孙八", "养老", tier="550")]
    result = desk.roster.import_file(write_xlsx(tmp_path / "a.xlsx", rows), by=signed_agent(desk))
    out = tmp_path / "拒绝.xlsx"
    assert desk.roster.export_rejected_xlsx(result, out) == 2
    sheet = load_workbook(out).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][-2:] == ["原行号", "拒绝原因"]
    assert values[1][1] == bad and values[1][-2] == 11 and "校验位" in values[1][-1]
    assert sheet.cell(row=2, column=2).number_format == "@"  # the ID column stays text
    # The agent fixes both rows in the file and imports it again.
    book = load_workbook(out)
    fix = book.active
    fix.cell(row=2, column=2).value = person_id(42)
    fix.cell(row=3, column=6).value = "500"
    book.save(out)
    again = desk.roster.import_file(out, by=signed_agent(desk))
    assert (again.imported, again.removed, again.rejected) == (2, 0, ())
    assert desk.roster.person(person_id(11)).removed is False  # type: ignore[union-attr]
