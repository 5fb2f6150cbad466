"""What the county issues and a desk pulls: rosters, the county configuration, payments through
other channels, and 入库 confirmations of remittance slips."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.domain.signing import county_signing_bytes
from sync import protocol as p
from sync.server import models as m
from sync.server.core import now, server_key, sha256_hex
from sync.server.devices import ensure_village


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
