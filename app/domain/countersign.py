"""Sign-offs that live in the ledger: each user's Ed25519 key, sealed by their PIN, and the
signatures entries carry.

The key. Every user has an Ed25519 signing key. Its private half is kept only sealed (AES-GCM)
under a key derived from the PIN with scrypt: `scrypt(pin, salt, dklen=64)` gives 64 bytes; the
first 32 are exactly the PIN hash the user table keeps (scrypt ends in PBKDF2, whose first block
does not depend on the length asked for), the last 32 seal the key and cannot be had from the
hash without the PIN. So one scrypt run both checks a PIN and opens the key, and a guess at the
PIN from a stolen file costs one scrypt run (`bench core` prints the figure). The public half and
the sealed private half are journalled in the user's entry (`sign_key`, `sealed_key`).

The signature. An entry of a signed kind carries `sigs`: the name of each person it names ->
their Ed25519 signature (hex) over the entry's canonical body without `sigs`:
``canonical_json({"seq", "kind", "recorded_at", "data": data without "sigs"})`` (UTF-8), i.e.
the bytes `app/storage/journal.py` would hash had the entry no signatures. The chain hash covers
the whole body, signatures included.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from app.domain.canonical import canonical_json

SEALED_FORMAT = "ed25519-aesgcm-scrypt/1"

# The people each signed kind names, who must sign it (a field absent or null names nobody).
SIGNED_BY: dict[str, tuple[str, ...]] = {
    "receipt": ("agent",),
    "void": ("agent", "head"),
    "refund_request": ("agent", "head"),
    "settlement": ("agent", "head"),
    "remittance": ("by",),
    "month_close": ("agent", "head"),
}


class SealError(ValueError):
    """A sealed key that does not open with this PIN, or is not a sealed key at all."""


def signing_bytes(seq: int, kind: str, recorded_at: str, data: dict[str, Any]) -> bytes:
    """What a signature covers: the entry's canonical body without its `sigs` field."""
    bare = {k: v for k, v in data.items() if k != "sigs"}
    return canonical_json({"seq": seq, "kind": kind, "recorded_at": recorded_at, "data": bare}).encode("utf-8")


def stretch(pin: str, salt: bytes, kdf: str) -> bytes:
    """64 bytes from the PIN: [:32] is the PIN hash (users.hash_pin), [32:] seals the key."""
    name, n, r, p = kdf.split("$")
    if name != "scrypt":
        raise ValueError(f"unknown PIN hash {name}")
    n_, r_, p_ = int(n), int(r), int(p)
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, dklen=64, n=n_, r=r_, p=p_,
                          maxmem=2 * 128 * n_ * r_ * p_)


@dataclass(frozen=True)
class Signer:
    """An unlocked private key: made only where a PIN was just checked (Users.authenticate)."""

    name: str
    private: bytes = field(repr=False)  # the raw 32-byte Ed25519 private key: never in a log

    def sign(self, message: bytes) -> str:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.private).sign(message).hex()

    @property
    def public_hex(self) -> str:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        pub = Ed25519PrivateKey.from_private_bytes(self.private).public_key()
        return pub.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def new_signer(name: str) -> Signer:
    return Signer(name, os.urandom(32))


def _aad(name: str, public_hex: str) -> bytes:
    return canonical_json({"format": SEALED_FORMAT, "name": name, "public": public_hex}).encode("utf-8")


def seal(signer: Signer, stretched: bytes, salt: bytes, kdf: str) -> str:
    """The private key sealed under the PIN-derived key (`stretched[32:]`), as one text:
    format$kdf-with-$-as-:$salt$nonce$ciphertext (hex)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    ct = AESGCM(stretched[32:]).encrypt(nonce, signer.private, _aad(signer.name, signer.public_hex))
    return "$".join((SEALED_FORMAT, kdf.replace("$", ":"), salt.hex(), nonce.hex(), ct.hex()))


def sealed_salt(sealed: str) -> tuple[bytes, str]:
    """(salt, kdf) a sealed key was made with."""
    try:
        fmt, kdf, salt, _nonce, _ct = sealed.split("$")
        if fmt != SEALED_FORMAT:
            raise ValueError(fmt)
        return bytes.fromhex(salt), kdf.replace(":", "$")
    except ValueError:
        raise SealError("not a sealed key") from None


def unseal(sealed: str, stretched: bytes, name: str, public_hex: str) -> Signer:
    """The private key, if `stretched` (from the right PIN and the sealed salt) opens it and it is
    the key whose public half is journalled for `name`."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        _fmt, _kdf, _salt, nonce, ct = sealed.split("$")
        private = AESGCM(stretched[32:]).decrypt(bytes.fromhex(nonce), bytes.fromhex(ct), _aad(name, public_hex))
    except (ValueError, InvalidTag):
        raise SealError("the PIN does not open this key") from None
    signer = Signer(name, private)
    if signer.public_hex != public_hex:
        raise SealError("the key is not the one journalled")
    return signer


@lru_cache(maxsize=256)
def _public(public_hex: str) -> Any:
    """A public key parsed once (verify checks 100,000 receipts signed by a handful of people)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))


def signature_ok(public_hex: str, signature_hex: object, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    if not isinstance(signature_hex, str):
        return False
    try:
        _public(public_hex).verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def named(kind: str, data: dict[str, Any]) -> list[str]:
    """The people an entry of `kind` names who must sign it, each once, in field order."""
    out: list[str] = []
    for fld in SIGNED_BY.get(kind, ()):
        who = data.get(fld)
        if isinstance(who, str) and who and who not in out:
            out.append(who)
    return out


# -- the rules, on replay (app/domain/chain.py: the desk's verify and the county server) ----------

AUTHORITIES = ("head", "admin")
COUNTERSIGNED = ("void", "refund_request", "settlement", "month_close")


@dataclass
class Keys:
    """Who holds which signing key at this point of the chain: name -> [role, public key hex or ""].
    `keyed` once any key was issued: from then on everyone an entry names must sign it."""

    people: dict[str, list[str]]
    keyed: bool = False
    # When a list: the signatures of signed entries are put here (seq, name, key, signature,
    # message) to be checked in bulk by `first_bad` (the desk's verify, on both cores), not one by
    # one as the entries are fed. Not part of the state.
    deferred: list[tuple[int, str, str, str, bytes]] | None = None
    # Entries up to this sequence are byte for byte what the county acknowledged (the desk's
    # verify knows it from the acknowledgement kept outside the file): the county checked their
    # sign-offs with these same rules when they went up, so they are not checked again (100,000
    # Ed25519 checks are seconds). User entries still are: they make the keys later entries are
    # checked with. Not part of the state.
    trusted_through: int = 0

    def to_state(self) -> dict[str, Any]:
        return {"people": self.people, "keyed": self.keyed}

    # Built from a county server's state saved before keys existed: the people of the entries
    # before it are not known here, so a first key ("key") is taken for a name not seen yet.
    partial: bool = False

    @classmethod
    def from_state(cls, state: dict[str, Any] | None, *, partial: bool = False) -> Keys:
        if not state:
            return cls({}, partial=partial)
        return cls({k: list(v) for k, v in state.get("people", {}).items()}, bool(state.get("keyed", False)))

    def user(self, seq: int, recorded_at: str, d: dict[str, Any]) -> tuple[str, str] | None:
        """Take a user entry in; (code, reason) when it may not stand. A new key (and a role
        change of someone with a key) must be signed by the old key, or by whoever the entry says
        did it when they may: an administrator (a reset, or adding anyone), a head (adding an
        agent or a reviewer). Unsigned: a user's first key at their first sign-in (an older
        release's user, already known to the chain), and users added before any head or admin."""
        name, role = str(d["name"]), str(d["role"])
        prev = self.people.get(name)
        old = prev[1] if prev else ""
        key = d.get("sign_key")
        changed = isinstance(key, str) and key != old
        if changed or (prev is not None and old and prev[0] != role) or (prev is None and self.keyed):
            refusal = self._may_change(seq, recorded_at, d, prev)
            if refusal is not None:
                return ("bad_key", f"第 {seq} 条「{name}」的签名密钥或角色变更{refusal}")
        self.people[name] = [role, key if changed and isinstance(key, str) else old]
        if changed:
            self.keyed = True
        return None

    def _may_change(self, seq: int, recorded_at: str, d: dict[str, Any],
                    prev: list[str] | None) -> str | None:
        name, action, by = str(d["name"]), d.get("action"), d.get("by")
        sigs = d.get("sigs") or {}
        message = signing_bytes(seq, "user", recorded_at, d)
        old = prev[1] if prev else ""
        if old and signature_ok(old, sigs.get(name), message) and prev is not None and prev[0] == d["role"]:
            return None  # the user's own old key (a new PIN, a rehash): the role stays
        if isinstance(by, str) and by != name and by in self.people:
            by_role, by_key = self.people[by]
            may = by_role == "admin" or (by_role == "head" and action == "add" and d["role"] not in AUTHORITIES)
            if may and by_key and signature_ok(by_key, sigs.get(by), message):
                return None
            if may and not by_key:
                return f"没有「{by}」的签名（其尚无签名密钥）"
            return f"的签署人「{by}」无权办理或签名不对"
        if prev is None and action == "add" and not by:
            if any(p[0] in AUTHORITIES for p in self.people.values()):
                return "：已有村委会负责人或管理员，添加用户须由其签署，此条无人签署"
            return None
        if not old and action == "key" and (prev[0] == d["role"] if prev is not None else self.partial):
            return None  # first issue to a user of an older release (flagged for the township)
        return "无人签署或签名不对（须由原密钥或管理员签署）"

    def signed(self, seq: int, kind: str, recorded_at: str, d: dict[str, Any]) -> tuple[str, str] | None:
        """Check the signatures of an entry of a signed kind; (code, reason) when one is missing
        or wrong, or a countersign is given by someone who is not a head at this point."""
        if kind not in SIGNED_BY or seq <= self.trusted_through:
            return None
        sigs = d.get("sigs")
        if not self.keyed and not sigs:
            return None  # written before any key existed (an older release)
        if sigs is not None and not isinstance(sigs, dict):
            return ("bad_signature", f"第 {seq} 条的签名字段格式不对")
        sigs = sigs or {}
        message: bytes | None = None
        people = named(kind, d)
        if self.keyed and not people:
            return ("missing_signature", f"第 {seq} 条没有写明由谁办理，无人签署")
        for who in people:
            key = self.people.get(who, ["", ""])[1]
            if not key:
                if self.keyed:
                    return ("missing_signature", f"第 {seq} 条由「{who}」签署，但账本中此时没有「{who}」的签名密钥")
                continue
            if who not in sigs:
                return ("missing_signature", f"第 {seq} 条缺少「{who}」的签名（无法证明其输入过密码）")
            message = message or signing_bytes(seq, kind, recorded_at, d)
            if self.deferred is not None and isinstance(sigs[who], str):
                self.deferred.append((seq, who, key, sigs[who], message))
            elif not signature_ok(key, sigs[who], message):
                return bad_signature(seq, who)
        if self.keyed and kind in COUNTERSIGNED:
            head = d.get("head")
            if head == d.get("agent") or self.people.get(str(head), [""])[0] != "head":
                return ("bad_countersign", f"第 {seq} 条由「{head}」会签，但其此时不是另一位村委会负责人")
        return None


def bad_signature(seq: int, who: str) -> tuple[str, str]:
    return ("bad_signature", f"第 {seq} 条「{who}」的签名不对（不是其密钥签的，或内容被改过）")


def first_bad(deferred: list[tuple[int, str, str, str, bytes]], workers: int = 2) -> tuple[int, str, str] | None:
    """The first (lowest sequence) deferred signature that does not hold, as (seq, code, reason);
    checked on `workers` threads (the Ed25519 check lets go of the GIL)."""
    from concurrent.futures import ThreadPoolExecutor

    def check(part: list[tuple[int, str, str, str, bytes]]) -> tuple[int, str] | None:
        for seq, who, key, sig, message in part:
            if not signature_ok(key, sig, message):
                return seq, who
        return None

    if not deferred:
        return None
    size = -(-len(deferred) // workers)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="signatures") as pool:
        found = [r for r in pool.map(check, [deferred[i:i + size] for i in range(0, len(deferred), size)]) if r]
    if not found:
        return None
    seq, who = min(found)
    code, reason = bad_signature(seq, who)
    return seq, code, reason
