"""What every part of the county server shares: the refusal every 4xx carries, the clock, and
the server's own signing key (acknowledgements and everything that goes down are signed with it)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlmodel import Session

from sync import protocol as p
from sync.server import keyfile


class ServerRefusal(Exception):
    """A request the server refuses; becomes a 4xx answer with protocol.Refusal."""

    def __init__(self, status: int, code: str, message: str, seq: int | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.seq = status, code, message, seq

    def refusal(self) -> p.Refusal:
        return p.Refusal(code=self.code, message=self.message, seq=self.seq)


def now() -> datetime:
    return datetime.now(UTC)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- the server's key: a key file beside the database (keyfile.py) --

def server_key(s: Session) -> Ed25519PrivateKey:
    return keyfile.server_key(s)  # a file of its own (0600), never the database


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def server_public_key(s: Session) -> str:
    return p.b64(_raw_public(server_key(s).public_key()))


def sign_ack(s: Session, device_id: str, seq: int, hash_: str) -> p.Ack:
    at = now().isoformat(timespec="seconds")
    sig = server_key(s).sign(p.ack_signing_bytes(device_id, seq, hash_, at))
    return p.Ack(device_id=device_id, seq=seq, hash=hash_, signed_at=at, signature=p.b64(sig))
