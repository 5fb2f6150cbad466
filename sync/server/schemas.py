"""The staff API's request and response bodies (the device's live in sync/protocol.py, shared with
the desk): what goes over the wire, kept apart from the tables in models.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from sync.server.open_state import VillageOpenState

Out = TypeVar("Out", bound=BaseModel)


def row_out(schema: type[Out], row: Any, **given: Any) -> Out:
    """A stored row as its response body: each of the schema's fields read off the row by its
    name (a time as ISO text, an id not yet given as 0), but for those `given`."""
    values: dict[str, Any] = {}
    for name in schema.model_fields:
        value = given[name] if name in given else getattr(row, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif name == "id" and value is None:
            value = 0
        values[name] = value
    return schema(**values)


class LoginResponse(BaseModel):
    token: str
    role: str
    township_code: str | None


class VillageOut(BaseModel):
    code: str
    township_code: str
    name: str


class VillageOverviewOut(BaseModel):
    code: str
    name: str
    township_code: str
    devices: int
    receipts: int
    collected_fen: int
    settled_fen: int
    remitted_fen: int
    confirmed_fen: int
    flags: int
    conflicts: int
    refused: int
    last_seen: str | None
    flag_codes: dict[str, int]
    versions: dict[str, str]  # device id -> the version of the desk program that last uploaded
    open_state: VillageOpenState | None = None  # the desks' own word on cash not yet here


class FlagOut(BaseModel):
    code: str
    label: str
    day: str
    ref: str
    seq: int
    reason: str


class SampledReceiptOut(BaseModel):
    number: str
    day: str
    payer_name: str
    total_fen: int
    agent: str
    status: str
    flags: list[str]


class DeviceReviewOut(BaseModel):
    device_id: str
    receipts: int
    collected_fen: int
    voided_fen: int
    settled_fen: int
    remitted_fen: int
    first_day: str | None
    last_day: str | None
    flags: list[FlagOut]
    sample: list[SampledReceiptOut]


class VillageReviewOut(BaseModel):
    village_code: str
    as_of: str
    seed: str
    devices: list[DeviceReviewOut]


class ConflictOut(BaseModel):
    id: int
    device_id: str
    village_code: str
    first_seq: int
    held_hash: str
    sent_hash: str
    received_at: str


class CountyFlagOut(BaseModel):
    """What the county's own checks found in an accepted upload (override, paid in two villages,
    paid in cash and through another channel)."""

    id: int
    code: str
    village_code: str
    device_id: str
    seq: int
    ref: str
    reason: str
    created_at: str


class UploadRefusalOut(BaseModel):
    """An upload the county refused by a rule, with its reason as the desk was told it."""

    id: int
    device_id: str
    village_code: str
    seq: int | None
    code: str
    message: str
    received_at: str
