"""The county sees which program version each desk runs (issue 26): every batch carries it, the
server keeps it on the device, and the overview (API and page) shows it per device."""

from __future__ import annotations

import httpx

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.version import version
from sync import protocol as p
from sync.server import service
from tests.core.test_receipts import med
from tests.factories import ZHANG, FakeClock
from tests.server.conftest import Server
from tests.server.test_sync_flow import enrol


def _overview(server: Server) -> dict[str, dict[str, object]]:
    with server.session() as s:
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
    with httpx.Client(base_url=server.base) as http:
        token = http.post(f"{p.API}/staff/login", json={"name": "县社保", "password": "county-pass-1"}).json()["token"]
        rows = http.get(f"{p.API}/staff/overview", headers={"Authorization": f"Bearer {token}"}).json()
    return {r["code"]: r for r in rows}


def test_the_overview_shows_the_version_of_the_desk_that_uploaded(server: Server, desk: Desk, agent: UserInfo,
                                                                  head: UserInfo, clock: FakeClock) -> None:
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    with server.session() as s:
        service.issue_enrolment_code(s, "341824100202", 1)  # a village whose desk never sent anything
    seen: list[str] = []
    original = client._request

    def watched(method: str, path: str, **kwargs: object) -> httpx.Response:
        response = original(method, path, **kwargs)  # type: ignore[arg-type]
        seen.append(response.request.headers.get(p.VERSION_HEADER, ""))
        return response

    client._request = watched  # type: ignore[method-assign]
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    assert client.run().sent == [[1, desk.sync.newest()]]
    assert seen and set(seen) == {version()}  # every request says which program sent it
    rows = _overview(server)
    assert rows["341824100201"]["versions"] == {"341824100201-01": version()}
    assert rows["341824100202"]["versions"] == {}


def test_a_version_that_is_not_a_version_is_refused(server: Server, desk: Desk, agent: UserInfo) -> None:
    """The version is shown on the county's page: a desk cannot put markup there."""
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    key, token = client._credentials()
    batch = client.build_batch(key, 1, desk.sync.newest()).model_dump(mode="json")
    batch["program_version"] = "<img src=x onerror=alert(1)>"
    with httpx.Client(base_url=server.base) as http:
        answer = http.post(p.BATCHES, json=batch, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 422
    assert "program_version" in answer.text
