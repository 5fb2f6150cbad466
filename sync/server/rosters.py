"""What the county issues and a desk pulls: rosters, the county configuration, payments through
other channels, and 入库 confirmations of remittance slips."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.domain.money import format_fen
from app.domain.signing import county_signing_bytes
from sync import protocol as p
from sync.server import models as m
from sync.server import progress_count
from sync.server.core import ServerRefusal, now, server_key, sha256_hex
from sync.server.devices import ensure_village
from sync.server.progress_sql import judge_version


def changes(s: Session, device: m.Device, roster_version: int, payments_after: int,
            confirmations_after: int, config_sha256: str | None, debit_lists_after: int = 0) -> p.Changes:
    from sync.server import debit_lists

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
                         for r in s.exec(select(m.Confirmation).where(m.Confirmation.village_code == device.village_code,
                                                                     col(m.Confirmation.slip_no).in_(slips),
                                                                     col(m.Confirmation.id) > confirmations_after)
                                         .order_by(col(m.Confirmation.id))).all()]
    out.debit_lists = debit_lists.changes(s, device, debit_lists_after)  # the tax office's lists (issue 25)
    return out


def load_roster(s: Session, village_code: str, rows: list[dict[str, Any]]) -> int:
    ensure_village(s, village_code)
    current = s.exec(select(func.max(m.RosterVersion.version)).where(
        m.RosterVersion.village_code == village_code)).one() or 0
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    version = m.RosterVersion(village_code=village_code, version=current + 1, rows=text, sha256=sha256_hex(text),
                              loaded_at=now())
    s.add(version)
    judge_version(s, version)  # progress counts these dues in SQL (progress_sql.py)
    progress_count.touch(s, [village_code])
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
    progress_count.touch(s, [village_code])


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


def confirm(s: Session, slip_no: str, amount_fen: int, confirmed_on: str, village_code: str | None = None) -> int:
    """入库 confirmation of a village's remittance slip; returns how many remittances it covers.
    Slips are numbered per village: one remitted by two villages needs the village named, and a
    confirmed amount must be what was remitted under the slip (both figures are shown if not)."""
    query = select(m.Remittance).where(m.Remittance.slip_no == slip_no)
    if village_code is not None:
        query = query.where(m.Remittance.village_code == village_code)
    remitted = list(s.exec(query).all())
    villages = sorted({r.village_code for r in remitted})
    if len(villages) > 1:
        raise ServerRefusal(409, "ambiguous_slip", f"解缴单号 {slip_no} 在 {'、'.join(villages)} 都有上传："
                                                   "请用 --village-code 指明是哪个村的解缴单")
    village = village_code or (villages[0] if villages else None)
    if village is None:
        raise ServerRefusal(409, "unknown_slip", f"县里还没有收到解缴单 {slip_no} 的上传：请等村里同步后再确认，"
                                                 "或用 --village-code 指明是哪个村的解缴单")
    total = sum(r.amount_fen for r in remitted)
    if remitted and total != amount_fen:
        raise ServerRefusal(409, "confirm_mismatch", f"解缴单 {slip_no}（村 {village}）上传的解缴金额是 "
                                                     f"{format_fen(total)} 元，入库确认的是 {format_fen(amount_fen)} 元："
                                                     "请核对银行回单，金额一致才能确认")
    if s.exec(select(m.Confirmation).where(m.Confirmation.village_code == village,
                                           m.Confirmation.slip_no == slip_no)).first() is not None:
        raise ServerRefusal(409, "already_confirmed", f"村 {village} 的解缴单 {slip_no} 已经确认过入库")
    s.add(m.Confirmation(village_code=village, slip_no=slip_no, amount_fen=amount_fen, confirmed_on=confirmed_on,
                         loaded_at=now()))
    return len(remitted)
