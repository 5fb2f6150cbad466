"""Forged and tampered uploads, each refused with its reason named, and the two desk-side
tampers only the county's acknowledgement can catch."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import keyring
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from keyring.backends import fail
from sqlmodel import func, select

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import Refused
from sync import protocol as p
from sync.client import SyncClient
from sync.keys import NoKeyring
from sync.messages import SyncError
from sync.server import models as m
from sync.server import service
from tests.conftest import set_up_village
from tests.core.test_receipts import med, pen
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock
from tests.keyrings import MemoryKeyring
from tests.server.conftest import Server
from tests.server.test_sync_flow import enrol

Row = tuple[int, str, str, str, str, str]


def two_days(desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    for person in (ZHANG, ZHANG_WIFE):
        desk.receipts.record(agent, [med(person)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=80000)
    clock.next_day()
    desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)


def rechain(rows: list[Row], start_hash: str) -> list[Row]:
    """What an insider with the device key does: renumber and re-hash so the chain is whole."""
    out: list[Row] = []
    prev = start_hash
    for n, (_, kind, at, body, _, _) in enumerate(rows, start=rows[0][0]):
        data = json.loads(body)
        data["seq"] = n
        new_body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256((prev + new_body).encode()).hexdigest()
        out.append((n, kind, at, new_body, prev, digest))
        prev = digest
    return out


def send(server: Server, client: SyncClient, rows: list[Row], *, key: Ed25519PrivateKey | None = None,
         token: str | None = None) -> httpx.Response:
    real_key, real_token = client.secrets.load()  # type: ignore[misc]
    entries = [p.Entry(seq=a, kind=b, recorded_at=c, body=d, prev_hash=e, hash=f) for a, b, c, d, e, f in rows]
    device = "341824100201-01"
    sig = (key or real_key).sign(p.batch_signing_bytes(device, rows[0][0], rows[-1][0], rows[0][4], entries))
    batch = p.Batch(device_id=device, from_seq=rows[0][0], to_seq=rows[-1][0], prev_hash=rows[0][4],
                    entries=entries, signature=p.b64(sig))
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {token or real_token}",
                                                      "Content-Type": "application/json"}) as http:
        return http.post(p.BATCHES, content=batch.model_dump_json())


def held(server: Server) -> int:
    with server.session() as s:
        return int(s.exec(select(func.count()).select_from(m.Entry)).one())


@pytest.fixture
def ledger(server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> tuple[SyncClient, list[Row]]:
    client = enrol(desk, server)
    two_days(desk, agent, head, clock)
    return client, desk.sync.entries(1, desk.sync.newest())


def test_a_batch_signed_by_another_key_is_refused(server: Server, ledger: tuple[SyncClient, list[Row]]) -> None:
    client, rows = ledger
    answer = send(server, client, rows, key=Ed25519PrivateKey.generate())
    assert answer.status_code == 400 and answer.json()["code"] == "bad_signature"
    assert "签名不对" in answer.json()["message"] and held(server) == 0


def test_a_receipt_removed_from_the_middle_is_refused(server: Server, ledger: tuple[SyncClient, list[Row]]) -> None:
    client, rows = ledger
    receipts = [r for r in rows if r[1] == "receipt"]
    # a thorough insider also lowers the day's settlement to match what is left
    kept = [(a, b, c, d.replace('"expected_fen":80000', '"expected_fen":40000') if b == "settlement" else d, e, f)
            for a, b, c, d, e, f in rows if (a, b) != receipts[1][:2]]
    forged = rechain(kept, rows[0][4])
    answer = send(server, client, forged)
    # the day's settlement, renumbered and lowered, no longer carries the agent's and head's
    # signatures over what it now says (before signatures: receipt_gap at the next receipt)
    assert answer.status_code == 422 and answer.json()["code"] == "bad_signature"
    assert answer.json()["seq"] == receipts[1][0] and "签名不对" in answer.json()["message"]
    assert held(server) == 0


def test_an_amount_changed_with_recomputed_hashes_is_refused(server: Server,
                                                             ledger: tuple[SyncClient, list[Row]]) -> None:
    client, rows = ledger
    first = next(r for r in rows if r[1] == "receipt")
    changed = [(a, b, c, d.replace("40000", "30000"), e, f) if a == first[0] else (a, b, c, d, e, f)
               for a, b, c, d, e, f in rows]
    answer = send(server, client, rechain(changed, rows[0][4]))
    # the receipt adds up, but its agent's signature no longer covers what it says
    assert answer.status_code == 422 and answer.json()["code"] == "bad_signature"
    assert answer.json()["seq"] == first[0] and "「李代收」的签名不对" in answer.json()["message"]
    assert held(server) == 0


def test_new_content_under_a_held_sequence_is_kept_as_a_conflict(server: Server,
                                                                 ledger: tuple[SyncClient, list[Row]]) -> None:
    client, rows = ledger
    client.run()
    before = held(server)
    first_user = next(r for r in rows if r[1] == "user")
    forged = rechain([(a, b, c, d.replace("李代收", "李代收乙") if a == first_user[0] else d, e, f)
                      for a, b, c, d, e, f in rows], rows[0][4])
    answer = send(server, client, forged)
    assert answer.status_code == 409 and answer.json()["status"] == "conflict"
    assert "账本分叉" in answer.json()["message"] and held(server) == before
    with server.session() as s:
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
    with httpx.Client(base_url=server.base) as http:
        token = http.post(f"{p.API}/staff/login", json={"name": "县社保", "password": "county-pass-1"}).json()["token"]
        seen = http.get(f"{p.API}/staff/conflicts", headers={"Authorization": f"Bearer {token}"}).json()
    assert [c["device_id"] for c in seen] == ["341824100201-01"]


def test_another_villages_token_cannot_upload(server: Server, ledger: tuple[SyncClient, list[Row]],
                                              tmp_path: Path) -> None:
    client, rows = ledger
    with server.session() as s:
        code = service.issue_enrolment_code(s, "341824100202", 1)
    other = Ed25519PrivateKey.generate()
    with httpx.Client(base_url=server.base) as http:
        token = http.post(p.ENROL, json={"code": code, "public_key": p.b64(
            other.public_key().public_bytes_raw())}).json()["token"]
    answer = send(server, client, rows, key=other, token=token)
    assert answer.status_code == 403 and answer.json()["code"] == "wrong_device"
    assert "341824100202-01" in answer.json()["message"] and held(server) == 0


def other_desk(tmp_path: Path, clock: FakeClock, *, days: int = 0) -> Desk:
    """The same village and device number set up again from nothing (a reinstalled PC), with
    `days` settled days of its own (two receipts each, more entries than the real one has)."""
    desk = Desk(tmp_path / "again", clock=clock)
    set_up_village(desk, tmp_path / "again-roster")
    agent = desk.users.authenticate("李代收", "1234")
    head = desk.users.authenticate("王村长", "567890")
    plan = [[med(ZHANG), med(ZHANG_WIFE)], [med(AYGUL), pen(ZHANG)]][:days]
    for lines in plan:
        clock.next_day()
        for line in lines:
            desk.receipts.record(agent, [line], cash_fen=line.tier_fen or 40000)
        desk.settlements.settle(clock().date(), agent=agent, head=head,
                                counted_fen=sum(ln.tier_fen or 40000 for ln in lines))
    return desk


def test_a_desk_set_up_anew_from_receipt_1_is_a_conflict(server: Server, ledger: tuple[SyncClient, list[Row]],
                                                         tmp_path: Path, clock: FakeClock) -> None:
    client, _ = ledger
    client.run()
    before = held(server)
    (tmp_path / "again-roster").mkdir()
    fresh = other_desk(tmp_path, clock, days=2)
    again = enrol(fresh, server)  # the county gives the reinstalled PC a new code
    with pytest.raises(SyncError, match="账本分叉") as caught:
        again.run()
    assert caught.value.code == "conflict" and held(server) == before
    fresh.close()


def test_a_desk_file_rewritten_after_acknowledgement_fails_verify(
        server: Server, ledger: tuple[SyncClient, list[Row]], desk: Desk, tmp_path: Path, clock: FakeClock,
        memory_keyring: MemoryKeyring) -> None:
    client, _ = ledger
    client.run()
    (tmp_path / "again-roster").mkdir()
    rewritten = other_desk(tmp_path, clock, days=2)  # a whole new history for the same device ...
    rewritten.sync.update(**desk.sync.state())  # ... carrying the acknowledgement of the real one
    result = rewritten.verify()
    assert not result.ok and "与县里确认收到的不同" in (result.reason or "")
    rewritten.close()


def test_newest_entries_deleted_after_upload_are_named_at_the_next_sync(
        server: Server, ledger: tuple[SyncClient, list[Row]], desk: Desk, tmp_path: Path, clock: FakeClock) -> None:
    client, _ = ledger
    client.run()
    (tmp_path / "again-roster").mkdir()
    shorter = other_desk(tmp_path, clock)  # fewer entries than the county holds for this device
    shorter.sync.update(**{k: v for k, v in desk.sync.state().items() if k != "ack"})
    key_token = client.secrets.load()
    assert key_token is not None
    SyncClient(shorter).secrets.save(*key_token)
    with pytest.raises(SyncError, match="县里已保存本机日志到第 .* 条，本机文件却只有") as caught:
        SyncClient(shorter, retries=1).run()
    assert caught.value.code == "server_ahead"
    shorter.sync.update(ack=desk.sync.state()["ack"])
    assert "已上传的记录被删除了" in (shorter.verify().reason or "")
    shorter.close()


def test_a_clock_off_by_more_than_five_minutes_stops_sync(server: Server, ledger: tuple[SyncClient, list[Row]],
                                                           desk: Desk) -> None:
    late = SyncClient(desk, retries=1, clock=lambda: datetime.now(UTC) + timedelta(minutes=7))
    with pytest.raises(SyncError, match="相差 7 分钟：请先把电脑的日期和时间调准") as caught:
        late.run()
    assert caught.value.code == "clock_off" and held(server) == 0


def test_no_keyring_means_no_enrolment_and_nothing_written(server: Server, desk: Desk) -> None:
    with server.session() as s:
        code = service.issue_enrolment_code(s, "341824100201", 1)
    memory = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # the autouse fixture puts the memory keyring back
    with pytest.raises(NoKeyring, match="同步已关闭，收款照常离线进行"):
        SyncClient(desk, server=server.base, retries=1).enrol(code)
    assert "server_url" not in desk.sync.state()
    # The one-time code was not spent on the PC that could not keep its key: once a keyring
    # is there, the same code enrols it.
    keyring.set_keyring(memory)
    assert SyncClient(desk, server=server.base, retries=1).enrol(code).device_id == "341824100201-01"


def test_a_township_account_sees_only_its_villages_and_wrong_passwords_slow_down(server: Server) -> None:
    with server.session() as s:
        for village in ("341824100201", "341824100202", "341824200301"):
            service.issue_enrolment_code(s, village, 1)
        service.add_staff(s, "城关镇", "township", "township-pass", "341824100")
    with httpx.Client(base_url=server.base) as http:
        token = http.post(f"{p.API}/staff/login", json={"name": "城关镇", "password": "township-pass"}).json()["token"]
        villages = http.get(f"{p.API}/staff/villages", headers={"Authorization": f"Bearer {token}"}).json()
        assert [v["code"] for v in villages] == ["341824100201", "341824100202"]
        answers = [http.post(f"{p.API}/staff/login", json={"name": "城关镇", "password": "wrong"}).status_code
                   for _ in range(6)]
        assert answers == [401] * 5 + [429]
        # This address is slowed down for this name, right password or not (test_limits_login.py:
        # another address still signs in, and an unknown name is answered the same).
        limited = http.post(f"{p.API}/staff/login", json={"name": "城关镇", "password": "township-pass"})
        assert limited.status_code == 429 and limited.json()["code"] == "too_many_attempts"


def test_refusal_on_the_desk_names_the_deleted_tail(desk: Desk) -> None:
    with pytest.raises(Refused, match="只有 .* 条"):
        desk.sync.pending(10_000)


def test_an_oversized_request_is_refused_before_it_is_read(server: Server) -> None:
    import socket

    host, port = server.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:  # the body is never sent
        sock.sendall(f"POST {p.BATCHES} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {p.MAX_BODY_BYTES + 1}\r\n\r\n".encode())
        data = b""
        while b"too_large" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        answer = data.decode("utf-8", errors="replace")
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 413") and json.loads(body)["code"] == "too_large"


# -- countersigns nobody can forge with the file (issue 22) ----------------------------------------

def test_a_forged_countersign_is_refused_by_the_county(server: Server, desk: Desk, agent: UserInfo) -> None:
    """Hash swapped, the day settled "as the head" with a key the insider made, hash and triggers
    put back: the batch, signed with the desk's own device key and token, is refused."""
    from tests.tamper.test_forged_countersign import forge_settlement

    client = enrol(desk, server)
    seq = forge_settlement(desk, agent)
    rows = desk.sync.entries(1, desk.sync.newest())
    answer = send(server, client, rows)
    assert answer.status_code == 422 and answer.json()["code"] == "bad_signature"
    assert answer.json()["seq"] == seq and "「王村长」的签名不对" in answer.json()["message"]
    assert held(server) == 0
    with pytest.raises(SyncError) as caught:  # the desk's own sync is told the same
        client.run()
    assert caught.value.code == "bad_signature" and held(server) == 0


def test_the_acknowledgement_deleted_from_the_file_fails_verify(
        server: Server, ledger: tuple[SyncClient, list[Row]], desk: Desk) -> None:
    client, _ = ledger
    client.run()
    assert desk.verify().ok
    state = desk.sync.state()
    assert state["ack"]["seq"] > 0
    desk.sync.update(ack=None)  # what the sqlite3 shell does to the setting row
    result = desk.verify()
    assert not result.ok
    assert f"县里已确认收到本机日志到第 {state['ack']['seq']} 条（本机密钥库记下的）" in (result.reason or "")
    assert "不见了" in (result.reason or "")


def test_a_keyring_that_keeps_nothing_counts_as_none(desk: Desk) -> None:
    from keyring.backends import null

    from app.services.desk import Desk as DeskClass

    home = desk.db.path.parent
    clock = desk.clock
    desk.close()
    keyring.set_keyring(null.Keyring())  # the autouse fixture puts the memory keyring back
    again = DeskClass(home, clock=clock)
    result = again.verify()
    assert result.ok and "本机没有可用的系统密钥库" in (result.note or "")
    again.close()
