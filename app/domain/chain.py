"""The rules of one device's journal, checked entry by entry: the same code on the desk (`verify`)
and on the county server (every uploaded batch).

`ChainRules` is fed entries in order. It checks what the entries alone decide — the sequence has
no gap, each entry continues the hash chain, each body hashes to its hash and says the same
sequence, kind and time, receipt numbers run without a gap, totals add up, voids and refund
requests name receipts that can have them, each settlement round states what its receipts add up
to, no receipt is dated before a settled day, and no receipt line is due more than the county
configuration in force allowed. What the desk's tables hold (projections, prints, users) is the
desk's own comparison in `app/storage/verify.py`.

The state is plain data (`to_state` / `from_state`), so the server checks a batch from where the
previous batch of that device ended, without replaying the whole history.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from app.domain.canonical import GENESIS_HASH
from app.domain.config import ConfigError, CountyConfig, load_config_text
from app.domain.countersign import Keys
from app.domain.door import BASE_REASONS, DOOR_KINDS, door_refusal
from app.domain.entries import KINDS as ENTRY_KINDS
from app.domain.rules import (
    ReceiptState,
    closed_month_refusal,
    overlap_refusal,
    payment_refusal,
    refund_refusal,
    serial_refusal,
    settled_day_refusal,
    settlement_refusal,
    void_refusal,
)
from app.domain.serials import Book, serial_at

# Kinds a journal may hold (one class each in app/domain/entries.py); anything else is refused.
KINDS = ENTRY_KINDS


class ChainError(Exception):
    """An entry breaks a rule; `seq` is the entry, `reason` is Chinese, `code` is stable."""

    def __init__(self, seq: int, reason: str, code: str) -> None:
        super().__init__(reason)
        self.seq, self.reason, self.code = seq, reason, code


@dataclass
class ChainRules:
    seq: int = 0
    hash: str = GENESIS_HASH
    receipt_seq: int = 0
    last_day: str = ""  # the newest settled day: no receipt may be dated before it
    # Receipt number -> [day, total, state]; state 0 open, 1 settled, 2 voided, 3 refund requested;
    # a fourth element 1 once it was paid on the payer's behalf (代为缴费).
    receipts: dict[str, list[Any]] = field(default_factory=dict)
    open_by_day: dict[str, list[str]] = field(default_factory=dict)  # receipts not in a round yet
    rounds: dict[str, int] = field(default_factory=dict)  # day -> settlement rounds so far
    config_text: str | None = None  # the county configuration in force (journalled imports)
    # 月结: per month "YYYY-MM" -> [receipts, voids, collected fen (not voided), settled (counted) fen,
    # remitted fen, uniform-receipt serials used (by its receipts, or spoiled in it)]; and the
    # newest month closed, before which nothing more may be dated.
    months: dict[str, list[int]] = field(default_factory=dict)
    closed_month: str = ""
    # 统一票据: the books registered, in order, and how many of their serials are used.
    books: list[dict[str, Any]] = field(default_factory=list)
    serials_used: int = 0
    # Who holds which signing key (app/domain/countersign.py): every signed entry is checked with it.
    keys: Keys = field(default_factory=lambda: Keys({}))
    _parsed_books: list[Book] = field(default_factory=list, repr=False, compare=False)
    _config: CountyConfig | None = field(default=None, repr=False, compare=False)

    # -- state -------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "receipt_seq": self.receipt_seq,
                "last_day": self.last_day, "receipts": self.receipts, "open_by_day": self.open_by_day,
                "rounds": self.rounds, "config_text": self.config_text, "months": self.months,
                "closed_month": self.closed_month, "books": self.books, "serials_used": self.serials_used,
                "keys": self.keys.to_state()}

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> ChainRules:
        if not state:
            return cls()
        rules = cls(seq=int(state["seq"]), hash=str(state["hash"]), receipt_seq=int(state["receipt_seq"]),
                    last_day=str(state["last_day"]), receipts=dict(state["receipts"]),
                    open_by_day={k: list(v) for k, v in state["open_by_day"].items()},
                    rounds=dict(state["rounds"]), config_text=state.get("config_text"),
                    months={k: [*v, *[0] * (6 - len(v))] for k, v in state.get("months", {}).items()},
                    closed_month=str(state.get("closed_month", "")),
                    books=list(state.get("books", [])), serials_used=int(state.get("serials_used", 0)),
                    keys=Keys.from_state(state.get("keys"), partial="keys" not in state))
        if rules.config_text is not None:
            rules._config = load_config_text(rules.config_text)
        rules._parsed_books = [Book.from_json(b) for b in rules.books]
        return rules

    # -- the rules ---------------------------------------------------------------------------

    def feed(self, seq: int, kind: str, recorded_at: str, body: str | bytes, prev_hash: str,
             digest: str) -> dict[str, Any]:
        """Check one entry and take it into the state; returns its data. Raises ChainError.

        `body` is the entry's text, or its UTF-8 bytes as read straight from the file (`verify`
        reads 100,000 of them: no decoding to text only to encode it again for the hash)."""
        raw = body if isinstance(body, bytes) else body.encode("utf-8")
        self._link(seq, raw, prev_hash, digest)
        try:
            entry = orjson.loads(raw)
            d = entry["data"]
            same = (entry["seq"], entry["kind"], entry["recorded_at"]) == (seq, kind, recorded_at)
        except (orjson.JSONDecodeError, TypeError, KeyError):
            raise ChainError(seq, f"第 {seq} 条的内容不是有效记录（记录被修改）", "bad_body") from None
        if not same:
            raise ChainError(seq, f"第 {seq} 条的序号、类型或时间与内容不符", "bad_body")
        if kind not in KINDS:
            raise ChainError(seq, f"第 {seq} 条的类型「{kind}」未知", "unknown_kind")
        try:
            self._apply(seq, kind, d, recorded_at)
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ChainError):
                raise
            raise ChainError(seq, f"第 {seq} 条的内容缺少或写错了字段（{exc}）", "bad_body") from None
        self.seq, self.hash = seq, digest
        return d  # type: ignore[no-any-return]

    def follow(self, seq: int, body: bytes, prev_hash: str, digest: str) -> None:
        """Take an entry whose rules a trusted saved state already holds (the desk's `verify`
        up to its checkpoint): only its place in the hash chain is checked. Raises ChainError."""
        self._link(seq, body, prev_hash, digest)
        self.seq, self.hash = seq, digest

    def _link(self, seq: int, raw: bytes, prev_hash: str, digest: str) -> None:
        """The entry is the next one and continues the chain; its bytes hash to its hash."""
        expected = self.seq + 1
        if seq != expected:
            raise ChainError(expected, f"日志第 {expected} 条缺失（下一条是第 {seq} 条）", "gap")
        if prev_hash != self.hash:
            raise ChainError(seq, f"第 {seq} 条的前一哈希与第 {seq - 1} 条的哈希不符", "broken_chain")
        if hashlib.sha256(self.hash.encode("utf-8") + raw).hexdigest() != digest:
            raise ChainError(seq, f"第 {seq} 条的内容与其哈希不符（记录被修改）", "bad_hash")

    def _apply(self, seq: int, kind: str, d: dict[str, Any], recorded_at: str) -> None:
        self._rules(seq, kind, d, recorded_at)
        # then the signatures (a changed amount is named by its rule, a forged sign-off here)
        refusal = self.keys.user(seq, recorded_at, d) if kind == "user" else \
            self.keys.signed(seq, kind, recorded_at, d)
        if refusal is not None:
            raise ChainError(seq, refusal[1], refusal[0])

    def _rules(self, seq: int, kind: str, d: dict[str, Any], recorded_at: str) -> None:
        if kind == "receipt":
            self._receipt(seq, d)
        elif kind == "void":
            r = self._receipt_of(seq, d["number"], "作废记录", "bad_void")
            _check(seq, "bad_void", void_refusal(d["number"], r[0], ReceiptState(r[2]), len(r) > 3))
            r[2] = int(ReceiptState.VOIDED)
            month = self._month(r[0])
            month[1] += 1
            month[2] -= r[1]
        elif kind == "settlement":
            self._settlement(seq, d)
        elif kind == "refund_request":
            r = self._receipt_of(seq, d["number"], "退费申请", "bad_refund")
            _check(seq, "bad_refund", refund_refusal(d["number"], r[0], ReceiptState(r[2]), r[1], d["amount_fen"]))
            r[2] = int(ReceiptState.REFUND_REQUESTED)
        elif kind == "remittance":
            self._not_in_closed_month(seq, d["day"], "解缴")
            self._month(d["day"])[4] += int(d["amount_fen"])
        elif kind == "month_close":
            self._month_close(seq, d)
        elif kind == "receipt_book":
            book = Book.from_json(d)
            _check(seq, "serial_overlap", overlap_refusal(book, self._parsed_books))
            self.books.append(book.to_json())
            self._parsed_books.append(book)
        elif kind == "serial_spoiled":
            self._not_in_closed_month(seq, recorded_at[:10], "作废票据")
            self._take_serial(seq, d.get("serial"), "作废票据")
            self._month(recorded_at)[5] += 1
        elif kind == "paid_on_behalf":
            r = self._receipt_of(seq, d["number"], "代为缴费记录", "bad_payment")
            _check(seq, "bad_payment", payment_refusal(d["number"], ReceiptState(r[2]), len(r) > 3, r[1],
                                                       d["amount_fen"]))
            r.append(1)
        elif kind == "print":
            if d["number"] not in self.receipts:
                raise ChainError(seq, f"打印记录指向不存在的收据 {d['number']}", "bad_print")
        elif kind in DOOR_KINDS:  # issue 25: door to door
            reasons = self._config.door.all_reasons if self._config is not None else BASE_REASONS
            _check(seq, "bad_door", door_refusal(kind, d, recorded_at, reasons))
        elif kind == "config":
            if hashlib.sha256(d["config"].encode("utf-8")).hexdigest() != d["sha256"]:
                raise ChainError(seq, f"第 {seq} 条县级配置与其哈希不符", "bad_config")
            try:
                self._config = load_config_text(d["config"])
            except ConfigError:
                raise ChainError(seq, f"第 {seq} 条县级配置无法读取", "bad_config") from None
            self.config_text = d["config"]

    def _receipt(self, seq: int, d: dict[str, Any]) -> None:
        number, day, total = d["number"], d["day"], d["total_fen"]
        self.receipt_seq += 1
        if d.get("receipt_seq") != self.receipt_seq:
            raise ChainError(seq, f"收据序号不连续：应为 {self.receipt_seq}，实为 {d.get('receipt_seq')}",
                             "receipt_gap")
        _check(seq, "before_settled", settled_day_refusal(day, self.last_day))
        if number in self.receipts:
            raise ChainError(seq, f"收据号 {number} 重复", "receipt_gap")
        if self.closed_month:  # (the message is built only where a month is closed)
            self._not_in_closed_month(seq, day, f"收据 {number}")
        if self.books or d.get("serial") is not None:
            self._take_serial(seq, d.get("serial"), f"收据 {number}")
            self._month(day)[5] += 1
        lines = d.get("lines") or []
        if sum([ln.get("amount_fen", 0) for ln in lines]) != total \
                or d.get("cash_fen", 0) - d.get("change_fen", 0) != total:
            raise ChainError(seq, f"收据 {number} 的合计或找零与明细不符", "bad_total")
        if self._config is not None:
            wrong = beyond_config(self._config, lines)
            if wrong:
                raise ChainError(seq, f"收据 {number} {wrong}（当时导入的县级配置没有这个金额）", "beyond_config")
        self.receipts[number] = [day, total, 0]
        self.open_by_day.setdefault(day, []).append(number)
        month = self._month(day)
        month[0] += 1
        month[2] += total

    def _settlement(self, seq: int, d: dict[str, Any]) -> None:
        # A round covers the day's receipts not in an earlier round (old entries: round 1).
        day = d["day"]
        open_round = self.open_by_day.get(day, [])
        expected = sum(self.receipts[num][1] for num in open_round if self.receipts[num][2] == 0)
        round_no = self.rounds.get(day, 0) + 1
        _check(seq, "settlement_mismatch", settlement_refusal(day, self.last_day, round_no, d.get("round", 1),
                                                              bool(open_round), expected, d["expected_fen"]))
        for num in open_round:
            if self.receipts[num][2] == 0:
                self.receipts[num][2] = 1
        self.open_by_day.pop(day, None)
        self.rounds[day] = round_no
        self.last_day = day
        self._month(day)[3] += int(d["counted_fen"])

    # -- 统一票据 --------------------------------------------------------------------------------

    def _take_serial(self, seq: int, serial: object, what: str) -> None:
        """Serials are used in order, each once: the next one of the registered books."""
        _check(seq, "serial_gap", serial_refusal(serial, serial_at(self._parsed_books, self.serials_used), what))
        self.serials_used += 1

    # -- 月结 ------------------------------------------------------------------------------------

    def _month(self, day: str) -> list[int]:
        return self.months.setdefault(day[:7], [0, 0, 0, 0, 0, 0])

    def _not_in_closed_month(self, seq: int, day: str, what: str) -> None:
        _check(seq, "after_month_close", closed_month_refusal(day, self.closed_month, f"{what}不能记在其中（{day}）"))

    def _receipt_of(self, seq: int, number: str, what: str, code: str) -> list[Any]:
        r = self.receipts.get(number)
        if r is None:
            raise ChainError(seq, f"{what}指向不存在的收据 {number}", code)
        return r

    def _month_close(self, seq: int, d: dict[str, Any]) -> None:
        """A month's close states what the chain itself adds up to: receipts, voids, cash
        collected, settled and remitted in the month, the uniform-receipt serials it used (钱票一致),
        and the cash on hand at its end (settled, not yet remitted); months close in order and no
        day of the month is left unsettled."""
        month = str(d["month"])
        figures = self.months.get(month, [0, 0, 0, 0, 0, 0])
        on_hand = sum(v[3] - v[4] for m, v in self.months.items() if m <= month)
        open_days = [day for day in self.open_by_day if day[:7] <= month]
        stated = [d["receipts"], d["voids"], d["collected_fen"], d["settled_fen"], d["remitted_fen"],
                  d.get("serials", 0)]
        if month <= self.closed_month or open_days or stated != figures or d["on_hand_fen"] != on_hand \
                or d["counted_fen"] - d["on_hand_fen"] != d["difference_fen"]:
            raise ChainError(seq, f"{month} 的月结与当月收据、日结、解缴不符（或有未日结的日期、或月份顺序不对）",
                             "month_mismatch")
        self.closed_month = month

    def open_days(self) -> set[str]:
        """Days with receipts (or voids of them) not yet in a settlement round."""
        return set(self.open_by_day)


def _check(seq: int, code: str, refusal: str | None) -> None:
    """A rule's refusal on replay: the entry breaks it."""
    if refusal is not None:
        raise ChainError(seq, refusal, code)


def beyond_config(config: CountyConfig, lines: list[dict[str, Any]]) -> str | None:
    """Why a receipt's lines could not have been due under `config` (None when they could): a
    due above the year's medical amount or pension tier, or a tier the county does not offer.
    This is what raising an amount in the configuration to take more cash, then putting it back,
    leaves behind."""
    for line in lines:
        year = config.years.get(line.get("year"))  # type: ignore[arg-type]
        if year is None:
            return f"的 {line.get('year')} 年度不在县级配置中"
        if line.get("insurance") == "medical":
            most = year.medical_fen
        elif line.get("tier_fen") in year.pension_tiers_fen:
            most = int(line["tier_fen"])
        else:
            return f"的养老保险档次 {line.get('tier_fen')} 分不是县里规定的档次"
        if int(line.get("due_fen") or 0) > most:
            return f"「{line.get('name')}」的应缴 {line.get('due_fen')} 分高于县里规定的 {most} 分"
    return None
