"""Many devices settling many days through a proxy that drops, delays, doubles, truncates and
fails requests, with the server killed (SIGKILL) and restarted halfway: in the end every entry is
held exactly once, every outbox is empty, and the server's own check passes."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from datetime import date
from pathlib import Path

from sqlmodel import func, select

from app.domain.insurance import Insurance
from app.services.desk import Desk
from app.services.receipts import LineRequest
from sync.client import SyncClient
from sync.messages import SyncError
from sync.server import models as m
from sync.server import service
from sync.server.db import make_engine, session
from tests.factories import CONFIG_PATH, FakeClock, Resident, make_id, write_roster
from tests.server.conftest import free_port
from tests.server.faultproxy import FaultProxy
from tests.server.test_real_server import server_cmd, start_server


def village(i: int) -> str:
    return f"341824100{201 + i:03d}"


def make_desk(home: Path, i: int, days: int) -> Desk:
    desk = Desk(home, clock=FakeClock())
    desk.setup.init(village_code=village(i), village_name=f"第{i + 1}村", township_code="341824100", device_no=1)
    desk.setup.import_config(CONFIG_PATH.read_text(encoding="utf-8"))
    desk.users.add("李代收", "agent", "1234")
    desk.users.add("王村长", "head", "567890")
    people = [Resident(make_id(date(1950 + k % 50, 1 + k % 12, 1 + k % 28), k % 900 + 1), "张三",
                       household=f"{k:04d}", pension_tier=None) for k in range(days)]
    desk.roster.import_file(write_roster(home.parent / f"roster-{i}.csv", people),
                            by=desk.users.authenticate("李代收", "1234"))
    return desk


def season(desk: Desk, client: SyncClient, days: int, done: list[int]) -> None:
    agent = desk.users.authenticate("李代收", "1234")
    head = desk.users.authenticate("王村长", "567890")
    people = [p.id_number for p in desk.roster.search("张三", limit=days)]
    clock = desk.clock
    for day in range(days):
        desk.receipts.record(agent, [LineRequest(people[day], Insurance.MEDICAL, 2027)], cash_fen=40000)
        desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)  # type: ignore[attr-defined]
        clock.next_day()  # type: ignore[attr-defined]
        done.append(1)
        if day % 5 == 4:
            with contextlib.suppress(SyncError):  # a bad line today: the days wait in the outbox
                client.run()


def test_nothing_lost_or_doubled_on_a_bad_line(tmp_path: Path) -> None:
    devices, days = 10, 100  # 1,000 settled days; about 30 s here
    db = str(tmp_path / "county.sqlite3")
    assert server_cmd(db, "init")[0] == 0
    port = free_port()
    server = start_server(db, port)
    proxy = FaultProxy(port, seed=11)
    desks: list[Desk] = []
    clients: list[SyncClient] = []
    try:
        for i in range(devices):
            code = server_cmd(db, "device", "enrol", "--village-code", village(i), "--device-no", "1")[1].strip()
            desk = make_desk(tmp_path / f"desk{i}" / "home", i, days)
            SyncClient(desk, server=f"http://127.0.0.1:{port}").enrol(code)
            desks.append(desk)
            clients.append(SyncClient(desk, server=f"http://127.0.0.1:{proxy.port}", retries=3,
                                      sleep=lambda _s: None))
        done: list[int] = []
        threads = [threading.Thread(target=season, args=(d, c, days, done)) for d, c in zip(desks, clients, strict=True)]
        for t in threads:
            t.start()
        while len(done) < devices * days // 2 and any(t.is_alive() for t in threads):
            threading.Event().wait(0.05)
        os.kill(server.pid, signal.SIGKILL)  # mid-season, mid-request for some
        server.communicate(timeout=10)
        server = start_server(db, port)
        for t in threads:
            t.join(timeout=600)
        for desk, client in zip(desks, clients, strict=True):
            for _ in range(60):
                try:
                    client.run()
                except SyncError:
                    continue
                if desk.sync.waiting() == 0:
                    break
            assert desk.sync.waiting() == 0, f"{village(desks.index(desk))} still has entries waiting"
            assert desk.verify().ok
        engine = make_engine(db)
        with session(engine) as s:
            for i, desk in enumerate(desks):
                device = f"{village(i)}-01"
                held = s.exec(select(func.count(), func.max(m.Entry.seq)).where(m.Entry.device_id == device)).one()
                assert tuple(held) == (desk.sync.newest(), desk.sync.newest())  # each entry once, none missing
            assert service.check_all(s).problems == []
            assert int(s.exec(select(func.count()).select_from(m.Receipt)).one()) == devices * days
        engine.dispose()
        code, said = server_cmd(db, "check")
        assert code == 0 and "全部完好" in said
        assert all(proxy.seen[f] > 0 for f in ("drop_before", "drop_after", "duplicate", "error_500", "truncate"))
    finally:
        proxy.close()
        server.terminate()
        server.communicate(timeout=10)
        for desk in desks:
            desk.close()
