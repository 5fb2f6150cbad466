"""The county's side of the 第四十二条 loop after the push (issue 24): where each 疑点 stands, the
working group's draw of >= 10% of a township's pushed 疑点 and its findings, 第四十一条's special
inspections (at least two a year per township), and the report per township and year.

A draw is `draw_sample` (app/domain/review.py, the same as the township desk's receipt sample)
over the ids of the 疑点 pushed to one township in one year, by a seed the officer types or the
server picks; the population is kept with it, so anyone can draw again from the seed and see the
same 疑点 come out (`reproduce`)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from app.domain.review import SAMPLE_SHARE, draw_sample, new_seed
from sync.server import doubt_tables as dt
from sync.server import doubts
from sync.server import models as m
from sync.server.core import ServerRefusal
from sync.server.staff import visible_villages

FINDINGS = ("自查属实", "自查不实", "发现违纪问题")  # the answer held up; it did not (敷衍了事); a case for 纪委监委
SPECIAL_PER_YEAR = 2  # 第四十一条: 每年 … 开展不少于两次的专项检查


@dataclass
class Standing:
    """Where one pushed 疑点 stands on a day."""

    state: str  # 待答复 / 按时答复 / 逾期答复 / 逾期未答复
    answers: list[dt.DoubtAnswer]
    draws: list[int]  # ids of the draws that chose it
    inspections: list[dt.DoubtInspection]

    @property
    def answered(self) -> bool:
        return bool(self.answers)


def standings(s: Session, rows: list[dt.Doubt], *, today: date) -> dict[int, Standing]:
    ids = [d.id or 0 for d in rows]
    answers: dict[int, list[dt.DoubtAnswer]] = defaultdict(list)
    inspections: dict[int, list[dt.DoubtInspection]] = defaultdict(list)
    drawn: dict[int, list[int]] = defaultdict(list)
    if ids:
        for a in s.exec(select(dt.DoubtAnswer).where(col(dt.DoubtAnswer.doubt_id).in_(ids))
                        .order_by(col(dt.DoubtAnswer.answered_at), col(dt.DoubtAnswer.id))).all():
            answers[a.doubt_id].append(a)
        for i in s.exec(select(dt.DoubtInspection).where(col(dt.DoubtInspection.doubt_id).in_(ids))
                        .order_by(col(dt.DoubtInspection.id))).all():
            inspections[i.doubt_id].append(i)
        towns = {d.township_code for d in rows}
        for draw in s.exec(select(dt.DoubtDraw).where(col(dt.DoubtDraw.township_code).in_(towns))).all():
            for doubt_id in json.loads(draw.chosen):
                drawn[int(doubt_id)].append(draw.id or 0)
    out = {}
    for d in rows:
        key = d.id or 0
        given = answers[key]
        if given:
            first = min(a.answered_on for a in given)
            state = "按时答复" if first <= d.due_on else "逾期答复"
        else:
            state = "逾期未答复" if today.isoformat() > d.due_on else "待答复"
        out[key] = Standing(state, given, drawn[key], inspections[key])
    return out


def _townships(s: Session, staff: m.Staff) -> list[str]:
    return sorted({v.township_code for v in visible_villages(s, staff)})


def draw(s: Session, staff: m.Staff, *, year: int, township_code: str | None, seed: str | None) -> list[dt.DoubtDraw]:
    """One draw per township (the one named, or each with 疑点 pushed that year), all by one seed."""
    doubts.require_county(staff)
    towns = _townships(s, staff)
    if township_code is not None and township_code not in towns:
        raise ServerRefusal(404, "no_township", f"没有乡镇代码 {township_code} 的村")
    seed = (seed or "").strip() or new_seed()
    at = doubts.clock()
    made = []
    for town in ([township_code] if township_code else towns):
        population = [str(i) for i in s.exec(select(dt.Doubt.id).where(dt.Doubt.township_code == town,
                                                                         dt.Doubt.year == year)
                                              .order_by(col(dt.Doubt.id))).all()]
        if not population:
            if township_code:
                raise ServerRefusal(409, "nothing_to_draw", f"{year} 年没有推送给乡镇 {town} 的疑点，无从抽查")
            continue
        row = dt.DoubtDraw(township_code=town, year=year, seed=seed, population=json.dumps(population),
                          chosen=json.dumps(draw_sample(population, seed)), drawn_by=staff.name, drawn_at=at)
        s.add(row)
        made.append(row)
    if not made:
        raise ServerRefusal(409, "nothing_to_draw", f"{year} 年没有推送的疑点，无从抽查")
    s.flush()
    return made


def draws_for(s: Session, staff: m.Staff, *, year: int | None = None) -> list[dt.DoubtDraw]:
    query = select(dt.DoubtDraw).where(col(dt.DoubtDraw.township_code).in_(_townships(s, staff)))
    if year is not None:
        query = query.where(dt.DoubtDraw.year == year)
    return list(s.exec(query.order_by(col(dt.DoubtDraw.id))).all())


def reproduce(row: dt.DoubtDraw) -> bool:
    """Drawing again from the kept population by the printed seed gives the same 疑点."""
    return bool(draw_sample(json.loads(row.population), row.seed) == json.loads(row.chosen))


def inspect(s: Session, staff: m.Staff, doubt_id: int, *, result: str, finding: str, by: str,
            on: str | None) -> dt.DoubtInspection:
    doubts.require_county(staff)
    doubt = doubts.visible_doubt(s, staff, doubt_id)
    chosen_by = [d.id or 0 for d in draws_for(s, staff) if str(doubt_id) in json.loads(d.chosen)]
    if not chosen_by:
        raise ServerRefusal(409, "not_drawn", f"疑点 {doubt_id} 不在任何一次抽查中：工作组检查的是抽中的疑点")
    if result not in FINDINGS:
        raise ServerRefusal(422, "bad_finding", f"检查结论应为 {' / '.join(FINDINGS)}")
    finding, by = finding.strip(), by.strip() or staff.name
    if not finding or len(finding) > doubts.MAX_NOTE:
        raise ServerRefusal(422, "bad_finding", f"请写明检查情况（最多 {doubts.MAX_NOTE} 字）")
    at = doubts.clock()
    held_on = _past_date(on, at_most=doubts.county_date(at), what="检查日期")
    row = dt.DoubtInspection(doubt_id=doubt.id or 0, draw_id=chosen_by[0], result=result, finding=finding,
                            inspected_by=by[:40], inspected_on=held_on.isoformat(), recorded_by=staff.name,
                            recorded_at=at)
    s.add(row)
    s.flush()
    return row


def _past_date(text: str | None, *, at_most: date, what: str) -> date:
    if not text:
        return at_most
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ServerRefusal(422, "bad_date", f"{what} {text[:20]} 不是日期（应为 2026-11-25 这样）") from None
    if day > at_most:
        raise ServerRefusal(422, "bad_date", f"{what} {day} 还没到")
    return day


def special(s: Session, staff: m.Staff, *, township_code: str, held_on: str, units: str,
            summary: str) -> dt.SpecialInspection:
    """第四十一条: one special inspection of a township's cash collection, recorded by the county."""
    doubts.require_county(staff)
    if township_code not in _townships(s, staff):
        raise ServerRefusal(404, "no_township", f"没有乡镇代码 {township_code} 的村")
    at = doubts.clock()
    day = _past_date(held_on, at_most=doubts.county_date(at), what="检查日期")
    units, summary = units.strip(), summary.strip()
    if not units or not summary:
        raise ServerRefusal(422, "no_summary", "请写明参加检查的单位和检查情况")
    row = dt.SpecialInspection(township_code=township_code, year=day.year, held_on=day.isoformat(), units=units[:200],
                              summary=summary[:2000], recorded_by=staff.name, recorded_at=at)
    s.add(row)
    s.flush()
    return row


def specials_for(s: Session, staff: m.Staff, *, year: int) -> list[dt.SpecialInspection]:
    return list(s.exec(select(dt.SpecialInspection).where(
        col(dt.SpecialInspection.township_code).in_(_townships(s, staff)), dt.SpecialInspection.year == year)
        .order_by(col(dt.SpecialInspection.held_on), col(dt.SpecialInspection.id))).all())


@dataclass
class TownshipYear:
    """One row of the report: a township's loop in one year."""

    township_code: str
    year: int
    pushed: int = 0
    answered_on_time: int = 0
    answered_late: int = 0
    overdue: int = 0  # not answered, past the deadline
    waiting: int = 0  # not answered, still within 15 days
    drawn: int = 0
    inspected: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    special_inspections: int = 0
    seeds: list[str] = field(default_factory=list)

    @property
    def drawn_share_ok(self) -> bool:
        return self.pushed == 0 or self.drawn >= self.pushed * SAMPLE_SHARE - 1e-9

    @property
    def specials_short(self) -> int:
        return max(0, SPECIAL_PER_YEAR - self.special_inspections)


def report(s: Session, staff: m.Staff, *, year: int) -> list[TownshipYear]:
    """Per township the account may see: pushed, answered on time / late, overdue, drawn,
    inspected with findings, special inspections (short of two when fewer)."""
    rows = {t: TownshipYear(t, year) for t in _townships(s, staff)}
    pushed = doubts.doubts_for(s, staff, year=year)
    for d in pushed:
        rows.setdefault(d.township_code, TownshipYear(d.township_code, year))
    today = doubts.county_date(doubts.clock())
    stand = standings(s, pushed, today=today)
    for d in pushed:
        row, st = rows[d.township_code], stand[d.id or 0]
        row.pushed += 1
        row.answered_on_time += st.state == "按时答复"
        row.answered_late += st.state == "逾期答复"
        row.overdue += st.state == "逾期未答复"
        row.waiting += st.state == "待答复"
        row.drawn += bool(st.draws)
        if st.inspections:
            row.inspected += 1
            row.findings = dict(Counter(row.findings) + Counter([st.inspections[-1].result]))
    for draw_row in draws_for(s, staff, year=year):
        seeds = rows[draw_row.township_code].seeds
        if draw_row.seed not in seeds:
            seeds.append(draw_row.seed)
    for sp in specials_for(s, staff, year=year):
        rows[sp.township_code].special_inspections += 1
    return sorted(rows.values(), key=lambda r: r.township_code)
