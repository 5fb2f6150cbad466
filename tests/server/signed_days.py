"""A desk's settled day as the desk writes it (set-up entries, receipts, the settlement), signed
with the device's own key: what the sync benchmark sends 300 times, what the stateful
schemathesis run uploads, and what two villages race with."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from app.domain.canonical import GENESIS_HASH, canonical_json
from app.domain.countersign import SEALED_FORMAT, Signer, new_signer, signing_bytes
from sync import protocol as p
from sync.server import service

CONFIG = (Path(__file__).resolve().parents[2] / "resources" / "demo" / "county-config.json").read_text(encoding="utf-8")
DAY = "2026-11-20"


def _person(village: str, n: int) -> str:
    return f"{village[6:]}{n:06d}"  # one person per receipt, none paid in two villages


def _user(name: str, role: str, signer: Signer, by: str | None) -> dict[str, Any]:
    """A user's entry as the desk journals it when the user is added, with their signing key
    (its private half sealed: the county never opens it, so random bytes stand in for it)."""
    salt = os.urandom(16).hex()
    return {"action": "add", "name": name, "role": role, "active": True, "pin_salt": salt,
            "pin_hash": os.urandom(32).hex(), "pin_kdf": "scrypt$16384$8$1", "failed_attempts": 0,
            "locked_until": None, "by": by, "sign_key": signer.public_hex,
            "sealed_key": "$".join((SEALED_FORMAT, "scrypt:16384:8:1", salt, os.urandom(12).hex(),
                                    os.urandom(48).hex()))}


def day(village: str, device_no: int, receipts: int, *, person: Callable[[str, int], str] = _person,
        when: str = DAY, countersigned: bool = False) -> list[p.Entry]:
    """The device's set-up (the county refuses money in a chain without it), `receipts` receipts of
    ¥400 medical insurance for 2027, one person each, and the day's settlement. `countersigned`:
    as a desk of this release writes it, the village head and the agent are journalled with their
    signing keys (the head adds the agent), each receipt carries the agent's signature and the
    settlement the agent's and the head's (app/domain/countersign.py): the county checks each."""
    entries: list[p.Entry] = []
    prev = GENESIS_HASH
    head, agent = new_signer("王村长"), new_signer("李代收")
    signers = {"user": (head,), "receipt": (agent,), "settlement": (agent, head)} if countersigned else {}

    def add(kind: str, data: dict[str, Any]) -> None:
        nonlocal prev
        seq = len(entries) + 1
        at = f"{when}T09:{seq // 60 % 60:02d}:{seq % 60:02d}"
        by = signers.get(kind, ())
        if by and (kind != "user" or data["by"]):
            message = signing_bytes(seq, kind, at, data)
            data = {**data, "sigs": {signer.name: signer.sign(message) for signer in by}}
        body = canonical_json({"seq": seq, "kind": kind, "recorded_at": at, "data": data})
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        entries.append(p.Entry(seq=seq, kind=kind, recorded_at=at, body=body, prev_hash=prev, hash=digest))
        prev = digest

    add("device", {"village_code": village, "village_name": "基准村", "township_code": village[:9],
                   "township_name": "基准镇", "device_no": device_no})
    add("config", {"config": CONFIG, "sha256": hashlib.sha256(CONFIG.encode()).hexdigest()})
    if countersigned:
        add("user", _user(head.name, "head", head, None))  # the first user: no one to sign it yet
        add("user", _user(agent.name, "agent", agent, head.name))
    for n in range(1, receipts + 1):
        who = person(village, n)
        add("receipt", {"number": f"{village}-{device_no:02d}-{n:06d}", "receipt_seq": n, "day": when,
                        "village_code": village, "device_no": device_no,
                        "total_fen": 40000, "cash_fen": 40000, "change_fen": 0, "agent": "李代收",
                        "payer": {"id_number": who, "name": "张三"}, "override_reason": None,
                        "payer_signoff": "paper", "signature_sha256": None,
                        "lines": [{"id_number": who, "name": "张三", "insurance": "medical",
                                   "year": 2027, "tier_fen": None, "amount_fen": 40000, "due_fen": 40000}]})
    add("settlement", {"day": when, "round": 1, "expected_fen": 40000 * receipts, "counted_fen": 40000 * receipts,
                       "difference_fen": 0, "reason": None, "receipts": receipts, "voids": 0,
                       "denominations": {"10000": 4 * receipts},
                       "receipt_numbers": [f"{village}-{device_no:02d}-{n:06d}" for n in range(1, receipts + 1)],
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
