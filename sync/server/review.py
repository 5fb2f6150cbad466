"""Review on the county server: the same flags and sample as the township's desk
(app/domain/review.py), over the entries each device sent; and the county overview, one row per
village a staff account may see."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.domain.review import LedgerReview, ReceiptRow, review_entries
from sync.server import device_figures
from sync.server import models as m
from sync.server.core import ServerRefusal
from sync.server.db import within
from sync.server.rules import FLAG_LABELS
from sync.server.staff import visible_village_rows, visible_villages


@dataclass(frozen=True)
class DeviceReview:
    device_id: str
    review: LedgerReview
    sample: list[ReceiptRow]


@dataclass
class VillageRow:
    code: str
    name: str
    township_code: str
    devices: int = 0
    receipts: int = 0
    collected_fen: int = 0
    settled_fen: int = 0
    remitted_fen: int = 0
    confirmed_fen: int = 0  # 入库: confirmations of this village's remittance slips
    flags: int = 0
    conflicts: int = 0
    refused: int = 0  # uploads the county refused by a rule
    last_seen: str | None = None
    flag_codes: dict[str, int] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)  # device id -> its program's version
    # What progress and reporting are computed from, not sent: (device id, held sequence), and each
    # enrolled device's last sync (UTC, None: never).
    held: list[tuple[str, int]] = field(default_factory=list)
    synced: list[datetime | None] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("held", "synced")}


def utc_iso(at: datetime) -> str:
    """A stored time (UTC, naive from SQLite) as ISO 8601 UTC."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat(timespec="seconds")


# A held chain only grows, so (device, held sequence and hash, review day) names one review: a
# village's review page (every receipt, the sample) reads each device's entries once per upload.
# Per server process, for a few thousand devices. The overview reads no review: each device's
# figures are kept at upload (device_figures.py).
_CACHE: OrderedDict[tuple[str, int, str, date], LedgerReview] = OrderedDict()
CACHE_SIZE = 4096


def _device_review(s: Session, device: Any, as_of: date) -> LedgerReview:
    """`device`: a Device or a row of its id, held_seq and held_hash."""
    key = (device.id, device.held_seq, device.held_hash, as_of)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    rows = s.exec(select(m.Entry.seq, m.Entry.kind, m.Entry.recorded_at, m.Entry.body)
                  .where(m.Entry.device_id == device.id, col(m.Entry.seq) <= device.held_seq)
                  .order_by(col(m.Entry.seq))).all()
    review = review_entries(((int(seq), kind, at, orjson.loads(body)["data"]) for seq, kind, at, body in rows),
                            as_of=as_of)
    _CACHE[key] = review
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return review


def village_review(s: Session, staff: m.Staff, village_code: str, *, as_of: date, seed: str) -> list[DeviceReview]:
    """Each device of the village: its flags, and at least 10% of its receipts drawn by `seed`."""
    if village_code not in {v.code for v in visible_villages(s, staff)}:
        raise ServerRefusal(404, "no_village", f"没有村代码 {village_code}，或不在本账户管辖的乡镇")
    out = []
    for device in s.exec(select(m.Device).where(m.Device.village_code == village_code)
                         .order_by(col(m.Device.id))).all():
        review = _device_review(s, device, as_of)
        out.append(DeviceReview(device.id, review, review.sample(seed)))
    return out


def overview(s: Session, staff: m.Staff, *, as_of: date, township: str | None = None) -> list[VillageRow]:
    """One row per village the account may see: what its devices sent, remitted and had confirmed,
    how many flags and forked ledgers. A village whose devices sent nothing is a row of zeros:
    that is itself what a county officer looks for."""
    # Columns, not ORM objects: a province's county account sees 20,000 villages and devices.
    rows = {code: VillageRow(code, name, town) for code, name, town in visible_village_rows(s, staff, township)}
    if not rows:
        return []
    codes = list(rows)
    whole = staff.role != "township" and township is None  # every village: no list of them to match
    d = m.table_of(m.Device)
    uploaded: list[Any] = []  # devices that sent entries: their kept figures
    village_of: dict[str, str] = {}
    for device in s.execute(sa_select(d.c.id, d.c.village_code, d.c.program_version, d.c.held_seq, d.c.held_hash,
                                   d.c.public_key, d.c.last_seen_at).where(within(s, d.c.village_code, codes, whole))).all():
        row = rows.get(device.village_code)
        if row is None:  # `whole`: only villages listed in the village table are shown
            continue
        row.devices += 1
        if device.program_version:
            row.versions[device.id] = device.program_version
        row.held.append((device.id, device.held_seq))
        if device.public_key is not None:
            row.synced.append(device.last_seen_at)
        # ISO UTC on the wire: the page shows it in the county's local time.
        seen = utc_iso(device.last_seen_at) if device.last_seen_at else None
        if seen and (row.last_seen is None or seen > row.last_seen):
            row.last_seen = seen
        if device.held_seq:
            uploaded.append(device)
            village_of[device.id] = device.village_code
    day = device_figures.DayLabels(as_of)
    for device_id, kept in device_figures.read(s, uploaded).items():
        row = rows[village_of[device_id]]
        row.receipts += kept.receipts
        row.collected_fen += kept.collected_fen
        row.settled_fen += kept.settled_fen
        row.remitted_fen += kept.remitted_fen
        for label, n in day.of(kept).items():
            row.flags += n
            row.flag_codes[label] = row.flag_codes.get(label, 0) + n
    for village, amount in s.exec(select(m.Confirmation.village_code, func.sum(m.Confirmation.amount_fen))
                                  .where(within(s, col(m.Confirmation.village_code), codes, whole))
                                  .group_by(col(m.Confirmation.village_code))).all():
        if village in rows:
            rows[village].confirmed_fen += int(amount or 0)
    for village, code in s.exec(select(m.CountyFlag.village_code, m.CountyFlag.code)
                                .where(within(s, col(m.CountyFlag.village_code), codes, whole))).all():
        if village not in rows:  # a cross-village flag names a village the county has no row of
            continue
        row, label = rows[village], "县级核对：" + FLAG_LABELS.get(code, code)
        row.flags += 1
        row.flag_codes[label] = row.flag_codes.get(label, 0) + 1
    for village, count in s.exec(select(m.UploadRefusal.village_code, func.count())
                                 .where(within(s, col(m.UploadRefusal.village_code), codes, whole))
                                 .group_by(col(m.UploadRefusal.village_code))).all():
        if village in rows:
            rows[village].refused = int(count)
    for village, count in s.exec(select(m.Conflict.village_code, func.count())
                                 .where(within(s, col(m.Conflict.village_code), codes, whole))
                                 .group_by(col(m.Conflict.village_code))).all():
        if village in rows:
            rows[village].conflicts = int(count)
    return list(rows.values())
