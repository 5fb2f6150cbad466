"""What the county's records say: a receipt as a payer's phone checks it, and the server's own
re-walk of every held chain (`daishou-server check`)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.domain.canonical import GENESIS_HASH
from app.domain.chain import ChainError, ChainRules
from sync import protocol as p
from sync.server import models as m


def check_receipt(s: Session, number: str, code: str) -> p.ReceiptCheck:
    row = s.get(m.Receipt, number)
    if row is None or not hmac.compare_digest(row.check_code, code.strip().lower()):
        return p.ReceiptCheck(number=number, found=False, status="未找到")
    return p.ReceiptCheck(number=number, found=True, total_fen=row.total_fen, day=row.day,
                          village_code=row.village_code, status=row.status)


@dataclass(frozen=True)
class CheckResult:
    devices: int
    entries: int
    problems: list[str]


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
