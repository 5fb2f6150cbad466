"""Collection progress per insurance and group, and the unpaid list for door-to-door reminders.

Each listed due is exactly one of: paid in cash here, paid elsewhere, fully subsidised, unpaid.
Cash here wins over a paid-elsewhere mark (the county marks what our remittance paid in). A due
dropped from the roster after it was paid in cash stays counted and is shown as such: the cash
was taken, and the county must see it.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass

from app.domain.config import CountyConfig
from app.domain.groups import group_order
from app.domain.insurance import Insurance
from app.domain.records import DueInfo, Person, ProgressLine, RosterProgress, UnpaidPerson
from app.services.roster.people import due_fen
from app.storage import roster


@dataclass(slots=True)
class _Due:
    person: Person
    insurance: Insurance
    tier_fen: int | None
    due_fen: int
    status: str  # cash / elsewhere / subsidised / unpaid
    removed: bool
    paid_elsewhere: str | None
    receipt: str | None


def _dues(conn: sqlite3.Connection, config: CountyConfig, year: int) -> tuple[list[_Due], dict[str, int]]:
    """Every due of the year with its status, and cash per group and insurance."""
    cash = roster.cash_of_year(conn, year)
    out: list[_Due] = []
    collected: dict[str, int] = defaultdict(int)
    for person, ins_text, tier, amount, elsewhere, due_removed in roster.dues_of_year(conn, year):
        ins = Insurance(ins_text)
        paid = cash.get((person.id_number, ins.value))
        removed = due_removed or person.removed
        if paid is not None:
            collected[f"{ins.value}\x1f{person.group}"] += paid[0]
        if removed and paid is None:
            continue  # a tombstone nobody paid for is not on the list any more
        due = due_fen(config, person.category, ins, year, tier, amount)
        status = ("cash" if paid else "elsewhere" if elsewhere else "subsidised" if due == 0
                  else "unpaid")
        out.append(_Due(person, ins, tier, due, status, removed, elsewhere, paid[1] if paid else None))
    return out, collected


def _line(ins: Insurance, year: int, group: str, dues: list[_Due], collected: int) -> ProgressLine:
    count = {k: 0 for k in ("cash", "elsewhere", "subsidised", "unpaid")}
    for d in dues:
        count[d.status] += 1
    return ProgressLine(
        ins, year, group, len(dues), count["cash"], count["elsewhere"], count["subsidised"],
        count["unpaid"], collected, sum(d.due_fen for d in dues if d.status == "unpaid"),
        sum(1 for d in dues if d.removed and d.status == "cash"))


def progress(conn: sqlite3.Connection, config: CountyConfig, year: int) -> RosterProgress:
    dues, collected = _dues(conn, config, year)
    totals: list[ProgressLine] = []
    groups: list[ProgressLine] = []
    for ins in Insurance:
        mine = [d for d in dues if d.insurance is ins]
        cash = sum(v for k, v in collected.items() if k.startswith(ins.value + "\x1f"))
        totals.append(_line(ins, year, "", mine, cash))
        by_group: dict[str, list[_Due]] = defaultdict(list)
        for d in mine:
            by_group[d.person.group].append(d)
        for group in sorted(by_group, key=group_order):
            groups.append(_line(ins, year, group, by_group[group],
                                collected.get(f"{ins.value}\x1f{group}", 0)))
    return RosterProgress(year, tuple(totals), tuple(groups))


def unpaid(conn: sqlite3.Connection, config: CountyConfig, year: int) -> tuple[UnpaidPerson, ...]:
    dues, _ = _dues(conn, config, year)
    by_person: dict[str, list[_Due]] = defaultdict(list)
    for d in dues:
        if d.status == "unpaid":
            by_person[d.person.id_number].append(d)
    people = [UnpaidPerson.of(items[0].person, tuple(DueInfo(d.insurance, year, d.tier_fen, d.due_fen)
                                                     for d in sorted(items, key=lambda d: d.insurance.value)))
              for items in by_person.values()]
    people.sort(key=lambda p: p.village_order)
    return tuple(people)
