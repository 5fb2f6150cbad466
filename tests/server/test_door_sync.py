"""Door-to-door records (issue 25) go up with the rest of the ledger and the county checks them
with the same chain rule as the desk's verify: a reason the county's configuration does not
list is refused, on the desk and on the server."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import col, select

from app.domain.door_entries import UnpaidReasonEntry
from app.domain.records import Role, UserInfo
from app.services.desk import Desk
from app.storage.projection import record
from sync.messages import SyncError
from sync.server import models as m
from tests.conftest import HEAD_PIN
from tests.door.conftest import write_list
from tests.factories import ZHANG, ZHANG_WIFE, FakeClock
from tests.server.conftest import Server
from tests.server.test_sync_flow import enrol

KINDS = {"grid_assign", "grid_contact", "unpaid_reason", "door_visit", "debit_list"}


def test_door_records_go_up(server: Server, desk: Desk, agent: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    client = enrol(desk, server)
    head = desk.users.authenticate("王村长", HEAD_PIN, roles=(Role.HEAD,))
    desk.users.add("周网格", "grid", "2468", by=head)
    grid = desk.users.authenticate("周网格", "2468")
    desk.door.assign(head, member="周网格", group="第一村民小组")
    desk.door.add_contact(head, post="member", name="周网格", phone="13900002222")
    desk.door.import_debit_list(agent, write_list(tmp_path / "f.csv", [(ZHANG_WIFE.id_number, ZHANG_WIFE.name,
                                                                        "2026-11-19", "余额不足")]),
                                list_kind="failed", day=date(2026, 11, 20))
    desk.door.record_reason(grid, ZHANG.id_number, 2027, "外出务工")
    desk.door.record_visit(grid, ZHANG.id_number, 2027, outcome="电话已通知")
    assert client.run().held == desk.sync.newest()
    with server.session() as s:
        kinds = {e.kind for e in s.exec(select(m.Entry).order_by(col(m.Entry.seq))).all()}
    assert kinds >= KINDS


def test_a_reason_the_county_does_not_list_is_refused_on_the_desk_and_on_the_server(
        server: Server, desk: Desk, clock: FakeClock) -> None:
    client = enrol(desk, server)
    with desk.db.write() as conn:  # what a hand-made program would write past the service's check
        record(conn, clock(), UnpaidReasonEntry(ZHANG.id_number, 2027, "不想交", None, "周网格"))
    result = desk.verify()
    assert not result.ok and "未缴原因「不想交」不在县级配置的原因中" in str(result.reason)
    with pytest.raises(SyncError, match="不想交"):
        client.run()
