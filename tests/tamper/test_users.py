"""Users are journalled: what the user table says (role, PIN hash, active) must be what the
newest entry of that user says. An insider who swaps the village head's PIN hash for the
agent's (to countersign with the agent's PIN), changes a role, or adds a user with the sqlite3
shell is caught by `verify`."""

from __future__ import annotations

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import AuthError
from tests.factories import edit_file


def _shell(desk: Desk, *statements: str) -> None:
    edit_file(desk.db.path, *statements)


def test_the_heads_pin_hash_swapped_for_the_agents_is_caught(desk: Desk, agent: UserInfo) -> None:
    desk.users.change_pin("李代收", "1234", "246810")
    _shell(desk, "UPDATE user SET pin_salt = (SELECT pin_salt FROM user WHERE name = '李代收'), "
                 "pin_hash = (SELECT pin_hash FROM user WHERE name = '李代收') WHERE name = '王村长'")
    # the agent's PIN matches the head's row now, but does not open the head's signing key ...
    with pytest.raises(AuthError, match="打不开账本中其签名密钥"):
        desk.users.authenticate("王村长", "246810")
    # ... and verify names the user
    result = desk.verify()
    assert not result.ok and "用户表中「王村长」的角色或密码与日志" in (result.reason or "")


def test_a_role_changed_in_the_file_is_caught(desk: Desk) -> None:
    _shell(desk, "UPDATE user SET role = 'head' WHERE name = '李代收'")
    result = desk.verify()
    assert not result.ok and "「李代收」" in (result.reason or "")


def test_a_user_added_with_the_sqlite_shell_is_caught(desk: Desk) -> None:
    _shell(desk, "INSERT INTO user (name, role, pin_salt, pin_hash, pin_kdf, failed_attempts, active, "
                 "created_at) SELECT '假村长', 'head', pin_salt, pin_hash, pin_kdf, 0, 1, created_at "
                 "FROM user WHERE name = '李代收'")
    result = desk.verify()
    assert not result.ok and "用户表有日志中没有的用户「假村长」" in (result.reason or "")


def test_adding_and_changing_pins_through_the_program_keeps_verify_whole(
        desk: Desk, head: UserInfo) -> None:
    desk.users.add("张会计", "agent", "1357", by=head)
    desk.users.change_pin("李代收", "1234", "2468")
    desk.users.authenticate("李代收", "2468")
    assert desk.verify().ok
    with desk.db.read() as conn:
        kinds = [str(k) for (k,) in conn.execute(
            "SELECT json_extract(body, '$.data.action') FROM journal WHERE kind = 'user' ORDER BY seq")]
    assert kinds == ["add", "add", "add", "pin"]


def test_an_administrator_unlocks_and_resets_a_pin_and_the_journal_says_who(
        second_head: tuple[Desk, UserInfo]) -> None:
    import pytest

    from app.services.errors import AuthError, Refused
    from tests.conftest import ADMIN, ADMIN_PIN, HEAD_PIN

    desk, _ = second_head  # set up by the township's administrator
    head = desk.users.authenticate("王村长", HEAD_PIN)
    admin = desk.users.authenticate(ADMIN, ADMIN_PIN)
    for _ in range(5):
        with pytest.raises(AuthError):
            desk.users.authenticate("李代收", "0000")
    with pytest.raises(AuthError, match="已锁定"):
        desk.users.authenticate("李代收", "1234")
    with pytest.raises(Refused, match="需要管理员"):
        desk.users.unlock("李代收", by=head)
    desk.users.unlock("李代收", by=admin)
    assert desk.users.authenticate("李代收", "1234").name == "李代收"
    desk.users.reset_pin("李代收", "9753", by=admin)  # forgot it
    with pytest.raises(AuthError):
        desk.users.authenticate("李代收", "1234")
    assert desk.users.authenticate("李代收", "9753").name == "李代收"
    assert desk.verify().ok
    with desk.db.read() as conn:
        actions = [(str(a), str(b)) for a, b in conn.execute(
            "SELECT json_extract(body, '$.data.action'), json_extract(body, '$.data.by') FROM journal "
            "WHERE kind = 'user' AND json_extract(body, '$.data.name') = '李代收' ORDER BY seq")]
    assert [a for a in actions if a[0] in ("unlock", "reset")] == [("unlock", "孙管理"), ("reset", "孙管理")]
    assert actions.count(("failed", "None")) == 6  # five before the lockout, one after the reset


def test_a_failed_pin_count_or_lockout_reset_by_hand_is_caught(desk: Desk) -> None:
    """Resetting the count in the file would let someone guess a head's PIN without ever being
    locked out; every change of the count is a journal entry, so verify names it."""
    import pytest

    from app.services.errors import AuthError

    for _ in range(3):
        with pytest.raises(AuthError, match="还可再试"):
            desk.users.authenticate("王村长", "000000")
    assert desk.verify().ok
    _shell(desk, "UPDATE user SET failed_attempts = 0 WHERE name = '王村长'")
    result = desk.verify()
    assert not result.ok and "「王村长」的输错次数或锁定时间与日志" in (result.reason or "")


def test_a_lockout_lifted_by_hand_is_caught(desk: Desk) -> None:
    import pytest

    from app.services.errors import AuthError

    for _ in range(5):
        with pytest.raises(AuthError):
            desk.users.authenticate("李代收", "0000")
    assert desk.verify().ok
    _shell(desk, "UPDATE user SET locked_until = NULL WHERE name = '李代收'")
    assert "锁定被改动" in (desk.verify().reason or "")
