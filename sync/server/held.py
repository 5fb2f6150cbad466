"""What the county holds, read for an upload's checks under its lock (rules.py): the paid lines
and other channels' payments of the upload's people, and on PostgreSQL the advisory locks that
keep two uploads of the same people or slip from reading past each other."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import String, any_, bindparam, text
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col, select

from sync.server import models as m

CHUNK = 500  # values per IN (...) list
ADVISORY_SPACE = 2201  # the first key of PostgreSQL advisory locks taken by uploads (lock_keys)


def lock_keys(s: Session, keys: list[str]) -> None:
    """Two uploads at once (two server processes) must not both miss each other's receipt for
    the same person, or each other's slip: on PostgreSQL each takes a transaction-long advisory
    lock per person and per slip before reading what is held, in one order (no deadlock), so the
    second reads once the first has committed and flags or refuses it. A hash shared by two keys
    only makes one upload wait. SQLite took the whole database at BEGIN IMMEDIATE already."""
    if not keys or s.get_bind().dialect.name != "postgresql":
        return
    buckets = sorted({zlib.crc32(key.encode("utf-8")) & 0x7FFFFFFF for key in keys})
    s.execute(text("SELECT count(pg_advisory_xact_lock(:space, b)) FROM "
                   "(SELECT b FROM unnest(CAST(:buckets AS integer[])) AS b ORDER BY b) AS ordered"),
              {"space": ADVISORY_SPACE, "buckets": buckets})


@contextmanager
def planned_for_values(s: Session) -> Iterator[None]:
    """PostgreSQL: the statements inside are planned for their own values. psycopg prepares a
    statement on its fifth run, and PostgreSQL may then keep one generic plan for it, made while
    the table was small (a new county's first uploads, before autovacuum has analysed it): the
    paid lines of an upload's 200 people became a scan of every paid line, 115 ms an upload at
    60,000 lines instead of about 1 ms. Not for the whole transaction: a 200-row INSERT planned
    each time costs 5 ms more."""
    postgres = s.get_bind().dialect.name == "postgresql"
    if postgres:
        s.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    yield
    if postgres:
        s.execute(text("SET LOCAL plan_cache_mode TO DEFAULT"))


def _among(s: Session, column: Any, values: list[str]) -> Iterable[Any]:
    """`column` is one of `values`: on PostgreSQL one array parameter (one statement text,
    whatever the count); on SQLite IN lists of CHUNK values."""
    if s.get_bind().dialect.name == "postgresql":
        yield column == any_(bindparam("among", values, type_=ARRAY(String)))
        return
    for i in range(0, len(values), CHUNK):
        yield col(column).in_(values[i:i + CHUNK])


def held_lines(s: Session, people: list[str]) -> dict[tuple[str, str, int], list[tuple[str, str]]]:
    out: dict[tuple[str, str, int], list[tuple[str, str]]] = {}
    for among in _among(s, m.PaidLine.id_number, people):
        for id_number, insurance, year, village, number in s.execute(
                sa_select(col(m.PaidLine.id_number), col(m.PaidLine.insurance), col(m.PaidLine.year),
                          col(m.PaidLine.village_code), col(m.PaidLine.receipt_number))
                .where(among, col(m.PaidLine.status) == "有效")).all():
            out.setdefault((id_number, insurance, int(year)), []).append((village, number))
    return out


def other_channel(s: Session, people: list[str]) -> dict[tuple[str, str, int], str]:
    out: dict[tuple[str, str, int], str] = {}
    for among in _among(s, m.Payment.id_number, people):
        for id_number, insurance, year, channel in s.exec(
                select(m.Payment.id_number, m.Payment.insurance, m.Payment.year, m.Payment.channel)
                .where(among)).all():
            out[(id_number, insurance, int(year))] = channel
    return out
