"""The 续费率 by age band in the monthly counts (004 县级3、镇级3; app/domain/renewal.py), against
a hand count: who paid last year's pension (cash, another channel, fully subsidised) and which
of them have paid this year's by the month's end; medical payments and people outside the bands
are left out, and a band nobody paid last year for says 「无上年数据」, not 0%."""

from __future__ import annotations

from datetime import date

from app.domain.config import load_config_text
from app.domain.monthly import (
    LastYear,
    PaidLine,
    RosterDue,
    RosterPerson,
    monthly_counts,
    renewal_text,
)
from tests.factories import CONFIG_PATH, make_id

PENSION, MEDICAL = "pension", "medical"
Y = 2027
COUNTY = load_config_text(CONFIG_PATH.read_text(encoding="utf-8"))


def person(born: date, n: int, name: str, category: str = "一般") -> RosterPerson:
    return RosterPerson(make_id(born, n), name, "第一村民小组", f"{n:04d}", category, born, False)


A = person(date(1990, 5, 5), 1, "甲")  # 36 on 1 January 2027: 16–44
B = person(date(1985, 1, 1), 2, "乙")  # 42 (the birthday is 1 January itself)
C = person(date(2000, 3, 3), 3, "丙")  # 26
D = person(date(1975, 6, 6), 4, "丁")  # 51: 45–59
E = person(date(1970, 4, 4), 5, "戊", "重度残疾")  # 56; the 200 tier, all of it paid by the government
F = person(date(1960, 2, 2), 6, "己")  # 66: in no band
G = person(date(1980, 9, 9), 7, "庚")  # 46: 45–59; paid last year's medical only
PEOPLE = [A, B, C, D, E, F, G]


def cash(p: RosterPerson, ins: str, day: date, tier: int | None = 50000) -> PaidLine:
    return PaidLine(p.id_number, ins, tier if ins == PENSION else None, tier or 40000, day)


def due(p: RosterPerson, tier: int = 50000, elsewhere: str | None = None, ins: str = PENSION) -> RosterDue:
    return RosterDue(p.id_number, ins, tier if ins == PENSION else None, elsewhere, False)


LAST = LastYear(
    dues=[due(A), due(B, elsewhere="银行代扣"), due(C), due(D), due(E, tier=20000), due(F), due(G)],
    paid=[cash(A, PENSION, date(2026, 1, 8)), cash(C, MEDICAL, date(2026, 1, 8)), cash(D, PENSION, date(2026, 2, 1)),
          cash(F, PENSION, date(2026, 1, 9)), cash(G, MEDICAL, date(2026, 3, 1))],
    config=COUNTY.year(Y - 1))
DUES = [due(A), due(B), due(C), due(D), due(E, tier=20000), due(F), due(G)]
PAID = [cash(A, PENSION, date(2027, 1, 6)), cash(C, PENSION, date(2027, 1, 6)), cash(D, PENSION, date(2027, 2, 3)),
        cash(F, PENSION, date(2027, 1, 7)), cash(G, PENSION, date(2027, 1, 7))]


def rates(month: date, last: LastYear | None = LAST) -> list[tuple[str, int, int, str]]:
    c = monthly_counts(month, COUNTY.year(Y), PEOPLE, DUES, PAID, last_year=last)
    return [(r.band.label, r.base, r.renewed, renewal_text(r)) for r in c.renewal]


def test_renewal_by_band_equals_a_hand_count() -> None:
    # 16–44: last year 甲 (cash) and 乙 (bank); 丙 paid only medical. By January's end 甲 again: 1 of 2.
    # 45–59: last year 丁 (cash) and 戊 (the government in full); 庚 paid only medical. By January's
    # end 戊 again (in full by the government), 丁 pays on 3 February: 1 of 2, then 2 of 2.
    assert rates(date(2027, 1, 1)) == [("16–44岁", 2, 1, "50.0%"), ("45–59岁", 2, 1, "50.0%")]
    assert rates(date(2027, 2, 1)) == [("16–44岁", 2, 1, "50.0%"), ("45–59岁", 2, 2, "100.0%")]


def test_without_last_years_rows_no_rate_is_made_up() -> None:
    assert rates(date(2027, 1, 1), None) == [("16–44岁", 0, 0, "无上年数据"), ("45–59岁", 0, 0, "无上年数据")]
    # Last year's configuration unknown: 戊's fully subsidised due is not known as paid.
    unknown = LastYear(LAST.dues, LAST.paid, None)
    assert rates(date(2027, 1, 1), unknown)[1] == ("45–59岁", 1, 0, "0.0%")


def test_the_json_carries_the_bands() -> None:
    got = monthly_counts(date(2027, 1, 1), COUNTY.year(Y), PEOPLE, DUES, PAID, last_year=LAST).to_json()["renewal"]
    assert got == [{"band": "16–44岁", "base": 2, "renewed": 1, "rate": 0.5, "target": 70.0},
                   {"band": "45–59岁", "base": 2, "renewed": 1, "rate": 0.5, "target": 100.0}]
