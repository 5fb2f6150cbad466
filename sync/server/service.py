"""What the county server does, over one database session at a time; the routes in app.py and
the commands in cli.py are thin layers over these functions."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from app.domain.canonical import GENESIS_HASH
from app.domain.chain import KINDS, ChainError, ChainRules
from app.domain.receipt_numbers import validate_device_no, validate_village_code
from app.domain.signing import county_signing_bytes
from sync import protocol as p
from sync.server import models as m

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LENGTH = 8
STAFF_SESSION = timedelta(hours=8)
MAX_FAILED_PASSWORDS = 5
STAFF_LOCKOUT = timedelta(minutes=15)


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


# -- the server's key -------------------------------------------------------------------------

def server_key(s: Session) -> Ed25519PrivateKey:
    row = s.get(m.ServerKey, 1)
    if row is None:
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        s.add(m.ServerKey(id=1, private_pem=pem, public_key=p.b64(_raw_public(key.public_key())),
                          created_at=now()))
        s.flush()
        return key
    loaded = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
    assert isinstance(loaded, Ed25519PrivateKey)
    return loaded


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def server_public_key(s: Session) -> str:
    return p.b64(_raw_public(server_key(s).public_key()))


def sign_ack(s: Session, device_id: str, seq: int, hash_: str) -> p.Ack:
    at = now().isoformat(timespec="seconds")
    sig = server_key(s).sign(p.ack_signing_bytes(device_id, seq, hash_, at))
    return p.Ack(device_id=device_id, seq=seq, hash=hash_, signed_at=at, signature=p.b64(sig))


# -- villages, devices, enrolment -------------------------------------------------------------

def ensure_village(s: Session, code: str, name: str = "") -> m.Village:
    code = validate_village_code(code)
    row = s.get(m.Village, code)
    if row is None:
        row = m.Village(code=code, township_code=code[:9], name=name)
        s.add(row)
    elif name and not row.name:
        row.name = name
    return row


def issue_enrolment_code(s: Session, village_code: str, device_no: int, *, hours: float = 24) -> str:
    """A one-time code for one device; using it (re)enrols the device and keeps what is held."""
    village = ensure_village(s, village_code)
    device_no = validate_device_no(device_no)
    device_id = f"{village.code}-{device_no:02d}"
    if s.get(m.Device, device_id) is None:
        s.add(m.Device(id=device_id, village_code=village.code, device_no=device_no))
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
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


# -- batches ----------------------------------------------------------------------------------

def check_signature(device: m.Device, batch: p.Batch) -> None:
    if device.public_key is None:
        raise ServerRefusal(403, "not_enrolled", "设备尚未注册")
    key = Ed25519PublicKey.from_public_bytes(p.unb64(device.public_key))
    try:
        key.verify(p.unb64(batch.signature), p.batch_signing_bytes(
            batch.device_id, batch.from_seq, batch.to_seq, batch.prev_hash, batch.entries))
    except (InvalidSignature, ValueError):
        raise ServerRefusal(400, "bad_signature", "批次签名不对：不是这台设备签的，或内容在路上被改过") from None


def _check_shape(batch: p.Batch) -> None:
    if not batch.entries or batch.entries[0].seq != batch.from_seq or batch.entries[-1].seq != batch.to_seq \
            or len(batch.entries) != batch.to_seq - batch.from_seq + 1:
        raise ServerRefusal(400, "bad_range", "批次的序号范围与其中的记录不符")
    if batch.entries[0].prev_hash != batch.prev_hash:
        raise ServerRefusal(400, "broken_chain", "批次的起始哈希与第一条记录不符", batch.from_seq)


def accept_batch(s: Session, device: m.Device, batch: p.Batch, *, raw: str | None = None) -> p.BatchResult:
    """Take a signed batch: the same entries again are already_held; other entries under a held
    sequence are a conflict (kept, never applied); new entries must pass the chain rules from
    where this device's held chain ends."""
    if batch.device_id != device.id:
        raise ServerRefusal(403, "wrong_device",
                            f"这个凭证属于设备 {device.id}，不能上传设备 {batch.device_id} 的账本")
    _check_shape(batch)
    check_signature(device, batch)
    locked = s.exec(select(m.Device).where(m.Device.id == device.id).with_for_update()
                    .execution_options(populate_existing=True)).one()
    if batch.program_version:  # what the county's overview shows as this desk's version
        locked.program_version = batch.program_version
    held_seq, held_hash = locked.held_seq, locked.held_hash
    if batch.from_seq > held_seq + 1:
        raise ServerRefusal(409, "gap", f"县里只保存到第 {held_seq} 条，这一批从第 {batch.from_seq} 条开始；"
                                        f"请从第 {held_seq + 1} 条起重新上传", held_seq + 1)
    overlap = [e for e in batch.entries if e.seq <= held_seq]
    if overlap:
        held = dict(s.exec(select(m.Entry.seq, m.Entry.hash).where(
            m.Entry.device_id == device.id, col(m.Entry.seq) >= overlap[0].seq,
            col(m.Entry.seq) <= overlap[-1].seq)).all())
        for e in overlap:
            if held.get(e.seq) != e.hash:
                return _conflict(s, locked, batch, e, held.get(e.seq, ""), raw)
    new = [e for e in batch.entries if e.seq > held_seq]
    if not new:
        return p.BatchResult(status=p.BatchStatus.ALREADY_HELD, held_seq=held_seq, held_hash=held_hash,
                             ack=sign_ack(s, locked.id, held_seq, held_hash), message="县里已经有这些记录")
    rules = _held_rules(s, locked)
    received = now()
    entries: list[dict[str, Any]] = []
    projected = _Projection(locked)
    for e in new:
        try:
            d = rules.feed(e.seq, e.kind, e.recorded_at, e.body, e.prev_hash, e.hash)
        except ChainError as exc:
            raise ServerRefusal(422, exc.code, exc.reason, exc.seq) from None
        entries.append({"device_id": locked.id, "seq": e.seq, "kind": e.kind, "recorded_at": e.recorded_at,
                        "body": e.body, "prev_hash": e.prev_hash, "hash": e.hash, "received_at": received})
        projected.add(e, d)
    # One multi-row INSERT per table (the ORM's unit of work costs several times as much here).
    s.execute(insert(m.Entry), entries)
    projected.write(s)
    locked.held_seq, locked.held_hash = rules.seq, rules.hash
    locked.rules_state = json.dumps(rules.to_state(), ensure_ascii=False, separators=(",", ":"))
    locked.last_seen_at = received
    s.flush()
    return p.BatchResult(status=p.BatchStatus.ACCEPTED, held_seq=locked.held_seq, held_hash=locked.held_hash,
                         ack=sign_ack(s, locked.id, locked.held_seq, locked.held_hash),
                         message=f"县里已收到第 {new[0].seq}–{new[-1].seq} 条")


class _Projection:
    """What review and the receipt check read, derived from a batch's entries."""

    def __init__(self, device: m.Device) -> None:
        self.device = device
        self.receipts: dict[str, dict[str, Any]] = {}
        self.status: dict[str, str] = {}  # receipt number -> status, for receipts held earlier
        self.remittances: list[dict[str, Any]] = []

    def add(self, e: p.Entry, d: dict[str, Any]) -> None:
        if e.kind == "receipt":
            self.receipts[d["number"]] = {"number": d["number"], "device_id": self.device.id,
                                          "village_code": self.device.village_code, "day": d["day"],
                                          "total_fen": d["total_fen"], "check_code": e.hash[:12], "status": "有效"}
        elif e.kind in ("void", "refund_request"):
            status = "已作废" if e.kind == "void" else "已申请退费"
            if d["number"] in self.receipts:
                self.receipts[d["number"]]["status"] = status
            else:
                self.status[d["number"]] = status
        elif e.kind == "remittance":
            self.remittances.append({"device_id": self.device.id, "village_code": self.device.village_code,
                                     "seq": e.seq, "slip_no": d["slip_no"], "amount_fen": d["amount_fen"],
                                     "day": d["day"]})

    def write(self, s: Session) -> None:
        if self.receipts:
            s.execute(insert(m.Receipt), list(self.receipts.values()))
        if self.remittances:
            s.execute(insert(m.Remittance), self.remittances)
        for number, status in self.status.items():
            s.execute(update(m.Receipt).where(col(m.Receipt.number) == number).values(status=status))


def _conflict(s: Session, device: m.Device, batch: p.Batch, first: p.Entry, held_hash: str,
              raw: str | None) -> p.BatchResult:
    """A forked ledger: kept where staff see it, never applied, the same fork stored once."""
    existing = s.exec(select(m.Conflict).where(m.Conflict.device_id == device.id,
                                               m.Conflict.first_seq == first.seq,
                                               m.Conflict.sent_hash == first.hash)).first()
    if existing is None:
        existing = m.Conflict(device_id=device.id, village_code=device.village_code, first_seq=first.seq,
                              held_hash=held_hash, sent_hash=first.hash,
                              batch=raw if raw is not None else batch.model_dump_json(), received_at=now())
        s.add(existing)
        s.flush()
    return p.BatchResult(
        status=p.BatchStatus.CONFLICT, held_seq=device.held_seq, held_hash=device.held_hash,
        conflict_id=existing.id,
        message=(f"账本分叉：县里已保存的第 {first.seq} 条与本机的不同（本机账本被改过，或这台电脑被重新安装后"
                 "从头开始记账）。县里保留原来的记录，本批没有上传；请联系乡镇社保所核对"))


# -- what goes down ---------------------------------------------------------------------------

def changes(s: Session, device: m.Device, roster_version: int, payments_after: int,
            confirmations_after: int, config_sha256: str | None) -> p.Changes:
    out = p.Changes()
    newest = s.exec(select(m.RosterVersion).where(m.RosterVersion.village_code == device.village_code)
                    .order_by(col(m.RosterVersion.version).desc())).first()
    if newest is not None and newest.version > roster_version:
        rows = json.loads(newest.rows)
        payload = {"village_code": device.village_code, "version": newest.version, "rows": rows}
        out.roster = p.RosterChange(version=newest.version, village_code=device.village_code, rows=rows,
                                    signature=p.b64(server_key(s).sign(county_signing_bytes("roster", device.id, payload))))
    config = s.exec(select(m.CountyConfigVersion).order_by(col(m.CountyConfigVersion.id).desc())).first()
    if config is not None and config.sha256 != config_sha256:
        out.config, out.config_sha256 = config.text, config.sha256
        out.config_signature = p.b64(server_key(s).sign(county_signing_bytes("config", device.id, config.text)))
    out.payments = [p.Payment(id=r.id or 0, id_number=r.id_number, insurance=r.insurance, year=r.year,
                              amount_fen=r.amount_fen, channel=r.channel, paid_on=r.paid_on)
                    for r in s.exec(select(m.Payment).where(m.Payment.village_code == device.village_code,
                                                            col(m.Payment.id) > payments_after)
                                    .order_by(col(m.Payment.id))).all()]
    slips = select(m.Remittance.slip_no).where(m.Remittance.device_id == device.id)
    out.confirmations = [p.Confirmation(id=r.id or 0, slip_no=r.slip_no, amount_fen=r.amount_fen,
                                        confirmed_on=r.confirmed_on)
                         for r in s.exec(select(m.Confirmation).where(col(m.Confirmation.slip_no).in_(slips),
                                                                     col(m.Confirmation.id) > confirmations_after)
                                         .order_by(col(m.Confirmation.id))).all()]
    return out


def load_roster(s: Session, village_code: str, rows: list[dict[str, Any]]) -> int:
    ensure_village(s, village_code)
    current = s.exec(select(func.max(m.RosterVersion.version)).where(
        m.RosterVersion.village_code == village_code)).one() or 0
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    s.add(m.RosterVersion(village_code=village_code, version=current + 1, rows=text, sha256=sha256_hex(text),
                          loaded_at=now()))
    return int(current) + 1


def load_config(s: Session, text: str) -> str:
    digest = sha256_hex(text)
    s.add(m.CountyConfigVersion(text=text, sha256=digest, loaded_at=now()))
    return digest


def add_payment(s: Session, village_code: str, id_number: str, insurance: str, year: int, amount_fen: int,
                channel: str, paid_on: str) -> None:
    ensure_village(s, village_code)
    s.add(m.Payment(village_code=village_code, id_number=id_number, insurance=insurance, year=year,
                    amount_fen=amount_fen, channel=channel, paid_on=paid_on))


def fold_payments(s: Session, village_code: str) -> int | None:
    """Payments through other channels reach a desk as its roster's 已缴 marks (the desk never
    takes cash for a due marked paid): a new roster version with them, when the village has a
    roster and anything changed. Returns the new version or None."""
    newest = s.exec(select(m.RosterVersion).where(m.RosterVersion.village_code == village_code)
                    .order_by(col(m.RosterVersion.version).desc())).first()
    if newest is None:
        return None
    paid = {(r.id_number, r.insurance, int(r.year)): r.channel for r in s.exec(
        select(m.Payment).where(m.Payment.village_code == village_code)).all()}
    rows = json.loads(newest.rows)
    changed = 0
    for row in rows:
        channel = paid.get((row["证件号码"], row["险种"], int(row["缴费年度"])))
        if channel and row.get("缴费状态") != "已缴":
            row["缴费状态"], row["缴费渠道"] = "已缴", channel
            changed += 1
    return load_roster(s, village_code, rows) if changed else None


def confirm(s: Session, slip_no: str, amount_fen: int, confirmed_on: str) -> int:
    """入库 confirmation; returns how many remittances on the server carry that slip."""
    s.add(m.Confirmation(slip_no=slip_no, amount_fen=amount_fen, confirmed_on=confirmed_on, loaded_at=now()))
    return len(s.exec(select(m.Remittance).where(m.Remittance.slip_no == slip_no)).all())


def check_receipt(s: Session, number: str, code: str) -> p.ReceiptCheck:
    row = s.get(m.Receipt, number)
    if row is None or not hmac.compare_digest(row.check_code, code.strip().lower()):
        return p.ReceiptCheck(number=number, found=False, status="未找到")
    return p.ReceiptCheck(number=number, found=True, total_fen=row.total_fen, day=row.day,
                          village_code=row.village_code, status=row.status)


# -- the server's own check -------------------------------------------------------------------

@dataclass(frozen=True)
class CheckResult:
    devices: int
    entries: int
    problems: list[str]


def _held_rules(s: Session, device: m.Device) -> ChainRules:
    """The rules' state where the device's held chain ended. A state kept by a server from before
    月结 and 统一票据 lacks their figures: the held chain is walked again once to rebuild them (a
    month close must agree with every receipt of its month, not only those sent since)."""
    state = json.loads(device.rules_state) if device.rules_state else None
    if state is None or all(key in state for key in ("months", "books")):
        return ChainRules.from_state(state)
    rules = ChainRules()
    for e in s.exec(select(m.Entry).where(m.Entry.device_id == device.id).order_by(col(m.Entry.seq))):
        rules.feed(e.seq, e.kind, e.recorded_at, e.body, e.prev_hash, e.hash)
    return rules


def check_all(s: Session) -> CheckResult:
    """Walk every device's held chain with the rules from the first entry: what is held must be a
    whole, rule-abiding chain ending exactly at the device's held sequence and hash."""
    problems: list[str] = []
    total = 0
    devices = s.exec(select(m.Device).order_by(col(m.Device.id))).all()
    for device in devices:
        rules = ChainRules()
        for e in s.exec(select(m.Entry).where(m.Entry.device_id == device.id).order_by(col(m.Entry.seq))):
            total += 1
            try:
                rules.feed(e.seq, e.kind, e.recorded_at, e.body, e.prev_hash, e.hash)
            except ChainError as exc:
                problems.append(f"{device.id} 第 {exc.seq} 条：{exc.reason}")
                break
        if (rules.seq, rules.hash) != (device.held_seq, device.held_hash if device.held_seq else GENESIS_HASH):
            problems.append(f"{device.id}：保存的记录到第 {rules.seq} 条，设备状态却是第 {device.held_seq} 条")
    return CheckResult(len(devices), total, problems)


# -- staff ------------------------------------------------------------------------------------

def _password_hash(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**15, r=8, p=1, maxmem=64 * 1024 * 1024,
                          dklen=32).hex()


def add_staff(s: Session, name: str, role: str, password: str, township_code: str | None) -> None:
    if role not in ("county", "township"):
        raise ServerRefusal(400, "bad_role", "角色应为 county 或 township")
    if role == "township" and not township_code:
        raise ServerRefusal(400, "bad_role", "乡镇账户需要 --township-code")
    if len(password) < 8:
        raise ServerRefusal(400, "weak_password", "密码至少 8 位")
    if s.get(m.Staff, name) is not None:
        raise ServerRefusal(409, "exists", f"账户「{name}」已存在")
    salt = secrets.token_bytes(16)
    s.add(m.Staff(name=name, role=role, township_code=township_code, password_salt=salt.hex(),
                  password_hash=_password_hash(password, salt)))


def staff_login(s: Session, name: str, password: str) -> str:
    """A bearer token for 8 hours. Five wrong passwords lock the name for 15 minutes."""
    row = s.get(m.Staff, name)
    if row is None:
        _password_hash(password, b"0" * 16)  # the same cost for an unknown name
        raise ServerRefusal(401, "bad_password", "用户名或密码不对")
    if row.locked_until is not None and row.locked_until > now():
        raise ServerRefusal(429, "locked", f"连续输错密码，账户已锁定到 {row.locked_until:%H:%M}（UTC）")
    if not hmac.compare_digest(_password_hash(password, bytes.fromhex(row.password_salt)), row.password_hash):
        row.failed += 1
        if row.failed >= MAX_FAILED_PASSWORDS:
            row.failed, row.locked_until = 0, now() + STAFF_LOCKOUT
        raise ServerRefusal(401, "bad_password", "用户名或密码不对")
    row.failed, row.locked_until = 0, None
    token = secrets.token_urlsafe(32)
    s.add(m.StaffSession(token_sha256=sha256_hex(token), name=name, expires_at=now() + STAFF_SESSION))
    return token


def staff_for_token(s: Session, token: str | None) -> m.Staff:
    session = s.get(m.StaffSession, sha256_hex(token or ""))
    if session is None or session.expires_at < now():
        raise ServerRefusal(401, "bad_token", "请先登录")
    staff = s.get(m.Staff, session.name)
    assert staff is not None
    return staff


def visible_villages(s: Session, staff: m.Staff) -> list[m.Village]:
    query = select(m.Village).order_by(col(m.Village.code))
    if staff.role == "township":
        query = query.where(m.Village.township_code == staff.township_code)
    return list(s.exec(query).all())


def conflicts_for(s: Session, staff: m.Staff) -> list[m.Conflict]:
    codes = [v.code for v in visible_villages(s, staff)]
    return list(s.exec(select(m.Conflict).where(col(m.Conflict.village_code).in_(codes))
                       .order_by(col(m.Conflict.id))).all())


