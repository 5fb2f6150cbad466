"""Two villages in two townships, each a desk set up by the desk's own code and enrolled on the
county server under test (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from sync.client import SyncClient
from tests.factories import FakeClock
from tests.server.conftest import Server
from tests.server.redteam.attack import B, C, enrol, village_desk


@dataclass
class Village:
    code: str
    desk: Desk
    agent: UserInfo
    head: UserInfo
    client: SyncClient

    @property
    def device_id(self) -> str:
        return f"{self.code}-01"


def _village(server: Server, home: Path, clock: FakeClock, code: str, name: str) -> Iterator[Village]:
    desk, agent, head = village_desk(home, clock, code, name)
    try:
        yield Village(code, desk, agent, head, enrol(desk, server, code))
    finally:
        desk.close()


@pytest.fixture
def village_b(server: Server, tmp_path: Path, clock: FakeClock) -> Iterator[Village]:
    yield from _village(server, tmp_path / "b" / "home", clock, B, "东村")


@pytest.fixture
def village_c(server: Server, tmp_path: Path, clock: FakeClock) -> Iterator[Village]:
    yield from _village(server, tmp_path / "c" / "home", clock, C, "西村")
