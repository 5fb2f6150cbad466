"""A restore never reissues a receipt number the county already holds (issue 26): with no
high-water mark on this PC (no keyring), the county's signed acknowledgement kept in the ledger
still refuses a copy older than what the county received."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.restore import RestoreRefused, restore
from tests.conftest import HEAD_PIN
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock
from tests.keyrings import MemoryKeyring
from tests.server.conftest import Server
from tests.server.test_sync_flow import enrol


def test_a_copy_older_than_the_countys_acknowledgement_is_refused(
        server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock,
        memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    old = desk.backups.write(tmp_path / "usb").path
    clock.next_day()
    desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=80000)
    held = client.run().held
    assert held == desk.sync.newest()
    desk.close()
    memory_keyring.values = {k: v for k, v in memory_keyring.values.items() if k[0] != "daishou-ledger-mark"}
    ledger = desk.home / "daishou.sqlite3"
    before = ledger.read_bytes()

    with pytest.raises(RestoreRefused) as refused:
        restore(desk.home, old, by="王村长", pin=HEAD_PIN)
    assert refused.value.reason == "older_than_county"
    assert f"县里已确认收到本机日志到第 {held} 条" in refused.value.message
    assert ledger.read_bytes() == before and not (desk.home / "replaced").exists()

    newest = Desk(desk.home, clock=clock)
    current = newest.backups.write(tmp_path / "usb2").path
    newest.close()
    done = restore(desk.home, current, by="王村长", pin=HEAD_PIN)  # the copy the county knows: fine
    assert done.receipt_seq == 3 and done.kept_aside
