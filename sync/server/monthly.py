"""What a township counts each month (seed 004 镇级4、5; issue 25), on the county server: the
same pure function as the desk's (app/domain/monthly.py), fed with the rows of every village of
the township the account may see — each village's newest roster version, the lines of its
receipts still valid (a voided one is not counted) from the receipt entries its desks sent, dated
by the receipt's day, and the payments through other channels the county loaded for its villages,
dated by their 缴费日期 and counted in the tier of the person's due (a month's 保费收缴 is not
only the cash: 003 第二十五条 makes the bank debit the main channel)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.domain.config import ConfigError, load_config_text
from app.domain.ids import IdNumberError, parse_id_number
from app.domain.money import MoneyError, parse_yuan
from app.domain.monthly import (
    LastYear,
    MonthlyCounts,
    PaidLine,
    RosterDue,
    RosterPerson,
    monthly_counts,
)
from sync.server import models as m
from sync.server.core import ServerRefusal
from sync.server.staff import visible_villages

# The roster's columns as the county's rows keep them (app/services/roster/columns.py Column).
ID, NAME, INSURANCE, YEAR, TIER = "证件号码", "姓名", "险种", "缴费年度", "缴费档次"
CATEGORY, GROUP, HOUSEHOLD, STATUS, CHANNEL = "人员类别", "村民小组", "户号", "缴费状态", "缴费渠道"


def _roster(rows: list[dict[str, Any]], year: int) -> tuple[list[RosterPerson], list[RosterDue], list[RosterDue]]:
    """The people, the dues of `year` and those of the year before (for the 续费率)."""
    people: dict[str, RosterPerson] = {}
    dues: list[RosterDue] = []
    before: list[RosterDue] = []
    for r in rows:
        try:
            idn = parse_id_number(str(r[ID]))
        except IdNumberError:
            continue  # the county's own rows were checked when loaded
        people.setdefault(idn.value, RosterPerson(idn.value, str(r[NAME]), str(r.get(GROUP, "")),
                                                  str(r.get(HOUSEHOLD, "")), str(r.get(CATEGORY, "")),
                                                  idn.birth_date, False))
        if int(r[YEAR]) not in (year, year - 1):
            continue
        try:
            tier = parse_yuan(str(r[TIER]), field=TIER) if str(r.get(TIER) or "").strip() else None
        except MoneyError:
            tier = None
        elsewhere = str(r.get(CHANNEL) or "").strip() or ("已缴" if str(r.get(STATUS) or "") == "已缴" else None)
        (dues if int(r[YEAR]) == year else before).append(RosterDue(idn.value, str(r[INSURANCE]), tier, elsewhere, False))
    return list(people.values()), dues, before


def township_counts(s: Session, staff: m.Staff, township_code: str, month: date, year: int) -> MonthlyCounts:
    villages = [v.code for v in visible_villages(s, staff) if v.township_code == township_code]
    if not villages:
        raise ServerRefusal(404, "not_visible", f"乡镇 {township_code[:12]} 不在本账号管辖范围内，或还没有村")
    newest = s.exec(select(m.CountyConfigVersion).order_by(col(m.CountyConfigVersion.id).desc())).first()
    if newest is None:
        raise ServerRefusal(409, "no_config", "请先载入县级配置（daishou-server config load FILE）")
    county = load_config_text(newest.text)
    try:
        config = county.year(year)
    except ConfigError as exc:
        raise ServerRefusal(400, "bad_year", str(exc)) from None
    try:
        config_before = county.year(year - 1)
    except ConfigError:
        config_before = None  # a fully subsidised due of last year is then not known as paid
    people: list[RosterPerson] = []
    dues: list[RosterDue] = []
    dues_before: list[RosterDue] = []
    for code in villages:
        roster = s.exec(select(m.RosterVersion).where(m.RosterVersion.village_code == code)
                        .order_by(col(m.RosterVersion.version).desc())).first()
        if roster is not None:
            found = _roster(json.loads(roster.rows), year)
            people += found[0]
            dues += found[1]
            dues_before += found[2]
    valid = {r.number: r.day for r in s.exec(select(m.Receipt).where(col(m.Receipt.village_code).in_(villages),
                                                                     m.Receipt.status != "已作废")).all()}
    devices = [d.id for d in s.exec(select(m.Device).where(col(m.Device.village_code).in_(villages))).all()]
    paid: list[PaidLine] = []
    paid_before: list[PaidLine] = []
    for body in s.exec(select(m.Entry.body).where(col(m.Entry.device_id).in_(devices),
                                                  m.Entry.kind == "receipt")).all():
        data = json.loads(body)["data"]
        day = valid.get(data["number"])
        if day is None:
            continue
        for ln in data["lines"]:
            if int(ln["year"]) in (year, year - 1):
                (paid if int(ln["year"]) == year else paid_before).append(PaidLine(
                    ln["id_number"], ln["insurance"], ln["tier_fen"], int(ln["amount_fen"]), date.fromisoformat(day)))
    tiers = {(d.id_number, d.insurance, y): d.tier_fen for y, ds in ((year, dues), (year - 1, dues_before)) for d in ds}
    for p in s.exec(select(m.Payment).where(col(m.Payment.village_code).in_(villages),
                                            col(m.Payment.year).in_((year, year - 1)))).all():
        try:
            on = date.fromisoformat(p.paid_on[:10])
            idn = parse_id_number(p.id_number).value
        except (ValueError, IdNumberError):
            continue  # no date, no month: the roster's 已缴 mark still counts it for the year
        (paid if p.year == year else paid_before).append(PaidLine(
            idn, p.insurance, tiers.get((idn, p.insurance, p.year)), p.amount_fen, on, p.channel or "其他渠道"))
    return monthly_counts(month, config, people, dues, paid, last_year=LastYear(dues_before, paid_before, config_before))
