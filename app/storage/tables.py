"""The desk's tables as SQLModel classes: the typed declaration of the newest schema, which
tests/core/test_schema.py holds column by column to the frozen SQL in schema/vN.sql. The desk
itself reads and writes through the plain-sqlite3 modules beside this one (receipts, settlements,
roster, users, settings, journal); nothing at run time imports this module (import-linter).

The journal and its projections are insert-only (triggers refuse changes). Times are naive
local wall time: one county, one time zone, written as the clerk saw it.
"""

from __future__ import annotations

from datetime import date

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class DeviceRow(SQLModel, table=True):
    __tablename__ = "device"
    id: int = Field(default=1, primary_key=True)
    village_code: str
    village_name: str
    township_code: str
    township_name: str = ""
    device_no: int
    created_at: NaiveDatetime


class SettingRow(SQLModel, table=True):
    """Plain key/value settings (county configuration JSON, printer, server, ...)."""

    __tablename__ = "setting"
    key: str = Field(primary_key=True)
    value: str


class UserRow(SQLModel, table=True):
    __tablename__ = "user"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    role: str
    pin_salt: bytes
    pin_hash: bytes
    pin_kdf: str = "scrypt$16384$8$1"  # the cost the hash was made with (schema v4)
    failed_attempts: int = 0
    locked_until: NaiveDatetime | None = None
    active: bool = True
    created_at: NaiveDatetime


class PersonRow(SQLModel, table=True):
    """One resident of the village roster (征收清册)."""

    __tablename__ = "person"
    id_number: str = Field(primary_key=True)
    name: str
    group_name: str = Field(default="", index=True)  # 村民小组
    household_no: str = Field(default="", index=True)  # 户号
    household_head: str = ""
    phone: str = ""
    category: str = "一般"
    birth_date: date
    sex: str
    removed: bool = False  # no longer in the newest roster: kept, never deleted
    roster_version: int = 0
    pinyin_initials: str = ""  # search keys, loaded by the in-memory index (never searched by SQL)
    pinyin_full: str = ""


class DueRow(SQLModel, table=True):
    """What one person should pay for one insurance and year."""

    __tablename__ = "due"
    id: int | None = Field(default=None, primary_key=True)
    id_number: str = Field(foreign_key="person.id_number")  # looked up through ux_due
    insurance: str
    year: int  # no index (schema v9): a desk holds a few years, each read near whole
    tier_fen: int | None = None  # pension: the roster's tier, the desk's default
    amount_fen: int | None = None  # the roster's 应缴金额, if given
    paid_elsewhere: str | None = None  # channel (微信, 银行代扣, ...) when paid outside this desk
    removed: bool = False
    roster_version: int = 0


class JournalRow(SQLModel, table=True):
    """Append-only, hash-chained ledger journal."""

    __tablename__ = "journal"
    seq: int = Field(primary_key=True)
    kind: str
    recorded_at: str
    body: str  # canonical JSON of the entry
    prev_hash: str
    hash: str = Field(unique=True)


class ReceiptRow(SQLModel, table=True):
    __tablename__ = "receipt"
    number: str = Field(primary_key=True)
    receipt_seq: int = Field(unique=True)
    journal_seq: int = Field(foreign_key="journal.seq", unique=True)
    day: date  # looked up through ix_receipt_day_seq (day, journal_seq)
    recorded_at: NaiveDatetime
    payer_id_number: str
    payer_name: str
    agent: str
    total_fen: int
    cash_fen: int
    change_fen: int
    payer_signoff: str
    signature_sha256: str | None = None
    override_reason: str | None = None


class ReceiptLineRow(SQLModel, table=True):
    __tablename__ = "receipt_line"
    receipt_number: str = Field(foreign_key="receipt.number", primary_key=True)
    line_no: int = Field(primary_key=True)
    id_number: str  # looked up through ix_receipt_line_paid (id_number, insurance, year)
    name: str
    insurance: str
    year: int
    tier_fen: int | None = None
    amount_fen: int
    due_fen: int


class VoidRow(SQLModel, table=True):
    __tablename__ = "void"
    receipt_number: str = Field(foreign_key="receipt.number", primary_key=True)
    journal_seq: int = Field(foreign_key="journal.seq", unique=True)
    day: date
    recorded_at: NaiveDatetime
    reason: str
    agent: str
    head: str


class SettlementRow(SQLModel, table=True):
    __tablename__ = "settlement"
    day: date = Field(primary_key=True)
    round_no: int = Field(default=1, primary_key=True)  # a day's later cash is settled in round 2, ...
    journal_seq: int = Field(foreign_key="journal.seq", unique=True)
    recorded_at: NaiveDatetime
    expected_fen: int
    counted_fen: int
    difference_fen: int
    reason: str | None = None
    denominations: str = "{}"  # JSON: denomination fen -> count
    receipts: int
    voids: int
    agent: str
    head: str


class RemittanceRow(SQLModel, table=True):
    __tablename__ = "remittance"
    journal_seq: int = Field(foreign_key="journal.seq", primary_key=True)
    slip_no: str = Field(unique=True)
    amount_fen: int
    day: date
    recorded_at: NaiveDatetime
    settled_days: str  # JSON list of ISO dates


class RefundRequestRow(SQLModel, table=True):
    """退费申请: a receipt of a closed day that must be refunded (the county pays it back)."""

    __tablename__ = "refund_request"
    receipt_number: str = Field(foreign_key="receipt.number", primary_key=True)
    journal_seq: int = Field(foreign_key="journal.seq", unique=True)
    recorded_at: NaiveDatetime
    amount_fen: int
    reason: str
    agent: str
    head: str


class PaidOnBehalfRow(SQLModel, table=True):
    """代为缴费: the receipt's payment in the tax system, made by the agent at once (第三十条)."""

    __tablename__ = "paid_on_behalf"
    receipt_number: str = Field(foreign_key="receipt.number", primary_key=True)
    journal_seq: int = Field(foreign_key="journal.seq", unique=True)
    recorded_at: NaiveDatetime
    voucher: str
    channel: str
    amount_fen: int
    agent: str


class ReceiptSerialRow(SQLModel, table=True):
    """统一票据: each serial of the county's receipt books used by a receipt, or spoiled."""

    __tablename__ = "receipt_serial"
    serial: str = Field(primary_key=True)
    journal_seq: int = Field(foreign_key="journal.seq")
    receipt_number: str | None = Field(default=None, foreign_key="receipt.number", index=True)
    spoiled_reason: str | None = None


class SignatureRow(SQLModel, table=True):
    """Payer signature images, addressed by their SHA-256 (which the journal entry carries)."""

    __tablename__ = "signature"
    sha256: str = Field(primary_key=True)
    png: bytes


class PrintEventRow(SQLModel, table=True):
    """Every attempt to print a receipt: a failed first print is not a copy (补打)."""

    __tablename__ = "print_event"
    id: int | None = Field(default=None, primary_key=True)
    receipt_number: str = Field(foreign_key="receipt.number", index=True)
    recorded_at: NaiveDatetime
    ok: bool
    copy_no: int = 0
    error: str | None = None


# Tables in which no row is ever updated or deleted.
APPEND_ONLY = ("journal", "receipt", "receipt_line", "void", "settlement", "remittance",
               "signature", "print_event", "refund_request", "paid_on_behalf", "receipt_serial")
