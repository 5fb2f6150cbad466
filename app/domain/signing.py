"""Exactly which bytes a device signs for a batch and the county server signs for an
acknowledgement: the desk's verify, the sync client and the server all build them here."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from app.domain.canonical import canonical_json

BATCH_FORMAT = "daishou-batch/1"


def batch_signing_bytes(device_id: str, from_seq: int, to_seq: int, prev_hash: str,
                        entries: Iterable[tuple[int, str]]) -> bytes:
    """The range and each entry's (seq, hash). The hashes cover the bodies (the server re-hashes
    each body), so signing them signs the content."""
    digest = hashlib.sha256(canonical_json([[seq, h] for seq, h in entries]).encode()).hexdigest()
    return canonical_json({"format": BATCH_FORMAT, "device_id": device_id, "from_seq": from_seq,
                           "to_seq": to_seq, "prev_hash": prev_hash, "entries": digest}).encode()


def ack_signing_bytes(device_id: str, seq: int, hash_: str, signed_at: str) -> bytes:
    return canonical_json({"ack": 1, "device_id": device_id, "seq": seq, "hash": hash_,
                           "signed_at": signed_at}).encode()


def payload_sha256(payload: object) -> str:
    """SHA-256 of a payload's sorted-key JSON (orjson: a 100,000-person roster in a tenth of a
    second); what the county's signature covers, and what a roster's journal entry names."""
    import orjson

    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def county_signing_bytes(kind: str, device_id: str, payload: object, *, digest: str | None = None) -> bytes:
    """What the county server signs when it sends a roster or a configuration down to one device:
    a desk takes them without a local PIN only when this signature checks with the server key it
    was given at enrolment (a file swapped in locally has none). The payload enters by the SHA-256
    of its sorted-key JSON (`payload_sha256`; pass `digest` when it is already known)."""
    digest = digest if digest is not None else payload_sha256(payload)
    return canonical_json({"county": kind, "device_id": device_id, "payload_sha256": digest}).encode()
