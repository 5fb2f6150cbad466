"""Progress counted in the database (issue 24, the overview's first load): the dues of a roster
version are judged once when it is loaded (RosterDue), and the overview asks one aggregate per
figure instead of reading every village's roster JSON again. The same rules as
progress.village_progress, which stays for versions without judged dues (loaded before them, or
judged under another configuration); tests/server/test_progress.py checks both give the same."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, delete, func, insert, literal, or_, text, union
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.domain.insurance import Insurance
from app.domain.renewal import band_of
from sync.server import models as m
from sync.server import progress as pr
from sync.server.db import among

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
    """The versions whose dues were judged under `config_sha`. A version's dues are written at
    once under one configuration: its first due says which (one index probe per version)."""
    if not version_ids:
        return set()
    d = m.table_of(m.RosterDue)
    first = (sa_select(d.c.config_sha256).where(d.c.roster_version_id == m.table_of(m.RosterVersion).c.id)
             .limit(1).scalar_subquery())
    v = m.table_of(m.RosterVersion)
    return {int(i) for i, sha in s.execute(sa_select(v.c.id, first).where(among(s, v.c.id, version_ids))).all()
            if sha == config_sha}


def _bank(column: Any) -> Any:
    return or_(*(column.like(f"%{w}%") for w in pr.BANK_WORDS))


def compute(s: Session, versions: dict[str, int], *, year: int, start: date, end: date) -> dict[str, pr.Progress]:
    """`versions`: village -> its newest roster version id (with judged dues). One aggregate over
    the year's dues joined to the cash lines and payments, grouped by (village, insurance, status,
    band, paid last year): the lines and the 续费率 both come from its few rows."""
    out = {code: pr.Progress(year) for code in versions}
    if not versions:
        return out
    first, last = start.isoformat(), end.isoformat()
    codes, years = list(versions), [year - 1, year]
    d, pl, r, p = (m.table_of(t) for t in (m.RosterDue, m.PaidLine, m.Receipt, m.Payment))
    keys = (pl.c.village_code, pl.c.id_number, pl.c.insurance, pl.c.year)
    valid = and_(among(s, pl.c.village_code, codes), pl.c.status == "有效", pl.c.year.in_(years))
    if end >= pr.OPEN_END:
        # Every day counts (a period open at its end, the overview's default): the receipt's day
        # is only wanted within the period, and the open start is the beginning.
        day: Any = cast(literal(first), String)
        cash = sa_select(*keys, day.label("day")).where(valid).distinct().cte("cash")
    else:
        cash = (sa_select(*keys, func.min(r.c.day).label("day")).join(r, r.c.number == pl.c.receipt_number)
                .where(valid, r.c.day <= last).group_by(*keys).cte("cash"))
    paid = (sa_select(p.c.village_code, p.c.id_number, p.c.insurance, p.c.year, func.max(p.c.channel).label("channel"),
                      func.min(p.c.paid_on).label("paid_on"))
            .where(among(s, p.c.village_code, codes), p.c.year.in_(years))
            .group_by(p.c.village_code, p.c.id_number, p.c.insurance, p.c.year).cte("paid"))

    def same(t: Any, due: Any) -> Any:
        return and_(t.c.village_code == due.c.village_code, t.c.id_number == due.c.id_number,
                    t.c.insurance == due.c.insurance, t.c.year == due.c.year)

    def status_of(due: Any) -> Any:
        on_time = and_(paid.c.paid_on.is_not(None), paid.c.paid_on <= last)
        return case((cash.c.day.is_not(None), "cash"),
                    (paid.c.paid_on > last, case((due.c.due_fen == 0, "subsidised"), else_="unpaid")),
                    (and_(on_time, _bank(paid.c.channel)), "bank"), (on_time, "other"),
                    (and_(due.c.mark != "", _bank(due.c.mark)), "bank"), (due.c.mark != "", "other"),
                    (due.c.due_fen == 0, "subsidised"), else_="unpaid")

    version_ids = list(versions.values())
    # Who paid the pension last year (the 续费率's base): a due of last year not unpaid, a cash
    # line or a payment within the period.
    before = d.alias("before")
    last_year = union(
        sa_select(before.c.village_code, before.c.id_number)
        .select_from(before.outerjoin(cash, same(cash, before)).outerjoin(paid, same(paid, before)))
        .where(among(s, before.c.roster_version_id, version_ids), before.c.year == year - 1,
               before.c.insurance == PENSION, status_of(before) != "unpaid"),
        sa_select(cash.c.village_code, cash.c.id_number).where(cash.c.year == year - 1, cash.c.insurance == PENSION),
        sa_select(paid.c.village_code, paid.c.id_number)
        .where(paid.c.year == year - 1, paid.c.insurance == PENSION, paid.c.paid_on <= last)).cte("last_year")
    status = status_of(d)
    when = case((cash.c.day.is_not(None), cash.c.day), (and_(paid.c.paid_on.is_not(None), paid.c.paid_on <= last),
                                                          paid.c.paid_on), else_=None)
    renewing = case((last_year.c.id_number.is_not(None), 1), else_=0)
    if s.get_bind().dialect.name == "postgresql":
        # Hash joins over whole tables, whatever the planner's statistics: before autovacuum has
        # analysed a freshly loaded roster it estimates a few rows and nests loops (minutes).
        s.execute(text("SET LOCAL enable_nestloop = off"))
    query = (sa_select(d.c.village_code, d.c.insurance, status.label("status"), d.c.band, renewing.label("renewing"),
                       func.count(), func.sum(case((status == "unpaid", d.c.due_fen), else_=0)),
                       func.sum(case((and_(when >= first, when <= last), 1), else_=0)))
             .select_from(d.outerjoin(cash, same(cash, d)).outerjoin(paid, same(paid, d))
                          .outerjoin(last_year, and_(d.c.insurance == PENSION, d.c.band != literal(""),
                                                     last_year.c.village_code == d.c.village_code,
                                                     last_year.c.id_number == d.c.id_number)))
             .where(among(s, d.c.roster_version_id, version_ids), d.c.year == year)
             .group_by(d.c.village_code, d.c.insurance, status, d.c.band, renewing))
    for village, ins, st, band, renew, n, unpaid_fen, period in s.execute(query).all():
        progress = out[village]
        line = progress.lines.get(ins)
        if line is None:
            continue
        n = int(n)
        line.due += n
        setattr(line, st, getattr(line, st) + n)
        line.unpaid_fen += int(unpaid_fen or 0)
        line.period_paid += int(period or 0)
        if renew and band in progress.renewal:
            progress.renewal[band][0] += n
            progress.renewal[band][1] += n if st != "unpaid" else 0
    return out


def stored(s: Session, period: str, prints: dict[str, str]) -> dict[str, pr.Progress]:
    """The villages of `prints` whose stored summary for `period` has that fingerprint."""
    if not prints:
        return {}
    t = m.table_of(m.ProgressSummary)
    return {code: pr.Progress.from_store(body) for code, fingerprint, body in s.execute(
        sa_select(t.c.village_code, t.c.fingerprint, t.c.body)
        .where(t.c.period == period, among(s, t.c.village_code, prints))).all() if prints[code] == fingerprint}


PRUNE_AFTER = timedelta(days=7)  # a chosen period's summaries kept this long after they were counted
PRUNE_EVERY = timedelta(hours=1)
_PRUNED: dict[str, datetime] = {}  # database -> when this process last pruned it


def prune(s: Session, at: datetime) -> int:
    """Drop the summaries counted more than PRUNE_AFTER ago (periods someone chose once: each
    is a row per village; asked again, it is counted again). At most once an hour per process."""
    db = pr.database(s)
    last = _PRUNED.get(db)
    if last is not None and at - last < PRUNE_EVERY:
        return 0
    _PRUNED[db] = at
    t = m.table_of(m.ProgressSummary)
    gone: Any = s.execute(delete(t).where(t.c.computed_at < at - PRUNE_AFTER))  # a CursorResult
    return int(gone.rowcount or 0)


def store(s: Session, period: str, found: dict[str, tuple[str, pr.Progress]]) -> None:
    """Keep each village's freshly counted progress under its fingerprint. Two server processes
    counting the same village at once: the second's rows are dropped, the figures are the same.
    The whole year is not stored here (progress_count.py keeps it as the data arrives)."""
    if not found:
        return
    t = m.table_of(m.ProgressSummary)
    at = datetime.now(UTC)
    prune(s, at)
    try:
        with s.begin_nested():
            s.execute(delete(t).where(t.c.period == period, among(s, t.c.village_code, found)))
            s.execute(insert(t), [{"village_code": code, "period": period, "fingerprint": fingerprint,
                                   "body": progress.to_store(), "computed_at": at}
                                  for code, (fingerprint, progress) in found.items()])
    except IntegrityError:
        pass
