"""Township subtotals of progress kept (issue 24): each township's sum of its villages' kept rows
(`village_count`, progress_count.py), summed again in the same transaction whenever one of its
villages' rows is written, so that a province's overview (1,000 townships, 20,000 villages) reads
one row per township instead of parsing and adding 20,000 villages' figures.

A township's row is the sum of the `village_count` rows of the villages the village table puts in
it (`villages`: how many rows were summed). It is trusted by the overview only while it was summed
under the configuration in force and counts as many villages as the village table lists there;
otherwise the villages of that township without a current row are counted, and the township
summed again (`current`).

On PostgreSQL two transactions that write villages of one township at once (two villages'
uploads) must not leave the sum of the one that did not see the other: a sum takes the
township's transaction-long advisory lock before it reads, so the second sums after the first
committed (its statements then see the first's village rows). Many townships at once (the first
overview after the upgrade) take one lock for all of them instead, which each few-township sum
also takes, shared, in the same statement: advisory locks are a few thousand per server. Village
locks (progress_count) are always taken before township locks.

A village's township is the first 9 digits of its code (devices.ensure_village is the only
writer of the village table's rows), which is how a village's write names the township to sum."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import orjson
from sqlalchemy import Column, Text, or_
from sqlalchemy import select as sa_select
from sqlmodel import Field, Session

from sync.server import models as m
from sync.server import progress as pr
from sync.server.db import among, lock_codes, upsert

ADVISORY_SPACE = 2203  # villages' counts are 2202 (progress_count.py), uploads' 2201 (held.py)
MIXED = "*"  # the sha of a township whose villages were counted under different configurations

Sums = dict[str, tuple[str, int, dict[int, pr.Progress]]]  # township -> (config sha, villages, year -> sum)


class TownshipCount(m.ServerModel, table=True):
    """A township's progress for each benefit year, the sum of its villages' `village_count` rows,
    written in the transaction that wrote one of them. Derived: `daishou-server check` sums the
    villages again and compares (`verify`)."""

    __tablename__ = "township_count"
    township_code: str = Field(primary_key=True)
    config_sha256: str  # the configuration its villages were counted under (MIXED: not one)
    villages: int  # village rows summed
    body: str = Field(sa_column=Column(Text, nullable=False))  # {year: Progress as stored}
    counted_at: datetime


def townships_of(villages: Iterable[str]) -> set[str]:
    return {code[:9] for code in villages}


def resum(s: Session, townships: Iterable[str]) -> Sums:
    """Sum the townships' villages again and keep the rows (after their villages were written)."""
    codes = sorted(set(townships))
    if not codes:
        return {}
    s.flush()
    lock_codes(s, ADVISORY_SPACE, codes)
    summed = sums(s, codes)
    _store(s, summed)
    return summed


def sums(s: Session, codes: list[str]) -> Sums:
    """The townships' sums of their villages' kept rows, nothing stored."""
    t, v = m.table_of(m.VillageCount), m.table_of(m.Village)
    out: Sums = {}
    shas: dict[str, set[str]] = {c: set() for c in codes}
    found: dict[str, dict[int, pr.Progress]] = {c: {} for c in codes}
    counted = dict.fromkeys(codes, 0)
    for town, sha, body in s.execute(sa_select(v.c.township_code, t.c.config_sha256, t.c.body)
                                     .join(v, v.c.code == t.c.village_code)
                                     .where(among(s, v.c.township_code, codes))).all():
        counted[town] += 1
        shas[town].add(sha)
        years = found[town]
        for year, raw in orjson.loads(body).items():
            total = years.get(int(year))
            if total is None:
                total = years[int(year)] = pr.Progress(int(year))
            total.add(pr.Progress.from_raw(raw))
    for code in codes:
        sha = next(iter(shas[code])) if len(shas[code]) == 1 else ("" if not shas[code] else MIXED)
        out[code] = (sha, counted[code], found[code])
    return out


def _body(years: dict[int, pr.Progress]) -> str:
    return orjson.dumps({str(y): orjson.loads(p.to_store()) for y, p in sorted(years.items())}).decode()


def _store(s: Session, summed: Sums) -> None:
    at = datetime.now(UTC)
    upsert(s, m.table_of(TownshipCount), [{"township_code": code, "config_sha256": sha, "villages": n,
                                            "body": _body(years), "counted_at": at}
                                           for code, (sha, n, years) in summed.items()], "township_code")


def current(s: Session, year: int, sha: str, villages: dict[str, int]) -> dict[str, pr.Progress]:
    """Each township's progress for the whole of `year` from its kept row. `villages`: township ->
    how many villages the village table lists in it. A township whose row is missing, was summed
    under another configuration or counts fewer villages has the villages without a current row
    counted (progress_count, which sums their townships again) and is summed again."""
    t = m.table_of(TownshipCount)
    kept = {code: (cs, n, body) for code, cs, n, body in
            s.execute(sa_select(t.c.township_code, t.c.config_sha256, t.c.villages, t.c.body)).all()}
    stale = sorted(c for c, n in villages.items() if c not in kept or kept[c][0] != sha or kept[c][1] != n)
    fresh: Sums = {}
    if stale:
        from sync.server import progress_count

        vc, v = m.table_of(m.VillageCount), m.table_of(m.Village)
        uncounted = s.execute(sa_select(v.c.code).outerjoin(vc, vc.c.village_code == v.c.code)
                              .where(among(s, v.c.township_code, stale),
                                     or_(vc.c.config_sha256.is_(None), vc.c.config_sha256 != sha))).scalars().all()
        progress_count.recount(s, uncounted)  # sums the townships of what it counts
        fresh = resum(s, stale)
    out: dict[str, pr.Progress] = {}
    for code in villages:
        if code in fresh:
            found = fresh[code][2].get(year)
        else:
            raw = orjson.loads(kept[code][2]).get(str(year))
            found = None if raw is None else pr.Progress.from_raw(raw)
        out[code] = found if found is not None else pr.Progress(year)
    return out


def verify(s: Session) -> list[str]:
    """Sum every township's villages again and compare with its kept row: the townships that
    differed (in Chinese), whose rows are replaced by the new sum. After progress_count.verify,
    which corrects the villages' rows first."""
    t, v = m.table_of(TownshipCount), m.table_of(m.Village)
    kept = {code: (cs, n, body) for code, cs, n, body in
            s.execute(sa_select(t.c.township_code, t.c.config_sha256, t.c.villages, t.c.body)).all()}
    towns = sorted(set(s.execute(sa_select(v.c.township_code).distinct()).scalars().all()) | set(kept))
    problems: list[str] = []
    wrong: Sums = {}
    for start in range(0, len(towns), 500):
        for code, (sha, n, years) in sums(s, towns[start:start + 500]).items():
            was = kept.get(code)
            if was is None:
                continue  # never summed: summed when the overview first needs it
            if (was[0], was[1], orjson.loads(was[2])) != (sha, n, orjson.loads(_body(years))):
                problems.append(f"乡镇 {code} 的征缴进度合计与各村计数之和不一致（已改正）")
                wrong[code] = (sha, n, years)
    _store(s, wrong)
    return problems
