"""Checks only the county can make, across villages: remittance slips and their 入库 confirmations
keyed by village and slip; one person paid in two villages, or in cash and through another
channel, flagged for both townships."""

from __future__ import annotations

import pytest
from sqlmodel import select

from sync.server import cli as server_cli
from sync.server import models as m
from sync.server import service
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, FakeClock
from tests.server.conftest import Server
from tests.server.redteam.attack import chained, held, journal, send, staff_get
from tests.server.redteam.conftest import Village

SLIP = "JK-2026-0001"


def _remit(v: Village, clock: FakeClock, amount_fen: int) -> None:
    v.desk.receipts.record(v.agent, [med(AYGUL)], cash_fen=40000)
    v.desk.settlements.settle(clock().date(), agent=v.agent, head=v.head, counted_fen=40000)
    v.desk.settlements.remit(amount_fen=amount_fen, slip_no=SLIP, day=clock().date(), by=v.agent)
    v.client.run()


def test_one_slip_number_in_two_villages_is_confirmed_per_village(
        server: Server, village_b: Village, village_c: Village, clock: FakeClock,
        capsys: pytest.CaptureFixture[str]) -> None:
    _remit(village_b, clock, 40000)
    _remit(village_c, clock, 30000)
    # the county's confirm of the bare slip number: whose is it? refused, naming both villages
    assert server_cli.main(["--db", server.url, "confirm", "--slip", SLIP, "--amount", "400", "--date",
                            "2026-11-21"]) == 1
    said = capsys.readouterr().err
    assert "在 341824100201、341824101305 都有上传" in said and "--village-code" in said
    # B's amount confirmed as C's slip: refused with both figures
    assert server_cli.main(["--db", server.url, "confirm", "--slip", SLIP, "--amount", "400", "--date",
                            "2026-11-21", "--village-code", village_c.code]) == 1
    said = capsys.readouterr().err
    assert "上传的解缴金额是 300.00 元，入库确认的是 400.00 元" in said
    # each village's own confirmation reaches that village only
    assert server_cli.main(["--db", server.url, "confirm", "--slip", SLIP, "--amount", "400", "--date",
                            "2026-11-21", "--village-code", village_b.code]) == 0
    assert village_b.client.run().received["confirmations"] == [SLIP]
    assert village_c.client.run().received.get("confirmations") in (None, [])
    assert village_c.desk.sync.state()["confirmations"] == {}
    assert village_b.desk.sync.state()["confirmations"][SLIP]["amount_fen"] == 40000
    overview = {row["code"]: row["confirmed_fen"] for row in staff_get(server, "overview")}
    assert overview == {village_b.code: 40000, village_c.code: 0}


def test_the_same_slip_twice_in_one_village_is_refused(server: Server, village_c: Village, clock: FakeClock) -> None:
    c = village_c
    c.desk.receipts.record(c.agent, [med(ZHANG)], cash_fen=40000)
    c.desk.settlements.settle(clock().date(), agent=c.agent, head=c.head, counted_fen=40000)
    c.desk.settlements.remit(amount_fen=20000, slip_no=SLIP, day=clock().date(), by=c.agent)
    rows = journal(c.desk)
    remittance = next(r for r in rows if r["kind"] == "remittance")
    answer = send(server, c.client, c.device_id, chained([*rows, dict(remittance, data=dict(remittance["data"]))]))
    assert answer.status_code == 422 and answer.json()["code"] == "slip_reused"
    assert held(server) == 0


def test_one_person_paid_in_two_villages_is_flagged_for_both_townships(
        server: Server, village_b: Village, village_c: Village, clock: FakeClock) -> None:
    for v in (village_b, village_c):
        v.desk.receipts.record(v.agent, [med(ZHANG)], cash_fen=40000)
        v.desk.settlements.settle(clock().date(), agent=v.agent, head=v.head, counted_fen=40000)
        assert v.client.run().sent  # both accepted: each village did nothing wrong it could know
    east = staff_get(server, "flags", "东镇", "township", village_b.code[:9])
    west = staff_get(server, "flags", "西镇", "township", village_c.code[:9])
    for seen in (east, west):
        assert [f["code"] for f in seen] == ["paid_in_two_villages"]
        assert village_b.code in seen[0]["reason"] and village_c.code in seen[0]["reason"]
        assert "张三丰" in seen[0]["reason"] and "2027 年度医疗保险" in seen[0]["reason"]
    county = staff_get(server, "flags")  # the county: the finding once for each village
    assert sorted(f["village_code"] for f in county) == [village_b.code, village_c.code]
    assert len({f["reason"] for f in county}) == 1


def test_cash_for_what_was_paid_through_another_channel_is_flagged(
        server: Server, village_c: Village, clock: FakeClock) -> None:
    c = village_c
    c.desk.receipts.record(c.agent, [med(AYGUL)], cash_fen=40000)
    c.desk.settlements.settle(clock().date(), agent=c.agent, head=c.head, counted_fen=40000)
    with server.session() as s:  # the county learns of a WeChat payment before the desk syncs
        service.add_payment(s, c.code, AYGUL.id_number, "medical", 2027, 40000, "微信", "2026-11-19")
    assert c.client.run().sent
    flags = staff_get(server, "flags", "西镇", "township", c.code[:9])
    assert [f["code"] for f in flags] == ["paid_through_other_channel"]
    assert "已通过微信缴费" in flags[0]["reason"]
    with server.session() as s:
        assert [(x.id_number, x.village_code) for x in s.exec(select(m.PaidLine)).all()] == [(AYGUL.id_number, c.code)]
