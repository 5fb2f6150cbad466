"""A keyring that is present but locked (a Secret Service whose login keyring was not unlocked,
a Credential Manager that refuses): `daishou enrol` says so in one Chinese line, with no Python
traceback, and the county's one-time code is not spent. A `null` backend is no keyring at all."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import null
from keyring.errors import InitError, KeyringLocked

from app.services.desk import Desk
from sync.client import SyncClient
from sync.keys import NoKeyring
from sync.server import service
from tests.core.test_cli import Cli
from tests.factories import FakeClock
from tests.server.conftest import Server


class LockedKeyring(KeyringBackend):
    """Raises as a locked one does: reading and writing both refused."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, error: type[Exception]) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise self.error("Failed to unlock the collection!")


@pytest.mark.parametrize("error", [KeyringLocked, InitError])
def test_a_locked_keyring_is_one_line_and_the_code_stays_unspent(
        server: Server, desk: Desk, clock: FakeClock, error: type[Exception]) -> None:
    with server.session() as s:
        code = service.issue_enrolment_code(s, "341824100201", 1)
    memory = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring(error))  # the autouse fixture puts the memory keyring back
    desk.close()
    status, out, err = Cli(desk.home, clock)("enrol", "--server", server.base, "--code", code)
    assert status != 0 and out == ""
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "系统密钥库已锁定或打不开" in err and "注册码没有用掉，可以再用" in err
    with Desk(desk.home, clock=clock) as again:
        assert "server_url" not in again.sync.state()  # nothing kept on the desk
        keyring.set_keyring(memory)  # unlocked: the same code enrols the PC
        assert SyncClient(again, server=server.base, retries=1).enrol(code).device_id == "341824100201-01"


def test_a_null_backend_counts_as_no_keyring(server: Server, desk: Desk) -> None:
    with server.session() as s:
        code = service.issue_enrolment_code(s, "341824100201", 1)
    keyring.set_keyring(null.Keyring())
    with pytest.raises(NoKeyring, match="本机没有可用的系统密钥库") as caught:
        SyncClient(desk, server=server.base, retries=1).enrol(code)
    assert "设置（F6）中按“导出到U盘”" in caught.value.message and "daishou" not in caught.value.message
