"""Villages, devices and their enrolment: the one-time code, the device's key and bearer token."""

from __future__ import annotations

import secrets
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlmodel import Session, select

from app.domain.chain import KINDS
from app.domain.receipt_numbers import validate_device_no, validate_village_code
from sync import protocol as p
from sync.server import models as m
from sync.server.core import (
    ServerRefusal,
    _raw_public,
    now,
    server_public_key,
    sha256_hex,
    sign_ack,
)

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LENGTH = 8


def ensure_village(s: Session, code: str, name: str = "") -> m.Village:
    code = validate_village_code(code)
    row = s.get(m.Village, code)
    if row is None:
        row = m.Village(code=code, township_code=code[:9], name=name)
        s.add(row)
    elif name and not row.name:
        row.name = name
    return row


def issue_enrolment_code(s: Session, village_code: str, device_no: int, *, hours: float = 24,
                         length: int = CODE_LENGTH) -> str:
    """A one-time code for one device; using it (re)enrols the device and keeps what is held."""
    village = ensure_village(s, village_code)
    device_no = validate_device_no(device_no)
    device_id = f"{village.code}-{device_no:02d}"
    if s.get(m.Device, device_id) is None:
        s.add(m.Device(id=device_id, village_code=village.code, device_no=device_no))
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    s.add(m.EnrolmentCode(code_sha256=sha256_hex(code), device_id=device_id,
                          expires_at=now() + timedelta(hours=hours)))
    return code


def enrol(s: Session, req: p.EnrolRequest) -> p.EnrolResponse:
    code = req.code.strip().upper().replace("-", "").replace(" ", "")
    row = s.get(m.EnrolmentCode, sha256_hex(code))
    if row is None or row.used_at is not None or row.expires_at < now():
        raise ServerRefusal(403, "bad_code", "注册码无效、已用过或已过期，请向县里重新索取")
    try:
        key = Ed25519PublicKey.from_public_bytes(p.unb64(req.public_key))
    except ValueError:
        raise ServerRefusal(400, "bad_key", "设备公钥格式不对") from None
    device = s.get(m.Device, row.device_id)
    assert device is not None
    token = secrets.token_urlsafe(32)
    device.public_key = p.b64(_raw_public(key))
    device.token_sha256 = sha256_hex(token)
    device.enrolled_at = now()
    row.used_at = now()
    return p.EnrolResponse(device_id=device.id, village_code=device.village_code, device_no=device.device_no,
                           token=token, server_public_key=server_public_key(s))


def device_for_token(s: Session, token: str | None) -> m.Device:
    if not token:
        raise ServerRefusal(401, "no_token", "本机尚未注册到县里，请先注册（daishou enrol）")
    device = s.exec(select(m.Device).where(m.Device.token_sha256 == sha256_hex(token))).first()
    if device is None:
        raise ServerRefusal(401, "bad_token", "县里不认这台电脑的凭证（可能已重新注册）；请联系县里重新注册")
    return device


def state(s: Session, device: m.Device) -> p.DeviceState:
    ack = sign_ack(s, device.id, device.held_seq, device.held_hash) if device.held_seq else None
    return p.DeviceState(device_id=device.id, held_seq=device.held_seq, held_hash=device.held_hash, ack=ack,
                         kinds=sorted(KINDS))
