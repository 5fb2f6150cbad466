"""The township's monthly counts (seed 004 镇级4、5) against a hand count: a roster with special
groups and two people turning 60, cash taken in December, January (one receipt voided) and
February, and the January figures worked out by hand below, then read back from the workbook."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.domain.insurance import Category, Insurance
from app.domain.monthly import parse_month
from app.domain.records import Role, UserInfo
from app.services.desk import Desk
from app.services.errors import InvalidInput
from app.services.receipts import LineRequest
from tests.conftest import AGENT_PIN, HEAD_PIN
from tests.factories import (
    AYGUL,
    POOR,
    VILLAGE,
    WECHAT,
    ZHANG,
    ZHANG_MOTHER,
    ZHANG_WIFE,
    FakeClock,
    Resident,
    make_id,
    write_roster,
)
from tests.printing.pdftext import read_pdf

DISABLED = Resident(make_id(date(1970, 4, 4), 7), "钱重残", category="重度残疾", household="0005", pension_tier=200)
LIFTED = Resident(make_id(date(1972, 8, 8), 8), "孙脱贫", category="脱贫/监测", household="0006", pension_tier=300,
                  group="第二村民小组")
SIXTY_LATE = Resident(make_id(date(1967, 12, 10), 9), "周满六十", household="0007")
SIXTY_EARLY = Resident(make_id(date(1967, 1, 10), 10, male=False), "吴已六十", household="0008")
Y = 2027


@pytest.fixture
def counted(desk: Desk, clock: FakeClock, tmp_path: Path) -> Desk:
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    roster = write_roster(tmp_path / "roster2.csv", [*VILLAGE, DISABLED, LIFTED, SIXTY_LATE, SIXTY_EARLY])
    assert not desk.roster.import_file(roster, by=agent).rejected

    def head() -> UserInfo:
        return desk.users.authenticate("王村长", HEAD_PIN, roles=(Role.HEAD,))

    def day_of(when: datetime, *receipts: list[LineRequest], void_last: bool = False) -> None:
        clock.now = when
        agent_now = desk.users.authenticate("李代收", AGENT_PIN)
        taken = 0
        last = None
        for lines in receipts:
            last = desk.receipts.record(agent_now, lines, cash_fen=200000, cash_confirmed=True)
            taken += last.total_fen
        if void_last and last is not None:
            desk.receipts.void(last.number, reason="收错了人", agent=agent_now,
                               head=head())
            taken -= last.total_fen
        desk.settlements.settle(when.date(), agent=agent_now, head=head(), counted_fen=taken)
        desk.settlements.remit(amount_fen=taken, slip_no=f"NB-{when:%m%d}", day=when.date(), by=agent_now)

    day_of(datetime(2026, 12, 15, 9), [LineRequest(ZHANG.id_number, Insurance.PENSION, Y),
                                       LineRequest(ZHANG.id_number, Insurance.MEDICAL, Y)])
    day_of(datetime(2027, 1, 5, 9),
           [LineRequest(ZHANG_WIFE.id_number, Insurance.PENSION, Y), LineRequest(ZHANG_WIFE.id_number, Insurance.MEDICAL, Y)],
           [LineRequest(POOR.id_number, Insurance.PENSION, Y)],  # 特困: pays 300 of the 500 tier
           [LineRequest(ZHANG_MOTHER.id_number, Insurance.MEDICAL, Y)],  # 低保: pays 120 of 400
           [LineRequest(AYGUL.id_number, Insurance.PENSION, Y, tier_fen=100000)],  # chose the 1000 tier
           [LineRequest(WECHAT.id_number, Insurance.PENSION, Y)], void_last=True)  # voided: not counted
    day_of(datetime(2027, 2, 2, 9), [LineRequest(SIXTY_LATE.id_number, Insurance.PENSION, Y)])
    return desk


def test_the_january_counts_equal_a_hand_count(counted: Desk, tmp_path: Path) -> None:
    c = counted.monthly.counts(date(2027, 1, 1), year=Y)
    tiers = {t.label: (t.month_payers, t.month_fen, t.total_payers, t.total_fen) for t in c.tiers}
    # By hand: January — 李秀英 500 and 曾特困 300 (500 tier), 阿依古丽 1000; medical 李秀英 400, 王䶮 120.
    # Up to the end of January add December's 张三丰 (500 + medical 400); February's 周满六十 is not in.
    assert tiers["养老 500元档"] == (2, 80000, 3, 130000)
    assert tiers["养老 1000元档"] == (1, 100000, 1, 100000)
    assert tiers["医疗"] == (2, 52000, 3, 92000)
    assert tiers["养老 200元档"] == (0, 0, 0, 0)
    assert (c.month_payers, c.month_fen) == (4, 232000)

    subsidies = {(s.category, s.insurance): (s.month_people, s.month_fen, s.year_people, s.year_fen)
                 for s in c.subsidies}
    # The government's part: 特困 200 on 曾特困's pension paid in January, his medical 400 in full;
    # 低保 280 on 王䶮's medical; 钱重残 (重度残疾, 200 tier) entirely; 孙脱贫 100 + 200, unpaid yet.
    assert subsidies == {
        (Category.EXTREME_POVERTY, Insurance.PENSION): (1, 20000, 1, 20000),
        (Category.EXTREME_POVERTY, Insurance.MEDICAL): (0, 0, 1, 40000),
        (Category.DIBAO, Insurance.MEDICAL): (1, 28000, 1, 28000),
        (Category.SEVERE_DISABILITY, Insurance.PENSION): (0, 0, 1, 20000),
        (Category.SEVERE_DISABILITY, Insurance.MEDICAL): (0, 0, 1, 40000),
        (Category.POVERTY_MONITORED, Insurance.PENSION): (0, 0, 1, 10000),
        (Category.POVERTY_MONITORED, Insurance.MEDICAL): (0, 0, 1, 20000),
    }
    assert (c.month_subsidy_fen, c.year_subsidy_fen) == (48000, 178000)

    specials = {s.name: dict(s.states) for s in c.specials}
    assert specials == {
        POOR.name: {Insurance.PENSION: "现金 2027-01-05", Insurance.MEDICAL: "政府全额代缴"},
        ZHANG_MOTHER.name: {Insurance.MEDICAL: "现金 2027-01-05"},
        DISABLED.name: {Insurance.PENSION: "政府全额代缴", Insurance.MEDICAL: "政府全额代缴"},
        LIFTED.name: {Insurance.PENSION: "未缴", Insurance.MEDICAL: "未缴"},
    }
    assert [(k.category.value, k.people, k.paid, k.unpaid) for k in c.special_counts] == [
        ("特困", 1, 1, 0), ("低保", 1, 1, 0), ("重度残疾", 1, 1, 0), ("脱贫/监测", 1, 0, 1)]

    # 到龄 in 2027: 吴已六十 turned 60 on 10 January, 周满六十 on 10 December.
    assert [(a.name, a.reaches_on, a.reached_by(c.month_end)) for a in c.reaching_age] == [
        (SIXTY_EARLY.name, date(2027, 1, 10), True), (SIXTY_LATE.name, date(2027, 12, 10), False)]

    # February: only 周满六十's pension in the month, the year's total grows by it.
    dec = {t.label: t for t in counted.monthly.counts(date(2027, 2, 1), year=Y).tiers}
    assert (dec["养老 500元档"].month_payers, dec["养老 500元档"].total_fen) == (1, 180000)

    # The workbook says the same.
    path = counted.monthly.export_xlsx(tmp_path / "月度统计.xlsx", c)
    book = load_workbook(path)
    rows = [[cell for cell in row] for row in book["各档次缴费"].iter_rows(values_only=True)]
    assert rows[0][0] == "示范村2027年01月两险缴费统计（2027年度）"
    assert list(next(r for r in rows if r[0] == "养老 500元档")) == ["养老 500元档", 2, 800.0, 3, 1300.0]
    assert list(rows[-1][:3]) == ["合计", 4, 2320.0]
    special_rows = list(book["特殊群体"].iter_rows(values_only=True))
    poor = next(r for r in special_rows if r[3] == POOR.name)
    assert poor[4] != POOR.id_number and poor[4].endswith(POOR.id_number[-4:])  # masked
    assert poor[5:7] == ("现金 2027-01-05", "政府全额代缴")
    ages = list(book["到龄人员"].iter_rows(values_only=True))
    assert [r[2] for r in ages[2:]] == [SIXTY_EARLY.name, SIXTY_LATE.name]
    # The roster holds 2027 only: no band has a base, and none is made up.
    assert [list(r) for r in book["续费率"].iter_rows(min_row=3, values_only=True)] == [
        ["16–44岁", 0, 0, "无上年数据", "70%"], ["45–59岁", 0, 0, "无上年数据", "100%"]]


def test_a_month_written_wrong_is_refused_with_its_text(desk: Desk) -> None:
    with pytest.raises(ValueError, match="2026/11"):
        parse_month("2026/11")
    assert parse_month("2026-11") == date(2026, 11, 1)
    with pytest.raises(InvalidInput, match="2030"):
        desk.monthly.counts(date(2026, 11, 1), year=2030)


def test_the_pdf_reads_back_the_same_counts(counted: Desk) -> None:
    from printing.pdf.monthly import monthly_pdf

    c = counted.monthly.counts(date(2027, 1, 1), year=Y)
    text = read_pdf(monthly_pdf(c, village="示范村", township="示范镇")).all.replace(" ", "").replace("\n", "|")
    assert "2027年01月城乡居民“两险”缴费情况统计表" in text
    assert "养老500元档|2|800.00|3|1,300.00" in text
    assert "医疗|2|520.00|3|920.00" in text
    assert "合计|4|2,320.00|" in text
    assert "特困|养老|1|200.00|1|200.00" in text and "合计|480.00|1,780.00" in text  # the subsidies' totals
    assert "特困1人（已缴或代缴1，未缴0）" in text and "脱贫/监测1人（已缴或代缴0，未缴1）" in text
    assert POOR.name in text and POOR.id_number not in text and LIFTED.name in text
    assert "2027年到龄人员" in text and SIXTY_EARLY.name in text and "已到龄" in text
    assert "五、续费率" in text and "16–44岁|0|0|无上年数据|70%" in text
