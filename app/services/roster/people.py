"""Building `PersonInfo` results: a person's details with what they owe and what is paid.

Dues and payments are read in two queries for a whole page of people: a search result of fifty
costs the same two round trips as one person. What is due comes from the county configuration
(category, insurance, tier), falling back to the roster's own amount when the year is missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from app.domain.config import ConfigError, CountyConfig
from app.domain.insurance import Category, Insurance
from app.domain.records import DueInfo, Person, PersonInfo
from app.storage import roster


@lru_cache(maxsize=256)
def _category(text: str) -> Category:
    return Category.parse(text)


def due_fen(config: CountyConfig, category: str, insurance: Insurance, year: int,
            tier_fen: int | None, amount_fen: int | None) -> int:
    try:
        return config.year(year).due_fen(_category(category), insurance, tier_fen)
    except (ConfigError, ValueError):
        return amount_fen or 0


def person_infos(conn: sqlite3.Connection, people: Sequence[Person], config: CountyConfig) -> list[PersonInfo]:
    ids = [p.id_number for p in people]
    by_id: dict[str, list[Any]] = {idn: [] for idn in ids}
    for row in roster.dues_of(conn, ids):
        by_id[row[0]].append(row)
    cash = roster.cash_paid(conn, ids)
    out = []
    for p in people:
        dues = []
        for _, ins_text, year, tier, amount, elsewhere, removed in by_id[p.id_number]:
            ins = Insurance(ins_text)
            number, paid_tier = cash.get((p.id_number, ins.value, year), (None, None))
            dues.append(DueInfo(ins, year, tier, due_fen(config, p.category, ins, year, tier, amount),
                                number, elsewhere or None, bool(removed), paid_tier_fen=paid_tier))
        out.append(PersonInfo.of(p, tuple(dues)))
    return out
