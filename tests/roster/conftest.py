from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from tests.keyrings import forget_ledger_marks

CONFIG = Path(__file__).resolve().parents[2] / "resources" / "demo" / "county-config.json"
NOW = datetime(2026, 10, 15, 10, 0)  # inside the 2027 collection window
AGENT, AGENT_PIN = "李代收", "1234"


def make_desk(home: Path) -> Desk:
    desk = Desk(home, clock=lambda: NOW)
    desk.setup.init(village_code="341824100201", village_name="示范村",
                    township_code="341824100", device_no=1)
    desk.setup.import_config(CONFIG.read_text(encoding="utf-8"))
    desk.users.add(AGENT, "agent", AGENT_PIN)
    return desk


def agent(desk: Desk) -> UserInfo:
    """The agent, signed in: services take only a user whose PIN was checked."""
    return desk.users.authenticate(AGENT, AGENT_PIN)


@pytest.fixture(scope="session")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("template")
    make_desk(home).close()
    return home


def copy_desk(template: Path, home: Path) -> Desk:
    """A fresh initialised desk in milliseconds: copy the template's database file (each copy as
    on a PC of its own: the ledger marks of earlier copies of the same device are forgotten)."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(template / "daishou.sqlite3", home / "daishou.sqlite3")
    forget_ledger_marks()
    return Desk(home, clock=lambda: NOW)


@pytest.fixture
def desk(template_home: Path, tmp_path: Path) -> Iterator[Desk]:
    d = copy_desk(template_home, tmp_path / "home")
    yield d
    d.close()
