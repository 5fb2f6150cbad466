"""What the county holds, read for an upload's checks under its lock (rules.py), in as few round
trips to the database as it takes: on PostgreSQL one statement takes the upload's advisory locks
and reads what the county issued (`county_view`), one reads what is held of the upload's people
(`held_of`); each round trip is a wait paid by every upload of a burst (bench sync counts them)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlmodel import Session, col, select

from sync.server import models as m

CHUNK = 500  # values per IN (...) list
ADVISORY_SPACE = 2201  # the first key of PostgreSQL advisory locks taken by uploads (lock_keys)

Paid = dict[tuple[str, str, int], list[tuple[str, str]]]  # (person, insurance, year) -> [(village, receipt)]
Other = dict[tuple[str, str, int], str]  # (person, insurance, year) -> the other channel


@dataclass(frozen=True)
class CountyView:
    """What the county issued, as an upload's checks need it: the village's township (None for a
    village the county does not know), every county configuration's text in the order loaded,
    the village's newest roster (id, version, sha256) if any, and whether the device's set-up
    entry is held (asked only when the upload needs it, else None)."""

    township: str | None
    configs: list[str]
    roster: tuple[int, int, str] | None
    device_entry_held: bool | None


def buckets(keys: Iterable[str]) -> list[int]:
    """The advisory lock keys of `keys`, sorted (every upload takes them in one order: no
    deadlock). A hash shared by two keys only makes one upload wait."""
    return sorted({zlib.crc32(key.encode("utf-8")) & 0x7FFFFFFF for key in keys})


# Two uploads at once (two server processes) must not both miss each other's receipt for the same
# person, slip or uniform-receipt book: on PostgreSQL each takes a transaction-long advisory lock
# per person, slip and book prefix before reading what is held, so the second reads once the
# first has committed and flags or refuses it. SQLite took the whole database at BEGIN IMMEDIATE.
#
# plan_cache_mode: the statements after it are planned for their own values. psycopg prepares a
# statement on its fifth run, and PostgreSQL may then keep one generic plan for it, made while
# the table was small (a new county's first uploads, before autovacuum has analysed it): the paid
# lines of an upload's 200 people became a scan of every paid line, 115 ms an upload at 60,000
# lines instead of about 1 ms. The inserts after it are INSERT ... SELECT FROM unnest (bulk.py),
# cheap to plan, so it holds for the rest of the transaction.
_VIEW = text("""
SELECT (SELECT count(pg_advisory_xact_lock(:space, b))
          FROM (SELECT b FROM unnest(CAST(:buckets AS integer[])) AS b ORDER BY b) AS ordered),
       set_config('plan_cache_mode', 'force_custom_plan', true),
       (SELECT township_code FROM village WHERE code = :village),
       (SELECT array_agg(text ORDER BY id) FROM county_config),
       newest.id, newest.version, newest.sha256,
       CASE WHEN :ask THEN EXISTS (SELECT 1 FROM entry WHERE device_id = :device AND kind = 'device') END
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (SELECT id, version, sha256 FROM roster_version WHERE village_code = :village
                     ORDER BY version DESC LIMIT 1) AS newest ON true""")


def county_view(s: Session, village: str, device_id: str, keys: list[str], *, ask_device_entry: bool) -> CountyView:
    """The upload's locks taken (PostgreSQL) and what the county issued, read: one round trip on
    PostgreSQL."""
    if s.get_bind().dialect.name == "postgresql":
        row = s.execute(_VIEW, {"space": ADVISORY_SPACE, "buckets": buckets(keys), "village": village,
                                "device": device_id, "ask": ask_device_entry}).one()
        _, _, township, configs, roster_id, version, digest, device_entry = row
        return CountyView(township, list(configs or []),
                          None if roster_id is None else (int(roster_id), int(version), str(digest)),
                          device_entry)
    found = s.get(m.Village, village)
    newest = s.exec(select(m.RosterVersion.id, m.RosterVersion.version, m.RosterVersion.sha256)
                    .where(m.RosterVersion.village_code == village)
                    .order_by(col(m.RosterVersion.version).desc())).first()
    device_entry = None
    if ask_device_entry:
        device_entry = s.exec(select(m.Entry.seq).where(m.Entry.device_id == device_id,
                                                        m.Entry.kind == "device").limit(1)).first() is not None
    configs = list(s.exec(select(m.CountyConfigVersion.text).order_by(col(m.CountyConfigVersion.id))).all())
    roster = None if newest is None or newest[0] is None else (newest[0], int(newest[1]), str(newest[2]))
    return CountyView(found.township_code if found else None, configs, roster, device_entry)


_HELD = text("""
SELECT true, id_number, insurance, year, village_code, receipt_number FROM paid_line
 WHERE id_number = ANY(CAST(:people AS varchar[])) AND status = '有效'
UNION ALL
SELECT false, id_number, insurance, year, channel, NULL FROM payment
 WHERE id_number = ANY(CAST(:people AS varchar[]))""")


def held_of(s: Session, people: list[str]) -> tuple[Paid, Other]:
    """The valid paid lines of `people` and their payments through other channels: one round
    trip on PostgreSQL; on SQLite IN lists of CHUNK values (its write lock is the database's)."""
    paid: Paid = {}
    other: Other = {}
    if s.get_bind().dialect.name == "postgresql":
        for is_line, id_number, insurance, year, where, number in s.execute(_HELD, {"people": people}):
            key = (id_number, insurance, int(year))
            if is_line:
                paid.setdefault(key, []).append((where, number))
            else:
                other[key] = where
        return paid, other
    for among in _among(people, m.PaidLine.id_number):
        for id_number, insurance, year, village, number in s.execute(
                sa_select(col(m.PaidLine.id_number), col(m.PaidLine.insurance), col(m.PaidLine.year),
                          col(m.PaidLine.village_code), col(m.PaidLine.receipt_number))
                .where(among, col(m.PaidLine.status) == "有效")).all():
            paid.setdefault((id_number, insurance, int(year)), []).append((village, number))
    for among in _among(people, m.Payment.id_number):
        for id_number, insurance, year, channel in s.exec(
                select(m.Payment.id_number, m.Payment.insurance, m.Payment.year, m.Payment.channel)
                .where(among)).all():
            other[(id_number, insurance, int(year))] = channel
    return paid, other


def _among(values: list[str], column: Any) -> Iterable[Any]:
    for i in range(0, len(values), CHUNK):
        yield col(column).in_(values[i:i + CHUNK])

