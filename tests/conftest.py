from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.domain.records import Role, UserInfo  # noqa: E402
from app.services.desk import Desk  # noqa: E402
from tests.factories import CONFIG_PATH, VILLAGE, FakeClock, Resident, write_roster  # noqa: E402
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


ADMIN, ADMIN_PIN = "孙管理", "864209"
SECOND_HEAD, SECOND_HEAD_PIN = "赵村长", "135790"


def set_up_village(desk: Desk, tmp_path: Path, *, admin: bool = False, code: str = "341824100201",
                   name: str = "示范村", township_name: str = "", agent: str = "李代收", head: bool = True,
                   people: Sequence[Resident] = VILLAGE) -> Desk:
    """Device, config, users (the agent, with the village head unless `head` is False), the
    roster of `people`. With `admin`, the township's administrator sets the PC up first and adds
    the agent and the head (an admin a head did not add can add a second head who countersigns
    that head's cash). Another village of the township: another `code`, `name` and agent."""
    desk.setup.init(village_code=code, village_name=name, township_code=code[:9], device_no=1,
                    township_name=township_name)
    desk.setup.import_config(CONFIG_PATH.read_text(encoding="utf-8"))
    by = None
    if admin:
        desk.users.add(ADMIN, "admin", ADMIN_PIN)
        by = desk.users.authenticate(ADMIN, ADMIN_PIN)
    desk.users.add(agent, "agent", AGENT_PIN, by=by)
    if head:
        desk.users.add("王村长", "head", HEAD_PIN, by=by)
    result = desk.roster.import_file(write_roster(tmp_path / f"roster-{code}.csv", people),
                                     by=desk.users.authenticate(agent, AGENT_PIN))
    assert not result.rejected
    return desk


@pytest.fixture
def desk(bare_desk: Desk, tmp_path: Path) -> Desk:
    """A village set up as on the first morning: device, config, users, the roster."""
    return set_up_village(bare_desk, tmp_path)


@pytest.fixture
def second_head(bare_desk: Desk, tmp_path: Path) -> tuple[Desk, UserInfo]:
    """A village whose administrator (not added by the head) added a second village head; the
    desk's `agent` and `head` fixtures work on it too (they are asked for after this one)."""
    set_up_village(bare_desk, tmp_path, admin=True)
    admin = bare_desk.users.authenticate(ADMIN, ADMIN_PIN)
    bare_desk.users.add(SECOND_HEAD, "head", SECOND_HEAD_PIN, by=admin)
    return bare_desk, bare_desk.users.authenticate(SECOND_HEAD, SECOND_HEAD_PIN)


@pytest.fixture
def agent(desk: Desk) -> UserInfo:
    return desk.users.authenticate("李代收", AGENT_PIN)


@pytest.fixture
def head(desk: Desk) -> UserInfo:
    return desk.users.authenticate("王村长", HEAD_PIN, roles=(Role.HEAD,))


# Collected first so that, on two workers, the long ones start at once instead of ending the run
# (installer/dev.sh test runs pytest-xdist): the every-button walk takes minutes alone.
_LONG_FIRST = ("tests/e2e/test_every_button.py", "tests/bundle/", "tests/e2e/")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid
        for i, prefix in enumerate(_LONG_FIRST):
            if path.startswith(prefix):
                return i
        return len(_LONG_FIRST) + (0 if item.get_closest_marker("slow") else 1)

    items.sort(key=rank)  # stable: each module keeps its order
