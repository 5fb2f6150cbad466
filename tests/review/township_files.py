"""A township's folder of village files for the folder-review tests (offscreen and real screen)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app.domain.insurance import Insurance
from app.domain.records import Role
from app.services.desk import Desk
from app.services.receipts import LineRequest
from tests.factories import plain_backup
from tests.gui.conftest import AGENT, AGENT_PIN, DEMO, HEAD, HEAD_PIN, FakeClock
from tests.gui.test_review_window import HE, SUN
from tests.keyrings import another_pc


def village_home(home: Path, clock: FakeClock, code: str, name: str) -> Desk:
    desk = Desk(home, clock=clock)
    desk.setup.init(village_code=code, village_name=name, township_code=code[:9], device_no=1, township_name="示范镇")
    desk.setup.import_config((DEMO / "county-config.json").read_text(encoding="utf-8"))
    desk.users.add(AGENT, Role.AGENT, AGENT_PIN)
    desk.users.add(HEAD, Role.HEAD, HEAD_PIN)
    desk.roster.import_file(DEMO / "roster-2027.csv", by=desk.users.authenticate(AGENT, AGENT_PIN))
    return desk


def township_folder(tmp_path: Path, clock: FakeClock) -> Path:
    """Two villages' backups (示范村: a void and 400 元 settled; 东山村: 800 元, settled 100 元
    short, one file older than the other) and a stray file that is no ledger."""
    with another_pc():  # the villages' own PCs, not the reviewer's (whose desk may be 示范村's twin)
        return _township_folder(tmp_path, clock)


def _township_folder(tmp_path: Path, clock: FakeClock) -> Path:
    folder = tmp_path / "township-usb"
    with village_home(tmp_path / "v1", clock, "341824100201", "示范村") as one:
        agent, head = one.users.authenticate(AGENT, AGENT_PIN), one.users.authenticate(HEAD, HEAD_PIN)
        first = one.receipts.record(agent, [LineRequest(HE, Insurance.MEDICAL, 2027)], cash_fen=40000)
        one.receipts.void(first.number, reason="收错了人", agent=agent, head=head)
        one.receipts.record(agent, [LineRequest(SUN, Insurance.MEDICAL, 2027)], cash_fen=40000)
        one.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
        plain_backup(one, folder)
    with village_home(tmp_path / "v2", clock, "341824100202", "东山村") as two:
        agent, head = two.users.authenticate(AGENT, AGENT_PIN), two.users.authenticate(HEAD, HEAD_PIN)
        two.receipts.record(agent, [LineRequest(HE, Insurance.MEDICAL, 2027)], cash_fen=40000)
        clock.now += timedelta(minutes=5)
        plain_backup(two, folder)  # an older copy of the same device: the newer one is reviewed
        two.receipts.record(agent, [LineRequest(SUN, Insurance.MEDICAL, 2027)], cash_fen=40000)
        two.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=70000, reason="少一百元")
        clock.now += timedelta(minutes=5)
        plain_backup(two, folder)
    (folder / "notes.sqlite3").write_bytes(b"not a ledger at all")
    return folder
