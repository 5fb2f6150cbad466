"""The village roster (征收清册): import and lookup.

Minimal CSV import for the core; the roster module grows the full import (xlsx/xls, aliases,
title rows, GBK) and search.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, col, select

from app.domain.config import ConfigError, CountyConfig
from app.domain.ids import IdNumberError, parse_id_number
from app.domain.insurance import Category, Insurance
from app.domain.money import MoneyError, parse_yuan
from app.domain.names import InvalidNameError, parse_name
from app.domain.records import DueInfo, PersonInfo
from app.services.database import Clock, Database
from app.services.errors import InvalidInput
from app.services.setup import Setup
from app.storage.tables import DueRow, PersonRow


@dataclass(frozen=True)
class RejectedRow:
    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class ImportResult:
    imported: int
    updated: int
    removed: int
    rejected: tuple[RejectedRow, ...] = field(default_factory=tuple)


class Roster:
    def __init__(self, db: Database, clock: Clock, setup: Setup) -> None:
        self._db = db
        self._clock = clock
        self._setup = setup

    def import_file(self, path: Path) -> ImportResult:
        data = Path(path).read_bytes()
        try:
            content = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            content = data.decode("gb18030")
        rows = list(csv.DictReader(io.StringIO(content)))
        config = self._setup.config
        rejected: list[RejectedRow] = []
        people: dict[str, PersonRow] = {}
        dues: list[DueRow] = []
        for i, raw in enumerate(rows, start=2):
            try:
                person, due = _parse_row(raw, config, i)
            except _RowError as exc:
                rejected.append(RejectedRow(i, exc.column, exc.reason))
                continue
            people.setdefault(person.id_number, person)
            dues.append(due)
        imported = updated = 0
        with self._db.write() as s:
            for person in people.values():
                existing = s.get(PersonRow, person.id_number)
                if existing is None:
                    s.add(person)
                    imported += 1
                else:
                    for attr in ("name", "group_name", "household_no", "household_head", "phone",
                                 "category"):
                        setattr(existing, attr, getattr(person, attr))
                    existing.removed = False
                    s.add(existing)
                    updated += 1
            s.flush()
            for due in dues:
                old = s.exec(select(DueRow).where(
                    DueRow.id_number == due.id_number, DueRow.insurance == due.insurance,
                    DueRow.year == due.year)).first()
                if old is None:
                    s.add(due)
                else:
                    old.tier_fen, old.amount_fen = due.tier_fen, due.amount_fen
                    old.paid_elsewhere = due.paid_elsewhere or old.paid_elsewhere
                    s.add(old)
        return ImportResult(imported, updated, 0, tuple(rejected))

    def person(self, id_number: str) -> PersonInfo | None:
        with self._db.read() as s:
            row = s.get(PersonRow, id_number.strip().upper())
            return person_info(s, row, self._setup.config) if row else None

    def search(self, query: str, *, limit: int = 50) -> list[PersonInfo]:
        """People matching a name part, an ID (whole or its tail) or a phone; exact first."""
        q = query.strip().upper()
        if not q:
            return []
        with self._db.read() as s:
            rows = s.exec(select(PersonRow).where(
                (PersonRow.name.contains(q)) | (PersonRow.id_number.endswith(q))  # type: ignore[attr-defined]
                | (PersonRow.phone == q)).limit(limit)).all()
            rows = sorted(rows, key=lambda r: (r.name != q and r.id_number != q, r.name))
            config = self._setup.config
            return [person_info(s, r, config) for r in rows]

    def household(self, id_number: str) -> list[PersonInfo]:
        """The person and everyone sharing their household number, the person first."""
        with self._db.read() as s:
            row = s.get(PersonRow, id_number.strip().upper())
            if row is None:
                return []
            members = [row]
            if row.household_no:
                members += s.exec(select(PersonRow).where(
                    PersonRow.household_no == row.household_no,
                    PersonRow.id_number != row.id_number).order_by(col(PersonRow.id_number))).all()
            config = self._setup.config
            return [person_info(s, m, config) for m in members]


def person_info(s: Session, row: PersonRow, config: CountyConfig) -> PersonInfo:
    cash = {
        (r[0], int(r[1])): str(r[2])
        for r in s.execute(text(
            "SELECT l.insurance, l.year, l.receipt_number FROM receipt_line l "
            "LEFT JOIN void v ON v.receipt_number = l.receipt_number "
            "WHERE l.id_number = :id AND v.receipt_number IS NULL"), {"id": row.id_number})
    }
    dues = []
    for d in s.exec(select(DueRow).where(DueRow.id_number == row.id_number)
                    .order_by(col(DueRow.year), col(DueRow.insurance))).all():
        ins = Insurance(d.insurance)
        try:
            due = config.year(d.year).due_fen(Category.parse(row.category), ins, d.tier_fen)
        except (ConfigError, ValueError):
            due = d.amount_fen or 0
        dues.append(DueInfo(ins, d.year, d.tier_fen, due, cash.get((d.insurance, d.year)),
                            d.paid_elsewhere, d.removed))
    return PersonInfo(row.id_number, row.name, row.group_name, row.household_no,
                      row.household_head, row.phone, row.category, row.birth_date, row.sex,
                      row.removed, tuple(dues))


class _RowError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def _parse_row(raw: dict[str, str], config: CountyConfig, row: int) -> tuple[PersonRow, DueRow]:
    def get(col: str) -> str:
        return (raw.get(col) or "").strip()

    try:
        idn = parse_id_number(get("证件号码"))
    except IdNumberError as exc:
        raise _RowError("证件号码", str(exc)) from None
    try:
        name = parse_name(get("姓名"))
    except InvalidNameError as exc:
        raise _RowError("姓名", str(exc)) from None
    try:
        ins = Insurance.parse(get("险种"))
    except ValueError as exc:
        raise _RowError("险种", str(exc)) from None
    try:
        year = int(get("缴费年度"))
        year_config = config.year(year)
    except ValueError as exc:
        raise _RowError("缴费年度", str(exc) if isinstance(exc, ConfigError) else "年度应为数字") from None
    try:
        category = Category.parse(get("人员类别"))
    except ValueError as exc:
        raise _RowError("人员类别", str(exc)) from None
    tier = None
    if ins is Insurance.PENSION:
        try:
            tier = parse_yuan(get("缴费档次") or "0", field="缴费档次", allow_zero=False)
            year_config.due_fen(category, ins, tier)
        except (MoneyError, ConfigError) as exc:
            raise _RowError("缴费档次", str(exc)) from None
    status = get("缴费状态")
    person = PersonRow(id_number=idn.value, name=name, group_name=get("村民小组"),
                       household_no=get("户号"), household_head=get("户主姓名"),
                       phone=get("联系电话"), category=category.value, birth_date=idn.birth_date,
                       sex=idn.sex)
    due = DueRow(id_number=idn.value, insurance=ins.value, year=year, tier_fen=tier,
                 paid_elsewhere=(get("缴费渠道") or "其他渠道") if status == "已缴" else None)
    return person, due


__all__ = ["ImportResult", "InvalidInput", "RejectedRow", "Roster", "person_info"]
