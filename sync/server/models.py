"""The county server's tables (SQLModel, a registry of their own so the desk's tables never mix in).

The schema of each version is frozen in an Alembic revision under migrations/versions; a test
checks these models and the migrated database agree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class ServerModel(SQLModel, registry=registry()):
    pass


def table_of(model: type[ServerModel]) -> Table:
    """A model's Core table: multi-row inserts through it skip the ORM's per-row work (several
    times the cost of the INSERT itself for an upload's 200 receipts)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


class ServerKey(ServerModel, table=True):
    """Where a server from before kept its Ed25519 signing key. The key now lives in a file of its
    own (keyfile.py), so a copy of the database signs nothing; the first start moves a key found
    here into that file and deletes the row. Kept as a table so older databases migrate."""

    __tablename__ = "server_key"
    id: int = Field(default=1, primary_key=True)
    private_pem: str = Field(sa_column=Column(Text, nullable=False))
    public_key: str  # base64 of the raw 32 bytes, handed to each device at enrolment
    created_at: datetime


class Village(ServerModel, table=True):
    __tablename__ = "village"
    code: str = Field(primary_key=True)  # 12-digit village code
    township_code: str = Field(index=True)
    name: str = ""


class Device(ServerModel, table=True):
    __tablename__ = "device"
    __table_args__ = (UniqueConstraint("village_code", "device_no"),)
    id: str = Field(primary_key=True)  # "<village_code>-<device_no>"
    village_code: str = Field(index=True)
    device_no: int
    public_key: str | None = None  # base64 Ed25519; None until the device enrols
    token_sha256: str | None = Field(default=None, index=True)
    held_seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    held_hash: str = "0" * 64
    rules_state: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # ChainRules JSON
    enrolled_at: datetime | None = None
    last_seen_at: datetime | None = None
    program_version: str | None = None  # of the desk's last upload (migration 0002)


class EnrolmentCode(ServerModel, table=True):
    __tablename__ = "enrolment_code"
    code_sha256: str = Field(primary_key=True)
    device_id: str = Field(index=True)
    expires_at: datetime
    used_at: datetime | None = None
    failed: int = 0


class Entry(ServerModel, table=True):
    """One journal entry as the device wrote it: never updated, never deleted."""

    __tablename__ = "entry"
    # The unique (device_id, seq) index serves every lookup by device: no index on device_id alone.
    __table_args__ = (UniqueConstraint("device_id", "seq"),)
    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"),
                                                           primary_key=True, autoincrement=True))
    device_id: str
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str
    recorded_at: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str
    hash: str
    received_at: datetime


class Receipt(ServerModel, table=True):
    """What the public receipt check and review read, derived from receipt entries."""

    __tablename__ = "receipt"
    number: str = Field(primary_key=True)
    device_id: str = Field(index=True)
    village_code: str = Field(index=True)
    day: str = Field(index=True)
    total_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    check_code: str  # the first 12 hex of the entry's hash: the 校验码 printed on the receipt
    status: str = "有效"  # 有效 / 已作废 / 已申请退费


class Remittance(ServerModel, table=True):
    __tablename__ = "remittance"
    id: int | None = Field(default=None, primary_key=True)
    device_id: str = Field(index=True)
    village_code: str = Field(index=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    slip_no: str = Field(index=True)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    day: str


class Conflict(ServerModel, table=True):
    """Entries that differ from what is held under the same sequence: a forked ledger, kept for
    county and township staff and never applied."""

    __tablename__ = "conflict"
    id: int | None = Field(default=None, primary_key=True)
    device_id: str = Field(index=True)
    village_code: str = Field(index=True)
    first_seq: int = Field(sa_column=Column(BigInteger, nullable=False))  # the first differing entry
    held_hash: str
    sent_hash: str
    batch: str = Field(sa_column=Column(Text, nullable=False))  # the refused batch, as sent
    received_at: datetime


class Staff(ServerModel, table=True):
    __tablename__ = "staff"
    name: str = Field(primary_key=True)
    role: str  # county | township
    township_code: str | None = None
    password_salt: str
    password_hash: str
    failed: int = 0
    locked_until: datetime | None = None


class StaffSession(ServerModel, table=True):
    __tablename__ = "staff_session"
    token_sha256: str = Field(primary_key=True)
    name: str = Field(index=True)
    expires_at: datetime


class RosterVersion(ServerModel, table=True):
    """A village's roster as the county loaded it; the desk pulls versions newer than its own."""

    __tablename__ = "roster_version"
    id: int | None = Field(default=None, primary_key=True)
    village_code: str = Field(index=True)
    version: int
    rows: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of row dicts
    sha256: str
    loaded_at: datetime


class CountyConfigVersion(ServerModel, table=True):
    __tablename__ = "county_config"
    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str
    loaded_at: datetime


class Payment(ServerModel, table=True):
    """Paid through another channel (WeChat, bank debit): the desk must not take cash for it."""

    __tablename__ = "payment"
    id: int | None = Field(default=None, primary_key=True)
    village_code: str = Field(index=True)
    id_number: str = Field(index=True)  # the county's check of cash against other channels
    insurance: str
    year: int
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    channel: str
    paid_on: str


class Confirmation(ServerModel, table=True):
    """入库: the bank or tax office confirms cash remitted under a slip number."""

    __tablename__ = "confirmation"
    id: int | None = Field(default=None, primary_key=True)
    village_code: str | None = Field(default=None, index=True)  # slips are numbered per village
    slip_no: str = Field(index=True)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    confirmed_on: str
    loaded_at: datetime


class PaidLine(ServerModel, table=True):
    """One receipt line as the county holds it: who paid which insurance for which year, where.
    What the county alone can compare (one person paid twice in a village, in two villages, or in
    cash and through another channel); its status follows the receipt's voids and refunds."""

    __tablename__ = "paid_line"
    __table_args__ = (Index("ix_paid_line_person", "id_number", "insurance", "year"),)
    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"),
                                                           primary_key=True, autoincrement=True))
    village_code: str = Field(index=True)
    device_id: str
    receipt_number: str = Field(index=True)
    id_number: str
    insurance: str
    year: int
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    status: str = "有效"  # 有效 / 已作废 / 已申请退费


class CountyFlag(ServerModel, table=True):
    """Something the county's own checks found in an accepted upload, for a township's staff:
    an amount other than the county's roster says (with the desk's override reason), one person
    paid in two villages or in cash and through another channel. Written once, never changed."""

    __tablename__ = "county_flag"
    id: int | None = Field(default=None, primary_key=True)
    code: str
    township_code: str = Field(index=True)  # whose staff see it: the township of village_code
    village_code: str = Field(index=True)  # the village concerned (one row per village concerned)
    device_id: str
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    ref: str  # the receipt number
    reason: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime


class UploadRefusal(ServerModel, table=True):
    """An upload the county refused by a rule, kept for staff with its reason (nothing of the
    upload itself is stored: the desk sends it again once the cause is put right)."""

    __tablename__ = "upload_refusal"
    id: int | None = Field(default=None, primary_key=True)
    device_id: str = Field(index=True)
    village_code: str = Field(index=True)
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    code: str
    message: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime


# -- progress against the targets (issue 24): names, targets, each roster's dues, summaries --

class Township(ServerModel, table=True):
    """A township's name as the county's 区划 list gives it (`daishou-server places load`)."""

    __tablename__ = "township"
    code: str = Field(primary_key=True)  # 9 digits
    name: str = ""


class ProgressTarget(ServerModel, table=True):
    """A target the county set: the newest row for (year, scope, measure) is in force; older rows
    stay as the history of what was set when."""

    __tablename__ = "progress_target"
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    scope: str = ""  # "" the county, 9 digits a township, 12 digits a village
    measure: str  # a key of MEASURES
    percent_x100: int  # 98% is 9800
    set_at: datetime


class RosterDue(ServerModel, table=True):
    """One due of a roster version as the county judged it when the version was loaded (what the
    person pays under the configuration then in force): what progress counts in SQL, without
    reading the version's JSON again. Written with the version, never changed."""

    __tablename__ = "roster_due"
    __table_args__ = (Index("ix_roster_due_version_year", "roster_version_id", "year"),)
    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"),
                                                           primary_key=True, autoincrement=True))
    roster_version_id: int
    village_code: str
    id_number: str
    insurance: str
    year: int
    due_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    mark: str = ""  # the roster's 已缴 channel, "" when not marked paid
    band: str = ""  # 续费率 age band for the due's year (app/domain/renewal.py), "" outside them
    config_sha256: str = ""  # the configuration the due was judged under


class ProgressSummary(ServerModel, table=True):
    """A village's progress for one period as last computed, under the fingerprint of what it was
    computed from (progress.py): a cache kept in the database, so that the overview's first load
    after a restart reads it instead of counting every village again. Replaced when the
    fingerprint changes; never a source of figures on its own."""

    __tablename__ = "progress_summary"
    village_code: str = Field(primary_key=True)
    period: str = Field(primary_key=True)  # "year|from|to"
    fingerprint: str  # sha256 of the roster version, configuration, payments and chains counted
    body: str = Field(sa_column=Column(Text, nullable=False))  # Progress as JSON
    computed_at: datetime = Field(index=True)  # pruned by age (progress_sql.prune)


class VillageCount(ServerModel, table=True):
    """A village's progress for the whole of each benefit year its newest roster lists, counted in
    the transaction that changed what it is counted from (an upload's cash lines or voids, a
    roster version, a payment through another channel: progress_count.py), so the overview reads
    one row per village instead of counting. Derived, never a source of figures on its own:
    `daishou-server check` counts every village again and compares."""

    __tablename__ = "village_count"
    village_code: str = Field(primary_key=True)
    config_sha256: str  # the configuration its dues were judged under ("" none)
    roster_version: int | None = None  # the newest roster version's number counted
    body: str = Field(sa_column=Column(Text, nullable=False))  # {year: Progress as stored}
    stamp: str  # new at each count: a process keeps the parsed body while the stamp is the same
    counted_at: datetime


class DeviceFigure(ServerModel, table=True):
    """A device's review reduced to what the overview shows (app/domain/review_figures.py): its
    receipts and money, its flags that no day changes, and what the day-dependent rules read,
    kept in the transaction of the upload that grew its chain (device_figures.py), so the overview
    reviews no ledger. Derived: `daishou-server check` reviews every chain again and compares."""

    __tablename__ = "device_figure"
    device_id: str = Field(primary_key=True)
    held_seq: int = Field(sa_column=Column(BigInteger, nullable=False))  # the chain reviewed ends here
    held_hash: str
    receipts: int
    collected_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    settled_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    remitted_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    flags: int  # the flags no day changes
    labels: str = Field(sa_column=Column(Text, nullable=False))  # JSON: their label -> how many
    # review_figures.DayInputs.key(): the same text for devices whose day-dependent rules read the same
    pending: str = Field(sa_column=Column(Text, nullable=False))
    counted_at: datetime
