"""Receipts and voids: cash is recorded the moment it is taken, in one transaction."""

from __future__ import annotations

import builtins
import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from app.domain.config import ConfigError, CountyConfig
from app.domain.entries import (
    ABSENT,
    Line,
    PaidOnBehalfEntry,
    Payer,
    PrintEntry,
    ReceiptEntry,
    RefundEntry,
    VoidEntry,
)
from app.domain.ids import IdNumberError, parse_id_number
from app.domain.insurance import Category, Insurance
from app.domain.money import cash_question, format_fen
from app.domain.names import InvalidNameError, parse_name
from app.domain.paper import receipt_context
from app.domain.receipt_numbers import format_receipt_number
from app.domain.records import (
    PayerSignoff,
    Receipt,
    ReceiptLine,
    Role,
    UserInfo,
)
from app.domain.rules import payment_refusal, refund_refusal, settled_day_refusal, void_refusal
from app.services.errors import (
    CashConfirmationRequired,
    InvalidInput,
    NotFound,
    OverrideRequired,
    Refused,
    checked_reason,
)
from app.services.ledger import refuse_if_clock_behind
from app.services.months import refuse_if_month_closed
from app.services.receipt_books import next_serial
from app.services.setup import Setup
from app.services.signoff import (
    CASH_ROLES,
    check_countersign,
    check_head_may_take_cash,
    check_not_own,
    require_pin,
    signers,
)
from app.storage import projection as ledger
from app.storage import receipts as table
from app.storage import users
from app.storage.database import Clock, Database
from app.storage.projections import first_unsettled_day_before, last_settled_day
from app.storage.training import is_training


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
        self._training = is_training(db.home)  # a practice village's paper says 培训: asked once, not per receipt

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
                check_head_may_take_cash(agent, users.names_with_role(conn, Role.HEAD.value))
            _refuse_if_day_blocked(conn, today)
            built: list[ReceiptLine] = []
            categories: dict[str, str] = {}  # for the print context
            overridden: list[str] = []
            seen: set[tuple[str, str, int]] = set()
            for n, req in enumerate(lines, start=1):
                line, needs_override, category = _build_line(conn, config, req, n, today, seen)
                built.append(line)
                if category:
                    categories[line.id_number] = category
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
            serial = next_serial(conn)  # 统一票据: None where the village has no books registered
            seq = table.next_receipt_seq(conn)
            number = format_receipt_number(device.village_code, device.device_no, seq)
            entry = ReceiptEntry(
                number=number, receipt_seq=seq, day=today.isoformat(), village_code=device.village_code,
                device_no=device.device_no, payer=Payer(payer_id, payer), lines=tuple(map(_line_entry, built)),
                total_fen=total, cash_fen=cash_fen, change_fen=cash_fen - total, agent=agent.name,
                payer_signoff=payer_signoff.value, signature_sha256=sig_hash,
                override_reason=override if overridden else None, serial=ABSENT if serial is None else serial)
            if signature_png and sig_hash:
                table.insert_signature(conn, sig_hash, signature_png)
            appended = ledger.record(conn, now, entry, signers(agent))
        # Only now, after the commit, is the receipt acknowledged (shown, printed).
        return Receipt(
            number=number, recorded_at=now, day=today, village_code=device.village_code,
            village_name=device.village_name, device_no=device.device_no, payer_id_number=payer_id,
            payer_name=payer, lines=tuple(built), total_fen=total, cash_fen=cash_fen,
            change_fen=cash_fen - total, agent=agent.name, payer_signoff=payer_signoff,
            signature_sha256=sig_hash, override_reason=entry.override_reason, hash=appended.hash, serial=serial,
            print_context=receipt_context(device, config, categories, training=self._training))

    # -- voids -----------------------------------------------------------------------------

    def void(self, number: str, *, reason: str, agent: UserInfo, head: UserInfo) -> Receipt:
        reason = _countersigned("作废", reason, agent, head)
        now = self._clock()
        with self._db.write() as conn:
            row = _existing(conn, number)
            _refuse(void_refusal(row.number, row.day.isoformat(), *table.state(conn, row.number)))
            check_not_own("作废", head=head, collectors=[row.agent], conn=conn)
            refuse_if_clock_behind(conn, now)
            ledger.record(conn, now, VoidEntry(row.number, row.day.isoformat(), reason, agent.name, head.name),
                          signers(agent, head))
        return self.get(number.strip())

    # -- 代为缴费 ----------------------------------------------------------------------------

    def record_paid_on_behalf(self, number: str, *, voucher: str, channel: str, by: UserInfo) -> Receipt:
        """The agent paid the receipt in the tax system on the payer's behalf (003 第三十条:
        第一时间代为完成缴费): the voucher number the tax system gave is kept with the receipt,
        for the 缴费证明 and for the county to match against the tax data."""
        require_pin(by)
        if by.role not in CASH_ROLES:
            raise Refused(f"「{by.name}」是{by.role.label}，不经手现金，不能登记代为缴费")
        if not self._setup.config.pays_on_behalf:
            raise Refused("本县的县级配置是收现后解缴（after_cash = remit），不登记代为缴费")
        voucher = " ".join(voucher.split())
        if not 4 <= len(voucher) <= 40:
            raise InvalidInput("缴费凭证号（电子税票号）：应为 4–40 个字符，照税务系统显示的填写")
        channel = " ".join(channel.split()) or "电子税务局"
        if len(channel) > 20:
            raise InvalidInput("代缴渠道：不超过 20 个字，如 电子税务局、微信小程序、社保缴费客户端")
        now = self._clock()
        with self._db.write() as conn:
            row = _existing(conn, number)
            state, paid = table.state(conn, row.number)
            _refuse(payment_refusal(row.number, state, paid, row.total_fen, row.total_fen))
            refuse_if_clock_behind(conn, now)
            ledger.record(conn, now, PaidOnBehalfEntry(row.number, voucher, channel, row.total_fen, now.isoformat(),
                                                       by.name))
        return self.get(row.number)

    def unpaid_on_behalf(self, day: date | None = None) -> list[str]:
        """Receipts still to be paid on the payers' behalf (a county that pays on their behalf)."""
        with self._db.read() as conn:
            return table.unpaid_on_behalf(conn, day)

    # -- refund requests -------------------------------------------------------------------

    def request_refund(self, number: str, *, reason: str, agent: UserInfo, head: UserInfo) -> Receipt:
        """退费申请 for a receipt of a closed day: the receipt stays, the county refunds."""
        reason = _countersigned("退费申请", reason, agent, head)
        now = self._clock()
        with self._db.write() as conn:
            row = _existing(conn, number)
            state, _paid = table.state(conn, row.number)
            _refuse(refund_refusal(row.number, row.day.isoformat(), state, row.total_fen, row.total_fen))
            check_not_own("退费申请", head=head, collectors=[row.agent], conn=conn)
            refuse_if_clock_behind(conn, now)
            ledger.record(conn, now, RefundEntry(row.number, row.day.isoformat(), row.total_fen, reason, agent.name,
                                                 head.name), signers(agent, head))
        return self.get(number.strip())

    # -- printing bookkeeping --------------------------------------------------------------

    def record_print(self, number: str, *, ok: bool, error: str | None = None) -> int:
        """Log a print attempt; returns the copy number it was (0 = the original)."""
        with self._db.write() as conn:
            if not table.has(conn, "receipt", number, key="number"):
                raise NotFound(f"没有收据 {number}")
            done = table.copies_printed(conn, number)
            now = self._clock()
            # Journalled too: deleting a print row to hide a copy (补打) breaks verify.
            ledger.record(conn, now, PrintEntry(number, ok, done, error))
            return done

    # -- reading ---------------------------------------------------------------------------

    def get(self, number: str) -> Receipt:
        village = self._setup.device.village_name
        with self._db.read() as conn:
            return table.receipts(conn, [_existing(conn, number)], village)[0]

    def list(self, day: date | None = None, *, start: date | None = None,
             end: date | None = None) -> list[Receipt]:
        """Receipts of one day, or of start..end inclusive (on the day index), or all."""
        if day is not None:
            start = end = day
        village = self._setup.device.village_name
        with self._db.read() as conn:
            return table.receipts(conn, table.headers(conn, start, end), village)

    def print_history(self, number: str) -> builtins.list[tuple[datetime, bool, int, str | None]]:
        """Every print attempt of a receipt: (when, printed, copy number, what went wrong)."""
        with self._db.read() as conn:
            return table.print_history(conn, number)

    def signature(self, sha256: str) -> bytes | None:
        with self._db.read() as conn:
            return table.signature(conn, sha256)


def _existing(conn: sqlite3.Connection, number: str) -> table.Header:
    row = table.header(conn, number)
    if row is None:
        raise NotFound(f"没有收据 {number}")
    return row


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
    refuse_if_month_closed(conn, today, "本月不能再收款：下月再收，或联系乡镇社保所")
    # Cash taken on a day already settled goes into that day's next settlement round.
    last = last_settled_day(conn)
    _refuse(settled_day_refusal(today.isoformat(), last.isoformat() if last else ""))


def _refuse(refusal: str | None) -> None:
    """A ledger rule's refusal (app/domain/rules.py), before anything is written."""
    if refusal is not None:
        raise Refused(refusal)


def _build_line(conn: sqlite3.Connection, config: CountyConfig, req: LineRequest, n: int, today: date,
                seen: set[tuple[str, str, int]]) -> tuple[ReceiptLine, str | None, str]:
    where = f"第{n}行"
    try:
        idn = parse_id_number(req.id_number, today=today).value
    except IdNumberError as exc:
        raise InvalidInput(f"{where}：{exc}") from None
    row = table.line_facts(conn, idn, req.insurance.value, req.year)
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
    return (ReceiptLine(idn, name, req.insurance, req.year, tier, amount, due), needs_override, category)


def _payer(conn: sqlite3.Connection, payer_id: str | None, payer_name: str | None,
           lines: list[ReceiptLine]) -> tuple[str, str]:
    if not payer_id:
        return lines[0].id_number, lines[0].name
    try:
        idn = parse_id_number(payer_id).value
    except IdNumberError as exc:
        raise InvalidInput(f"缴费人：{exc}") from None
    listed = table.person_name(conn, idn)
    if listed is not None:
        return idn, listed
    if not payer_name:
        raise InvalidInput(f"缴费人 {idn} 不在清册中，请同时填写缴费人姓名")
    try:
        return idn, parse_name(payer_name)
    except InvalidNameError as exc:
        raise InvalidInput(f"缴费人：{exc}") from None


def _line_entry(line: ReceiptLine) -> Line:
    return Line(line.id_number, line.name, line.insurance.value, line.year, line.tier_fen, line.amount_fen,
                line.due_fen)
