"""A device's upload: its signature, its place after what is held (already held, a forked ledger
kept for staff, or new entries), the chain rules the desk obeys and the county's own rules
(rules.py), then its rows and the device's new state in one statement (bulk.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.domain.chain import ChainError, ChainRules
from app.domain.entries import parse_entry
from sync import protocol as p
from sync.server import bulk, device_figures
from sync.server import models as m
from sync.server.core import ServerRefusal, now, sign_ack
from sync.server.rules import CountyRules


class Stages:
    """Seconds spent per stage of uploads (parse, signature, chain, rules, insert, figures), summed: what
    the sync benchmark prints so the remaining cost is visible. Used as `with stages("chain"):`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


@contextmanager
def _untrusted(seq: int | None) -> Iterator[None]:
    """What a desk signed is untrusted input: a rule's named refusal passes on as it is; any other
    failure on it (a string where the rules expect a list, an object where a number goes) is the
    entry's malformed body, a 422 naming the entry, never a server error."""
    try:
        yield
    except ChainError as exc:
        raise ServerRefusal(422, exc.code, exc.reason, exc.seq) from None
    except ServerRefusal:
        raise
    except Exception as exc:  # noqa: BLE001 - see above: every other exception here is the input's
        where = f"第 {seq} 条" if seq is not None else "本批记录"
        raise ServerRefusal(422, "bad_body", f"{where}的内容格式不对（{type(exc).__name__}）：县里无法核对", seq) from None


def record_refusal(s: Session, device: m.Device, refusal: ServerRefusal) -> None:
    """A rule refusal of an upload, kept for staff (in its own transaction: the upload's is
    rolled back). The same refusal again (the desk retries) is kept once."""
    same = s.exec(select(m.UploadRefusal).where(m.UploadRefusal.device_id == device.id,
                                                m.UploadRefusal.code == refusal.code,
                                                m.UploadRefusal.seq == refusal.seq)).first()
    if same is None:
        s.add(m.UploadRefusal(device_id=device.id, village_code=device.village_code, seq=refusal.seq,
                              code=refusal.code, message=refusal.message, received_at=now()))


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


class _Checked:
    """What a batch's new entries came to from a held chain's end (`seq`, `hash`): the chain rules
    after them, each entry with its data, the county's rules that need nothing held, and the
    refusal, if any, to answer once the entries under the lock are known not to fork."""

    def __init__(self, device: m.Device, batch: p.Batch, rules: ChainRules, stage: Stages) -> None:
        self.seq, self.hash = rules.seq, rules.hash
        self.rules, self.county = rules, CountyRules(device)
        self.checked: list[tuple[p.Entry, dict[str, Any], bool]] = []
        self.refusal: ServerRefusal | None = None
        try:
            with stage("chain"):
                for e in batch.entries:
                    if e.seq <= self.seq:
                        continue
                    configured = rules.config_text is not None
                    with _untrusted(e.seq):
                        data = rules.feed(e.seq, e.kind, e.recorded_at, e.body, e.prev_hash, e.hash)
                        # Each entry fits its kind's class, as the desk wrote it: what the county
                        # reads from it later (its review figures at this upload) meets no surprise.
                        parse_entry(e.kind, data)
                        self.checked.append((e, data, configured))
            with stage("rules"), _untrusted(None):
                self.county.check_batch(self.checked)
        except ServerRefusal as exc:
            self.refusal = exc


def _prepare(device: m.Device, batch: p.Batch, stage: Stages) -> _Checked | None:
    """The checks that need nothing but the batch and the device's state as it was read when it
    called (before the lock): None where that state cannot say (a state from an older server)."""
    state = json.loads(device.rules_state) if device.rules_state else None
    if state is not None and not all(key in state for key in ("months", "books")):
        return None
    if not batch.from_seq <= device.held_seq + 1 <= batch.to_seq:
        return None  # a gap or nothing new: answered under the lock
    with stage("chain"):
        rules = ChainRules.from_state(state)
    return _Checked(device, batch, rules, stage)


def accept_batch(s: Session, device: m.Device, batch: p.Batch, *, raw: str | None = None,
                 timer: Stages | None = None) -> p.BatchResult:
    """Take a signed batch: the same entries again are already_held; other entries under a held
    sequence are a conflict (kept, never applied); new entries must pass the chain rules from
    where this device's held chain ends.

    Everything that needs only the batch (its signature, the chain rules, the county's rules on
    amounts and namespaces) runs before the device's row is locked (on SQLite: before the
    database's write lock), from the device's state as read when it called; under the lock, what
    needs what is held, then one driver-level statement for all rows. Should another upload of the
    device have landed in between, the checks run again under the lock."""
    stage = timer or Stages()
    if batch.device_id != device.id:
        raise ServerRefusal(403, "wrong_device",
                            f"这个凭证属于设备 {device.id}，不能上传设备 {batch.device_id} 的账本")
    _check_shape(batch)
    with stage("signature"):
        check_signature(device, batch)
    early = _prepare(device, batch, stage)
    with stage("insert"):  # waiting for the lock is the insert's cost
        locked = s.exec(select(m.Device).where(m.Device.id == device.id).with_for_update()
                        .execution_options(populate_existing=True)).one()
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
                _seen_version(locked, batch)
                return _conflict(s, locked, batch, e, held.get(e.seq, ""), raw)
    if batch.to_seq <= held_seq:
        _seen_version(locked, batch)
        return p.BatchResult(status=p.BatchStatus.ALREADY_HELD, held_seq=held_seq, held_hash=held_hash,
                             ack=sign_ack(s, locked.id, held_seq, held_hash), message="县里已经有这些记录")
    if early is None or (early.seq, early.hash) != (held_seq, held_hash):
        with stage("chain"):
            rules = _held_rules(s, locked)
        early = _Checked(locked, batch, rules, stage)
    if early.refusal is not None:
        raise early.refusal
    rules, county, checked = early.rules, early.county, early.checked
    with stage("rules"), _untrusted(None):
        county.check_held(s)
    with stage("insert"):
        received = now()
        projected = _Projection(locked)
        entries: list[dict[str, Any]] = []
        for e, d, _ in checked:
            entries.append({"device_id": locked.id, "seq": e.seq, "kind": e.kind, "recorded_at": e.recorded_at,
                            "body": e.body, "prev_hash": e.prev_hash, "hash": e.hash, "received_at": received})
            projected.add(e, d)
        state = {"held_seq": rules.seq, "held_hash": rules.hash, "last_seen_at": received,
                 "rules_state": json.dumps(rules.to_state(), ensure_ascii=False, separators=(",", ":"))}
        if batch.program_version:  # what the county's overview shows as this desk's version
            state["program_version"] = batch.program_version
        # Rows and the device's new state in one statement (one round trip on PostgreSQL); the
        # device object is told its new values as stored, so nothing is flushed for it again.
        bulk.write(s, [(m.Entry, entries), *projected.rows(), *county.rows()], (m.Device, {"id": locked.id}, state))
        for name, value in state.items():
            set_committed_value(locked, name, value)
        projected.write(s)
        county.write()
    # What the overview reads of this device (device_figures.py), reviewed from the chain just
    # stored: a body that passed the rules but that the review cannot read (a payer that is not an
    # object, say) is the upload's fault, refused with the rest of it rolled back.
    with stage("figures"), _untrusted(None):
        device_figures.recount(s, [locked.id])
    return p.BatchResult(status=p.BatchStatus.ACCEPTED, held_seq=locked.held_seq, held_hash=locked.held_hash,
                         ack=sign_ack(s, locked.id, locked.held_seq, locked.held_hash),
                         message=f"县里已收到第 {checked[0][0].seq}–{checked[-1][0].seq} 条")


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

    def rows(self) -> list[tuple[type[Any], list[dict[str, Any]]]]:
        return [(m.Receipt, list(self.receipts.values())), (m.Remittance, self.remittances)]

    def write(self, s: Session) -> None:
        """After the rows: the status of receipts held earlier that this upload voids or refunds."""
        for number, status in self.status.items():
            s.execute(update(m.Receipt).where(col(m.Receipt.number) == number).values(status=status))


def _seen_version(device: m.Device, batch: p.Batch) -> None:
    """The program version a desk sent with an upload that stores nothing new."""
    if batch.program_version:  # what the county's overview shows as this desk's version
        device.program_version = batch.program_version


def _conflict(s: Session, device: m.Device, batch: p.Batch, first: p.Entry, held_hash: str,
              raw: str | None) -> p.BatchResult:
    """A forked ledger: kept where staff see it, never applied, the same fork stored once."""
    existing = s.exec(select(m.Conflict).where(m.Conflict.device_id == device.id,
                                               m.Conflict.first_seq == first.seq,
                                               m.Conflict.sent_hash == first.hash)).first()
    if existing is None:
        from sync.server import forks

        forks.make_room(s, device.id, len(raw if raw is not None else batch.model_dump_json()))
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
