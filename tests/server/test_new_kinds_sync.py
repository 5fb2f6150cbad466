"""The journal kinds that came after the first sync (月结, 代为缴费, 统一票据) go up like any entry
and the county checks them with the same rules; a server whose kept state predates them walks
the device's chain again; a server that does not know a kind is not sent it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from app.cli import main
from app.cli.common import Context
from app.domain.records import UserInfo
from app.services.desk import Desk
from sync.messages import SyncError
from sync.server import devices
from sync.server import models as m
from tests.core.test_receipts import med
from tests.factories import ZHANG, FakeClock
from tests.server.conftest import Server
from tests.server.test_sync_flow import enrol


@pytest.mark.parametrize("old_state", [False, True], ids=["state-with-months", "state-from-before"])
def test_a_month_close_goes_up_and_is_checked(server: Server, desk: Desk, agent: UserInfo, head: UserInfo,
                                              clock: FakeClock, old_state: bool) -> None:
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    client.run()
    if old_state:  # as a server from before 月结 kept it
        with server.session() as s:
            device = s.get(m.Device, "341824100201-01")
            assert device is not None
            state = json.loads(device.rules_state)
            for key in ("months", "closed_month", "books", "serials_used"):
                del state[key]
            device.rules_state = json.dumps(state)
            s.add(device)
    clock.now = datetime(2026, 12, 1, 9, 0)
    desk.months.close("2026-11", agent=agent, head=head, counted_fen=40000)
    report = client.run()
    assert report.held == desk.sync.newest()
    with server.session() as s:
        device = s.get(m.Device, "341824100201-01")
        assert device is not None and json.loads(device.rules_state)["closed_month"] == "2026-11"


def test_the_county_refuses_a_close_whose_figures_are_not_the_chains(server: Server, desk: Desk, agent: UserInfo,
                                                                      head: UserInfo, clock: FakeClock) -> None:
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    client.run()
    with server.session() as s:  # the county's state says more cash was taken than the desk's close will say
        device = s.get(m.Device, "341824100201-01")
        assert device is not None
        state = json.loads(device.rules_state)
        state["months"]["2026-11"][2] += 10000
        device.rules_state = json.dumps(state)
        s.add(device)
    clock.now = datetime(2026, 12, 1, 9, 0)
    desk.months.close("2026-11", agent=agent, head=head, counted_fen=40000)
    with pytest.raises(SyncError, match="月结"):
        client.run()


def test_a_server_that_does_not_know_month_closes_is_not_sent_one(server: Server, desk: Desk, agent: UserInfo,
                                                                   head: UserInfo, clock: FakeClock,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """An older county server lists no kinds: the desk sends what it knows and stops before the
    月结, saying the server needs upgrading (the older server would refuse it as unknown)."""
    from sync.server import service

    real_state = service.state
    monkeypatch.setattr(devices, "state", lambda s, device: real_state(s, device).model_copy(update={"kinds": None}))
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    settled = desk.sync.newest()
    clock.now = datetime(2026, 12, 1, 9, 0)
    desk.months.close("2026-11", agent=agent, head=head, counted_fen=40000)
    with pytest.raises(SyncError, match=f"还不认识本机的「月结」记录：已上传到第 {settled} 条后暂停"):
        client.run()
    with server.session() as s:
        device = s.get(m.Device, "341824100201-01")
        assert device is not None and device.held_seq == settled  # everything before the close went up


def test_a_usb_export_stops_before_a_kind_the_county_server_did_not_know(
        server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A village that synced once with an older server, then went offline: its USB file holds
    what that server knows, not the 月结 it would refuse whole; the command line says the rest
    waits for the upgrade, and the county imports the file."""
    import io

    from sync.server import cli as server_cli
    from sync.server import service

    real_state = service.state
    monkeypatch.setattr(devices, "state", lambda s, device: real_state(s, device).model_copy(update={"kinds": None}))
    client = enrol(desk, server)
    held = client.run().held  # the set-up entries go up; the desk learns what this server knows
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    settled = desk.sync.newest()
    clock.now = datetime(2026, 12, 1, 9, 0)
    desk.months.close("2026-11", agent=agent, head=head, counted_fen=40000)
    out = tmp_path / "usb.json"
    said = io.StringIO()
    assert main(["--home", str(desk.home), "export", "--out", str(out)],
                context=Context(stdout=said, stderr=said, clock=clock)) == 0
    assert f"已导出第 {held + 1}–{settled} 条" in said.getvalue() and "县里升级服务器后再导出" in said.getvalue()
    assert '"kind":"month_close"' not in out.read_text(encoding="utf-8")
    said = io.StringIO()
    assert server_cli.main(["--db", server.url, "import", str(out)], stdout=said, stderr=said) == 0
    assert '"status": "accepted"' in said.getvalue()
    with server.session() as s:
        device = s.get(m.Device, "341824100201-01")
        assert device is not None and device.held_seq == settled


def test_a_payment_on_the_payers_behalf_goes_up(server: Server, desk: Desk, agent: UserInfo, head: UserInfo,
                                                clock: FakeClock) -> None:
    from tests.core.test_paid_on_behalf import pay_on_behalf

    pay_on_behalf(desk, head)
    client = enrol(desk, server)
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.record_paid_on_behalf(r.number, voucher="332016260000123", channel="电子税务局", by=agent)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    assert client.run().held == desk.sync.newest()
    with server.session() as s:
        kinds = [e.kind for e in s.exec(select(m.Entry).order_by(col(m.Entry.seq))).all()]
    assert "paid_on_behalf" in kinds


def test_uniform_receipt_serials_go_up_and_are_checked(server: Server, desk: Desk, agent: UserInfo, head: UserInfo,
                                                       clock: FakeClock) -> None:
    client = enrol(desk, server)
    desk.receipt_books.add("0001201", "0001250", prefix="皖", by=head)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipt_books.spoil(reason="卡纸", by=agent)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    assert client.run().held == desk.sync.newest()
    with server.session() as s:
        device = s.get(m.Device, "341824100201-01")
        assert device is not None
        state = json.loads(device.rules_state)
    assert state["serials_used"] == 2 and state["books"][0]["first"] == "皖0001201"
