"""What the desk knows of its county server, kept in the data file (nothing secret: the device
key and token live in the OS keyring, see sync/keys.py), and what goes up next.

- Which entries go up: every entry after the one the server holds, up to the newest entry that
  belongs to no open day. Receipts of a day not yet settled (and their voids and prints, which
  always come after them) stay until the day is settled: the county receives closed days only.
- The acknowledgement: the server's signed word that it holds this device's journal up to
  (seq, hash). It is checked with the server's public key (given at enrolment) before it is kept,
  and `verify` checks it again: a file rewritten with recomputed hashes, or one whose newest
  entries were deleted after they went up, no longer holds that entry with that hash.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from app.domain.signing import ack_signing_bytes, county_signing_bytes
from app.services.errors import Refused
from app.storage import journal, settings
from app.storage.projections import first_unsettled_entry

KEY = "sync"  # one JSON value in the setting table


@dataclass(frozen=True)
class Ack:
    device_id: str
    seq: int
    hash: str
    signed_at: str
    signature: str  # base64

    def to_json(self) -> dict[str, Any]:
        return {"device_id": self.device_id, "seq": self.seq, "hash": self.hash, "signed_at": self.signed_at,
                "signature": self.signature}


def ack_signature_ok(ack: Ack, server_public_key: str) -> bool:
    import base64

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(server_public_key, validate=True))
        key.verify(base64.b64decode(ack.signature, validate=True),
                   ack_signing_bytes(ack.device_id, ack.seq, ack.hash, ack.signed_at))
    except (InvalidSignature, ValueError):
        return False
    return True


def county_signed(conn: sqlite3.Connection, kind: str, payload: object, signature: str | None, *,
                  digest: str | None = None) -> bool:
    """Whether `payload` (a roster or a configuration) was signed for this device by the county
    server this desk enrolled with."""
    import base64

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    state = read(conn)
    if not signature or not state.get("server_public_key") or not state.get("device_id"):
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(str(state["server_public_key"]), validate=True))
        key.verify(base64.b64decode(signature, validate=True),
                   county_signing_bytes(kind, str(state["device_id"]), payload, digest=digest))
    except (InvalidSignature, ValueError):
        return False
    return True


def read(conn: sqlite3.Connection) -> dict[str, Any]:
    text = settings.get(conn, KEY)
    try:
        return dict(json.loads(text)) if text else {}
    except (ValueError, TypeError):
        return {}


def write(conn: sqlite3.Connection, state: dict[str, Any]) -> None:
    settings.put(conn, KEY, json.dumps(state, ensure_ascii=False, sort_keys=True))


def stored_ack(state: dict[str, Any]) -> Ack | None:
    a = state.get("ack")
    if not a:
        return None
    return Ack(str(a["device_id"]), int(a["seq"]), str(a["hash"]), str(a["signed_at"]), str(a["signature"]))


def ack_problem(conn: sqlite3.Connection) -> str | None:
    """Why this file is not the ledger the county acknowledged (None when it is, or no ack yet)."""
    state = read(conn)
    ack = stored_ack(state)
    if ack is None:
        return None
    if not ack_signature_ok(ack, str(state.get("server_public_key", ""))):
        return "本机保存的县级确认签名不对（确认记录被改过）；请联系乡镇社保所核对"
    held = journal.hash_at(conn, ack.seq)
    if held is None:
        newest = journal.newest_seq(conn)
        return (f"县里已确认收到本机日志到第 {ack.seq} 条，本机文件却只有 {newest} 条：已上传的记录被删除了；"
                "请联系乡镇社保所核对")
    if held != ack.hash:
        return (f"本机日志第 {ack.seq} 条与县里确认收到的不同：账本在上传后被改写（哈希被重算）；"
                "请联系乡镇社保所核对")
    return None


def pending_range(conn: sqlite3.Connection, held_seq: int) -> tuple[int, int] | None:
    """(first, last) sequence of what goes up next, or None when nothing is ready."""
    newest = journal.newest_seq(conn)
    first_open = first_unsettled_entry(conn)
    last = newest if first_open is None else first_open - 1
    if newest < held_seq:
        raise Refused(f"县里已保存本机日志到第 {held_seq} 条，本机文件却只有 {newest} 条：已上传的记录被删除了。"
                      "已停止上传；请联系乡镇社保所核对")
    return (held_seq + 1, last) if last > held_seq else None


def entries(conn: sqlite3.Connection, first: int, last: int) -> list[tuple[int, str, str, str, str, str]]:
    return journal.rows(conn, first, last)


def waiting(conn: sqlite3.Connection) -> int:
    """Entries recorded and not yet acknowledged by the county (the status bar's 待上传)."""
    ack = stored_ack(read(conn))
    return journal.newest_seq(conn) - (ack.seq if ack else 0)


class SyncLedger:
    """The desk's side of sync over its database: what is kept, what goes up next."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def state(self) -> dict[str, Any]:
        with self._db.read() as conn:
            return read(conn)

    def update(self, **changes: Any) -> dict[str, Any]:
        with self._db.write(ledger=False) as conn:
            state = read(conn)
            state.update(changes)
            write(conn, state)
            return state

    def device_id(self) -> str:
        with self._db.read() as conn:
            device = settings.device(conn)
        if device is None:
            raise Refused("本机尚未设置村代码和设备号")
        return f"{device.village_code}-{device.device_no:02d}"

    def pending(self, held_seq: int) -> tuple[int, int] | None:
        with self._db.read() as conn:
            return pending_range(conn, held_seq)

    def entries(self, first: int, last: int) -> list[tuple[int, str, str, str, str, str]]:
        with self._db.read() as conn:
            return entries(conn, first, last)

    def hash_at(self, seq: int) -> str | None:
        with self._db.read() as conn:
            return journal.hash_at(conn, seq)

    def newest(self) -> int:
        with self._db.read() as conn:
            return journal.newest_seq(conn)

    def keep_ack(self, ack: Ack) -> None:
        """Keep the server's acknowledgement once its signature and this file agree with it."""
        state = self.state()
        if not ack_signature_ok(ack, str(state.get("server_public_key", ""))):
            raise Refused("县级服务器的确认签名不对（可能连到了冒充的服务器）；请联系县里")
        local = self.hash_at(ack.seq)
        if local is None:
            newest = self.newest()
            raise Refused(f"县里已保存本机日志到第 {ack.seq} 条，本机文件却只有 {newest} 条："
                          "已上传的记录在本机被删除了；已停止同步，请联系乡镇社保所核对")
        if local != ack.hash:
            raise Refused(f"本机日志第 {ack.seq} 条与县里保存的不同：账本被改写过；已停止同步，请联系乡镇社保所核对")
        old = stored_ack(state)
        if old is None or ack.seq >= old.seq:
            self.update(ack=ack.to_json())
            # kept outside the file as well: deleting it from the file is then caught by verify
            self._db.highwater.keep_ack(ack.seq, ack.hash)

    def waiting(self) -> int:
        with self._db.read() as conn:
            return waiting(conn)

    def acknowledged(self, hashes: list[str]) -> dict[str, str]:
        """Which of these entries (by hash) the county has acknowledged holding, with when: only
        while the stored acknowledgement is genuine and this file still matches it."""
        with self._db.read() as conn:
            ack = stored_ack(read(conn))
            if ack is None or ack_problem(conn) is not None:
                return {}
            out: dict[str, str] = {}
            for h in hashes:
                seq = journal.seq_of_hash(conn, h)
                if seq is not None and seq <= ack.seq:
                    out[h] = ack.signed_at[:16].replace("T", " ")
            return out
