"""The desk and the county server over loopback, on SQLite and on PostgreSQL: enrol, settle,
send, acknowledge; what stays on the desk, what the county sees, what a second send does."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import func, select

from app.domain.records import UserInfo
from app.services.desk import Desk
from sync import client as sync_client
from sync import protocol as p
from sync.client import SyncClient
from sync.messages import SyncError
from sync.server import models as m
from sync.server import service
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock
from tests.server.conftest import Server


def enrol(desk: Desk, server: Server) -> SyncClient:
    with server.session() as s:
        code = service.issue_enrolment_code(s, "341824100201", 1)
    client = SyncClient(desk, server=server.base, retries=1)
    answer = client.enrol(code[:4] + "-" + code[4:])  # as printed
    assert answer.device_id == "341824100201-01"
    return client


def held_entries(server: Server) -> int:
    with server.session() as s:
        return int(s.exec(select(func.count()).select_from(m.Entry)).one())


def test_settled_days_go_up_and_the_open_day_stays(server: Server, desk: Desk, agent: UserInfo, head: UserInfo,
                                                   clock: FakeClock) -> None:
    client = enrol(desk, server)
    first = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    clock.next_day()
    today = desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)  # not settled yet
    report = client.run()
    settled_upto = next(e[0] for e in desk.sync.entries(1, desk.sync.newest()) if e[1] == "settlement")
    assert report.sent == [[1, settled_upto]] and report.held == settled_upto
    with server.session() as s:
        assert s.get(m.Receipt, first.number) is not None
        assert s.get(m.Receipt, today.number) is None  # today's cash waits for today's settlement
        assert service.check_all(s).problems == []
    # the receipt's QR check answers with the receipt's own check code
    with httpx.Client(base_url=server.base) as http:
        found = http.get(p.VERIFY_RECEIPT.format(number=first.number), params={"code": first.short_hash}).json()
        wrong = http.get(p.VERIFY_RECEIPT.format(number=first.number), params={"code": "0" * 12}).json()
        page = http.get("/receipt", params={"no": first.number, "code": first.short_hash}).text
        forged = http.get("/receipt", params={"no": first.number, "code": "0" * 12}).text
    assert (found["found"], found["total_fen"], found["status"]) == (True, 40000, "有效")
    assert wrong["found"] is False
    assert "状态：有效" in page and "￥400.00" in page and "县级服务器已收到此收据" in page  # the QR's page
    assert "没有这张收据（或校验码不符）" in forged
    # the desk keeps the county's signed word, and verify holds the file to it
    assert desk.sync.state()["ack"]["seq"] == settled_upto and desk.verify().ok
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    again = client.run()
    assert again.sent == [[settled_upto + 1, desk.sync.newest()]] and desk.sync.waiting() == 0


def test_a_round_of_several_batches_builds_one_http_client(server: Server, desk: Desk, agent: UserInfo,
                                                            head: UserInfo, clock: FakeClock,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Each HTTP client loads the system's certificates (25 ms of CPU here, more on an agent's
    old laptop): a whole round, its state, batches and changes, goes over one."""
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=80000)
    monkeypatch.setattr(sync_client, "MAX_BATCH", 2)
    built: list[httpx.Client] = []
    real_init = httpx.Client.__init__

    def counted(self: httpx.Client, *args: object, **kwargs: object) -> None:
        built.append(self)
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx.Client, "__init__", counted)
    report = client.run()
    assert len(report.sent) >= 3 and report.held == desk.sync.newest()
    assert len(built) == 1 and built[0].is_closed


def test_the_same_batch_twice_is_held_once(server: Server, desk: Desk, agent: UserInfo, head: UserInfo,
                                           clock: FakeClock) -> None:
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    key, token = client.secrets.load()  # type: ignore[misc]
    batch = client.build_batch(key, 1, desk.sync.newest())
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {token}",
                                                      "Content-Type": "application/json"}) as http:
        first = http.post(p.BATCHES, content=batch.model_dump_json()).json()
        second = http.post(p.BATCHES, content=batch.model_dump_json()).json()
    assert (first["status"], second["status"]) == ("accepted", "already_held")
    assert second["ack"]["seq"] == first["ack"]["seq"] == batch.to_seq
    assert held_entries(server) == batch.to_seq


def test_remittance_confirmed_by_the_county_comes_down(server: Server, desk: Desk, agent: UserInfo, head: UserInfo,
                                                      clock: FakeClock) -> None:
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    desk.settlements.remit(amount_fen=40000, slip_no="JK-2026-0001", day=clock().date(), by=agent)
    client.run()
    with server.session() as s:
        assert service.confirm(s, "JK-2026-0001", 40000, "2026-11-21") == 1
    report = client.run()
    assert report.received["confirmations"] == ["JK-2026-0001"]
    assert desk.sync.state()["confirmations"]["JK-2026-0001"]["amount_fen"] == 40000


def test_without_enrolment_sync_says_what_to_do(desk: Desk) -> None:
    with pytest.raises(SyncError, match="尚未注册到县级服务器") as caught:
        SyncClient(desk, server="http://127.0.0.1:9").run()
    assert caught.value.code == "not_enrolled"


def test_no_network_the_same_signed_batch_goes_by_usb_stick(server: Server, desk: Desk, agent: UserInfo,
                                                              head: UserInfo, clock: FakeClock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sync.server import cli as server_cli

    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    out = tmp_path / "usb" / "批次.json"
    out.parent.mkdir()
    span = client.export(out)
    assert span == (1, desk.sync.newest()) and out.exists()
    import io

    said = io.StringIO()
    assert server_cli.main(["--db", server.url, "import", str(out)], stdout=said, stderr=said) == 0
    assert '"status": "accepted"' in said.getvalue() and held_entries(server) == desk.sync.newest()
    said = io.StringIO()
    assert server_cli.main(["--db", server.url, "import", str(out)], stdout=said, stderr=said) == 0
    assert '"status": "already_held"' in said.getvalue() and held_entries(server) == desk.sync.newest()
    assert client.run().sent == []  # the county already holds it: nothing sent twice


def test_a_token_the_county_no_longer_accepts_says_to_enrol_again(server: Server, desk: Desk) -> None:
    client = enrol(desk, server)
    key, _token = client.secrets.load()  # type: ignore[misc]
    client.secrets.save(key, "not-the-token")
    with pytest.raises(SyncError, match="县级服务器不认本机的凭证") as caught:
        client.run()
    assert caught.value.code == "token_refused"


def test_killed_between_the_countys_commit_and_keeping_its_answer(server: Server, desk: Desk, agent: UserInfo,
                                                                  head: UserInfo, clock: FakeClock,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The worst moment to die: the county committed the batch, the desk never kept the answer.
    The next run learns what the county holds, keeps its acknowledgement, and sends nothing twice."""
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    real_keep = desk.sync.keep_ack
    calls = {"n": 0}

    def dies(ack: object) -> None:
        calls["n"] += 1
        if calls["n"] == 1 and getattr(ack, "seq", 0) > 0 and held_entries(server) > 0:
            raise KeyboardInterrupt  # the process is gone here
        real_keep(ack)  # type: ignore[arg-type]

    monkeypatch.setattr(desk.sync, "keep_ack", dies)
    with pytest.raises(KeyboardInterrupt):
        client.run()
    assert held_entries(server) == desk.sync.newest() and "ack" not in desk.sync.state()
    again = client.run()
    assert again.sent == [] and held_entries(server) == desk.sync.newest()
    assert desk.sync.state()["ack"]["seq"] == desk.sync.newest() and desk.verify().ok
