"""One typed class per journal kind: the single definition of what an entry's data holds.

The services build these to write (`journal.append` takes one), the desk's projection writes its
rows from one (`app/storage/projection.py`), and whoever reads entries back — review, the sync
protocol, the county server — parses them with `parse_entry`. The canonical bytes the hash chain
covers come from `to_data()`: the same keys, values and omissions the program always wrote, so
the chain of a ledger written before these classes existed is byte for byte what they produce
(tests/core/test_release_ledger.py replays one).

Why frozen dataclasses (and not pydantic models): they cost nothing to import (`daishou cash`
answers without loading a validation library) and the classes are only built where an entry is
written or read one at a time. The chain walk of `verify` checks 100,000 bodies parsed by orjson
and does not build an object per entry: building even a slotted dataclass per receipt and per
line would add about as much as the whole walk costs today. Its rule functions
(app/domain/rules.py) take plain values, so the walk and the services share them without it.

A field that older releases did not write (a settlement's `round`, a remittance's `by`, the
uniform-receipt fields of a month close, the signatures `sigs` and a user's `sign_key`) defaults
to `ABSENT`: it is left out of `to_data()`, so an old entry keeps its bytes; a field with no
default is required. What a signature covers is defined in app/domain/countersign.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.door_entries import DOOR_ENTRY_CLASSES
from app.domain.entry_base import ABSENT, Absent, Entry, EntryError, Part

__all__ = ["ABSENT", "Absent", "Entry", "EntryError", "Part"]


# -- cash --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Payer(Part):
    id_number: str
    name: str


@dataclass(frozen=True, slots=True)
class Line(Part):
    id_number: str
    name: str
    insurance: str  # Insurance value: "medical" / "pension"
    year: int
    tier_fen: int | None  # pension only
    amount_fen: int
    due_fen: int


@dataclass(frozen=True, slots=True)
class ReceiptEntry(Entry):
    """收据: cash taken, one payer, one or more lines."""

    KIND = "receipt"
    NESTED = {"payer": Payer, "lines": Line}
    number: str
    receipt_seq: int
    day: str
    village_code: str
    device_no: int  # the PC's number within the village (01, 02 …)
    payer: Payer
    lines: tuple[Line, ...]
    total_fen: int
    cash_fen: int
    change_fen: int
    agent: str
    payer_signoff: str
    signature_sha256: str | None
    override_reason: str | None
    serial: str | Absent = ABSENT  # 票号 of the county's uniform receipt, where books are registered
    sigs: dict[str, str] | Absent = ABSENT  # name -> Ed25519 signature (app/domain/countersign.py)


@dataclass(frozen=True, slots=True)
class VoidEntry(Entry):
    """作废 of a receipt of an open round, countersigned."""

    KIND = "void"
    number: str
    day: str  # the receipt's day
    reason: str
    agent: str
    head: str  # who countersigned
    sigs: dict[str, str] | Absent = ABSENT  # name -> Ed25519 signature (app/domain/countersign.py)


@dataclass(frozen=True, slots=True)
class RefundEntry(Entry):
    """退费申请 for a receipt of a settled day, countersigned."""

    KIND = "refund_request"
    number: str
    day: str
    amount_fen: int  # the receipt's total, paid back by the county
    reason: str
    agent: str
    head: str
    sigs: dict[str, str] | Absent = ABSENT  # name -> Ed25519 signature (app/domain/countersign.py)


@dataclass(frozen=True, slots=True)
class PaidOnBehalfEntry(Entry):
    """代为缴费: the receipt paid in the tax system on the payer's behalf."""

    KIND = "paid_on_behalf"
    number: str
    voucher: str  # 缴费凭证号 / 电子税票号 the tax system gave
    channel: str  # 电子税务局, 微信小程序, 社保缴费客户端, POS机 …
    amount_fen: int
    paid_at: str  # when it was paid (ISO time)
    by: str


@dataclass(frozen=True, slots=True)
class PrintEntry(Entry):
    """One print attempt of a receipt (the original or a 补打)."""

    KIND = "print"
    number: str
    ok: bool  # the printer took it
    copy_no: int  # 0 for the original, then each 补打
    error: str | None


@dataclass(frozen=True, slots=True)
class SettlementEntry(Entry):
    """日结: one settlement round of a day, countersigned."""

    KIND = "settlement"
    day: str
    expected_fen: int
    counted_fen: int
    difference_fen: int
    reason: str | None
    denominations: dict[str, int]  # denomination in fen (as text) -> count
    receipts: int
    voids: int
    receipt_numbers: tuple[str, ...]
    agent: str
    head: str
    round: int | Absent = ABSENT  # entries before settlement rounds are round 1
    sigs: dict[str, str] | Absent = ABSENT  # name -> Ed25519 signature (app/domain/countersign.py)

    @property
    def round_no(self) -> int:
        return 1 if isinstance(self.round, Absent) else self.round


@dataclass(frozen=True, slots=True)
class RemittanceEntry(Entry):
    """解缴: settled cash handed to the bank."""

    KIND = "remittance"
    slip_no: str  # the bank's slip
    amount_fen: int
    day: str
    settled_days: tuple[str, ...]
    by: str | Absent = ABSENT
    sigs: dict[str, str] | Absent = ABSENT  # name -> Ed25519 signature (app/domain/countersign.py)


@dataclass(frozen=True, slots=True)
class MonthCloseEntry(Entry):
    """月结: a month's figures as the chain adds them up, countersigned."""

    KIND = "month_close"
    month: str  # YYYY-MM
    receipts: int
    voids: int
    collected_fen: int  # cash of the month's receipts not voided
    settled_fen: int  # counted at its settlements
    remitted_fen: int
    on_hand_fen: int  # settled and not yet remitted at its end
    counted_fen: int  # the cash on hand the agent counted
    difference_fen: int
    reason: str | None
    first_number: str | None
    last_number: str | None
    agent: str
    head: str
    # 钱票一致: only where the village uses the county's uniform receipts
    serials: int | Absent = ABSENT
    serials_spoiled: int | Absent = ABSENT
    first_serial: str | None | Absent = ABSENT
    last_serial: str | None | Absent = ABSENT
    sigs: dict[str, str] | Absent = ABSENT  # name -> Ed25519 signature (app/domain/countersign.py)


# -- 统一票据 -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ReceiptBookEntry(Entry):
    """A book of the county's uniform receipts (统一票据) registered."""

    KIND = "receipt_book"
    prefix: str  # the character before the digits (皖), or ""
    first: str
    last: str
    by: str | Absent = ABSENT


@dataclass(frozen=True, slots=True)
class SerialSpoiledEntry(Entry):
    """A uniform-receipt form spoiled: its serial used up."""

    KIND = "serial_spoiled"
    serial: str
    reason: str  # torn, jammed, misprinted
    by: str


# -- the desk and its people ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class UserEntry(Entry):
    """What the user table holds for one user after a change."""

    KIND = "user"
    action: str  # add, pin, lock, unlock, reset, existing …
    name: str
    role: str
    active: bool
    pin_salt: str  # hex
    pin_hash: str  # hex
    pin_kdf: str
    failed_attempts: int | Absent = ABSENT  # entries before the count was journalled have none
    locked_until: str | None | Absent = ABSENT
    by: str | None | Absent = ABSENT
    # The user's signing key (app/domain/countersign.py): where it is issued or changed.
    sign_key: str | Absent = ABSENT  # Ed25519 public key, hex
    sealed_key: str | Absent = ABSENT  # the private key sealed under the PIN
    sigs: dict[str, str] | Absent = ABSENT  # name -> Ed25519 signature (app/domain/countersign.py)


@dataclass(frozen=True, slots=True)
class DeviceEntry(Entry):
    """This PC's identity (receipt numbers depend on it)."""

    KIND = "device"
    village_code: str  # 12 digits: receipt numbers begin with it
    village_name: str
    township_code: str
    township_name: str
    device_no: int  # the PC's number within the village (01, 02 …)


@dataclass(frozen=True, slots=True)
class ConfigEntry(Entry):
    """The county configuration as imported (it decides every amount due)."""

    KIND = "config"
    config: str  # the county configuration's JSON text as imported
    sha256: str
    by: str | None | Absent = ABSENT


@dataclass(frozen=True, slots=True)
class RosterEntry(Entry):
    """A roster (征收清册) import and what it changed."""

    KIND = "roster"
    file: str
    sha256: str  # of the file imported
    version: int
    imported: int
    updated: int
    removed: int
    unchanged: int | Absent = ABSENT
    rejected_rows: int | Absent = ABSENT
    correction: bool | Absent = ABSENT
    by: str | None | Absent = ABSENT
    county_version: int | None | Absent = ABSENT
    roster_json_sha256: str | Absent = ABSENT  # the roster's digest after the import (two forms)
    roster_sha256: str | Absent = ABSENT


@dataclass(frozen=True, slots=True)
class LedgerScanEntry(Entry):
    """The signed 台账, scanned and sent to the tax office."""

    KIND = "ledger_scan"
    year: int
    period_end: str  # the collection period's end; the deadline is 7 working days after
    sent_on: str
    sha256: str
    bytes: int
    file: str
    by: str


@dataclass(frozen=True, slots=True)
class PostingEvidenceEntry(Entry):
    """The 公示's 佐证 (003 第四十三条): a photo or scan of the posting on the wall, the days it
    was up, kept beside the ledger and named by its SHA-256."""

    KIND = "posting_evidence"
    posted_from: str  # ISO day the 公示 went up
    posted_to: str  # and came down (or is planned to)
    sha256: str
    bytes: int
    file: str  # the kept copy's name under evidence/
    by: str


ENTRY_CLASSES: dict[str, type[Entry]] = {cls.KIND: cls for cls in (
    ReceiptEntry, VoidEntry, RefundEntry, PaidOnBehalfEntry, PrintEntry, SettlementEntry, RemittanceEntry,
    MonthCloseEntry, ReceiptBookEntry, SerialSpoiledEntry, UserEntry, DeviceEntry, ConfigEntry, RosterEntry,
    LedgerScanEntry, PostingEvidenceEntry)}
ENTRY_CLASSES.update({cls.KIND: cls for cls in DOOR_ENTRY_CLASSES})  # issue 25: door to door
KINDS = frozenset(ENTRY_CLASSES)


def parse_entry(kind: str, data: dict[str, Any]) -> Entry:
    """The typed data of one journal entry (what the server, review and sync read through).
    EntryError for an unknown kind or data that does not fit it."""
    cls = ENTRY_CLASSES.get(kind)
    if cls is None:
        raise EntryError(f"unknown kind {kind}")
    return cls.from_data(data)
