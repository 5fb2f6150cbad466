"""A desk's settled day as the desk writes it (set-up entries, receipts, the settlement), signed
with the device's own key: what the sync benchmark sends 300 times, what the stateful
schemathesis run uploads, and what two villages race with."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from app.domain.canonical import GENESIS_HASH, canonical_json
from sync import protocol as p
from sync.server import service

CONFIG = (Path(__file__).resolve().parents[2] / "resources" / "demo" / "county-config.json").read_text(encoding="utf-8")
DAY = "2026-11-20"


def _person(village: str, n: int) -> str:
    return f"{village[6:]}{n:06d}"  # one person per receipt, none paid in two villages


def day(village: str, device_no: int, receipts: int, *, person: Callable[[str, int], str] = _person,
        when: str = DAY) -> list[p.Entry]:
    """The device's set-up (the county refuses money in a chain without it), `receipts` receipts of
    ¥400 medical insurance for 2027, one person each, and the day's settlement."""
    entries: list[p.Entry] = []
    prev = GENESIS_HASH

    def add(kind: str, data: dict[str, Any]) -> None:
        nonlocal prev
        seq = len(entries) + 1
        at = f"{when}T09:{seq // 60 % 60:02d}:{seq % 60:02d}"
        body = canonical_json({"seq": seq, "kind": kind, "recorded_at": at, "data": data})
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        entries.append(p.Entry(seq=seq, kind=kind, recorded_at=at, body=body, prev_hash=prev, hash=digest))
        prev = digest

    add("device", {"village_code": village, "village_name": "基准村", "township_code": village[:9],
                   "township_name": "基准镇", "device_no": device_no})
    add("config", {"config": CONFIG, "sha256": hashlib.sha256(CONFIG.encode()).hexdigest()})
    for n in range(1, receipts + 1):
        who = person(village, n)
        add("receipt", {"number": f"{village}-{device_no:02d}-{n:06d}", "receipt_seq": n, "day": when,
                        "village_code": village, "device_no": device_no,
                        "total_fen": 40000, "cash_fen": 40000, "change_fen": 0, "agent": "李代收",
                        "payer": {"id_number": who, "name": "张三"},
                        "lines": [{"id_number": who, "name": "张三", "insurance": "medical",
                                   "year": 2027, "tier_fen": None, "amount_fen": 40000, "due_fen": 40000}]})
    add("settlement", {"day": when, "round": 1, "expected_fen": 40000 * receipts, "counted_fen": 40000 * receipts,
                       "difference_fen": 0, "reason": None, "receipts": receipts, "voids": 0,
                       "agent": "李代收", "head": "王村长"})
    return entries


def enrolled(s: Session, village: str, device_no: int = 1) -> tuple[str, str, Ed25519PrivateKey]:
    """A device enrolled as the desk does it: (device id, its token, its key)."""
    code = service.issue_enrolment_code(s, village, device_no)
    key = Ed25519PrivateKey.generate()
    answer = service.enrol(s, p.EnrolRequest(code=code, public_key=p.b64(key.public_key().public_bytes_raw())))
    return answer.device_id, answer.token, key


def batch(device_id: str, key: Ed25519PrivateKey, entries: list[p.Entry]) -> p.Batch:
    """The entries as one batch signed by the device."""
    first, last = entries[0], entries[-1]
    sig = key.sign(p.batch_signing_bytes(device_id, first.seq, last.seq, first.prev_hash, entries))
    return p.Batch(device_id=device_id, from_seq=first.seq, to_seq=last.seq, prev_hash=first.prev_hash,
                   entries=entries, signature=p.b64(sig))
