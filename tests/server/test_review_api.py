"""The county's side of review, on SQLite and PostgreSQL: the overview row per village, and a
village's flags and sample computed from what its device sent, by the same rules as the
township's desk; a township account sees only its own villages."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from sync import protocol as p
from sync.server import service
from tests.core.test_receipts import med
from tests.factories import AYGUL, CONFIG_PATH, ZHANG, ZHANG_WIFE, FakeClock
from tests.server.conftest import Server
from tests.server.test_sync_flow import enrol


@pytest.fixture(autouse=True)
def county_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server reviews as of its own date; the tests' desk works in November 2026."""
    monkeypatch.setattr("sync.server.routers.staff._today", lambda: date(2026, 11, 25))


def sign_in(http: httpx.Client, name: str, password: str) -> dict[str, str]:
    token = http.post(f"{p.API}/staff/login", json={"name": name, "password": password}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def a_day_with_two_flags(desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    """A receipt voided (作废) and two kept, ¥800 taken and ¥790 counted at settling (日结差额)."""
    wrong = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.void(wrong.number, reason="收错了人", agent=agent, head=head)
    desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=79000, reason="少一百元")


def test_overview_and_village_review_from_what_the_desk_sent(server: Server, desk: Desk, agent: UserInfo,
                                                            head: UserInfo, clock: FakeClock) -> None:
    client = enrol(desk, server)
    a_day_with_two_flags(desk, agent, head, clock)
    desk.settlements.remit(amount_fen=50000, slip_no="YH-2026-01", day=clock().date(), by=agent)
    client.run()
    with server.session() as s:
        service.confirm(s, "YH-2026-01", 50000, clock().date().isoformat())
        service.issue_enrolment_code(s, "341824100202", 1)  # a village that never sent anything
        service.issue_enrolment_code(s, "341824200301", 1)  # another township's
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
        service.add_staff(s, "城关镇", "township", "township-pass", "341824100")
    with httpx.Client(base_url=server.base) as http:
        county = sign_in(http, "县社保", "county-pass-1")
        rows = {r["code"]: r for r in http.get(f"{p.API}/staff/overview", headers=county).json()}
        assert set(rows) == {"341824100201", "341824100202", "341824200301"}
        mine = rows["341824100201"]
        assert (mine["devices"], mine["receipts"], mine["collected_fen"], mine["settled_fen"], mine["remitted_fen"],
                mine["confirmed_fen"], mine["conflicts"]) == (1, 3, 80000, 79000, 50000, 50000, 0)
        assert mine["flag_codes"]["作废"] == 1 and mine["flag_codes"]["日结差额"] == 1 and mine["last_seen"]
        assert rows["341824100202"]["receipts"] == 0 and rows["341824100202"]["last_seen"] is None

        review = http.get(f"{p.API}/staff/review/341824100201", params={"seed": "2468"}, headers=county).json()
        again = http.get(f"{p.API}/staff/review/341824100201", params={"seed": "2468"}, headers=county).json()
        device = review["devices"][0]
        assert device["device_id"] == "341824100201-01" and review["seed"] == "2468"
        reasons = " ".join(f["reason"] for f in device["flags"])
        assert "收错了人" in reasons and "少一百元" in reasons
        assert len(device["sample"]) == 1 and device["sample"] == again["devices"][0]["sample"]

        township = sign_in(http, "城关镇", "township-pass")
        seen = [r["code"] for r in http.get(f"{p.API}/staff/overview", headers=township).json()]
        assert seen == ["341824100201", "341824100202"]
        other = http.get(f"{p.API}/staff/review/341824200301", headers=township)
        assert other.status_code == 404 and "管辖" in other.json()["message"]
        assert http.get(f"{p.API}/staff/overview").status_code == 401
        page = http.get("/overview")
        assert page.status_code == 200 and "县级总览" in page.text and "textContent" in page.text


def test_the_county_flags_cash_held_past_the_configured_limits(server: Server, desk: Desk, agent: UserInfo,
                                                               head: UserInfo, clock: FakeClock,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """双限 of ¥500 / 3 days in the county configuration the desk holds: ¥1,200 settled on 11-20
    and never remitted is flagged by the county's review with both reasons."""
    config = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    config["remit_limits"] = {"amount_yuan": 500, "days": 3}
    desk.setup.import_config(json.dumps(config, ensure_ascii=False), by=head)
    client = enrol(desk, server)
    for person in (ZHANG, ZHANG_WIFE, AYGUL):
        desk.receipts.record(agent, [med(person)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=120000)
    client.run()
    with server.session() as s:
        service.add_staff(s, "县社保", "county", "county-pass-1", None)

    def flags(today: date) -> dict[str, str]:
        monkeypatch.setattr("sync.server.routers.staff._today", lambda: today)
        with httpx.Client(base_url=server.base) as http:
            review = http.get(f"{p.API}/staff/review/341824100201",
                              headers=sign_in(http, "县社保", "county-pass-1")).json()
        return {f["code"]: f["reason"] for f in review["devices"][0]["flags"]
                if f["code"] in ("not_remitted", "over_amount")}

    assert set(flags(date(2026, 11, 22))) == {"over_amount"}  # over ¥500 overnight; 3 days not yet past
    held = flags(date(2026, 11, 25))
    assert "超过解缴限额 500.00 元" in held["over_amount"] and "1,200.00 元" in held["over_amount"]
    assert "超过解缴限期 3 天未解缴" in held["not_remitted"]
