"""The county's own rules on an upload, after the chain rules the desk obeys (app/domain/chain.py):
what only the county can decide, bound to what the county itself issued.

- a device writes only in its own namespace: its set-up entry, receipt numbers and receipts name
  its village and device; a remittance slip is numbered once in its village;
- every amount is integer fen in a sane range (no floats, bools, negatives where meaningless);
- a chain records money only after its set-up entries (the device and the county configuration);
- each receipt line is what the county's configurations allow and, where the county issued the
  village a roster, what that roster says is due; otherwise the desk's override reason is
  required and the line becomes a flag for the township;
- one person, insurance and year is paid once in a village; paid in two villages, or in cash and
  through another channel, it is flagged for both townships.

Each check raises ServerRefusal(422, code, Chinese message, seq): the whole upload is refused and
nothing of it is stored. `CountyRules.check` takes the batch's new entries in order, with their
data as the chain rules returned it; `write` stores paid lines and flags with the entries.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.domain.chain import beyond_config
from app.domain.config import ConfigError, CountyConfig, load_config_text
from app.domain.insurance import Category, Insurance
from app.domain.money import format_fen, parse_yuan
from app.domain.receipt_numbers import format_receipt_number
from app.domain.serials import Book
from sync import protocol as p
from sync.server import models as m
from sync.server import progress_count
from sync.server.core import ServerRefusal, now
from sync.server.held import CountyView, county_view, held_of

MAX_FEN = 10**10  # ¥100,000,000: more than any village's receipts, remittances or months come to
MAY_BE_NEGATIVE = frozenset({"difference_fen"})  # counted minus expected
MAY_BE_NONE = frozenset({"tier_fen", "due_fen", "signature_sha256"})
MONEY_KINDS = frozenset({"receipt", "void", "settlement", "refund_request", "remittance", "month_close",
                         "paid_on_behalf"})
FREED = {"void": "已作废", "refund_request": "已申请退费"}
FLAG_LABELS = {"override": "改动应缴金额", "paid_in_two_villages": "两村重复缴费",
               "paid_through_other_channel": "已通过其他渠道缴费"}
INSURANCE = {"medical": "医疗保险", "pension": "养老保险"}


def refuse(code: str, message: str, seq: int) -> ServerRefusal:
    return ServerRefusal(422, code, message, seq)


def _no_setup(seq: int) -> ServerRefusal:
    return refuse("no_setup", f"第 {seq} 条记了钱，但账本里此前没有本机的设立记录（设备、县级配置）："
                              "县里不认没有设立的账本", seq)


def _bad_fen(key: str, value: Any) -> str | None:
    """Why a value under a key ending in _fen is not sane integer fen (None when it is)."""
    if value is None and key in MAY_BE_NONE:
        return None
    if type(value) is not int:
        return f"不是整数分（{str(value)[:20]}）"
    if not -MAX_FEN <= value <= MAX_FEN:
        return f"超出合理范围（{value} 分）"
    if value < 0 and key not in MAY_BE_NEGATIVE:
        return f"是负数（{value} 分）"
    return None


def _amount_problem(data: Any, path: str) -> str | None:
    """The first key ending in _fen, anywhere in an entry's data, whose value is not sane."""
    found = _amount_at(data)
    return None if found is None else f"{path}{found}"


def _amount_at(data: Any) -> str | None:
    """_amount_problem without its prefix; the path is put together only for the value at fault
    (200 receipts an upload, each walked whole: sane integers pass on the first test)."""
    if type(data) is dict:
        for key, value in data.items():
            kind = type(value)
            if type(key) is str and key.endswith("_fen"):
                if kind is int and 0 <= value <= MAX_FEN:
                    continue
                why = _bad_fen(key, value)
                if why:
                    return f"{key} {why}"
            elif kind is dict or kind is list:
                found = _amount_at(value)
                if found:
                    return f"{key}.{found}" if kind is dict else f"{key}{found}"
    elif type(data) is list:
        for n, value in enumerate(data, start=1):
            if type(value) is dict or type(value) is list:
                found = _amount_at(value)
                if found:
                    return f"[{n}].{found}"
    return None


def check_amounts(seq: int, kind: str, d: dict[str, Any]) -> None:
    """Integer fen, within ±MAX_FEN; positive where a zero or a negative means nothing."""
    problem = _amount_problem(d, "")
    if problem:
        raise refuse("bad_amount", f"第 {seq} 条的金额 {problem}", seq)
    positive = {"receipt": ["total_fen"], "remittance": ["amount_fen"]}.get(kind, [])
    lines = d.get("lines") if kind == "receipt" else None
    if any(d.get(key) == 0 for key in positive) or (lines is not None and (
            not lines or any(ln.get("amount_fen") == 0 for ln in lines))):
        raise refuse("bad_amount", f"第 {seq} 条的金额为零", seq)


@lru_cache(maxsize=64)
def _config(text: str) -> CountyConfig | None:
    try:
        return load_config_text(text)
    except ConfigError:
        return None


RosterRows = dict[tuple[str, str, int], dict[str, Any]]
_ROSTERS: OrderedDict[tuple[str, int, str], RosterRows] = OrderedDict()
ROSTERS_KEPT = 8


def _roster(s: Session, village: str, newest: tuple[int, int, str] | None) -> tuple[int, RosterRows] | None:
    """The village's newest roster version (`newest`: its id, version and sha256) as (证件号码,
    险种, 缴费年度) -> row. Parsed once per version in each server process (a roster is up to
    100,000 rows), not on every upload."""
    if newest is None:
        return None
    row_id, version, digest = newest
    key = (village, int(version), digest)
    if key not in _ROSTERS:
        text = s.exec(select(m.RosterVersion.rows).where(m.RosterVersion.id == row_id)).one()
        _ROSTERS[key] = {(r["证件号码"], r["险种"], int(r["缴费年度"])): r for r in json.loads(text)}
        while len(_ROSTERS) > ROSTERS_KEPT:
            _ROSTERS.popitem(last=False)
    _ROSTERS.move_to_end(key)
    return int(version), _ROSTERS[key]


class CountyRules:
    """The county's rules over one upload of one device (see the module's description), in two
    parts: `check_batch`, what the batch alone shows (amounts, the device's own namespace, money
    after set-up), run before the upload takes its lock; then `check_held`, under the lock, what
    needs what the county holds (set-up entries held earlier, serial books, slips, paid lines)."""

    def __init__(self, device: m.Device) -> None:
        self.device_id, self.device_no, self.village = device.id, device.device_no, device.village_code
        self.s: Session | None = None
        self.township = self.village[:9]
        self.lines: list[dict[str, Any]] = []
        self.flags: list[dict[str, Any]] = []
        self.freed: dict[str, str] = {}
        self.receipts: list[tuple[p.Entry, dict[str, Any]]] = []
        self.slips: list[tuple[p.Entry, str]] = []
        self.books: list[tuple[p.Entry, Book]] = []
        self.setup_seq: int | None = None  # the first money entry before any set-up in this batch
        self.view: CountyView | None = None  # what the county issued, read under the lock
        self.deferred: Exception | None = None  # a refusal after setup_seq: raised once that is checked

    # -- what the county issued ------------------------------------------------------------

    def _configs(self) -> list[CountyConfig]:
        assert self.view is not None
        return [c for c in (_config(t) for t in self.view.configs) if c is not None]

    @property
    def db(self) -> Session:
        assert self.s is not None, "check_held binds the session"
        return self.s

    # -- the checks -------------------------------------------------------------------------

    def check_batch(self, new: list[tuple[p.Entry, dict[str, Any], bool]]) -> None:
        """`new`: each new entry, its data, and whether the county configuration was in force
        when it came (the chain rules' state just before it). No database: run before the lock."""
        has_device = False
        try:
            for e, d, configured in new:
                check_amounts(e.seq, e.kind, d)
                if e.kind == "device":
                    self._own_device(e.seq, d)
                    has_device = True
                elif e.kind in MONEY_KINDS:
                    if not has_device and self.setup_seq is None:
                        self.setup_seq = e.seq  # set up in an earlier upload? asked under the lock
                    if not configured:
                        raise _no_setup(e.seq)
                if e.kind == "receipt":
                    self._own_number(e.seq, d)
                    self.receipts.append((e, d))
                elif e.kind in FREED:
                    self.freed[str(d["number"])] = FREED[e.kind]
                elif e.kind == "remittance":
                    self.slips.append((e, str(d["slip_no"])))
                elif e.kind == "receipt_book":
                    self.books.append((e, Book.from_json(d)))
        except Exception as exc:  # noqa: BLE001 - a malformed entry too (the caller names it bad_body)
            if self.setup_seq is None or (isinstance(exc, ServerRefusal) and exc.seq == self.setup_seq):
                raise
            self.deferred = exc  # the missing set-up, if it is missing, is named first

    def check_held(self, s: Session) -> None:
        """What needs what the county holds; `s` holds the upload's lock (the device's row)."""
        self.s = s
        # The locks: per person paid, per slip of the village, per prefix of a uniform-receipt
        # book (two books can only overlap under one prefix).
        keys = ([f"person:{ln.get('id_number')}" for _, d in self.receipts for ln in d["lines"]]
                + [f"slip:{self.village}:{slip}" for _, slip in self.slips]
                + [f"book:{book.prefix}" for _, book in self.books])
        self.view = view = county_view(s, self.village, self.device_id, keys,
                                       ask_device_entry=self.setup_seq is not None)
        self.township = view.township or self.village[:9]
        if self.setup_seq is not None and not view.device_entry_held:
            raise _no_setup(self.setup_seq)
        if self.deferred is not None:
            raise self.deferred
        if self.books:
            self._books(self.books)
        if self.receipts:
            self._lines(self.receipts)
        if self.slips:
            self._slips(self.slips)

    def _own_device(self, seq: int, d: dict[str, Any]) -> None:
        if (d.get("village_code"), d.get("device_no")) != (self.village, self.device_no):
            raise refuse("foreign_device", f"第 {seq} 条设立的是村 {d.get('village_code')} 的设备 "
                                           f"{d.get('device_no')}，而这台电脑在县里注册为 {self.device_id}", seq)

    def _own_number(self, seq: int, d: dict[str, Any]) -> None:
        own = format_receipt_number(self.village, self.device_no, int(d["receipt_seq"]))
        if d.get("number") != own or d.get("village_code") != self.village \
                or d.get("device_no") != self.device_no:
            raise refuse("foreign_number", f"收据 {d.get('number')} 不是本机的收据号（本机是 {self.device_id}，"
                                           f"这张应为 {own}）：一台电脑只能开自己村、自己设备号的收据", seq)

    def _books(self, books: list[tuple[p.Entry, Book]]) -> None:
        """A book of uniform receipts (统一票据) is issued to one village: a range another device
        registered is not this one's to use."""
        rows = self.db.exec(select(m.Entry.device_id, m.Entry.body).where(
            m.Entry.kind == "receipt_book", m.Entry.device_id != self.device_id)).all()
        held = [(device, Book.from_json(orjson.loads(body)["data"])) for device, body in rows]
        for e, book in books:
            for device, other in held:
                if book.overlaps(other):
                    raise refuse("foreign_serial", f"统一票据号段 {book.serial(book.first)}–{book.serial(book.last)} "
                                                   f"与设备 {device} 已登记的 {other.serial(other.first)}–"
                                                   f"{other.serial(other.last)} 重叠：票据由县里发给一个村，"
                                                   "不能用别村的票号", e.seq)

    def _slips(self, slips: list[tuple[p.Entry, str]]) -> None:
        names = [slip for _, slip in slips]
        held = set(self.db.exec(select(m.Remittance.slip_no).where(
            m.Remittance.village_code == self.village, col(m.Remittance.slip_no).in_(names))).all())
        for e, slip in slips:
            if slip in held:
                raise refuse("slip_reused", f"解缴单号 {slip} 本村已经用过：一张解缴单只记一次", e.seq)
            held.add(slip)

    def _lines(self, receipts: list[tuple[p.Entry, dict[str, Any]]]) -> None:
        configs = self._configs()
        assert self.view is not None
        roster = _roster(self.db, self.village, self.view.roster)
        paid, other = held_of(self.db, sorted({str(ln.get("id_number")) for _, d in receipts for ln in d["lines"]}))
        for e, d in receipts:
            lines = d["lines"]
            if configs and all(beyond_config(c, lines) for c in configs):
                raise refuse("beyond_county_config", f"收据 {d['number']} {beyond_config(configs[-1], lines)}"
                                                     "（县里发布的配置没有这个金额）", e.seq)
            for ln in lines:
                self._line(e, d, ln, roster, configs, paid, other)

    def _line(self, e: p.Entry, d: dict[str, Any], ln: dict[str, Any],
              roster: tuple[int, RosterRows] | None, configs: list[CountyConfig],
              paid: dict[tuple[str, str, int], list[tuple[str, str]]],
              other: dict[tuple[str, str, int], str]) -> None:
        key = (str(ln.get("id_number")), str(ln.get("insurance")), int(ln.get("year") or 0))
        number, override = str(d["number"]), d.get("override_reason")
        what = _What(ln.get("name"), key)
        for village, held_number in paid.get(key, []):
            if held_number in self.freed:
                continue
            if village == self.village:
                raise refuse("paid_twice", f"{what}已在本村收过（收据 {held_number}），收据 {number} 重复收取", e.seq)
            self._flag(e, number, "paid_in_two_villages", f"{what}在村 {village}（收据 {held_number}）和村 "
                                                          f"{self.village}（收据 {number}）各收了一次", village)
        if key in other:
            self._flag(e, number, "paid_through_other_channel",
                       f"{what}已通过{other[key]}缴费，又在村 {self.village} 收了现金（收据 {number}）")
        if roster is not None:
            version, rows = roster
            row = rows.get(key)
            due = _due(row, ln, configs) if row else None
            if row is not None and row.get("缴费状态") == "已缴" and key not in other:
                self._flag(e, number, "paid_through_other_channel", f"{what}在县里清册上已通过"
                           f"{row.get('缴费渠道') or '其他渠道'}缴费，又在村 {self.village} 收了现金（收据 {number}）")
            if row is None or (due is not None and due != ln["amount_fen"]):
                said = (f"不在县里发给本村的清册（第 {version} 版）上" if row is None else
                        f"按县里清册第 {version} 版应缴 {format_fen(due or 0)} 元，收据上是 {format_fen(ln['amount_fen'])} 元")
                if not override:
                    raise refuse("not_due", f"收据 {number}：{what}{said}，且没有填写改动原因", e.seq)
                self._flag(e, number, "override", f"{what}{said}；原因：{override}")
        paid.setdefault(key, []).append((self.village, number))
        self.lines.append({"village_code": self.village, "device_id": self.device_id, "receipt_number": number,
                           "id_number": key[0], "insurance": key[1], "year": key[2], "amount_fen": ln["amount_fen"],
                           "status": "有效"})

    def _flag(self, e: p.Entry, number: str, code: str, reason: str, other_village: str | None = None) -> None:
        """One row per village concerned, under that village's township (its staff see it)."""
        concerned = {self.village: self.township}
        if other_village is not None and other_village != self.village:
            village = self.db.get(m.Village, other_village)
            concerned[other_village] = village.township_code if village else other_village[:9]
        for village_code, township in sorted(concerned.items()):
            self.flags.append({"code": code, "township_code": township, "village_code": village_code,
                               "device_id": self.device_id, "seq": e.seq, "ref": number, "reason": reason,
                               "created_at": now()})

    def rows(self) -> list[tuple[type[Any], list[dict[str, Any]]]]:
        """The rows to insert with the upload's entries (bulk.write)."""
        return [(m.PaidLine, self.lines), (m.CountyFlag, self.flags)]

    def write(self) -> None:
        """After the rows: what voids and refund requests free."""
        for number, status in self.freed.items():
            self.db.execute(update(m.PaidLine).where(col(m.PaidLine.receipt_number) == number).values(status=status))
        if self.lines or self.freed:  # the village's progress is counted again before the commit
            progress_count.touch(self.db, [self.village])


class _What:
    """「name」YEAR 年度INSURANCE, said only when a finding names it (most lines find nothing)."""

    __slots__ = ("key", "name")

    def __init__(self, name: Any, key: tuple[str, str, int]) -> None:
        self.name, self.key = name, key

    def __format__(self, spec: str) -> str:
        return f"「{self.name}」{self.key[2]} 年度{INSURANCE.get(self.key[1], self.key[1])}"


def _due(row: dict[str, Any], line: dict[str, Any], configs: list[CountyConfig]) -> int | None:
    """What the county says this person pays for this line: the roster's own 应缴金额 where the
    county stated one, else its newest configuration for the year by the person's 人员类别 (and
    the line's pension tier). None where neither can say."""
    if row.get("应缴金额"):
        return parse_yuan(str(row["应缴金额"]))
    year = next((c.years[line["year"]] for c in reversed(configs) if line.get("year") in c.years), None)
    try:
        if year is None:
            return None
        return year.due_fen(Category(row.get("人员类别") or "一般"), Insurance(row["险种"]), line.get("tier_fen"))
    except (ValueError, KeyError):
        return None
