"""Township review of one device's ledger: the suspicious records (疑点数据), each with its
reason, and a reproducible random sample of at least 10% of the receipts for inspection.

Pure: it reads journal entries (seq, kind, recorded_at, data), the form both a village's own
ledger file and the county server hold, so a reviewer's PC and the county judge alike.

A flag is a finding to check, not a verdict: a void with a head's countersign is allowed, but a
void is also how cash taken and not recorded would be hidden, so every one is listed with who
did it and why (003 第四十二条: 疑点数据 are checked by the township within 15 days).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from app.domain.config import CountyConfig, load_config_text
from app.domain.money import cash_question, format_fen
from app.domain.remit_limits import RemitLimits, cash_held
from app.domain.scan_rule import scan_deadline, scan_due, scan_overdue_days
from app.domain.workdays import working_days_between

SAMPLE_SHARE = 0.10  # 第四十二条: 不低于10%
NIGHT = (22, 6)  # cash taken from 22:00 to 06:00 is flagged


@dataclass(frozen=True)
class Flag:
    code: str  # stable: void, refund, override, difference, late_settlement, late_round, reprint,
    #            not_remitted, over_amount, large_change, night
    day: str  # the day it concerns (ISO)
    ref: str  # the receipt number, or the day / slip it concerns
    seq: int  # the journal entry that shows it
    reason: str  # what a reviewer reads, in Chinese

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.code]

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "day": self.day, "ref": self.ref, "seq": self.seq,
                "reason": self.reason}


FLAG_LABELS = {
    "void": "作废", "refund": "退费申请", "override": "改动应缴金额", "difference": "日结差额",
    "late_settlement": "未当日日结", "late_round": "日结后又收款", "reprint": "补打收据",
    "not_remitted": "现金未及时解缴", "over_amount": "持有现金超过限额", "large_change": "大额找零", "night": "夜间收款",
    "month_difference": "月结差额", "month_open": "未月结",
    "scan_missing": "台账扫描件未报送", "scan_late": "台账扫描件逾期报送",
    "not_paid": "未代为缴费", "late_paid": "代为缴费不及时",
    "serial_spoiled": "票据作废",
    "key_first": "签名密钥首次发放", "key_changed": "签名密钥更换",
}
MONTH_CLOSE_WITHIN_DAYS = 5  # 日清月结: a month is closed within the first days of the next


@dataclass(frozen=True)
class ReceiptRow:
    """A receipt as a reviewer sees it."""

    number: str
    seq: int
    day: str
    recorded_at: str
    payer_id_number: str
    payer_name: str
    names: tuple[str, ...]  # the people paid for
    total_fen: int
    agent: str
    status: str = "有效"  # 有效 / 已作废 / 已申请退费

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "seq": self.seq, "day": self.day, "recorded_at": self.recorded_at,
                "payer_id_number": self.payer_id_number, "payer_name": self.payer_name,
                "names": list(self.names), "total_fen": self.total_fen, "agent": self.agent, "status": self.status}


@dataclass
class LedgerReview:
    village_code: str = ""
    device_no: int = 0
    receipts: list[ReceiptRow] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    collected_fen: int = 0  # receipts not voided
    voided_fen: int = 0
    settled_fen: int = 0  # counted at settlements
    remitted_fen: int = 0
    first_day: str | None = None
    last_day: str | None = None

    def labels_of(self, ref: str) -> list[str]:
        """The kinds of flag a receipt (or day) has, each once, in the order they were raised."""
        return list(dict.fromkeys(f.label for f in self.flags if f.ref == ref))

    def sample(self, seed: str) -> list[ReceiptRow]:
        """The receipts `draw_sample` picks with this seed, in receipt order."""
        chosen = set(draw_sample([r.number for r in self.receipts], seed))
        return [r for r in self.receipts if r.number in chosen]

    def to_json(self) -> dict[str, Any]:
        return {"village_code": self.village_code, "device_no": self.device_no, "first_day": self.first_day,
                "last_day": self.last_day, "receipts": len(self.receipts), "collected_fen": self.collected_fen,
                "voided_fen": self.voided_fen, "settled_fen": self.settled_fen, "remitted_fen": self.remitted_fen,
                "flags": [f.to_json() for f in self.flags]}


Entry = tuple[int, str, str, dict[str, Any]]  # seq, kind, recorded_at, data


def review_entries(entries: Iterable[Entry], *, as_of: date,
                   remit_limits: RemitLimits | None = None) -> LedgerReview:
    """Every flag the entries show, in journal order, and the receipts they hold. Cash held is
    judged against `remit_limits`, or else the 双限 of the journalled county configuration."""
    out, held = _fold(entries)
    config = held.config
    if config is not None and config.pays_on_behalf:  # no cash is remitted: it was paid at once
        out.flags += _not_paid(out.receipts, held.paid, as_of)
    else:
        limits = remit_limits or (config.remit_limits if config is not None else RemitLimits())
        out.flags += _unremitted(held.settled_when, out.remitted_fen, as_of, limits)
    out.flags += _months_open({r.day[:7] for r in out.receipts} - held.closed, as_of)
    if config is not None:
        out.flags += _scans(_windows(config), held.years, held.scans, as_of)
    return out


@dataclass
class _Held:
    """What the rules that depend on the review day read, gathered by `_fold`."""

    settled_when: list[tuple[str, int]] = field(default_factory=list)  # (day, counted fen) in order
    closed: set[str] = field(default_factory=set)  # months closed (月结)
    config: CountyConfig | None = None  # the county configuration in force (journalled imports)
    years: set[int] = field(default_factory=set)  # benefit years cash was taken for
    scans: dict[int, str] = field(default_factory=dict)  # year -> the first day its scanned 台账 was sent
    paid: dict[str, str] = field(default_factory=dict)  # receipt number -> when it was paid on the payer's behalf


def _fold(entries: Iterable[Entry]) -> tuple[LedgerReview, _Held]:
    """One pass over the entries: the receipts, the flags that do not depend on the review day,
    the money, and what the day-dependent rules read."""
    out = LedgerReview()
    held = _Held()
    by_number: dict[str, int] = {}  # receipt number -> index in out.receipts
    settled_by_day: dict[str, int] = {}
    config_text: str | None = None
    for seq, kind, at, d in entries:
        if kind == "receipt":
            _receipt(out, by_number, seq, at, d)
            held.years.update(int(ln["year"]) for ln in d.get("lines") or [])
        elif kind == "config":
            config_text = d["config"]
        elif kind == "ledger_scan":
            held.scans.setdefault(int(d["year"]), d["sent_on"])
        elif kind == "paid_on_behalf":
            held.paid[d["number"]] = at
        elif kind == "serial_spoiled":
            out.flags.append(Flag("serial_spoiled", at[:10], d["serial"], seq,
                                  f"统一票据 {d['serial']} 于 {_hm(at)} 作废（未开收据），原因：{d['reason']}（{d['by']}）"))
        elif kind == "void":
            _mark(out, by_number, d["number"], "已作废")
            out.flags.append(Flag("void", d["day"], d["number"], seq,
                                  f"收据 {d['number']} 于 {_hm(at)} 作废，原因：{d['reason']}"
                                  f"（代收员 {d['agent']}，负责人 {d['head']} 确认）"))
        elif kind == "refund_request":
            _mark(out, by_number, d["number"], "已申请退费")
            out.flags.append(Flag("refund", d["day"], d["number"], seq,
                                  f"收据 {d['number']} 日结后申请退费 {format_fen(d['amount_fen'])} 元，原因：{d['reason']}"
                                  f"（代收员 {d['agent']}，负责人 {d['head']} 确认）"))
        elif kind == "settlement":
            _settlement(out, seq, at, d)
            settled_by_day[d["day"]] = settled_by_day.get(d["day"], 0) + int(d["counted_fen"])
            held.settled_when.append((d["day"], int(d["counted_fen"])))
        elif kind == "remittance":
            out.remitted_fen += int(d["amount_fen"])
        elif kind == "month_close":
            held.closed.add(d["month"])
            if int(d["difference_fen"]):
                out.flags.append(Flag("month_difference", at[:10], d["month"], seq,
                                      f"{d['month']} 月结清点现金 {format_fen(int(d['counted_fen']))} 元，账面 "
                                      f"{format_fen(int(d['on_hand_fen']))} 元，差额 {format_fen(int(d['difference_fen']))} 元，"
                                      f"原因：{d.get('reason') or '未填写'}（负责人 {d['head']}）"))
        elif kind == "user" and d.get("sign_key"):
            _key_flag(out, seq, at, d)
        elif kind == "print" and d.get("ok") and int(d.get("copy_no") or 0) >= 1:
            row = out.receipts[by_number[d["number"]]] if d["number"] in by_number else None
            out.flags.append(Flag("reprint", row.day if row else at[:10], d["number"], seq,
                                  f"收据 {d['number']} 于 {_hm(at)} 补打（第 {d['copy_no']} 次补打）"))
    out.settled_fen = sum(settled_by_day.values())
    held.config = load_config_text(config_text) if config_text is not None else None
    return out, held


def _windows(config: CountyConfig) -> dict[int, date]:
    """Each configured year's end of collection, from which its 台账 scan is due."""
    return {year: config.years[year].window_end for year in config.years}


def _key_flag(out: LedgerReview, seq: int, at: str, d: dict[str, Any]) -> None:
    """A signing key issued without a signature behind it (a user of an older release, at their
    first sign-in) or changed (a new PIN, or one an administrator reset): whoever holds the file
    could have written a first key, and a new PIN is where an account changes hands, so the
    township checks either with the person."""
    if d.get("action") == "key":
        out.flags.append(Flag("key_first", at[:10], d["name"], seq,
                              f"「{d['name']}」的签名密钥于 {at[:10]} {_hm(at)} 首次发放（旧版本账户首次登录，无人签署），"
                              "请向本人核实"))
    elif d.get("action") not in ("add", "rehash"):  # a rehash (a higher PIN cost) keeps the PIN: not flagged
        by = d.get("by") or d["name"]
        out.flags.append(Flag("key_changed", at[:10], d["name"], seq,
                              f"「{d['name']}」的签名密钥于 {at[:10]} {_hm(at)} 更换（{d.get('action')}，由「{by}」签署），"
                              "请向本人核实"))


def _not_paid(receipts: list[ReceiptRow], paid: dict[str, str], as_of: date) -> list[Flag]:
    """第三十条: 收取缴费人现金后应第一时间代为完成缴费 — paid the same day, or flagged."""
    out = []
    for r in receipts:
        if r.status == "已作废":
            continue
        at = paid.get(r.number)
        if at is None:
            if date.fromisoformat(r.day) < as_of:
                out.append(Flag("not_paid", r.day, r.number, r.seq,
                                f"收据 {r.number} {r.day} 收取现金 {format_fen(r.total_fen)} 元，至 {as_of.isoformat()} "
                                f"仍未登记代为缴费（{r.agent}）"))
        elif at[:10] > r.day:
            days = (date.fromisoformat(at[:10]) - date.fromisoformat(r.day)).days
            out.append(Flag("late_paid", r.day, r.number, r.seq,
                            f"收据 {r.number} {r.day} 收取现金，{_hm(at)} 才代为缴费（晚 {days} 天）"))
    return out


def _scans(windows: dict[int, date], years: set[int], scans: dict[int, str], as_of: date) -> list[Flag]:
    """第三十条: the signed 台账 of a year's collection is scanned and sent within 7 working days
    after its collection period ends: due for a year with cash receipts (app/domain/scan_rule.py)."""
    out = []
    for year in sorted(windows):
        if not scan_due(year, years):
            continue
        end = windows[year]
        deadline = scan_deadline(end)
        sent = scans.get(year)
        if scan_overdue_days(due=True, sent=sent is not None, deadline=deadline, today=as_of):
            out.append(Flag("scan_missing", deadline.isoformat(), str(year), 0,
                            f"{year} 年度集中征期 {end.isoformat()} 结束，台账扫描件应在 {deadline.isoformat()} 前报送税务，"
                            f"至 {as_of.isoformat()} 仍未登记报送"))
        elif sent is not None and date.fromisoformat(sent) > deadline:
            late = working_days_between(deadline, date.fromisoformat(sent))
            out.append(Flag("scan_late", sent, str(year), 0,
                            f"{year} 年度台账扫描件 {sent} 才报送，晚于期限 {deadline.isoformat()}（{late} 个工作日）"))
    return out


def _months_open(months: set[str], as_of: date) -> list[Flag]:
    """Months with receipts that ended more than MONTH_CLOSE_WITHIN_DAYS days ago unclosed."""
    out = []
    for month in sorted(months):
        year, mon = int(month[:4]), int(month[5:7])
        next_first = date(year + mon // 12, mon % 12 + 1, 1)
        if (as_of - next_first).days >= MONTH_CLOSE_WITHIN_DAYS:
            out.append(Flag("month_open", month + "-01", month, 0,
                            f"{month} 已结束 {(as_of - next_first).days + 1} 天仍未月结（日清月结）"))
    return out


def _receipt(out: LedgerReview, by_number: dict[str, int], seq: int, at: str, d: dict[str, Any]) -> None:
    number, day, total = d["number"], d["day"], int(d["total_fen"])
    if not out.village_code:
        out.village_code, out.device_no = str(d.get("village_code", "")), int(d.get("device_no") or 0)
    out.first_day = out.first_day or day
    out.last_day = day
    lines = d.get("lines") or []
    by_number[number] = len(out.receipts)
    out.receipts.append(ReceiptRow(number, seq, day, at, d["payer"]["id_number"], d["payer"]["name"],
                                   tuple(str(ln.get("name", "")) for ln in lines), total, d["agent"]))
    out.collected_fen += total
    if d.get("override_reason"):
        changed = "、".join(f"{ln.get('name')} 应缴 {format_fen(int(ln['due_fen']))} 元收 {format_fen(int(ln['amount_fen']))} 元"
                           for ln in lines if ln.get("amount_fen") != ln.get("due_fen"))
        out.flags.append(Flag("override", day, number, seq,
                              f"收据 {number} 改动了应缴金额（{changed or '金额'}），原因：{d['override_reason']}"))
    if cash_question(total, int(d["cash_fen"])):
        out.flags.append(Flag("large_change", day, number, seq,
                              f"收据 {number} 应收 {format_fen(total)} 元，收取现金 {format_fen(int(d['cash_fen']))} 元，"
                              f"找零 {format_fen(int(d['change_fen']))} 元"))
    hour = datetime.fromisoformat(at).hour
    if hour >= NIGHT[0] or hour < NIGHT[1]:
        out.flags.append(Flag("night", day, number, seq, f"收据 {number} 在夜间 {_hm(at)} 收款"))


def _mark(out: LedgerReview, by_number: dict[str, int], number: str, status: str) -> None:
    i = by_number.get(number)
    if i is None:
        return
    row = out.receipts[i]
    if status == "已作废" and row.status == "有效":
        out.collected_fen -= row.total_fen
        out.voided_fen += row.total_fen
    out.receipts[i] = replace(row, status=status)


def _settlement(out: LedgerReview, seq: int, at: str, d: dict[str, Any]) -> None:
    day = d["day"]
    diff = int(d["difference_fen"])
    if diff:
        more = "多" if diff > 0 else "少"
        out.flags.append(Flag("difference", day, day, seq,
                              f"{day} 日结清点现金 {format_fen(int(d['counted_fen']))} 元，应有 "
                              f"{format_fen(int(d['expected_fen']))} 元，{more} {format_fen(abs(diff))} 元，"
                              f"原因：{d.get('reason') or '未填写'}（负责人 {d['head']}）"))
    done = date.fromisoformat(at[:10])
    late = (done - date.fromisoformat(day)).days
    if late > 0:
        out.flags.append(Flag("late_settlement", day, day, seq,
                              f"{day} 的现金到 {done.isoformat()} 才日结（晚 {late} 天），未做到日清日结"))
    if int(d.get("round", 1)) > 1:
        out.flags.append(Flag("late_round", day, day, seq,
                              f"{day} 日结后又收取现金 {format_fen(int(d['expected_fen']))} 元，"
                              f"第 {d['round']} 次日结于 {_hm(at)}"))


def _unremitted(settled: list[tuple[str, int]], remitted_fen: int, as_of: date,
                limits: RemitLimits) -> list[Flag]:
    """双限 (002): settled cash held past the days limit, and cash over the amount limit held
    overnight (settled before `as_of` and still not remitted), each flagged with its reason."""
    rounds = [(date.fromisoformat(day), fen) for day, fen in settled]
    # Remittances cover the oldest cash first, so the rounds past the limit are judged alone.
    past = cash_held([r for r in rounds if (as_of - r[0]).days > limits.days], remitted_fen, as_of, limits)
    out = []
    if past.past_days and past.oldest_day is not None:
        oldest = past.oldest_day.isoformat()
        out.append(Flag("not_remitted", oldest, oldest, 0,
                        f"截至 {as_of.isoformat()}，{oldest} 起已日结的现金中有 {format_fen(past.held_fen)} 元"
                        f"超过解缴限期 {limits.days} 天未解缴（最早的已 {past.days_held} 天）"))
    overnight = cash_held([r for r in rounds if r[0] < as_of], remitted_fen, as_of, limits)
    if overnight.past_amount and overnight.oldest_day is not None:
        out.append(Flag("over_amount", overnight.oldest_day.isoformat(), overnight.oldest_day.isoformat(), 0,
                        f"截至 {as_of.isoformat()}，已日结未解缴的现金 {format_fen(overnight.held_fen)} 元，"
                        f"超过解缴限额 {format_fen(limits.amount_fen)} 元（双限：满额即解缴）"))
    return out


def _hm(at: str) -> str:
    return at[:16].replace("T", " ")


def new_seed() -> str:
    """Six digits chosen when a review starts, printed on its report: typing them again draws
    the same sample, and nobody knows them before the ledger is in the reviewer's hands."""
    return f"{secrets.randbelow(10**6):06d}"


def draw_sample(numbers: Sequence[str], seed: str, share: float = SAMPLE_SHARE) -> list[str]:
    """At least `share` of `numbers` (rounded up; one at least when there are any), chosen by
    the SHA-256 of the seed and each number: the same seed draws the same receipts again, a
    receipt's chance does not depend on the order it was listed in, and nobody can steer it
    without choosing the seed after seeing the ledger. Returned in the order given."""
    if not numbers:
        return []
    k = max(1, math.ceil(len(numbers) * share - 1e-9))
    ranked = sorted(numbers, key=lambda n: hashlib.sha256(f"{seed}|{n}".encode()).digest())
    chosen = set(ranked[:k])
    return [n for n in numbers if n in chosen]
