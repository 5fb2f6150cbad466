"""Progress against the targets on the county server (issue 24): per village, per insurance, from
the newest roster version the county issued, the receipts the desks uploaded and the payments
through other channels the county loaded.

Each listed due (person, insurance, year) is exactly one of, in this order (as on the desk,
app/services/roster/progress.py): paid in cash at a desk of the village (a valid receipt line),
paid through another channel (a Payment row, or the roster marks it 已缴), bank debit being the
other channels whose name says 银行/代扣/扣款; 政府代缴 (the county's configuration leaves the
person nothing to pay: the government pays it all); 未缴.

- 应缴 = people listed for the insurance and year; 已缴 = cash + other channels + bank debit.
- 完成率 = 已缴 / (应缴 − 政府代缴): what was to be collected from people, collected.
- 参保率 = (已缴 + 政府代缴) / 应缴: the listed people insured for the year. Its targets are the
  county's (ProgressTarget), per year, for the county, a township or a village; without one the
  seeds' figures apply (养老 98%: 004 县级3; 医疗 97%: 001 二). The targets and the places' names are
  progress_targets.py's.
- 续费率 by age band: app/domain/renewal.py (pension only).
- A period (from, to): cash counts when its receipt's day is on or before `to`, another channel
  when its payment day is; 本期已缴 counts the dues paid within the period. A roster's own 已缴
  mark has no day: it counts as paid before any period.

A village's figures are kept per server process under what they were computed from (roster
version, configuration, the village's devices' held chains, its newest payment, the period):
only a village whose data changed is computed again."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import orjson
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.domain.config import ConfigError, CountyConfig, load_config_text
from app.domain.insurance import Category, Insurance
from app.domain.money import MoneyError, parse_yuan
from app.domain.renewal import BANDS, renewal_rates
from sync.server import models as m
from sync.server.db import among

PENSION = Insurance.PENSION.value
BANK_WORDS = ("银行", "代扣", "扣款")
MEASURES = {"pension": "养老参保率", "medical": "医疗参保率", "renewal-16-44": "续费率16–44岁",
            "renewal-45-59": "续费率45–59岁"}
DEFAULT_TARGETS = {"pension": 98.0, "medical": 97.0, "renewal-16-44": BANDS[0].default_target_pct,
                   "renewal-45-59": BANDS[1].default_target_pct}


@dataclass
class Line:
    """One insurance's progress for a village, a township or the county."""

    due: int = 0
    cash: int = 0
    other: int = 0
    bank: int = 0
    subsidised: int = 0
    unpaid: int = 0
    unpaid_fen: int = 0
    period_paid: int = 0

    @property
    def paid(self) -> int:
        return self.cash + self.other + self.bank

    @property
    def completion(self) -> float | None:
        payable = self.due - self.subsidised
        return self.paid / payable if payable else None

    @property
    def coverage(self) -> float | None:
        return (self.paid + self.subsidised) / self.due if self.due else None

    def add(self, other: Line) -> None:
        # Field by field, written out: a province's subtotals add 40,000 of them.
        self.due += other.due
        self.cash += other.cash
        self.other += other.other
        self.bank += other.bank
        self.subsidised += other.subsidised
        self.unpaid += other.unpaid
        self.unpaid_fen += other.unpaid_fen
        self.period_paid += other.period_paid

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "paid": self.paid, "completion": self.completion, "coverage": self.coverage}


@dataclass
class Progress:
    year: int
    lines: dict[str, Line] = field(default_factory=lambda: {i.value: Line() for i in Insurance})
    renewal: dict[str, list[int]] = field(default_factory=lambda: {b.label: [0, 0] for b in BANDS})  # base, renewed
    roster_version: int | None = None
    shown: tuple[tuple[tuple[str, float], ...], dict[str, Any]] | None = field(default=None, repr=False, compare=False)

    def add(self, other: Progress) -> None:
        for k, line in other.lines.items():
            self.lines[k].add(line)
        for k, (base, renewed) in other.renewal.items():
            self.renewal[k][0] += base
            self.renewal[k][1] += renewed

    def to_store(self) -> str:
        return orjson.dumps({"year": self.year, "roster_version": self.roster_version, "renewal": self.renewal,
                             "lines": {k: v.__dict__ for k, v in self.lines.items()}}).decode()

    @classmethod
    def from_store(cls, text: str) -> Progress:
        return cls.from_raw(orjson.loads(text))

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> Progress:
        return cls(raw["year"], {k: Line(**v) for k, v in raw["lines"].items()}, raw["renewal"], raw["roster_version"])

    def to_json(self, targets: dict[str, float]) -> dict[str, Any]:
        """The page's figures. A village's Progress is kept between loads and never changed once
        counted: its figures are built once per targets (a province has 20,000 of them), and
        the dict returned is shared, to be read only."""
        key = tuple(targets.items())
        if self.shown is not None and self.shown[0] == key:
            return self.shown[1]
        out = self._json(targets)
        self.shown = (key, out)
        return out

    def _json(self, targets: dict[str, float]) -> dict[str, Any]:
        return {"year": self.year, "roster_version": self.roster_version,
                "lines": {k: v.to_json() for k, v in self.lines.items()},
                "renewal": [{"band": b.label, "base": self.renewal[b.label][0], "renewed": self.renewal[b.label][1],
                             "rate": (self.renewal[b.label][1] / self.renewal[b.label][0]
                                      if self.renewal[b.label][0] else None),
                             "target": targets[f"renewal-{b.low}-{b.high}"]} for b in BANDS],
                "targets": targets}


# (id number, insurance, year, what the person pays, the roster's 已缴 channel or "")
Due = tuple[str, str, int, int, str]
_ROSTERS: OrderedDict[tuple[str, int, str], list[Due]] = OrderedDict()
_VILLAGES: OrderedDict[tuple[Any, ...], Progress] = OrderedDict()
CACHE_SIZE = 32768  # a province's 20,000 villages: an overview of them all must not evict itself
OPEN_START = date(2000, 1, 1)  # a period without a start (county_view.Period.first)
OPEN_END = date(9999, 12, 31)  # a period without an end (county_view.Period.last)


def database(s: Session) -> str:
    """Which database: the caches of a process that serves several (the tests) keep them apart."""
    bind = s.get_bind()
    return str(bind.engine.url)


_CONFIGS: dict[str, CountyConfig | None] = {}  # sha256 -> the configuration read from it


def _config(s: Session) -> tuple[str, CountyConfig | None]:
    """The configuration in force (its sha256 and content): read and parsed once per process."""
    newest = s.exec(select(m.CountyConfigVersion.id, m.CountyConfigVersion.sha256)
                    .order_by(col(m.CountyConfigVersion.id).desc()).limit(1)).first()
    if newest is None:
        return "", None
    sha = newest[1]
    if sha not in _CONFIGS:
        text = s.exec(select(m.CountyConfigVersion.text).where(m.CountyConfigVersion.id == newest[0])).one()
        try:
            _CONFIGS[sha] = load_config_text(text)
        except ConfigError:
            _CONFIGS[sha] = None
    return sha, _CONFIGS[sha]


def default_year(s: Session, today: date) -> int:
    """The benefit year being collected: the configured year whose window holds today, else the
    newest configured year, else next year from September (collection runs in the autumn)."""
    _, config = _config(s)
    if config is not None and config.years:
        inside = [y for y, yc in config.years.items() if yc.in_window(today)]
        return max(inside) if inside else max(config.years)
    return today.year + 1 if today.month >= 9 else today.year


def _fen(text: object) -> int | None:
    try:
        return parse_yuan(str(text)) if str(text or "").strip() else None
    except MoneyError:
        return None


def _dues(db: str, version_id: int, text: str, config_sha: str, config: CountyConfig | None) -> list[Due]:
    key = (db, version_id, config_sha)
    if key in _ROSTERS:
        _ROSTERS.move_to_end(key)
        return _ROSTERS[key]
    out: list[Due] = []
    # A roster repeats a handful of (insurance, year, category, tier, amount): each is judged once.
    judged: dict[tuple[Any, ...], tuple[str, int, int] | None] = {}
    for row in orjson.loads(text):
        shape = (row.get("险种"), row.get("缴费年度"), row.get("人员类别"), row.get("缴费档次"), row.get("应缴金额"))
        if shape not in judged:
            judged[shape] = _judge(shape, config)
        found = judged[shape]
        if found is None or "证件号码" not in row:
            continue
        channel = (row.get("缴费渠道") or "其他渠道") if row.get("缴费状态") == "已缴" else ""
        out.append((str(row["证件号码"]).upper(), found[0], found[1], found[2], channel))
    _ROSTERS[key] = out
    while len(_ROSTERS) > 512:
        _ROSTERS.popitem(last=False)
    return out


def _judge(shape: tuple[Any, ...], config: CountyConfig | None) -> tuple[str, int, int] | None:
    """(insurance, year, what the person pays) of a roster row's shape; None if unreadable."""
    ins_text, year_text, category, tier_text, amount_text = shape
    try:
        ins, year = Insurance.parse(ins_text), int(year_text)
    except (TypeError, ValueError):
        return None
    tier, amount = _fen(tier_text), _fen(amount_text)
    try:
        if config is None:
            raise ConfigError("no configuration")
        due = config.year(year).due_fen(Category.parse(category), ins, tier)
    except (ConfigError, ValueError):
        due = amount or 0
    return ins.value, year, due


def _is_bank(channel: str) -> bool:
    return any(w in channel for w in BANK_WORDS)


def village_progress(dues: list[Due], cash: dict[tuple[str, str, int], str], paid: dict[tuple[str, str, int], tuple[str, str]],
                     year: int, start: str, end: str) -> Progress:
    """Pure: one village's progress from its roster's dues, its valid cash lines (key -> receipt
    day, already limited to days up to `end`) and its other-channel payments (key -> (channel,
    day), all of them: one paid after `end` is unpaid within the period, roster mark or not)."""
    out = Progress(year)
    last_paid: set[str] = set()
    pension_now: dict[str, bool] = {}
    for id_number, ins, y, due, mark in dues:
        key = (id_number, ins, y)
        day = cash.get(key)
        other = paid.get(key)
        if other is not None and other[1] > end:
            other, mark = None, ""  # paid after the period: its roster mark is that payment's
        status = ("cash" if day is not None else "bank" if other and _is_bank(other[0])
                  else "other" if other else "bank" if mark and _is_bank(mark) else "other" if mark
                  else "subsidised" if due == 0 else "unpaid")
        if y == year - 1 and ins == PENSION and status != "unpaid":
            last_paid.add(id_number)
        if y != year:
            continue
        line = out.lines[ins]
        line.due += 1
        setattr(line, status, getattr(line, status) + 1)
        if status == "unpaid":
            line.unpaid_fen += due
        when = day if day is not None else other[1] if other else None
        if when is not None and start <= when <= end:
            line.period_paid += 1
        if ins == PENSION:
            pension_now[id_number] = status != "unpaid"
    for key in list(cash) + [k for k, (_, d) in paid.items() if d <= end]:  # last year, no roster row of it
        if key[1] == PENSION and key[2] == year - 1:
            last_paid.add(key[0])
    for r in renewal_rates(((i, i in last_paid, now) for i, now in pension_now.items()), year):
        out.renewal[r.band.label] = [r.base, r.renewed]
    return out


def compute(s: Session, villages: dict[str, list[tuple[str, int]]], *, year: int, start: date,
            end: date, whole: bool = False) -> dict[str, Progress]:
    """`villages`: village code -> its devices' (id, held sequence); `whole`: they are every
    village. Each village's progress, from the cache when nothing it is computed from changed."""
    if not villages:
        return {}
    codes = list(villages)
    db = database(s)
    config_sha, config = _config(s)
    if start <= OPEN_START and end >= OPEN_END:  # the whole year: counted as the data arrived
        from sync.server import progress_count

        return progress_count.read(s, codes, year, config_sha, whole=whole)
    newest, payments = _newest(s, db)
    out: dict[str, Progress] = {}
    keys: dict[str, tuple[Any, ...]] = {}
    for code in codes:
        key = (code, year, start, end, db, config_sha, newest.get(code), payments.get(code),
               tuple(sorted(villages[code])))
        if key in _VILLAGES:
            _VILLAGES.move_to_end(key)
            out[code] = _VILLAGES[key]
        else:
            keys[code] = key
    if not keys:
        return out
    from sync.server import progress_sql

    period = f"{year}|{start}|{end}"
    prints = {c: hashlib.sha256(repr(k[5:]).encode()).hexdigest() for c, k in keys.items()}
    for code, found in progress_sql.stored(s, period, prints).items():
        out[code] = _VILLAGES[keys.pop(code)] = found
    if not keys:
        return out
    fresh = _fresh(s, keys, newest, config_sha, config, year=year, start=start, end=end)
    progress_sql.store(s, period, {c: (prints[c], fresh[c]) for c in fresh})
    for code, found in fresh.items():
        out[code] = _VILLAGES[keys[code]] = found
    while len(_VILLAGES) > CACHE_SIZE:
        _VILLAGES.popitem(last=False)
    return out


_NEWEST: dict[str, tuple[tuple[Any, Any], dict[str, int], dict[str, int]]] = {}


def _newest(s: Session, db: str) -> tuple[dict[str, int], dict[str, int]]:
    """Each village's newest roster version and payment (ids). Both tables only grow: while
    their largest ids are the same (two index reads), so is every village's newest, and a
    province's 440,000 payments are not grouped again on every load."""
    marks = s.exec(select(select(func.max(m.RosterVersion.id)).scalar_subquery(),
                          select(func.max(m.Payment.id)).scalar_subquery())).one()
    key = (marks[0], marks[1])
    kept = _NEWEST.get(db)
    if kept is not None and kept[0] == key:
        return kept[1], kept[2]
    newest = {c: int(i or 0) for c, i in s.exec(select(m.RosterVersion.village_code, func.max(m.RosterVersion.id))
                                           .group_by(col(m.RosterVersion.village_code))).all()}
    payments = {c: int(i or 0) for c, i in s.exec(select(m.Payment.village_code, func.max(m.Payment.id))
                                             .group_by(col(m.Payment.village_code))).all()}
    _NEWEST[db] = (key, newest, payments)
    return newest, payments


def _fresh(s: Session, keys: dict[str, tuple[Any, ...]], newest: dict[str, int], config_sha: str,
           config: CountyConfig | None, *, year: int, start: date, end: date) -> dict[str, Progress]:
    """Count the villages of `keys`: in SQL where their newest version's dues are judged under
    this configuration, else from the roster's JSON."""
    from sync.server import progress_sql

    out: dict[str, Progress] = {}
    versions = {c: v for c in keys if (v := newest.get(c)) is not None}
    in_sql = progress_sql.judged(s, list(versions.values()), config_sha)
    counted = progress_sql.compute(s, {c: v for c, v in versions.items() if v in in_sql}, year=year,
                                   start=start, end=end)
    numbers = dict(s.exec(select(m.RosterVersion.id, m.RosterVersion.version)
                          .where(among(s, col(m.RosterVersion.id), [newest[c] for c in counted]))).all())
    for code, found in counted.items():
        found.roster_version = numbers.get(newest[code])
        out[code] = found
    todo = [c for c in keys if c not in counted]
    if not todo:
        return out
    texts = {vid: (code, version, rows) for vid, code, version, rows in s.exec(
        select(m.RosterVersion.id, m.RosterVersion.village_code, m.RosterVersion.version, m.RosterVersion.rows)
        .where(among(s, col(m.RosterVersion.id), [newest[c] for c in todo if c in newest]))).all()}
    cash: dict[str, dict[tuple[str, str, int], str]] = {c: {} for c in todo}
    for village, id_number, ins, y, day in s.execute(
            sa_select(col(m.PaidLine.village_code), col(m.PaidLine.id_number), col(m.PaidLine.insurance),
                      col(m.PaidLine.year), col(m.Receipt.day))
            .join(m.Receipt, col(m.Receipt.number) == col(m.PaidLine.receipt_number))
            .where(among(s, col(m.PaidLine.village_code), todo), col(m.PaidLine.status) == "有效",
                   col(m.PaidLine.year).in_([year - 1, year]), col(m.Receipt.day) <= end.isoformat())).all():
        key = (str(id_number).upper(), _insurance(ins), int(y))
        cash[village][key] = min(day, cash[village].get(key, day))  # as progress_sql: the first
    paid: dict[str, dict[tuple[str, str, int], tuple[str, str]]] = {c: {} for c in todo}
    for village, id_number, ins, y, channel, day in s.execute(
            sa_select(col(m.Payment.village_code), col(m.Payment.id_number), col(m.Payment.insurance), col(m.Payment.year),
                      col(m.Payment.channel), col(m.Payment.paid_on))
            .where(among(s, col(m.Payment.village_code), todo), col(m.Payment.year).in_([year - 1, year]))).all():
        key = (str(id_number).upper(), _insurance(ins), int(y))
        was = paid[village].get(key, (channel, day))
        paid[village][key] = (max(channel, was[0]), min(day, was[1]))  # as progress_sql
    by_village = {code: (vid, version, rows) for vid, (code, version, rows) in texts.items()}
    for code in todo:
        version = by_village.get(code)
        dues = _dues(database(s), int(version[0] or 0), version[2], config_sha, config) if version else []
        progress = village_progress(dues, cash[code], paid[code], year, start.isoformat(), end.isoformat())
        progress.roster_version = version[1] if version else None
        out[code] = progress
    return out


@cache
def _insurance(text: str) -> str:
    try:
        return Insurance.parse(text).value
    except ValueError:
        return text
