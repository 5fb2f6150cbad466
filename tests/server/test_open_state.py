"""Open state at every sync attempt (issue 24), on SQLite and PostgreSQL over loopback: the
county's overview shows cash a village holds before its days are settled and uploaded, days not
settled, desks silent for days and cash over the 双限, each a flag with its reason; a report not
signed by the device's key, an old one sent again, or one for another device is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.open_state import open_state
from sync import protocol as p
from sync.keys import DeviceSecrets
from sync.server import models as m
from sync.server import open_state as server_open_state
from sync.server import service
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock
from tests.server.conftest import Server
from tests.server.test_review_api import sign_in
from tests.server.test_sync_flow import enrol


def county_rows(server: Server) -> dict[str, dict[str, Any]]:
    with server.session() as s:
        if s.get(m.Staff, "县社保") is None:
            service.add_staff(s, "县社保", "county", "county-pass-1", None)
    with httpx.Client(base_url=server.base) as http:
        county = sign_in(http, "县社保", "county-pass-1")
        return {r["code"]: r for r in http.get(f"{p.API}/staff/overview", headers=county).json()}


def test_open_cash_reaches_the_overview_before_its_day_goes_up(
        server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)  # settled, not remitted
    clock.next_day()
    open_one = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    wrong = desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    desk.receipts.void(wrong.number, reason="收错了人", agent=agent, head=head)  # a void is no cash held
    with server.session() as s:
        code = service.issue_enrolment_code(s, "341824100202", 1)
        service.enrol(s, p.EnrolRequest(code=code,
                                        public_key=p.b64(Ed25519PrivateKey.generate().public_key()
                                                         .public_bytes_raw())))
    report = client.run()
    assert report.open_state == "stored"
    with server.session() as s:
        assert s.get(m.Receipt, open_one.number) is None  # the open day's entries stay on the desk
    # The county's day: 2026-11-25; the open day is 2026-11-21, the settled cash is from the 20th.
    monkeypatch.setattr("sync.server.routers.staff._today", lambda: date(2026, 11, 25))
    rows = county_rows(server)
    mine = rows["341824100201"]["open_state"]
    assert (mine["open_since"], mine["days_not_settled"], mine["open_receipts"], mine["open_cash_fen"],
            mine["held_fen"], mine["cash_on_hand_fen"]) == ("2026-11-21", 4, 1, 40000, 40000, 80000)
    flags = {f["code"]: f["reason"] for f in mine["flags"]}
    assert "2026-11-21 起的现金尚未日结（已 4 天），未日结现金 400.00 元、收据 1 张" in flags["not_settled"]
    assert "超过解缴双限" in flags["over_limits"] and "2026-11-20" in flags["over_limits"]
    assert "silent" not in flags
    # the other village's desk is enrolled and has never reported
    assert [f["code"] for f in rows["341824100202"]["open_state"]["flags"]] == ["never_reported"]
    # four days later with no sync attempt: the desk is silent
    later = datetime.now(UTC).date() + timedelta(days=4)
    monkeypatch.setattr("sync.server.routers.staff._today", lambda: later)
    mine = county_rows(server)["341824100201"]["open_state"]
    assert mine["silent_days"] == 4
    assert "已 4 天没有同步" in {f["code"]: f["reason"] for f in mine["flags"]}["silent"]
    # the day settled and remitted: the next attempt clears every flag
    monkeypatch.setattr("sync.server.routers.staff._today", lambda: date(2026, 11, 21))
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    desk.settlements.remit(amount_fen=80000, slip_no="YH-2026-09", day=clock().date(), by=agent)
    assert open_state(desk).cash_on_hand_fen == 0
    assert client.run().open_state == "stored"
    mine = county_rows(server)["341824100201"]["open_state"]
    assert (mine["open_cash_fen"], mine["held_fen"], mine["open_since"], mine["flags"]) == (0, 0, None, [])


def test_a_report_not_signed_by_the_device_or_sent_again_is_refused(
        server: Server, desk: Desk, agent: UserInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    key, token = DeviceSecrets(desk.home).load() or (None, "")
    assert key is not None
    honest = client.open_state(key)
    assert honest.open_cash_fen == 40000
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=server.base) as http:
        # the token alone (a copied keyring entry, no key): a "no cash" report signed by another key
        empty = honest.model_copy(update={"open_cash_fen": 0, "open_receipts": 0, "open_since": None,
                                          "open_days": 0, "signature": ""})
        forged = empty.model_copy(update={"signature": p.b64(Ed25519PrivateKey.generate().sign(
            p.open_state_signing_bytes(empty)))})
        answer = http.post(p.OPEN_STATE, content=forged.model_dump_json(), headers=auth)
        assert answer.status_code == 400 and answer.json()["code"] == "bad_signature"
        # the honest figures with the amount changed after signing
        changed = honest.model_copy(update={"open_cash_fen": 100})
        assert http.post(p.OPEN_STATE, content=changed.model_dump_json(), headers=auth).json()["code"] \
            == "bad_signature"
        assert http.post(p.OPEN_STATE, content=honest.model_dump_json(), headers=auth).status_code == 200
        # the same report again, and an old one (yesterday's, signed then): not in place of today's
        again = http.post(p.OPEN_STATE, content=honest.model_dump_json(), headers=auth)
        assert again.status_code == 409 and again.json()["code"] == "stale_report"
        old = empty.model_copy(update={"reported_at": (datetime.now(UTC) - timedelta(days=1)).isoformat()})
        old = old.model_copy(update={"signature": p.b64(key.sign(p.open_state_signing_bytes(old)))})
        assert http.post(p.OPEN_STATE, content=old.model_dump_json(), headers=auth).json()["code"] == "stale_report"
        # another village's device cannot report for this one
        with server.session() as s:
            other_code = service.issue_enrolment_code(s, "341824100202", 1)
        with server.session() as s:  # committed before the report below is sent
            other = service.enrol(s, p.EnrolRequest(code=other_code, public_key=p.b64(
                Ed25519PrivateKey.generate().public_key().public_bytes_raw())))
        moved = honest.model_copy(update={"reported_at": datetime.now(UTC).isoformat(timespec="seconds")})
        answer = http.post(p.OPEN_STATE, content=moved.model_dump_json(),
                           headers={**auth, "Authorization": f"Bearer {other.token}"})
        assert answer.status_code == 403 and answer.json()["code"] == "wrong_device"
    with server.session() as s:
        held = s.get(server_open_state.DeviceOpenState, "341824100201-01")
        assert held is not None and held.open_cash_fen == 40000 and held.open_since == "2026-11-20"
        assert s.get(server_open_state.DeviceOpenState, "341824100202-01") is None


def test_a_server_without_the_endpoint_still_takes_the_settled_days(
        server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    monkeypatch.setattr(p, "OPEN_STATE", f"{p.API}/device/no-such-endpoint")  # as an older county server answers
    report = client.run()
    assert report.open_state == "县服务器版本较旧，不接收未日结情况"
    assert report.sent and desk.sync.waiting() == 0
