"""A township's monthly counts on the county server (seed 004 镇级4、5), on SQLite and PostgreSQL:
the desk's cash goes up, the county holds the village's roster (last year's rows too), and the
township's figures equal the desk's own (the same function) and a hand count, the 续费率 by age
band included; a voided receipt is not counted; another township's account is refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
from sqlmodel import Session

from app.domain.insurance import Insurance
from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.receipts import LineRequest
from sync import protocol as p
from sync.server import service
from sync.server.cli import _roster_rows
from tests.factories import (
    CONFIG_PATH,
    POOR,
    VILLAGE,
    ZHANG,
    ZHANG_MOTHER,
    ZHANG_WIFE,
    FakeClock,
    write_roster,
)
from tests.server.conftest import Server
from tests.server.test_review_api import sign_in
from tests.server.test_sync_flow import enrol


def load_two_years(s: Session, tmp_path: Path) -> None:
    """The county's configuration, and the village's roster of 2026 (李秀英, 44 on 1 January 2027,
    and 曾特困, 51, paid their pension) with 2027's; a village of another township enrolled."""
    service.load_config(s, CONFIG_PATH.read_text(encoding="utf-8"))
    last = _roster_rows(s, write_roster(tmp_path / "r2026.csv", VILLAGE, year=2026))
    for row in last:
        if row["证件号码"] in (ZHANG_WIFE.id_number, POOR.id_number) and Insurance.parse(str(row["险种"])) is Insurance.PENSION:
            row["缴费状态"] = "已缴"
    service.load_roster(s, "341824100201", last + _roster_rows(s, write_roster(tmp_path / "r.csv", VILLAGE)))
    service.issue_enrolment_code(s, "341824200301", 1)  # another township's village


def test_the_townships_month_on_the_server_equals_the_desks(server: Server, desk: Desk, agent: UserInfo,
                                                             head: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    client = enrol(desk, server)
    with server.session() as s:
        load_two_years(s, tmp_path)
        service.add_staff(s, "城关镇", "township", "township-pass", "341824100")
        service.add_staff(s, "别的镇", "township", "township-pass", "341824200")
    desk.receipts.record(agent, [LineRequest(POOR.id_number, Insurance.PENSION, 2027, tier_fen=50000)], cash_fen=30000)
    desk.receipts.record(agent, [LineRequest(ZHANG_MOTHER.id_number, Insurance.MEDICAL, 2027)], cash_fen=12000)
    wrong = desk.receipts.record(agent, [LineRequest(ZHANG.id_number, Insurance.MEDICAL, 2027)], cash_fen=40000)
    desk.receipts.void(wrong.number, reason="收错了人", agent=agent, head=head)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=42000)
    client.run()

    with httpx.Client(base_url=server.base) as http:
        township = sign_in(http, "城关镇", "township-pass")
        got = http.get(f"{p.API}/staff/monthly/341824100", params={"month": "2026-11", "year": 2027},
                       headers=township).json()
        # By hand: 曾特困 300 of the 500 tier (特困 200 by the state), 王䶮 120 of the medical 400
        # (低保 280); 张三丰's voided medical is not counted.
        tiers = {(t["insurance"], t["tier_fen"]): (t["month_payers"], t["month_fen"]) for t in got["tiers"]}
        assert tiers[("pension", 50000)] == (1, 30000) and tiers[("medical", None)] == (1, 12000)
        assert (got["month_payers"], got["month_fen"], got["month_subsidy_fen"]) == (2, 42000, 48000)
        assert {(k["category"], k["people"]) for k in got["special_counts"]} == {("特困", 1), ("低保", 1)}
        assert POOR.id_number not in str(got)  # masked
        # 续费率: 16–44 李秀英 paid last year, not yet this year (0 of 1); 45–59 曾特困 paid both (1 of 1).
        assert [(r["band"], r["base"], r["renewed"], r["rate"]) for r in got["renewal"]] == [
            ("16–44岁", 1, 0, 0.0), ("45–59岁", 1, 1, 1.0)]
        assert got == desk.monthly.counts(date(2026, 11, 1), year=2027).to_json()  # the roster came down to it

        # The tax office's payments the county loads carry their date: 李秀英's pension by WeChat on
        # 20 November is November's 保费收缴 in her tier (the roster's 500 yuan), and renews her; a
        # payment dated 3 December is not November's; one without a readable date has no month.
        with server.session() as s:
            for day in ("2026-11-20", "2026-12-03", ""):
                service.add_payment(s, "341824100201", ZHANG_WIFE.id_number if day != "2026-12-03" else ZHANG.id_number,
                                    "pension", 2027, 50000, "微信", day)
            s.commit()
        more = http.get(f"{p.API}/staff/monthly/341824100", params={"month": "2026-11", "year": 2027},
                        headers=township).json()
        tiers = {(t["insurance"], t["tier_fen"]): (t["month_payers"], t["month_fen"]) for t in more["tiers"]}
        assert tiers[("pension", 50000)] == (2, 80000) and tiers[("medical", None)] == (1, 12000)
        assert (more["month_payers"], more["month_fen"]) == (3, 92000)
        assert [(r["band"], r["base"], r["renewed"]) for r in more["renewal"]] == [("16–44岁", 1, 1), ("45–59岁", 1, 1)]
        december = http.get(f"{p.API}/staff/monthly/341824100", params={"month": "2026-12", "year": 2027},
                            headers=township).json()
        tiers = {(t["insurance"], t["tier_fen"]): t for t in december["tiers"]}
        assert (december["month_payers"], december["month_fen"]) == (1, 50000)  # 张三丰, by WeChat on 3 December
        assert (tiers[("pension", 50000)]["total_payers"], tiers[("pension", 50000)]["total_fen"]) == (3, 130000)

        other = http.get(f"{p.API}/staff/monthly/341824100", params={"month": "2026-11", "year": 2027},
                         headers=sign_in(http, "别的镇", "township-pass"))
        assert other.status_code == 404 and "管辖" in other.json()["message"]
        bad = http.get(f"{p.API}/staff/monthly/341824100", params={"month": "2026-11", "year": 2031},
                       headers=township)
        assert bad.status_code == 400 and "2031" in bad.json()["message"]
        assert http.get(f"{p.API}/staff/monthly/341824100", params={"month": "2026-11", "year": 2027}).status_code == 401
