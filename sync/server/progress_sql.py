"""Progress counted in the database (issue 24, the overview's first load): the dues of a roster
version are judged once when it is loaded (RosterDue), and the overview asks one aggregate per
figure instead of reading every village's roster JSON again. The same rules as
progress.village_progress, which stays for versions without judged dues (loaded before them, or
judged under another configuration); tests/server/test_progress.py checks both give the same."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, literal, or_, text, union
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.domain.insurance import Insurance
from app.domain.renewal import band_of
from sync.server import models as m
from sync.server import progress as pr

PENSION = Insurance.PENSION.value


def judge_version(s: Session, version: m.RosterVersion) -> int:
    """Write the version's dues as judged under the configuration in force; returns how many."""
    sha, config = pr._config(s)
    s.flush()  # the version's id
    dues = pr._dues(pr.database(s), int(version.id or 0), version.rows, sha, config)
    if dues:
        s.connection().execute(insert(m.table_of(m.RosterDue)), [
            {"roster_version_id": version.id, "village_code": version.village_code, "id_number": i, "insurance": ins,
             "year": y, "due_fen": due, "mark": mark, "band": (b.label if (b := band_of(i, y)) else ""),
             "config_sha256": sha} for i, ins, y, due, mark in dues])
    return len(dues)


def judged(s: Session, version_ids: list[int], config_sha: str) -> set[int]:
    """The versions whose dues were judged under `config_sha`."""
    if not version_ids:
        return set()
    return {int(v) for (v,) in s.execute(
        sa_select(col(m.RosterDue.roster_version_id)).distinct()
        .where(col(m.RosterDue.roster_version_id).in_(version_ids), col(m.RosterDue.config_sha256) == config_sha)).all()}


def _bank(column: Any) -> Any:
    return or_(*(column.like(f"%{w}%") for w in pr.BANK_WORDS))


def compute(s: Session, versions: dict[str, int], *, year: int, start: date, end: date) -> dict[str, pr.Progress]:
    """`versions`: village -> its newest roster version id (with judged dues)."""
    out = {code: pr.Progress(year) for code in versions}
    if not versions:
        return out
    first, last = start.isoformat(), end.isoformat()
    codes, years = list(versions), [year - 1, year]
    d, pl, r, p = (m.table_of(t) for t in (m.RosterDue, m.PaidLine, m.Receipt, m.Payment))
    cash = (sa_select(pl.c.village_code, pl.c.id_number, pl.c.insurance, pl.c.year, func.min(r.c.day).label("day"))
            .join(r, r.c.number == pl.c.receipt_number)
            .where(pl.c.village_code.in_(codes), pl.c.status == "有效", pl.c.year.in_(years), r.c.day <= last)
            .group_by(pl.c.village_code, pl.c.id_number, pl.c.insurance, pl.c.year).subquery("cash"))
    paid = (sa_select(p.c.village_code, p.c.id_number, p.c.insurance, p.c.year, func.max(p.c.channel).label("channel"),
                      func.min(p.c.paid_on).label("paid_on"))
            .where(p.c.village_code.in_(codes), p.c.year.in_(years))
            .group_by(p.c.village_code, p.c.id_number, p.c.insurance, p.c.year).subquery("paid"))

    def same(t: Any) -> Any:
        return and_(t.c.village_code == d.c.village_code, t.c.id_number == d.c.id_number,
                    t.c.insurance == d.c.insurance, t.c.year == d.c.year)

    on_time = and_(paid.c.paid_on.is_not(None), paid.c.paid_on <= last)
    status = case((cash.c.day.is_not(None), "cash"),
                  (paid.c.paid_on > last, case((d.c.due_fen == 0, "subsidised"), else_="unpaid")),
                  (and_(on_time, _bank(paid.c.channel)), "bank"), (on_time, "other"),
                  (and_(d.c.mark != "", _bank(d.c.mark)), "bank"), (d.c.mark != "", "other"),
                  (d.c.due_fen == 0, "subsidised"), else_="unpaid")
    when = case((cash.c.day.is_not(None), cash.c.day), (on_time, paid.c.paid_on), else_=None)
    dues = (sa_select(d.c.village_code, d.c.id_number, d.c.insurance, d.c.year, d.c.band, d.c.due_fen,
                      status.label("status"),
                      case((and_(when >= first, when <= last), 1), else_=0).label("in_period"))
            .select_from(d.outerjoin(cash, same(cash)).outerjoin(paid, same(paid)))
            .where(d.c.roster_version_id.in_(list(versions.values())), d.c.year.in_(years)).subquery("dues"))
    if s.get_bind().dialect.name == "postgresql":
        # Hash joins over whole tables, whatever the planner's statistics: before autovacuum has
        # analysed a freshly loaded roster it estimates a few rows and nests loops (minutes).
        s.execute(text("SET LOCAL enable_nestloop = off"))
    for village, ins, st, n, unpaid_fen, period in s.execute(
            sa_select(dues.c.village_code, dues.c.insurance, dues.c.status, func.count(),
                      func.sum(case((dues.c.status == "unpaid", dues.c.due_fen), else_=0)), func.sum(dues.c.in_period))
            .where(dues.c.year == year)
            .group_by(dues.c.village_code, dues.c.insurance, dues.c.status)).all():
        line = out[village].lines.get(ins)
        if line is None:
            continue
        line.due += int(n)
        setattr(line, st, getattr(line, st) + int(n))
        line.unpaid_fen += int(unpaid_fen or 0)
        line.period_paid += int(period or 0)
    last_year = union(
        sa_select(dues.c.village_code, dues.c.id_number)
        .where(dues.c.year == year - 1, dues.c.insurance == PENSION, dues.c.status != "unpaid"),
        sa_select(cash.c.village_code, cash.c.id_number).where(cash.c.year == year - 1, cash.c.insurance == PENSION),
        sa_select(paid.c.village_code, paid.c.id_number)
        .where(paid.c.year == year - 1, paid.c.insurance == PENSION, paid.c.paid_on <= last)).subquery("last_year")
    for village, band, base, renewed in s.execute(
            sa_select(dues.c.village_code, dues.c.band, func.count(),
                      func.sum(case((dues.c.status != "unpaid", 1), else_=0)))
            .join(last_year, and_(last_year.c.village_code == dues.c.village_code,
                                  last_year.c.id_number == dues.c.id_number))
            .where(dues.c.year == year, dues.c.insurance == PENSION, dues.c.band != literal(""))
            .group_by(dues.c.village_code, dues.c.band)).all():
        out[village].renewal[band] = [int(base), int(renewed or 0)]
    return out


def stored(s: Session, period: str, prints: dict[str, str]) -> dict[str, pr.Progress]:
    """The villages of `prints` whose stored summary for `period` has that fingerprint."""
    if not prints:
        return {}
    t = m.table_of(m.ProgressSummary)
    return {code: pr.Progress.from_store(body) for code, fingerprint, body in s.execute(
        sa_select(t.c.village_code, t.c.fingerprint, t.c.body)
        .where(t.c.period == period, t.c.village_code.in_(list(prints)))).all() if prints[code] == fingerprint}


def store(s: Session, period: str, found: dict[str, tuple[str, pr.Progress]]) -> None:
    """Keep each village's freshly counted progress under its fingerprint. Two server processes
    counting the same village at once: the second's rows are dropped, the figures are the same."""
    if not found:
        return
    t = m.table_of(m.ProgressSummary)
    at = datetime.now(UTC)
    try:
        with s.begin_nested():
            s.execute(delete(t).where(t.c.period == period, t.c.village_code.in_(list(found))))
            s.execute(insert(t), [{"village_code": code, "period": period, "fingerprint": fingerprint,
                                   "body": progress.to_store(), "computed_at": at}
                                  for code, (fingerprint, progress) in found.items()])
    except IntegrityError:
        pass
