"""Applying checked rows to the database, inside the caller's one transaction.

A newer roster updates in place: new people are added, changed details and amounts applied,
and whoever the county no longer lists for the file's years is kept as removed (a tombstone):
never deleted, never touching receipts. Writes go through executemany in batches.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Set
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from app.services.roster.pinyin import encoded_name_keys
from app.services.roster.rows import ParsedRow
from app.services.roster.stages import Stages
from app.storage import roster

_PERSON_FIELDS = ("name", "group_name", "household_no", "household_head", "phone", "category")


@dataclass(frozen=True)
class Applied:
    imported: int
    updated: int
    unchanged: int
    removed: int


def apply_rows(conn: sqlite3.Connection, rows: Iterable[ParsedRow], *, tombstones: bool,
               keep: Set[str] = frozenset(), stages: Stages | None = None) -> Applied:
    """Write the accepted rows; mark as removed what the file's years no longer list.

    `keep`: people named on rejected rows. They are still on the county's list, so none of
    their dues is marked removed because a cell of theirs needs fixing.
    """
    stages = stages if stages is not None else Stages()
    start = perf_counter()
    version = roster.bump_version(conn)
    people: dict[str, ParsedRow] = {}
    dues: dict[tuple[str, str, int], ParsedRow] = {}
    for r in rows:
        people.setdefault(r.id_number, r)
        dues[(r.id_number, r.insurance, r.year)] = r
    years = sorted({key[2] for key in dues})

    existing = roster.existing_people(conn)
    old_dues = roster.dues_of_years(conn, years)

    changed: set[str] = set()
    fresh: list[ParsedRow] = []  # new people, or people whose details changed
    for idn, r in people.items():
        old = existing.get(idn)
        if old is None or (r.name, r.group, r.household_no, r.household_head, r.phone,
                           r.category) != old[:6] or old[6]:
            fresh.append(r)
    keys_start = perf_counter()
    keys = {r.id_number: encoded_name_keys(r.name) for r in fresh}
    keys_s = perf_counter() - keys_start
    stages.add("pinyin keys", keys_s)
    new_people: list[tuple[object, ...]] = []
    person_updates: list[tuple[object, ...]] = []
    for r in fresh:
        idn = r.id_number
        fields = (r.name, r.group, r.household_no, r.household_head, r.phone, r.category)
        if idn not in existing:
            new_people.append((idn, *fields, r.birth_date.isoformat(), r.sex, version, *keys[idn]))
        else:
            person_updates.append((*fields, version, *keys[idn], idn))
            changed.add(idn)
    roster.insert_people(conn, new_people)
    roster.update_people(conn, person_updates)

    new_dues: list[tuple[object, ...]] = []
    due_updates: list[tuple[object, ...]] = []
    for key, r in dues.items():
        old_due = old_dues.get(key)
        if old_due is None:
            new_dues.append((*key, r.tier_fen, r.amount_fen, r.paid_elsewhere, version))
            if key[0] in existing:
                changed.add(key[0])
            continue
        # A paid-elsewhere mark is never lifted by a roster: a wrong block is fixed by the
        # county; a lifted one could let the same insurance be paid twice.
        paid = r.paid_elsewhere or old_due[6]
        if (r.tier_fen, r.amount_fen, paid, 0) != (old_due[4], old_due[5], old_due[6], old_due[7]):
            due_updates.append((r.tier_fen, r.amount_fen, paid, version, old_due[0]))
            changed.add(key[0])
    roster.insert_dues(conn, new_dues)
    roster.update_dues(conn, due_updates)

    removed = 0
    if tombstones:
        removed, touched = _tombstone(conn, old_dues, dues, version, keep)
        changed |= touched  # still listed for another insurance or year: a change, not a removal
    stages.add("insert", perf_counter() - start - keys_s)  # and the tombstones
    updated = len(changed)
    unchanged = sum(1 for idn in people if idn in existing and idn not in changed)
    return Applied(len(new_people), updated, unchanged, removed)


def _tombstone(conn: sqlite3.Connection, old_dues: dict[tuple[str, str, int], Any],
               listed: dict[tuple[str, str, int], ParsedRow],
               version: int, keep: Set[str]) -> tuple[int, set[str]]:
    """Dues of the file's years no longer listed become removed; so do people left with none."""
    dropped = [(key, row) for key, row in old_dues.items()
               if key not in listed and not row[7] and key[0] not in keep]
    if not dropped:
        return 0, set()
    roster.mark_dues_removed(conn, [(version, row[0]) for _, row in dropped])
    candidates = {key[0] for key, _ in dropped}
    still_due = roster.ids_still_due(conn)
    leaving = [(version, idn) for idn in sorted(candidates - still_due)]
    roster.mark_people_removed(conn, leaving)
    return len(leaving), candidates & still_due
