"""Receipts and voids: cash is recorded the moment it is taken, in one transaction."""

from __future__ import annotations

import builtins
import hashlib
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain.config import ConfigError, CountyConfig
from app.domain.ids import IdNumberError, parse_id_number
from app.domain.insurance import Category, Insurance
from app.domain.money import cash_question, format_fen
from app.domain.names import InvalidNameError, parse_name
from app.domain.receipt_numbers import format_receipt_number
from app.domain.records import (
    Countersign,
    PayerSignoff,
    Receipt,
    ReceiptLine,
    RefundInfo,
    Role,
    UserInfo,
    VoidInfo,
)
from app.services.database import Clock, Database
from app.services.errors import (
    CashConfirmationRequired,
    InvalidInput,
    NotFound,
    OverrideRequired,
    Refused,
    checked_reason,
)
from app.services.ledger import (
    first_unsettled_day_before,
    last_settled_day,
    receipt_settled,
    refuse_if_clock_behind,
)
from app.services.setup import Setup
from app.services.signoff import (
    CASH_ROLES,
    check_countersign,
    check_head_may_take_cash,
    check_not_own,
    require_pin,
)
from app.storage import journal
from app.storage.db import sql_datetime


@dataclass(frozen=True)
class LineRequest:
    """One line the agent wants to receipt: amount None means 'what is due'."""

    id_number: str
    insurance: Insurance
    year: int
    tier_fen: int | None = None
    amount_fen: int | None = None


class Receipts:
    def __init__(self, db: Database, clock: Clock, setup: Setup) -> None:
        self._db = db
        self._clock = clock
        self._setup = setup

    # -- recording -------------------------------------------------------------------------

    def record(
        self,
        agent: UserInfo,
        lines: list[LineRequest],
        *,
        cash_fen: int,
        payer_id_number: str | None = None,
        payer_name: str | None = None,
        payer_signoff: PayerSignoff = PayerSignoff.PAPER,
        signature_png: bytes | None = None,
        override_reason: str | None = None,
        cash_confirmed: bool = False,
    ) -> Receipt:
        """Record one receipt; raises a DaishouError (and writes nothing) when a rule refuses.

        Implausible cash (`cash_question`) is refused with CashConfirmationRequired unless
        `cash_confirmed` says the agent confirmed the question.
        """
        require_pin(agent)
        if agent.role not in CASH_ROLES:
            raise Refused(f"「{agent.name}」是{agent.role.label}，不能收取现金")
        if not lines:
            raise InvalidInput("收据至少要有一行缴费项目")
        override = checked_reason(override_reason, field="改动应缴金额的原因", required=False)
        if payer_signoff is PayerSignoff.SIGNATURE and not signature_png:
            raise InvalidInput("选择了电子签名，但没有签名图像")
        device = self._setup.device
        config = self._setup.config
        now = self._clock()
        today = now.date()
        with self._db.write() as conn:
            refuse_if_clock_behind(conn, now)
            if agent.role is Role.HEAD:  # the agent's receipt (the hot path) needs no look-up
                heads = [str(r[0]) for r in conn.execute(
                    "SELECT name FROM user WHERE role = ? AND active", (Role.HEAD.value,))]
                check_head_may_take_cash(agent, heads)
            _refuse_if_day_blocked(conn, today)
            built: list[ReceiptLine] = []
            overridden: list[str] = []
            seen: set[tuple[str, str, int]] = set()
            for n, req in enumerate(lines, start=1):
                line, needs_override = _build_line(conn, config, req, n, today, seen)
                built.append(line)
                if needs_override:
                    overridden.append(needs_override)
            if overridden and not override:
                raise OverrideRequired("；".join(overridden) + "。如确需收取，请填写原因（将被标记供审核）")
            payer_id, payer = _payer(conn, payer_id_number, payer_name, built)
            total = sum(line.amount_fen for line in built)
            if cash_fen < total:
                raise Refused(f"收取现金 {format_fen(cash_fen)} 元少于应收合计 {format_fen(total)} 元")
            question = cash_question(total, cash_fen)
            if question and not cash_confirmed:
                raise CashConfirmationRequired(
                    question, f"收取现金 {format_fen(cash_fen)} 元远多于应收合计 {format_fen(total)} 元，"
                    f"将找零 {format_fen(cash_fen - total)} 元：请核对收到的现金，确认无误才能收款")
            sig_hash = hashlib.sha256(signature_png).hexdigest() if signature_png else None
            seq = int(conn.execute("SELECT COALESCE(MAX(receipt_seq), 0) + 1 FROM receipt").fetchone()[0])
            number = format_receipt_number(device.village_code, device.device_no, seq)
            data: dict[str, Any] = {
                "number": number,
                "receipt_seq": seq,
                "day": today.isoformat(),
                "village_code": device.village_code,
                "device_no": device.device_no,
                "payer": {"id_number": payer_id, "name": payer},
                "lines": [_line_json(line) for line in built],
                "total_fen": total,
                "cash_fen": cash_fen,
                "change_fen": cash_fen - total,
                "agent": agent.name,
                "payer_signoff": payer_signoff.value,
                "signature_sha256": sig_hash,
                "override_reason": override if overridden else None,
            }
            entry = journal.append(conn, "receipt", now.isoformat(), data)
            if signature_png and sig_hash:
                conn.execute("INSERT OR IGNORE INTO signature (sha256, png) VALUES (?, ?)",
                             (sig_hash, signature_png))
            insert_receipt(conn, entry.seq, now, data)
        # Only now, after the commit, is the receipt acknowledged (shown, printed).
        return Receipt(
            number=number, recorded_at=now, day=today, village_code=device.village_code,
            village_name=device.village_name, device_no=device.device_no, payer_id_number=payer_id,
            payer_name=payer, lines=tuple(built), total_fen=total, cash_fen=cash_fen,
            change_fen=cash_fen - total, agent=agent.name, payer_signoff=payer_signoff,
            signature_sha256=sig_hash, override_reason=data["override_reason"], hash=entry.hash)

    # -- voids -----------------------------------------------------------------------------

    def void(self, number: str, *, reason: str, agent: UserInfo, head: UserInfo) -> Receipt:
        reason = _countersigned("作废", reason, agent, head)
        now = self._clock()
        with self._db.write() as conn:
            row = _existing(conn, number)
            if _has(conn, "void", row.number):
                raise Refused(f"收据 {row.number} 已经作废")
            if receipt_settled(conn, row.number):
                raise Refused(
                    f"收据 {row.number} 所在的 {row.day.isoformat()} 已日结，不能作废；如需退款请登记退费申请（daishou receipt refund）"
                )
            check_not_own("作废", head=head, collectors=[row.agent], conn=conn)
            data = {"number": row.number, "day": row.day.isoformat(), "reason": reason,
                    "agent": agent.name, "head": head.name}
            refuse_if_clock_behind(conn, now)
            entry = journal.append(conn, "void", now.isoformat(), data)
            conn.execute("INSERT INTO void (receipt_number, journal_seq, day, recorded_at, reason, agent, head) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", (row.number, entry.seq, row.day.isoformat(),
                                                          sql_datetime(now), reason, agent.name, head.name))
        return self.get(number.strip())

    # -- refund requests -------------------------------------------------------------------

    def request_refund(self, number: str, *, reason: str, agent: UserInfo, head: UserInfo) -> Receipt:
        """退费申请 for a receipt of a closed day: the receipt stays, the county refunds."""
        reason = _countersigned("退费申请", reason, agent, head)
        now = self._clock()
        with self._db.write() as conn:
            row = _existing(conn, number)
            if _has(conn, "void", row.number):
                raise Refused(f"收据 {row.number} 已经作废，无需退费")
            if not receipt_settled(conn, row.number):
                raise Refused(f"收据 {row.number} 所在的 {row.day.isoformat()} 尚未日结：当天的错误请作废，不走退费")
            if _has(conn, "refund_request", row.number):
                raise Refused(f"收据 {row.number} 已经申请过退费")
            check_not_own("退费申请", head=head, collectors=[row.agent], conn=conn)
            data = {"number": row.number, "day": row.day.isoformat(), "amount_fen": row.total_fen,
                    "reason": reason, "agent": agent.name, "head": head.name}
            refuse_if_clock_behind(conn, now)
            entry = journal.append(conn, "refund_request", now.isoformat(), data)
            conn.execute("INSERT INTO refund_request (receipt_number, journal_seq, recorded_at, amount_fen, "
                         "reason, agent, head) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (row.number, entry.seq, sql_datetime(now), row.total_fen, reason, agent.name,
                          head.name))
        return self.get(number.strip())

    # -- printing bookkeeping --------------------------------------------------------------

    def record_print(self, number: str, *, ok: bool, error: str | None = None) -> int:
        """Log a print attempt; returns the copy number it was (0 = the original)."""
        with self._db.write() as conn:
            if not _has(conn, "receipt", number, key="number"):
                raise NotFound(f"没有收据 {number}")
            done = int(conn.execute("SELECT COUNT(*) FROM print_event WHERE receipt_number = ? AND ok",
                                    (number,)).fetchone()[0])
            now = self._clock()
            conn.execute("INSERT INTO print_event (receipt_number, recorded_at, ok, copy_no, error) "
                         "VALUES (?, ?, ?, ?, ?)", (number, sql_datetime(now), ok, done, error))
            # Journalled too: deleting a print row to hide a copy (补打) breaks verify.
            journal.append(conn, "print", now.isoformat(),
                           {"number": number, "ok": ok, "copy_no": done, "error": error})
            return done

    # -- reading ---------------------------------------------------------------------------

    def get(self, number: str) -> Receipt:
        village = self._setup.device.village_name
        with self._db.read() as conn:
            return _receipts(conn, [_existing(conn, number)], village)[0]

    def list(self, day: date | None = None, *, start: date | None = None,
             end: date | None = None) -> list[Receipt]:
        """Receipts of one day, or of start..end inclusive (on the day index), or all."""
        if day is not None:
            start = end = day
        village = self._setup.device.village_name
        where = " AND ".join(w for w, bound in (("day >= ?", start), ("day <= ?", end)) if bound)
        bounds = tuple(b.isoformat() for b in (start, end) if b is not None)
        with self._db.read() as conn:
            rows = [_Header(*r) for r in conn.execute(
                f"SELECT {_HEADER} FROM receipt {'WHERE ' + where if where else ''} ORDER BY receipt_seq",
                bounds)]
            return _receipts(conn, rows, village)

    def print_history(self, number: str) -> builtins.list[tuple[datetime, bool, int, str | None]]:
        """Every print attempt of a receipt: (when, printed, copy number, what went wrong)."""
        with self._db.read() as conn:
            rows = conn.execute("SELECT recorded_at, ok, copy_no, error FROM print_event "
                                "WHERE receipt_number = ? ORDER BY id", (number,)).fetchall()
        return [(_dt(r[0]), bool(r[1]), int(r[2]), r[3]) for r in rows]

    def signature(self, sha256: str) -> bytes | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT png FROM signature WHERE sha256 = ?", (sha256,)).fetchone()
        return bytes(row[0]) if row else None


_HEADER = ("number, journal_seq, day, recorded_at, payer_id_number, payer_name, agent, total_fen, "
           "cash_fen, change_fen, payer_signoff, signature_sha256, override_reason")


@dataclass(frozen=True)
class _Header:
    """A receipt's own row (table `receipt`), as _HEADER reads it."""

    number: str
    journal_seq: int
    day_text: str
    recorded_at_text: str
    payer_id_number: str
    payer_name: str
    agent: str
    total_fen: int
    cash_fen: int
    change_fen: int
    payer_signoff: str
    signature_sha256: str | None
    override_reason: str | None

    @property
    def day(self) -> date:
        return date.fromisoformat(self.day_text)


def _existing(conn: sqlite3.Connection, number: str) -> _Header:
    row = conn.execute(f"SELECT {_HEADER} FROM receipt WHERE number = ?", (number.strip(),)).fetchone()
    if row is None:
        raise NotFound(f"没有收据 {number}")
    return _Header(*row)


def _has(conn: sqlite3.Connection, table: str, number: str, *, key: str = "receipt_number") -> bool:
    return conn.execute(f"SELECT 1 FROM {table} WHERE {key} = ?", (number,)).fetchone() is not None


def _countersigned(action: str, reason: str, agent: UserInfo, head: UserInfo) -> str:
    """What a void and a refund request both need: a reason, and signatures signoff accepts."""
    cleaned = checked_reason(reason, field=f"{action}原因")
    assert cleaned is not None  # required
    check_countersign(action, agent=agent, head=head)
    return cleaned


def _refuse_if_day_blocked(conn: sqlite3.Connection, today: date) -> None:
    earlier = first_unsettled_day_before(conn, today)
    if earlier is not None:
        raise Refused(f"{earlier.isoformat()} 的现金尚未日结。日清日结：请先完成该日日结，再收取新的现金")
    # Cash taken on a day already settled goes into that day's next settlement round.
    last = last_settled_day(conn)
    if last is not None and today < last:
        raise Refused(f"电脑日期 {today.isoformat()} 早于已日结的 {last.isoformat()}，请先核对电脑日期和时间")


_LINE_QUERY = """
SELECT p.name, p.removed, p.category, d.id IS NOT NULL, d.tier_fen, d.paid_elsewhere, d.removed,
       (SELECT l.receipt_number FROM receipt_line l
         WHERE l.id_number = p.id_number AND l.insurance = d.insurance AND l.year = d.year
           AND NOT EXISTS (SELECT 1 FROM void v WHERE v.receipt_number = l.receipt_number) LIMIT 1)
FROM person p LEFT JOIN due d ON d.id_number = p.id_number AND d.insurance = ? AND d.year = ?
WHERE p.id_number = ?
"""


def _build_line(conn: sqlite3.Connection, config: CountyConfig, req: LineRequest, n: int, today: date,
                seen: set[tuple[str, str, int]]) -> tuple[ReceiptLine, str | None]:
    where = f"第{n}行"
    try:
        idn = parse_id_number(req.id_number, today=today).value
    except IdNumberError as exc:
        raise InvalidInput(f"{where}：{exc}") from None
    row = conn.execute(_LINE_QUERY, (req.insurance.value, req.year, idn)).fetchone()
    if row is None:
        raise Refused(f"{where}：证件号码 {idn} 不在本村征收清册中")
    name, person_removed, category, has_due, roster_tier, paid_elsewhere, due_removed, paid = row
    who = f"{where}（{name}）"
    if person_removed:
        raise Refused(f"{who}：已从最新征收清册中移除，不能收款")
    key = (idn, req.insurance.value, req.year)
    if key in seen:
        raise InvalidInput(f"{who}：同一人的{req.year}年度{req.insurance.short_label}在本收据中重复")
    seen.add(key)
    if not has_due or due_removed:
        raise Refused(f"{who}：征收清册中没有其{req.year}年度{req.insurance.label}")
    if paid_elsewhere:
        raise Refused(f"{who}：{req.year}年度{req.insurance.short_label}已通过{paid_elsewhere}缴费，不能重复收取")
    if paid is not None:
        raise Refused(f"{who}：{req.year}年度{req.insurance.short_label}已用收据 {paid} 收取现金，不能重复收取")
    try:
        year_config = config.year(req.year)
        tier = None
        if req.insurance is Insurance.PENSION:
            tier = req.tier_fen if req.tier_fen is not None else roster_tier
        due = year_config.due_fen(Category.parse(category), req.insurance, tier)
    except ConfigError as exc:
        raise Refused(f"{who}：{exc}") from None
    if due == 0 and (req.amount_fen is None or req.amount_fen == 0):
        raise Refused(f"{who}：{category}人员的{req.year}年度{req.insurance.short_label}由政府全额代缴，无需收取现金")
    amount = due if req.amount_fen is None else req.amount_fen
    if amount <= 0:
        raise InvalidInput(f"{who}：金额必须大于零")
    needs_override = None
    if amount != due:
        needs_override = (f"{who}：金额 {format_fen(amount)} 元与应缴 {format_fen(due)} 元不符"
                          f"（{category}，{req.insurance.short_label}）")
    elif not year_config.in_window(today):
        needs_override = (f"{who}：今天不在{req.year}年度征收期内（{year_config.window_start.isoformat()}"
                          f" 至 {year_config.window_end.isoformat()}）")
    return (ReceiptLine(idn, name, req.insurance, req.year, tier, amount, due), needs_override)


def _payer(conn: sqlite3.Connection, payer_id: str | None, payer_name: str | None,
           lines: list[ReceiptLine]) -> tuple[str, str]:
    if not payer_id:
        return lines[0].id_number, lines[0].name
    try:
        idn = parse_id_number(payer_id).value
    except IdNumberError as exc:
        raise InvalidInput(f"缴费人：{exc}") from None
    row = conn.execute("SELECT name FROM person WHERE id_number = ?", (idn,)).fetchone()
    if row is not None:
        return idn, str(row[0])
    if not payer_name:
        raise InvalidInput(f"缴费人 {idn} 不在清册中，请同时填写缴费人姓名")
    try:
        return idn, parse_name(payer_name)
    except InvalidNameError as exc:
        raise InvalidInput(f"缴费人：{exc}") from None


def _line_json(line: ReceiptLine) -> dict[str, object]:
    return {"id_number": line.id_number, "name": line.name, "insurance": line.insurance.value,
            "year": line.year, "tier_fen": line.tier_fen, "amount_fen": line.amount_fen,
            "due_fen": line.due_fen}


def insert_receipt(conn: sqlite3.Connection, journal_seq: int, at: datetime, data: dict[str, Any]) -> None:
    """Write the receipt's derived rows: the projection verify rebuilds from the journal."""
    payer = data["payer"]
    conn.execute(
        "INSERT INTO receipt (number, receipt_seq, journal_seq, day, recorded_at, payer_id_number, "
        "payer_name, agent, total_fen, cash_fen, change_fen, payer_signoff, signature_sha256, "
        "override_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (data["number"], data["receipt_seq"], journal_seq, data["day"], sql_datetime(at),
         payer["id_number"], payer["name"], data["agent"], data["total_fen"], data["cash_fen"],
         data["change_fen"], data["payer_signoff"], data["signature_sha256"], data["override_reason"]))
    conn.executemany(
        "INSERT INTO receipt_line (receipt_number, line_no, id_number, name, insurance, year, tier_fen, "
        "amount_fen, due_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(data["number"], i, ln["id_number"], ln["name"], ln["insurance"], ln["year"], ln["tier_fen"],
          ln["amount_fen"], ln["due_fen"]) for i, ln in enumerate(data["lines"], start=1)])


def _receipts(conn: sqlite3.Connection, rows: Sequence[_Header], village_name: str) -> list[Receipt]:
    """Receipts with their lines, void, refund, countersign, prints and hash.

    Six fixed queries for the whole list, whatever its length (was six per receipt): each
    related table is read once for the receipts' journal range and matched in memory.
    """
    if not rows:
        return []
    lo = min(r.journal_seq for r in rows)
    hi = max(r.journal_seq for r in rows)
    scope = "receipt_number IN (SELECT number FROM receipt WHERE journal_seq BETWEEN :lo AND :hi)"
    bounds = {"lo": lo, "hi": hi}
    first, last = min(r.day_text for r in rows), max(r.day_text for r in rows)
    lines: dict[str, list[ReceiptLine]] = defaultdict(list)
    for ln in conn.execute((
            "SELECT receipt_number, id_number, name, insurance, year, tier_fen, amount_fen, due_fen "
            f"FROM receipt_line WHERE {scope} ORDER BY receipt_number, line_no"), bounds):
        lines[ln[0]].append(ReceiptLine(ln[1], ln[2], Insurance(ln[3]), ln[4], ln[5], ln[6], ln[7]))
    voids = {v[0]: VoidInfo(v[1], v[2], v[3], _dt(v[4])) for v in conn.execute((
        f"SELECT receipt_number, reason, agent, head, recorded_at FROM void WHERE {scope}"), bounds)}
    refunds = {r[0]: RefundInfo(r[1], r[2], r[3], r[4], _dt(r[5])) for r in conn.execute((
        "SELECT receipt_number, amount_fen, reason, agent, head, recorded_at "
        f"FROM refund_request WHERE {scope}"), bounds)}
    prints = {str(p[0]): int(p[1]) for p in conn.execute((
        f"SELECT receipt_number, COUNT(*) FROM print_event WHERE ok AND {scope} "
        "GROUP BY receipt_number"), bounds)}
    hashes = {int(h[0]): str(h[1]) for h in conn.execute((
        "SELECT seq, hash FROM journal WHERE seq BETWEEN :lo AND :hi"), bounds)}
    # A receipt is countersigned by the first settlement of its day recorded after it.
    rounds: dict[str, list[tuple[int, Countersign]]] = defaultdict(list)
    for st in conn.execute((
            "SELECT day, journal_seq, head, recorded_at, round_no FROM settlement "
            "WHERE day BETWEEN :first AND :last ORDER BY journal_seq"),
            {"first": first, "last": last}):
        rounds[str(st[0])].append((int(st[1]), Countersign(st[2], _dt(st[3]), int(st[4]))))
    out = []
    for row in rows:
        later = [c for seq, c in rounds.get(row.day_text, ()) if seq > row.journal_seq]
        village_code, device_no = row.number.split("-")[0], int(row.number.split("-")[1])
        out.append(Receipt(
            number=row.number, recorded_at=_dt(row.recorded_at_text), day=row.day, village_code=village_code,
            village_name=village_name, device_no=device_no, payer_id_number=row.payer_id_number,
            payer_name=row.payer_name, lines=tuple(lines.get(row.number, ())),
            total_fen=row.total_fen, cash_fen=row.cash_fen, change_fen=row.change_fen, agent=row.agent,
            payer_signoff=PayerSignoff(row.payer_signoff), signature_sha256=row.signature_sha256,
            override_reason=row.override_reason, hash=hashes[row.journal_seq],
            countersign=later[0] if later else None, void=voids.get(row.number),
            prints=prints.get(row.number, 0), refund=refunds.get(row.number)))
    return out


def _dt(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


