"""Frozen results that services return and that screens and printers consume.

Widgets and renderers never see an ORM row or a database session: only these values.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from app.domain.countersign import Signer
from app.domain.groups import village_order
from app.domain.ids import sex_of
from app.domain.insurance import Insurance


class Role(StrEnum):
    AGENT = "agent"  # 代收员
    HEAD = "head"  # 村委会负责人
    TOWNSHIP = "township"  # 乡镇社保中心
    ADMIN = "admin"
    GRID = "grid"  # 网格员: records visits and prints lists, takes no cash (issue 25)

    @property
    def label(self) -> str:
        return {"agent": "代收员", "head": "村委会负责人", "township": "乡镇审核员", "admin": "管理员",
                "grid": "网格员"}[self.value]


class PayerSignoff(StrEnum):
    """How the payer signed for the cash they handed over."""

    PAPER = "paper"  # signed / thumb-printed on the paper ledger
    FINGERPRINT = "fingerprint"  # fingerprint taken on the device
    SIGNATURE = "signature"  # signature pad image stored with the receipt

    @property
    def label(self) -> str:
        return {"paper": "纸质台账签字", "fingerprint": "已采集手印", "signature": "电子签名"}[self.value]


@dataclass(frozen=True)
class Device:
    village_code: str
    village_name: str
    township_code: str
    township_name: str
    device_no: int


@dataclass(frozen=True)
class UserInfo:
    """A user as the services know them. `proof` is set only by `Users.authenticate` (see
    app/services/signoff.py): a service that acts in someone's name refuses a UserInfo without
    it, so no caller can make one up from a name and a role."""

    name: str
    role: Role
    locked_until: datetime | None = None  # naive UTC, so a time zone change cannot move it
    proof: bytes = field(default=b"", repr=False, compare=False)
    # The user's signing key, unlocked by the PIN that `Users.authenticate` just checked: the
    # services sign the entries that name this user with it (app/domain/countersign.py).
    signer: Signer | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class ReceiptLine:
    id_number: str
    name: str
    insurance: Insurance
    year: int
    tier_fen: int | None  # pension only
    amount_fen: int
    due_fen: int


@dataclass(frozen=True)
class Countersign:
    head: str
    at: datetime
    round_no: int = 1  # which settlement of the day covered the receipt (2 for cash taken after the first)


@dataclass(frozen=True)
class VoidInfo:
    reason: str
    agent: str
    head: str
    at: datetime


@dataclass(frozen=True)
class PaidInfo:
    """代为缴费: the agent paid the receipt in the tax system on the payer's behalf (第三十条)."""

    voucher: str  # 缴费凭证号 / 电子税票号 the tax system gave
    channel: str  # 电子税务局, 微信小程序, 社保缴费客户端, POS机 …
    amount_fen: int
    agent: str
    at: datetime


@dataclass(frozen=True)
class RefundInfo:
    """退费申请 recorded for a receipt of a closed day; the county pays the money back."""

    amount_fen: int
    reason: str
    agent: str
    head: str
    at: datetime


@dataclass(frozen=True)
class ReceiptContext:
    """What the record alone does not say and the county wants on the receipt."""

    township_name: str = ""
    collection_phone: str = ""  # 咨询电话 from the county configuration
    verify_url: str = ""  # 收据查验地址: the QR leads there with the number and check code
    parts: str = "payer"  # "both": the payer's part, a cut, and the stub kept with the 台账
    standard_fen: dict[tuple[str, int], int] | None = None  # (insurance, year) -> the standard amount
    categories: dict[str, str] | None = None  # ID number -> 人员类别
    training: bool = False  # 培训模式 (app/training.py): every part says it is practice paper


@dataclass(frozen=True)
class Receipt:
    number: str
    recorded_at: datetime
    day: date
    village_code: str
    village_name: str
    device_no: int
    payer_id_number: str
    payer_name: str
    lines: tuple[ReceiptLine, ...]
    total_fen: int
    cash_fen: int
    change_fen: int
    agent: str
    payer_signoff: PayerSignoff
    signature_sha256: str | None
    override_reason: str | None
    hash: str  # the journal entry's chained hash
    countersign: Countersign | None = None
    void: VoidInfo | None = None
    prints: int = 0  # successful prints so far; the next one is a copy (补打) when > 0
    refund: RefundInfo | None = None
    paid: PaidInfo | None = None  # 代为缴费, in a county that pays on the payer's behalf
    serial: str | None = None  # 票号 of the county's uniform receipt (统一票据), where books are registered
    # What printing it needs beyond the record, when recording it just now gathered that too
    # (one trip to the database for the receipt and its print); None when read back later.
    print_context: ReceiptContext | None = field(default=None, compare=False, repr=False)

    @property
    def status(self) -> str:
        return "voided" if self.void else "valid"

    @property
    def short_hash(self) -> str:
        return self.hash[:12]


@dataclass(frozen=True)
class Settlement:
    day: date
    settled_at: datetime
    expected_fen: int
    counted_fen: int
    difference_fen: int
    reason: str | None
    denominations: dict[int, int]  # denomination in fen -> count
    receipts: int
    voids: int
    agent: str
    head: str
    hash: str
    receipt_numbers: tuple[str, ...] = field(default_factory=tuple)
    round_no: int = 1  # 第N次日结 of the day: cash taken after a day was settled is settled again

    @property
    def title(self) -> str:
        """「2026-11-20 日结」, or 「2026-11-20 第2次日结」 for a later round."""
        return f"{self.day.isoformat()} " + (f"第{self.round_no}次日结" if self.round_no > 1 else "日结")


@dataclass(frozen=True)
class Remittance:
    slip_no: str
    amount_fen: int
    day: date
    recorded_at: datetime
    settled_days: tuple[date, ...]
    hash: str


@dataclass(frozen=True)
class CashPosition:
    """Where the collected cash is: on hand (unsettled + settled not remitted) and remitted."""

    unsettled_fen: int
    settled_not_remitted_fen: int
    remitted_fen: int

    @property
    def on_hand_fen(self) -> int:
        return self.unsettled_fen + self.settled_not_remitted_fen


@dataclass(frozen=True)
class DueInfo:
    """One insurance-year a person owes, and whether and how it was paid."""

    insurance: Insurance
    year: int
    tier_fen: int | None
    due_fen: int  # what the person pays in cash (after government subsidy)
    paid_cash_receipt: str | None = None  # receipt number when paid at this desk
    paid_elsewhere: str | None = None  # channel when paid through WeChat, bank debit, ...
    removed: bool = False
    paid_tier_fen: int | None = None  # pension tier of the cash receipt, which may differ from the roster's

    @property
    def paid(self) -> bool:
        return bool(self.paid_cash_receipt or self.paid_elsewhere)


@dataclass(frozen=True, slots=True)
class Person:
    """A roster person's own details (征收清册): the one type the search index keeps in memory
    and that every richer record of a person (PersonInfo, UnpaidPerson) extends."""

    id_number: str
    name: str
    group: str  # 村民小组
    household_no: str  # 户号
    household_head: str  # 户主
    phone: str
    category: str  # 人员类别 as the roster wrote it
    removed: bool  # dropped from the newest roster (kept: cash may have been taken)

    @property
    def household_key(self) -> str:
        """户号 when the roster has one, else the head's name within the group."""
        if self.household_no:
            return "no:" + self.household_no
        if self.household_head:
            return f"head:{self.group}\x1f{self.household_head}"
        return "self:" + self.id_number

    @property
    def village_order(self) -> tuple[object, ...]:
        """Where the person stands in the village's paper lists: group, household, head first."""
        return village_order(self.group, self.household_no, self.household_head, self.name)

    def own(self) -> dict[str, Any]:
        """The person's own details by field name, to build a richer record from."""
        return {name: getattr(self, name) for name in _PERSON_FIELDS}


_PERSON_FIELDS = tuple(f.name for f in fields(Person))


@dataclass(frozen=True, slots=True)
class PersonInfo(Person):
    """A person with what they owe and what is paid (the desk's search results and household)."""

    birth_date: date
    sex: str
    dues: tuple[DueInfo, ...] = ()

    @classmethod
    def of(cls, person: Person, dues: tuple[DueInfo, ...]) -> PersonInfo:
        idn = person.id_number  # a checked ID: its birth date and sex are read from it
        born = date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
        return cls(**person.own(), birth_date=born, sex=sex_of(idn), dues=dues)


@dataclass(frozen=True)
class ProgressLine:
    """Collection progress for one insurance and year, for the village or one group."""

    insurance: Insurance
    year: int
    group: str  # "" for the whole village
    due: int  # people listed for this insurance (removed ones only when they paid cash)
    paid_cash: int  # paid at this desk (receipt not voided)
    paid_elsewhere: int  # WeChat, bank debit, ... per the county's roster
    subsidised: int  # the government pays it all: nothing to collect
    unpaid: int
    collected_fen: int  # cash taken at this desk (valid receipts)
    outstanding_fen: int  # what the unpaid still owe
    removed_paid: int = 0  # paid in cash, then dropped from the roster: the county must see it


@dataclass(frozen=True)
class RosterProgress:
    year: int
    totals: tuple[ProgressLine, ...]  # one per insurance
    groups: tuple[ProgressLine, ...]  # per insurance, then per group


@dataclass(frozen=True, slots=True)
class UnpaidPerson(Person):
    """One person on the unpaid list, with what they still owe (for door-to-door reminders)."""

    dues: tuple[DueInfo, ...]

    @classmethod
    def of(cls, person: Person, dues: tuple[DueInfo, ...]) -> UnpaidPerson:
        return cls(**person.own(), dues=dues)

    @property
    def total_fen(self) -> int:
        return sum(d.due_fen for d in self.dues)
