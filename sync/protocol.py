"""The wire between the desk and the county server: endpoints and their bodies.

Both ends import this module and nothing else of each other. Version 1, under ``/api/v1``.

Who signs what:
- the device signs each batch (Ed25519, its own key made at enrolment): the signature covers
  ``batch_signing_bytes`` — the device, the range and hash of every entry — so a batch read off a
  USB stick is checked exactly like one that came over the network;
- the server signs each acknowledgement (its own Ed25519 key, public key handed out at
  enrolment): ``ack_signing_bytes`` — device, sequence, hash. The desk keeps the newest one, and
  its ``verify`` fails when the local file no longer holds that entry with that hash.

Devices authenticate with ``Authorization: Bearer <token>``; people (county and township staff)
with name and password. Every response carries the server's clock (``X-Daishou-Time``, UTC ISO
8601) so the desk can refuse to sync when its clock is more than five minutes off.
"""

from __future__ import annotations

import base64
from enum import StrEnum
from typing import Any

import orjson
from pydantic import BaseModel, Field

from app.domain import entries, signing

API = "/api/v1"
TIME_HEADER = "X-Daishou-Time"
VERSION_HEADER = "X-Daishou-Version"  # the desk program's version, on every request
VERSION_PATTERN = r"^[0-9A-Za-z.+_-]{1,40}$"  # PEP 440 characters: nothing a page could run
MAX_CLOCK_SKEW_SECONDS = 300
MAX_BATCH_ENTRIES = 5000  # the desk sends at most 2,000 a request
MAX_BODY_BYTES = 64 * 1024 * 1024  # larger request bodies are refused before they are read
MAX_ID = 2**63 - 1  # sequences and ids are 64-bit integers in both databases
BATCH_FORMAT = signing.BATCH_FORMAT  # the first key of an exported batch file

# Endpoints (method, path). The desk's client and the server's routes both use these names.
ENROL = f"{API}/enrol"  # POST EnrolRequest -> EnrolResponse (no token yet: the one-time code is the credential)
STATE = f"{API}/state"  # GET -> DeviceState (what the server holds for the calling device)
BATCHES = f"{API}/batches"  # POST Batch -> BatchResult
CHANGES = f"{API}/changes"  # GET ?roster_version=&payments_after=&confirmations_after=&debit_lists_after= -> Changes
VERIFY_RECEIPT = f"{API}/receipts/{{number}}"  # GET ?code=CHECK -> ReceiptCheck (public: the receipt's QR)
OPEN_STATE = f"{API}/device/open-state"  # POST OpenState -> OpenStateResult (at every sync attempt)


class Entry(BaseModel):
    """One journal entry exactly as the desk stores it; ``body`` is the canonical JSON that was hashed."""

    seq: int = Field(ge=1, le=MAX_ID)
    kind: str
    recorded_at: str
    body: str
    prev_hash: str = Field(min_length=64, max_length=64)
    hash: str = Field(min_length=64, max_length=64)

    def data(self) -> entries.Entry:
        """The entry's typed data (app/domain/entries.py), the class the desk wrote it from;
        EntryError when the body does not fit its kind. Read only after the chain rules took
        the entry: they name a body that is not even JSON."""
        return entries.parse_entry(self.kind, orjson.loads(self.body)["data"])


class EnrolRequest(BaseModel):
    code: str = Field(min_length=4, max_length=32)  # the one-time code the county printed
    public_key: str  # the device's Ed25519 public key, base64 of the 32 raw bytes


class EnrolResponse(BaseModel):
    device_id: str  # "<village_code>-<device_no>", the name every later message uses
    village_code: str
    device_no: int
    token: str  # bearer token; the desk keeps it in the OS keyring only
    server_public_key: str  # base64 Ed25519, to check acknowledgements


class Ack(BaseModel):
    """The server's signed word that it holds the device's journal up to ``seq`` with ``hash``."""

    device_id: str
    seq: int
    hash: str
    signed_at: str
    signature: str  # base64 Ed25519 over ack_signing_bytes


class DeviceState(BaseModel):
    device_id: str
    held_seq: int  # 0 when nothing is held yet
    held_hash: str  # GENESIS_HASH when nothing is held
    ack: Ack | None
    # The journal kinds this server's rules know (absent from servers older than the field: the
    # first ten). A desk holds back a batch with a kind its server does not know, and says the
    # server needs upgrading, instead of sending entries the county would refuse.
    kinds: list[str] | None = None


class Batch(BaseModel):
    """Entries ``from_seq``..``to_seq`` of one device's journal, continuing from ``prev_hash``."""

    format: str = BATCH_FORMAT
    device_id: str
    from_seq: int = Field(ge=1, le=MAX_ID)
    to_seq: int = Field(ge=1, le=MAX_ID)
    prev_hash: str
    entries: list[Entry] = Field(min_length=1, max_length=MAX_BATCH_ENTRIES)
    signature: str  # base64 Ed25519 by the device over batch_signing_bytes
    # The desk program that wrote the batch (sent or on a USB stick): the county's overview shows
    # which version each desk runs. Not signed: it is a hint for support, not a ledger fact.
    program_version: str | None = Field(default=None, pattern=VERSION_PATTERN)


class BatchStatus(StrEnum):
    ACCEPTED = "accepted"
    ALREADY_HELD = "already_held"  # the same entries again: nothing stored twice
    CONFLICT = "conflict"  # other entries under sequences the server holds: a forked ledger, kept apart


class BatchResult(BaseModel):
    status: BatchStatus
    held_seq: int
    held_hash: str
    ack: Ack | None = None
    conflict_id: int | None = None
    message: str = ""  # Chinese, for the agent


class Refusal(BaseModel):
    """Any 4xx answer: ``code`` is stable for programs, ``message`` names the reason in Chinese."""

    code: str  # e.g. bad_signature, broken_chain, bad_hash, receipt_gap, settlement_mismatch, ...
    message: str
    seq: int | None = None  # the first entry at fault, where there is one


class RosterChange(BaseModel):
    version: int
    village_code: str
    rows: list[dict[str, Any]]  # the same fields as a roster file's rows
    signature: str = ""  # base64 Ed25519 by the server over signing.county_signing_bytes("roster", ...)


class Payment(BaseModel):
    """Paid through another channel (WeChat, bank debit): the desk must not take cash for it."""

    id: int
    id_number: str
    insurance: str
    year: int
    amount_fen: int
    channel: str
    paid_on: str


class Confirmation(BaseModel):
    """入库: the bank or tax office confirms cash remitted under a slip number."""

    id: int
    slip_no: str
    amount_fen: int
    confirmed_on: str


class DebitMark(BaseModel):
    """One row of a tax office list as the county accepted it (app/domain/door_entries.DebitRow)."""

    id_number: str
    name: str
    on_day: str  # the failed debit's day, else the list's day
    detail: str = ""  # the bank's words (余额不足 …)


class DebitListChange(BaseModel):
    """A tax office list (003 第二十五、二十八条) the county loaded: this village's rows of it, signed
    for the device over signing.county_signing_bytes("debit_list", device, payload) where the
    payload is app/services/door.county_list_payload of the fields below (rows as dicts)."""

    id: int  # the county's number of the list; the desk asks for lists after the newest it holds
    list_kind: str  # no_agreement / resign / failed
    day: str
    file: str
    sha256: str  # of the tax office's file
    rows: list[DebitMark]
    signature: str = ""


class Changes(BaseModel):
    roster: RosterChange | None = None  # None: the desk's roster version is current
    config: str | None = None  # the county configuration text, when newer than the desk's
    config_sha256: str | None = None
    config_signature: str | None = None  # over signing.county_signing_bytes("config", device, text)
    payments: list[Payment] = []
    confirmations: list[Confirmation] = []
    debit_lists: list[DebitListChange] = []  # absent from servers older than issue 25: none


class ReceiptCheck(BaseModel):
    number: str
    found: bool
    total_fen: int | None = None
    day: str | None = None
    village_code: str | None = None
    status: str = ""  # 有效 / 已作废 / 未找到


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def batch_signing_bytes(device_id: str, from_seq: int, to_seq: int, prev_hash: str,
                        entries: list[Entry]) -> bytes:
    return signing.batch_signing_bytes(device_id, from_seq, to_seq, prev_hash, ((e.seq, e.hash) for e in entries))


ack_signing_bytes = signing.ack_signing_bytes


# What a server that does not list its kinds knows: the kinds from before the field existed.
FIRST_KINDS = frozenset({"receipt", "void", "settlement", "refund_request", "remittance", "user", "roster",
                         "print", "device", "config"})


class OpenState(BaseModel):
    """What a desk holds that the county cannot see yet: cash of days not settled (their entries
    go up only when settled) and settled cash not remitted. Sent at every sync attempt, signed
    by the device key over ``open_state_signing_bytes``; ``reported_at`` (the desk's clock, UTC)
    must be newer than the last one the server holds and within the clock skew of its own, so an
    old report (no cash held) cannot be sent again in place of today's."""

    device_id: str = Field(max_length=40)
    reported_at: str = Field(max_length=40)
    open_since: str | None = Field(default=None, max_length=10)  # ISO day
    open_days: int = Field(ge=0, le=100_000)
    open_receipts: int = Field(ge=0, le=10_000_000)
    open_cash_fen: int = Field(ge=0, le=10**13)
    held_fen: int = Field(ge=0, le=10**13)
    held_since: str | None = Field(default=None, max_length=10)
    newest_seq: int = Field(ge=0, le=10**12)
    signature: str = Field(max_length=200)


class OpenStateResult(BaseModel):
    stored: bool
    message: str = ""


def open_state_signing_bytes(state: OpenState) -> bytes:
    from app.domain.canonical import canonical_json

    fields = state.model_dump(exclude={"signature"})
    return canonical_json({"open_state": 1, **fields}).encode()
