"""What an insider with a desk's own keyring does: take the desk's journal, change or add entries,
re-sign what they changed with the village's own people's keys (the agent and the head who
collude know their PINs), re-hash the chain so it is whole, sign the batch with the desk's own
key and send it with the desk's own token, exactly as the desk's client would. Every signature is
then genuine: what refuses the batch is the county's own knowledge, not a broken signature."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson

from app.domain.canonical import GENESIS_HASH, canonical_json
from app.domain.countersign import Signer, signing_bytes
from app.domain.records import UserInfo
from app.services.desk import Desk
from sync import protocol as p
from sync.client import SyncClient
from sync.server import models as m
from sync.server import service
from tests.factories import CONFIG_PATH, VILLAGE, FakeClock, write_roster
from tests.server.conftest import Server

AGENT_PIN, HEAD_PIN = "1234", "567890"
B = "341824100201"  # village B, township 341824100
C = "341824101305"  # village C, another township (341824101)
SIGNERS: dict[tuple[str, str], Signer] = {}  # (village, name) -> the key that person's PIN unlocked


def village_desk(home: Path, clock: FakeClock, village: str, name: str) -> tuple[Desk, UserInfo, UserInfo]:
    """A village set up as on its first morning, by the desk's own services."""
    desk = Desk(home, clock=clock)
    desk.setup.init(village_code=village, village_name=name, township_code=village[:9], device_no=1)
    desk.setup.import_config(CONFIG_PATH.read_text(encoding="utf-8"))
    desk.users.add("李代收", "agent", AGENT_PIN)
    desk.users.add("王村长", "head", HEAD_PIN)
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    assert not desk.roster.import_file(write_roster(home.parent / f"roster-{village}.csv", VILLAGE), by=agent).rejected
    head = desk.users.authenticate("王村长", HEAD_PIN)
    for user in (agent, head):
        assert user.signer is not None
        SIGNERS[(village, user.name)] = user.signer
    return desk, agent, head


def enrol(desk: Desk, server: Server, village: str) -> SyncClient:
    with server.session() as s:
        code = service.issue_enrolment_code(s, village, 1)
    client = SyncClient(desk, server=server.base, retries=1)
    assert client.enrol(code).device_id == f"{village}-01"
    return client


Row = dict[str, Any]  # seq, kind, recorded_at, data


def journal(desk: Desk) -> list[Row]:
    village = desk.setup.device.village_code
    return [{"seq": seq, "kind": kind, "recorded_at": at, "data": orjson.loads(body)["data"], "village": village}
            for seq, kind, at, body, _prev, _hash in desk.sync.entries(1, desk.sync.newest())]


def resigned(seq: int, row: Row) -> dict[str, Any]:
    """The row's data with every signature it carries made again over its (changed) bytes, by
    the same people's keys."""
    data: dict[str, Any] = row["data"]
    if not isinstance(data.get("sigs"), dict) or "village" not in row:
        return data
    message = signing_bytes(seq, row["kind"], row["recorded_at"], data)
    return {**data, "sigs": {name: SIGNERS[(row["village"], name)].sign(message) for name in data["sigs"]}}


def chained(rows: list[Row], start: int = 1, prev: str = GENESIS_HASH) -> list[p.Entry]:
    """The rows as entries numbered from `start`, each body hashed onto the one before."""
    out = []
    for seq, row in enumerate(rows, start=start):
        body = canonical_json({"seq": seq, "kind": row["kind"], "recorded_at": row["recorded_at"],
                               "data": resigned(seq, row)})
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        out.append(p.Entry(seq=seq, kind=row["kind"], recorded_at=row["recorded_at"], body=body, prev_hash=prev,
                           hash=digest))
        prev = digest
    return out


def send(server: Server, client: SyncClient, device_id: str, entries: list[p.Entry]) -> httpx.Response:
    key, token = client.secrets.load()  # type: ignore[misc]
    first, last = entries[0], entries[-1]
    sig = key.sign(p.batch_signing_bytes(device_id, first.seq, last.seq, first.prev_hash, entries))
    batch = p.Batch(device_id=device_id, from_seq=first.seq, to_seq=last.seq, prev_hash=first.prev_hash,
                    entries=entries, signature=p.b64(sig))
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {token}",
                                                      "Content-Type": "application/json"}) as http:
        return http.post(p.BATCHES, content=batch.model_dump_json())


def forged_receipt(rows: list[Row], change: Callable[[dict[str, Any]], None]) -> list[Row]:
    """The journal up to and including its first receipt, that receipt changed by `change`."""
    first = next(n for n, r in enumerate(rows) if r["kind"] == "receipt")
    out = [dict(r) for r in rows[:first + 1]]
    data = orjson.loads(orjson.dumps(out[-1]["data"]))
    change(data)
    out[-1]["data"] = data
    return out


def held(server: Server, device_id: str | None = None) -> int:
    from sqlmodel import func, select

    with server.session() as s:
        query = select(func.count()).select_from(m.Entry)
        if device_id:
            query = query.where(m.Entry.device_id == device_id)
        return int(s.exec(query).one())


def staff_get(server: Server, path: str, name: str = "县社保", role: str = "county",
              township: str | None = None) -> Any:
    with server.session() as s:
        if s.get(m.Staff, name) is None:
            service.add_staff(s, name, role, "staff-pass-1", township)
    with httpx.Client(base_url=server.base) as http:
        login = http.post(f"{p.API}/staff/login", json={"name": name, "password": "staff-pass-1"})
        assert login.status_code == 200, login.text
        answer = http.get(f"{p.API}/staff/{path}", headers={"Authorization": f"Bearer {login.json()['token']}"})
        assert answer.status_code == 200, answer.text
        return answer.json()
