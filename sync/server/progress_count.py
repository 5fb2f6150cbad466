"""Progress counted as data arrives (issue 24): each village's progress for the whole of every
benefit year its newest roster lists is kept in `village_count`, counted again in the very
transaction that changed what it is counted from, so that the overview (whose default period is
the whole year) reads one row per village instead of counting 300 or 20,000 villages.

What changes a village's progress, and where it is marked (`touch`):
- an upload's valid cash lines and the voids that free them (rules.CountyChecks.write),
- a roster version and its judged dues (rosters.load_roster, also through fold_payments),
- a payment through another channel (rosters.add_payment).
The marked villages are counted when the session commits (a `before_commit` listener): a file
of 5,000 payments is counted once per village, not once per row. The configuration is not
marked: a row counted under another configuration is stale and counted again when read.

On PostgreSQL two transactions that change the same village at once (two desks of a village
uploading together) must not leave the count of the one that did not see the other: a count
takes the village's transaction-long advisory lock first, so the second counts after the first
committed. Many villages at once (the first overview after the upgrade) take the one lock of all
villages instead (db.lock_codes): advisory locks are a few thousand per server.

Counted by progress.village_progress (the rules of progress_sql's aggregate, which the period
path uses): the same figures, by test (tests/server/test_progress_count.py); `daishou-server
check` counts every village again and compares (`verify`). Each write of villages' rows sums
their townships again (township_count.py), for a province's overview."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import event, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from sync.server import models as m
from sync.server import progress as pr
from sync.server import township_count
from sync.server.db import among, lock_codes, upsert, within

DIRTY = "daishou_progress_dirty"
ADVISORY_SPACE = 2202  # uploads' person and slip locks are 2201 (held.py)
_KEPT: OrderedDict[tuple[str, str], tuple[str, str, int | None, dict[int, pr.Progress]]] = OrderedDict()
KEPT_SIZE = 65536  # villages' parsed rows per process: a province is 20,000


def touch(s: Session, villages: Iterable[str]) -> None:
    """The villages' progress changes in this transaction: counted again before it commits."""
    s.info.setdefault(DIRTY, set()).update(villages)


@event.listens_for(OrmSession, "before_commit")
def _count_touched(s: OrmSession) -> None:
    dirty = s.info.pop(DIRTY, None)
    if dirty:
        recount(s, dirty)  # type: ignore[arg-type]


def recount(s: Session, villages: Iterable[str]) -> dict[str, tuple[int | None, dict[int, pr.Progress]]]:
    """Count the villages again (every year of their newest roster) and keep the rows."""
    codes = sorted(set(villages))
    if not codes:
        return {}
    s.flush()
    lock_codes(s, ADVISORY_SPACE, codes)
    sha, config = pr._config(s)
    counted = count(s, codes, sha, config)
    _store(s, sha, counted)
    return counted


def count(s: Session, codes: list[str], sha: str, config: Any) -> dict[str, tuple[int | None, dict[int, pr.Progress]]]:
    """village -> (its newest roster version's number, year -> progress), nothing stored.
    Counted in Python (progress.village_progress) from the version's judged dues, or its JSON
    when they were judged under another configuration, and the villages' valid cash lines and
    payments: one village (what an upload adds) reads a few thousand rows through its indexes,
    where the grouped SQL of progress_sql scans an upload's cash lines once per due on SQLite."""
    from sync.server import progress_sql

    rv, d, pl, p = (m.table_of(t) for t in (m.RosterVersion, m.RosterDue, m.PaidLine, m.Payment))
    newest = {c: int(i) for c, i in s.execute(sa_select(rv.c.village_code, func.max(rv.c.id))
                                              .where(among(s, rv.c.village_code, codes))
                                              .group_by(rv.c.village_code)).all()}
    versions = {int(i): (c, n) for i, c, n in s.execute(sa_select(rv.c.id, rv.c.village_code, rv.c.version)
                                                        .where(among(s, rv.c.id, list(newest.values())))).all()}
    judged = progress_sql.judged(s, list(newest.values()), sha)
    dues: dict[str, list[pr.Due]] = {c: [] for c in codes}
    for vid, i, ins, y, due, mark in s.execute(sa_select(d.c.roster_version_id, d.c.id_number, d.c.insurance, d.c.year,
                                                         d.c.due_fen, d.c.mark)
                                               .where(among(s, d.c.roster_version_id, list(judged)))).all():
        dues[versions[int(vid)][0]].append((i, ins, int(y), int(due), mark))
    rest = [v for v in newest.values() if v not in judged]
    if rest:
        db = pr.database(s)
        for vid, rows in s.execute(sa_select(rv.c.id, rv.c.rows).where(among(s, rv.c.id, rest))).all():
            dues[versions[int(vid)][0]] = pr._dues(db, int(vid), rows, sha, config)
    years = {c: {y for _, _, y, _, _ in found} for c, found in dues.items()}
    wanted = sorted({y + k for ys in years.values() for y in ys for k in (-1, 0)})
    first, last = pr.OPEN_START.isoformat(), pr.OPEN_END.isoformat()
    cash: dict[str, dict[tuple[str, str, int], str]] = {c: {} for c in codes}
    paid: dict[str, dict[tuple[str, str, int], tuple[str, str]]] = {c: {} for c in codes}
    if wanted:
        for village, i, ins, y in s.execute(sa_select(pl.c.village_code, pl.c.id_number, pl.c.insurance, pl.c.year)
                                            .where(among(s, pl.c.village_code, codes), pl.c.status == "有效",
                                                   pl.c.year.in_(wanted))).all():
            cash[village][(str(i).upper(), pr._insurance(ins), int(y))] = first  # the whole year: any day
        for village, i, ins, y, channel, day in s.execute(
                sa_select(p.c.village_code, p.c.id_number, p.c.insurance, p.c.year, p.c.channel, p.c.paid_on)
                .where(among(s, p.c.village_code, codes), p.c.year.in_(wanted))).all():
            key = (str(i).upper(), pr._insurance(ins), int(y))
            was = paid[village].get(key, (channel, day))
            paid[village][key] = (max(channel, was[0]), min(day, was[1]))  # as progress_sql
    out: dict[str, tuple[int | None, dict[int, pr.Progress]]] = {}
    for code in codes:
        number = versions[newest[code]][1] if code in newest else None
        counted: dict[int, pr.Progress] = {}
        for year in sorted(years[code]):
            found = pr.village_progress(dues[code], cash[code], paid[code], year, first, last)
            found.roster_version = number
            counted[year] = found
        out[code] = (number, counted)
    return out


def _body(years: dict[int, pr.Progress]) -> str:
    return orjson.dumps({str(y): orjson.loads(p.to_store()) for y, p in years.items()}).decode()


def _store(s: Session, sha: str, counted: dict[str, tuple[int | None, dict[int, pr.Progress]]]) -> None:
    if not counted:
        return
    at = datetime.now(UTC)
    stamps = {code: uuid.uuid4().hex for code in counted}
    upsert(s, m.table_of(m.VillageCount), [{"village_code": code, "config_sha256": sha, "roster_version": number,
                                             "body": _body(years), "stamp": stamps[code], "counted_at": at}
                                            for code, (number, years) in counted.items()], "village_code")
    db = pr.database(s)
    for code, (number, years) in counted.items():
        # Kept under its stamp: should this transaction roll back, the stamp read is another.
        _KEPT[(db, code)] = (stamps[code], sha, number, years)
    while len(_KEPT) > KEPT_SIZE:
        _KEPT.popitem(last=False)
    township_count.resum(s, township_count.townships_of(counted))  # their townships' sums follow


def read(s: Session, codes: list[str], year: int, sha: str, *, whole: bool = False) -> dict[str, pr.Progress]:
    """Each village's progress for the whole of `year`: its kept row, parsed once per process
    while its stamp is the same; a village without a row, or counted under another
    configuration, is counted now (and kept)."""
    if not codes:
        return {}
    db = pr.database(s)
    t = m.table_of(m.VillageCount)
    stamps = {c: (st, cs) for c, st, cs in s.execute(sa_select(t.c.village_code, t.c.stamp, t.c.config_sha256)
                                                      .where(within(s, t.c.village_code, codes, whole))).all()}
    parsed: dict[str, tuple[int | None, dict[int, pr.Progress]]] = {}
    wanted: list[str] = []
    for code in codes:
        stamp, config_sha = stamps.get(code, ("", None))
        kept = _KEPT.get((db, code))
        if config_sha != sha:
            continue
        if kept is not None and kept[0] == stamp and kept[1] == sha:
            _KEPT.move_to_end((db, code))
            parsed[code] = (kept[2], kept[3])
        else:
            wanted.append(code)
    if wanted:
        for code, stamp, number, body in s.execute(sa_select(t.c.village_code, t.c.stamp, t.c.roster_version, t.c.body)
                                                   .where(within(s, t.c.village_code, wanted,
                                                                 whole and len(wanted) == len(codes)))).all():
            years = {int(y): pr.Progress.from_raw(v) for y, v in orjson.loads(body).items()}
            parsed[code] = (number, years)
            _KEPT[(db, code)] = (stamp, sha, number, years)
        while len(_KEPT) > KEPT_SIZE:
            _KEPT.popitem(last=False)
    missing = [c for c in codes if c not in parsed]
    if missing:
        parsed.update(recount(s, missing))
    out: dict[str, pr.Progress] = {}
    for code in codes:
        number, years = parsed[code]
        found = years.get(year)
        out[code] = found if found is not None else pr.Progress(year, roster_version=number)
    return out


def verify(s: Session) -> list[str]:
    """Count every village again and compare with its kept row: the villages that differed (in
    Chinese), whose rows are replaced by the new count."""
    t = m.table_of(m.VillageCount)
    sha, config = pr._config(s)
    kept = {c: (cs, number, body) for c, cs, number, body in
            s.execute(sa_select(t.c.village_code, t.c.config_sha256, t.c.roster_version, t.c.body)).all()}
    codes = sorted(kept)
    problems: list[str] = []
    for start in range(0, len(codes), 500):
        counted = count(s, codes[start:start + 500], sha, config)
        wrong = {}
        for code, (number, years) in counted.items():
            config_sha, kept_number, body = kept[code]
            if config_sha != sha:
                continue  # counted again when next read
            if (kept_number, orjson.loads(body)) != (number, orjson.loads(_body(years))):
                problems.append(f"村 {code} 的征缴进度计数与重新统计不一致（已按重新统计的结果改正）")
                wrong[code] = (number, years)
        _store(s, sha, wrong)
    return problems
