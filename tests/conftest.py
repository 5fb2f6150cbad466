from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.domain.records import Role, UserInfo  # noqa: E402
from app.services.desk import Desk  # noqa: E402
from tests.factories import CONFIG_PATH, VILLAGE, FakeClock, write_roster  # noqa: E402
from tests.keyrings import MemoryKeyring  # noqa: E402

AGENT_PIN = "1234"
HEAD_PIN = "567890"


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets an empty in-memory OS keyring (high-water marks, device secrets)."""
    import keyring

    ring = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def cheap_pin_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """New PIN hashes in tests use a low scrypt cost (hundreds of sign-ins would otherwise take
    minutes); the real cost is in app/services/users.py and measured by `bench core`."""
    monkeypatch.setattr("app.services.users.KDF", "scrypt$1024$8$1")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bare_desk(tmp_path: Path, clock: FakeClock) -> Iterator[Desk]:
    desk = Desk(tmp_path / "home", clock=clock)
    yield desk
    desk.close()


@pytest.fixture
def desk(bare_desk: Desk, tmp_path: Path) -> Desk:
    """A village set up as on the first morning: device, config, users, the roster."""
    bare_desk.setup.init(village_code="341824100201", village_name="示范村",
                         township_code="341824100", device_no=1)
    bare_desk.setup.import_config(CONFIG_PATH.read_text(encoding="utf-8"))
    bare_desk.users.add("李代收", "agent", AGENT_PIN)
    bare_desk.users.add("王村长", "head", HEAD_PIN)
    result = bare_desk.roster.import_file(write_roster(tmp_path / "roster.csv", VILLAGE))
    assert not result.rejected
    return bare_desk


@pytest.fixture
def agent(desk: Desk) -> UserInfo:
    return desk.users.authenticate("李代收", AGENT_PIN)


@pytest.fixture
def head(desk: Desk) -> UserInfo:
    return desk.users.authenticate("王村长", HEAD_PIN, roles=(Role.HEAD,))
