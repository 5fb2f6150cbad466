"""What the township counts each month (seed 004 镇级4、5; 002 附件; issue 25): pure, from rows.

"按月统计并报送本辖区当月保费收缴…理清各个档次缴费人员数、缴费金额数及省、县财政应拨付的缴费补贴金额"
and "按时将…到龄领取待遇人员名册反馈给村代办员". From a roster's people and dues, the cash lines
of the year (voided receipts left out by the caller) and the county's configuration of the year,
`monthly_counts` gives, for one calendar month (on the county server the payments through other
channels it holds come in with their dates too; a roster's 已缴 mark has no date, so it counts
for the year and the special groups, never for a month):

- per pension tier (and the medical amount): payers and amounts in the month and up to its end;
- the fiscal subsidy per category and insurance (the county's `subsidies_yuan`, never more than
  the standard): on the payments of the month, and due for the whole year on the roster (those
  fully paid by the government included: they pay nothing in cash and have no month);
- the special groups (特困, 低保, 重度残疾, 脱贫/监测, 孤儿, 优抚, 计生特扶) counted and listed
  with each insurance's state;
- the people reaching pension age (60) in the calendar year of the month (到龄).

The desk calls it with its own village's rows (app/services/monthly.py); the county server can
call it with the rows of every village of a township: nothing here knows where the rows came
from. The 续费率 by age band is app/domain/renewal.py's (wired in beside these counts).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from app.domain.config import YearConfig
from app.domain.groups import group_order
from app.domain.ids import mask_id
from app.domain.insurance import Category, Insurance
from app.domain.renewal import Renewal, renewal_rates

PENSION_AGE = 60  # 城乡居民基本养老保险: the pension from 60, men and women alike
SPECIAL = (Category.EXTREME_POVERTY, Category.DIBAO, Category.SEVERE_DISABILITY, Category.POVERTY_MONITORED,
           Category.ORPHAN, Category.ENTITLED, Category.FAMILY_PLANNING)


class RosterPerson(NamedTuple):
    id_number: str
    name: str
    group: str
    household_no: str
    category: str  # as the roster spells it (Category.parse reads it)
    birth_date: date
    removed: bool


class RosterDue(NamedTuple):
    id_number: str
    insurance: str  # Insurance value
    tier_fen: int | None
    paid_elsewhere: str | None
    removed: bool


class PaidLine(NamedTuple):
    """One line of a receipt not voided, of the benefit year counted; on the county server also a
    payment through another channel it holds with its date (`channel` then names it)."""

    id_number: str
    insurance: str
    tier_fen: int | None
    amount_fen: int
    day: date
    channel: str = "现金"


class LastYear(NamedTuple):
    """The benefit year before the one counted, for the 续费率: its dues and cash lines, and its
    configuration (None when the county's has no such year: then a fully subsidised due of last
    year is not known as paid, only cash and other channels are)."""

    dues: list[RosterDue]
    paid: list[PaidLine]
    config: YearConfig | None


@dataclass(frozen=True)
class TierLine:
    insurance: Insurance
    tier_fen: int | None  # None: medical
    month_payers: int
    month_fen: int
    total_payers: int  # up to the month's end
    total_fen: int

    @property
    def label(self) -> str:
        if self.tier_fen is None:
            return self.insurance.short_label
        return f"{self.insurance.short_label} {self.tier_fen // 100}元档"


@dataclass(frozen=True)
class SubsidyLine:
    category: Category
    insurance: Insurance
    month_people: int  # paid in the month, with the subsidy on their due
    month_fen: int
    year_people: int  # on the roster for the year (fully subsidised included)
    year_fen: int


@dataclass(frozen=True)
class SpecialPerson:
    id_number: str  # shown masked
    name: str
    group: str
    household_no: str
    category: Category
    states: tuple[tuple[Insurance, str], ...]  # per insurance: 现金 YYYY-MM-DD (or a dated channel) / 其他渠道 / 政府全额代缴 / 未缴


@dataclass(frozen=True)
class SpecialCount:
    category: Category
    people: int
    paid: int  # every due paid (cash, elsewhere) or fully subsidised
    unpaid: int


@dataclass(frozen=True)
class AgePerson:
    id_number: str
    name: str
    group: str
    household_no: str
    birth_date: date
    reaches_on: date  # the 60th birthday

    def reached_by(self, day: date) -> bool:
        return self.reaches_on <= day


@dataclass(frozen=True)
class MonthlyCounts:
    month: date  # the first day of the month
    year: int  # the benefit year counted
    tiers: tuple[TierLine, ...]
    subsidies: tuple[SubsidyLine, ...]
    special_counts: tuple[SpecialCount, ...]
    specials: tuple[SpecialPerson, ...]
    reaching_age: tuple[AgePerson, ...]
    month_payer_ids: tuple[str, ...] = ()  # who paid in the month (a person once, however many lines)
    renewal: tuple[Renewal, ...] = ()  # per age band, as of the month's end

    @property
    def label(self) -> str:
        return f"{self.month:%Y年%m月}"

    @property
    def month_end(self) -> date:
        return month_end(self.month)

    @property
    def month_payers(self) -> int:
        return len(self.month_payer_ids)

    @property
    def month_fen(self) -> int:
        return sum(t.month_fen for t in self.tiers)

    @property
    def month_subsidy_fen(self) -> int:
        return sum(s.month_fen for s in self.subsidies)

    @property
    def year_subsidy_fen(self) -> int:
        return sum(s.year_fen for s in self.subsidies)

    def to_json(self) -> dict[str, Any]:
        """As the command line's --json and the county server's answer give it: ID numbers masked."""
        return {
            "month": self.month.isoformat()[:7], "year": self.year, "month_payers": self.month_payers,
            "month_fen": self.month_fen, "month_subsidy_fen": self.month_subsidy_fen,
            "year_subsidy_fen": self.year_subsidy_fen,
            "tiers": [{"insurance": t.insurance.value, "tier_fen": t.tier_fen, "month_payers": t.month_payers,
                       "month_fen": t.month_fen, "total_payers": t.total_payers, "total_fen": t.total_fen}
                      for t in self.tiers],
            "subsidies": [{"category": s.category.value, "insurance": s.insurance.value,
                           "month_people": s.month_people, "month_fen": s.month_fen, "year_people": s.year_people,
                           "year_fen": s.year_fen} for s in self.subsidies],
            "special_counts": [{"category": k.category.value, "people": k.people, "paid": k.paid, "unpaid": k.unpaid}
                               for k in self.special_counts],
            "specials": [{"id_number": mask_id(s.id_number), "name": s.name, "group": s.group,
                          "household_no": s.household_no, "category": s.category.value,
                          "states": {i.value: st for i, st in s.states}} for s in self.specials],
            "reaching_age": [{"id_number": mask_id(a.id_number), "name": a.name, "group": a.group,
                              "household_no": a.household_no, "reaches_on": a.reaches_on.isoformat(),
                              "reached": a.reached_by(self.month_end)} for a in self.reaching_age],
            "renewal": [{"band": r.band.label, "base": r.base, "renewed": r.renewed, "rate": r.rate,
                         "target": r.band.default_target_pct} for r in self.renewal],
        }


def renewal_text(r: Renewal) -> str:
    """「85.7%」, or 「无上年数据」 when no one of the band paid last year."""
    return "无上年数据" if r.rate is None else f"{r.rate * 100:.1f}%"


def month_end(first: date) -> date:
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def parse_month(text: str) -> date:
    """「2026-11」 -> date(2026, 11, 1); ValueError naming the text otherwise."""
    try:
        year, month = (int(x) for x in text.strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValueError(f"月份「{text[:20]}」应为 YYYY-MM，如 2026-11") from None


@lru_cache(maxsize=64)
def _category(text: str) -> Category:
    try:
        return Category.parse(text)
    except ValueError:
        return Category.GENERAL  # a roster's unknown word is refused on import; an old row counts as 一般


def _base(config: YearConfig, insurance: Insurance, tier_fen: int | None) -> int:
    """The standard of one due: the medical amount, or the tier (the lowest when none is given)."""
    return config.medical_fen if insurance is Insurance.MEDICAL else (tier_fen or config.pension_tiers_fen[0])


def _subsidy(config: YearConfig, category: Category, insurance: Insurance, tier_fen: int | None) -> int:
    """The government's part of one due: the county's subsidy, never more than the standard."""
    return min(config.subsidy(category, insurance), _base(config, insurance, tier_fen))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # born on 29 February
        return date(day.year + years, 3, 1)


def paid_last_year(last: LastYear | None, categories: dict[str, Category]) -> set[str]:
    """Who paid last year's pension insurance: a cash line, another channel, or the government
    in full (by the person's category and last year's configuration)."""
    if last is None:
        return set()
    out = {ln.id_number for ln in last.paid if ln.insurance == Insurance.PENSION.value}
    for d in last.dues:
        if d.removed or d.insurance != Insurance.PENSION.value:
            continue
        if d.paid_elsewhere or (last.config is not None and _subsidy(
                last.config, categories.get(d.id_number, Category.GENERAL), Insurance.PENSION, d.tier_fen)
                >= _base(last.config, Insurance.PENSION, d.tier_fen)):
            out.add(d.id_number)
    return out


def monthly_counts(month: date, config: YearConfig, people: list[RosterPerson], dues: list[RosterDue],
                   paid: list[PaidLine], *, pension_age: int = PENSION_AGE,
                   last_year: LastYear | None = None) -> MonthlyCounts:
    first, last = month.replace(day=1), month_end(month)
    by_id = {p.id_number: p for p in people}
    categories = {p.id_number: _category(p.category) for p in people}

    # Payers and amounts per tier: in the month, and up to its end.
    tier_keys: list[tuple[Insurance, int | None]] = [(Insurance.PENSION, t) for t in config.pension_tiers_fen]
    tier_keys.append((Insurance.MEDICAL, None))
    month_ids: dict[tuple[Insurance, int | None], set[str]] = defaultdict(set)
    total_ids: dict[tuple[Insurance, int | None], set[str]] = defaultdict(set)
    month_fen: Counter[tuple[Insurance, int | None]] = Counter()
    total_fen: Counter[tuple[Insurance, int | None]] = Counter()
    sub_month: Counter[tuple[Category, Insurance]] = Counter()
    sub_month_ids: dict[tuple[Category, Insurance], set[str]] = defaultdict(set)
    paid_on: dict[tuple[str, Insurance], tuple[date, str]] = {}  # the first payment by the month's end
    payers: set[str] = set()
    for line in paid:
        ins = Insurance(line.insurance)
        key = (ins, line.tier_fen if ins is Insurance.PENSION else None)
        if key not in tier_keys:
            tier_keys.append(key)  # a tier the configuration no longer lists still counts
        if line.day <= last:
            paid_on[(line.id_number, ins)] = min((line.day, line.channel),
                                                 paid_on.get((line.id_number, ins), (line.day, line.channel)))
            total_ids[key].add(line.id_number)
            total_fen[key] += line.amount_fen
        if first <= line.day <= last:
            payers.add(line.id_number)
            month_ids[key].add(line.id_number)
            month_fen[key] += line.amount_fen
            cat = categories.get(line.id_number, Category.GENERAL)
            part = _subsidy(config, cat, ins, line.tier_fen)
            if part:
                sub_month[(cat, ins)] += part
                sub_month_ids[(cat, ins)].add(line.id_number)
    tiers = tuple(TierLine(ins, tier, len(month_ids[(ins, tier)]), month_fen[(ins, tier)],
                           len(total_ids[(ins, tier)]), total_fen[(ins, tier)])
                  for ins, tier in sorted(tier_keys, key=lambda k: (k[0] is Insurance.MEDICAL, k[1] or 0)))

    # The year's subsidy due, the special groups' states.
    sub_year: Counter[tuple[Category, Insurance]] = Counter()
    sub_year_ids: dict[tuple[Category, Insurance], set[str]] = defaultdict(set)
    states: dict[str, list[tuple[Insurance, str]]] = defaultdict(list)
    pension_now: dict[str, bool] = {}
    for d in dues:
        person = by_id.get(d.id_number)
        if person is None or d.removed or person.removed:
            continue
        ins = Insurance(d.insurance)
        cat = categories[d.id_number]
        part = _subsidy(config, cat, ins, d.tier_fen)
        if ins is Insurance.PENSION:
            pension_now[d.id_number] = pension_now.get(d.id_number, False) or bool(
                (d.id_number, ins) in paid_on or d.paid_elsewhere or part >= _base(config, ins, d.tier_fen))
        if part:
            sub_year[(cat, ins)] += part
            sub_year_ids[(cat, ins)].add(d.id_number)
        if cat in SPECIAL:
            on = paid_on.get((d.id_number, ins))
            if on is not None:
                state = f"{on[1]} {on[0].isoformat()}"
            elif d.paid_elsewhere:
                state = "其他渠道"
            elif part >= _base(config, ins, d.tier_fen):
                state = "政府全额代缴"
            else:
                state = "未缴"
            states[d.id_number].append((ins, state))
    subsidies = tuple(SubsidyLine(cat, ins, len(sub_month_ids[(cat, ins)]), sub_month[(cat, ins)],
                                  len(sub_year_ids[(cat, ins)]), sub_year[(cat, ins)])
                      for cat in Category for ins in Insurance if (cat, ins) in sub_year or (cat, ins) in sub_month)

    specials = []
    for idn, found in states.items():
        p = by_id[idn]
        specials.append(SpecialPerson(idn, p.name, p.group, p.household_no, categories[idn],
                                      tuple(sorted(found, key=lambda s: s[0] is Insurance.MEDICAL))))
    specials.sort(key=lambda s: (SPECIAL.index(s.category), group_order(s.group), s.household_no, s.name))
    counts = []
    for cat in SPECIAL:
        mine = [s for s in specials if s.category is cat]
        if mine:
            unpaid = sum(1 for s in mine if any(state == "未缴" for _, state in s.states))
            counts.append(SpecialCount(cat, len(mine), len(mine) - unpaid, unpaid))

    ages = [AgePerson(p.id_number, p.name, p.group, p.household_no, p.birth_date,
                      _add_years(p.birth_date, pension_age))
            for p in people if not p.removed and p.birth_date.year + pension_age == first.year]
    ages.sort(key=lambda a: (a.reaches_on, group_order(a.group), a.household_no, a.name))
    renewed_base = paid_last_year(last_year, categories)
    renewal = renewal_rates(((i, i in renewed_base, now) for i, now in pension_now.items()), config.year)
    return MonthlyCounts(first, config.year, tiers, subsidies, tuple(counts), tuple(specials), tuple(ages),
                         tuple(sorted(payers)), tuple(renewal))
