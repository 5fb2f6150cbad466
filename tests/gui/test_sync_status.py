"""The status bar as the agent reads it while sync runs in the background: 在线, what waits to
go up, the last sync; and 离线 with what to do once the county cannot be reached."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.insurance import Insurance
from app.services.desk import Desk
from app.services.receipts import LineRequest
from tests.factories import FakeClock
from tests.gui.conftest import AGENT, AGENT_PIN, HEAD, HEAD_PIN
from tests.server.conftest import Server, server  # noqa: F401  (the live server fixture)
from tests.server.test_sync_flow import enrol
from ui.context import WindowContext
from ui.status import DeskStatus
from ui.sync_worker import SyncStatus, SyncWorker

HE, SUN = "341824195711015652", "341824197701025493"  # two residents of the demo roster


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:  # the window's test needs one server, on SQLite
    yield str(tmp_path / "county.sqlite3")


def test_status_bar_follows_the_background_sync(qtbot, ctx: WindowContext, desk: Desk, clock: FakeClock,  # type: ignore[no-untyped-def]
                                                server: Server) -> None:  # noqa: F811
    enrol(desk, server)
    agent = desk.users.authenticate(AGENT, AGENT_PIN)
    head = desk.users.authenticate(HEAD, HEAD_PIN)
    desk.receipts.record(agent, [LineRequest(HE, Insurance.MEDICAL, 2027)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    worker = SyncWorker(desk, interval=0.3)
    status = DeskStatus(dataclasses.replace(ctx, sync=worker))
    qtbot.addWidget(status)
    assert status.network.text() == "离线：未注册到县服务器"  # nothing known yet
    worker.start()
    try:
        qtbot.waitUntil(lambda: status.network.text() == "在线", timeout=15000)
        assert status.outbox.text().startswith("待上传 0 条，上次同步 ")
        clock.next_day()
        desk.receipts.record(agent, [LineRequest(SUN, Insurance.MEDICAL, 2027)], cash_fen=40000)
        worker.sync_now()  # today's receipt waits for today's settlement
        qtbot.waitUntil(lambda: status.outbox.text().startswith("待上传 1 条"), timeout=15000)
        desk.sync.update(server_url="http://127.0.0.1:9")  # the line to the county goes down
        worker.sync_now()
        qtbot.waitUntil(lambda: status.network.text().startswith("离线：连不上县级服务器"), timeout=15000)
        assert "收款照常进行" in status.network.toolTip()
        assert status.outbox.text().startswith("待上传 1 条")
    finally:
        worker.stop()


def test_the_wizard_enrols_and_downloads_the_roster_from_the_county(
        qtbot, tmp_path: Path, clock: FakeClock, tasks, server: Server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from app.services.setup_flow import RosterSource, Step, WizardData, WizardFlow
    from tests.gui.conftest import DEMO, make_demo_home
    from tests.server.test_real_server import server_cmd
    from ui.wizard import SetupWizard

    assert server_cmd(server.url, "config", "load", str(DEMO / "county-config.json"))[0] == 0
    assert server_cmd(server.url, "roster", "load", str(DEMO / "roster-2027.csv"), "--village-code",
                      "341824100201")[0] == 0
    code = server_cmd(server.url, "device", "enrol", "--village-code", "341824100201", "--device-no", "1")[1].strip()
    home = tmp_path / "fresh"
    make_demo_home(home, clock, roster=False)  # device and users written, no roster yet
    with Desk(home, clock=clock) as desk:
        data = WizardData(agent_name=AGENT, agent_pin=AGENT_PIN)
        wizard = SetupWizard(desk, tasks, WizardFlow(data, start=Step.ROSTER))
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.fields["server_url"].setText(server.base)
        wizard.fields["enrol_code"].setText(code)
        wizard.download_button.click()
        assert wizard.roster_radios[RosterSource.SERVER].isChecked()
        qtbot.waitUntil(lambda: "已从县服务器下载清册第 1 版" in wizard.import_result.text(), timeout=15000)
        assert wizard.flow.data.roster_imported and not wizard.flow.problems()
        assert desk.roster.search("何梅德") and desk.sync.state()["device_id"] == "341824100201-01"


def test_the_settle_screen_shows_which_remittances_the_county_confirmed(  # type: ignore[no-untyped-def]
        qtbot, window, desk: Desk, clock: FakeClock, server: Server) -> None:  # noqa: F811
    from sync.server import service
    from tests.gui.conftest import wait_idle

    client = enrol(desk, server)
    agent = desk.users.authenticate(AGENT, AGENT_PIN)
    head = desk.users.authenticate(HEAD, HEAD_PIN)
    desk.receipts.record(agent, [LineRequest(HE, Insurance.MEDICAL, 2027)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    desk.settlements.remit(amount_fen=40000, slip_no="JK-9", day=clock().date(), by=agent)
    client.run()
    view = window.settle_view
    window.show_screen(view)
    view.refresh()
    wait_idle(qtbot, window.ctx.tasks)
    assert "凭证 JK-9" in view.remittances.text() and "待县里确认入库" in view.remittances.text()
    with server.session() as s:
        service.confirm(s, "JK-9", 40000, "2026-11-21")
    client.run()
    view.refresh()
    wait_idle(qtbot, window.ctx.tasks)
    assert "凭证 JK-9　¥400.00　已入库（2026-11-21）" in view.remittances.text()


def test_what_a_sync_pulled_is_told_to_the_window_by_the_task_manager(qtbot, ctx: WindowContext,  # type: ignore[no-untyped-def]
                                                                       desk: Desk) -> None:
    """A roster that came down with a sync refreshes the window's search once, like an import."""
    worker = SyncWorker(desk)  # not started: what it finds is emitted here
    status = DeskStatus(dataclasses.replace(ctx, sync=worker))
    qtbot.addWidget(status)
    heard: list[str] = []
    ctx.changes.roster.connect(lambda: heard.append("roster"))
    worker.status.emit(SyncStatus(True, True, 0, "09:00", "", roster_changed=True))
    assert heard == ["roster"] and status.outbox.text() == "待上传 0 条，上次同步 09:00"
    worker.status.emit(SyncStatus(True, True, 0, "09:05", ""))
    assert heard == ["roster"] and status.outbox.text().endswith("09:05")
