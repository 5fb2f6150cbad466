"""The forged countersign: an insider puts a PIN hash they made for 111111 into the village head's
user row, settles the day "as the head" with 111111, and puts the head's own hash back (the
user table's triggers restored exactly). A sign-off is a signature in the ledger made with the
head's key, which only the head's PIN opens: the program refuses to sign, and a settlement the
insider writes anyway (their own process, a made-up key) is named by `verify` (exit 5)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from app.domain.countersign import new_signer
from app.domain.records import Role, UserInfo
from app.services.desk import Desk
from app.services.errors import AuthError
from app.services.signoff import vouch
from tests.core.test_cli import Cli
from tests.core.test_receipts import med
from tests.factories import ZHANG, ZHANG_WIFE, FakeClock

FORGED_PIN = "111111"


def _user_triggers(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as conn:
        return [(str(n), str(s)) for n, s in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'user' ORDER BY name")]


def _swap_heads_hash(path: Path) -> tuple[bytes, bytes, str]:
    """The insider's edit: the head's salt and hash replaced by ones made for 111111 (any
    trigger on the user table dropped first); returns the head's own, to put back."""
    salt = os.urandom(16)
    made = hashlib.scrypt(FORGED_PIN.encode(), salt=salt, n=1024, r=8, p=1, dklen=32)  # the tests' cost
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        own = conn.execute("SELECT pin_salt, pin_hash, pin_kdf FROM user WHERE name = '王村长'").fetchone()
        for name, _sql in _user_triggers(path):
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("UPDATE user SET pin_salt = ?, pin_hash = ?, pin_kdf = 'scrypt$1024$8$1' "
                     "WHERE name = '王村长'", (salt, made))
    finally:
        conn.close()
    return bytes(own[0]), bytes(own[1]), str(own[2])


def _put_back(path: Path, own: tuple[bytes, bytes, str], triggers: list[tuple[str, str]]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("UPDATE user SET pin_salt = ?, pin_hash = ?, pin_kdf = ? WHERE name = '王村长'", own)
        for _name, sql in triggers:
            conn.execute(sql)
    finally:
        conn.close()


def _day_of_cash(desk: Desk, agent: UserInfo) -> None:
    for person in (ZHANG, ZHANG_WIFE):
        desk.receipts.record(agent, [med(person)], cash_fen=40000)


def test_the_program_will_not_sign_as_the_head_with_a_swapped_hash(desk: Desk, agent: UserInfo) -> None:
    _day_of_cash(desk, agent)
    triggers = _user_triggers(desk.db.path)
    own = _swap_heads_hash(desk.db.path)
    # The PIN matches the swapped row, but does not open the head's key in the journal.
    with pytest.raises(AuthError, match="打不开账本中其签名密钥"):
        desk.users.authenticate("王村长", FORGED_PIN)
    _put_back(desk.db.path, own, triggers)
    assert _user_triggers(desk.db.path) == triggers
    assert desk.settlements.unsettled_days() == [desk.clock().date()]  # nothing was settled
    assert desk.verify().ok


def forge_settlement(desk: Desk, agent: UserInfo) -> int:
    """The full attack: hash swapped, the day settled "as the head" by the insider's own process
    (the PIN check skipped, the settlement signed with a key the insider made), the head's hash
    and the triggers put back exactly. Returns the forged settlement's sequence number."""
    _day_of_cash(desk, agent)
    triggers = _user_triggers(desk.db.path)
    own = _swap_heads_hash(desk.db.path)
    fake_head = vouch(UserInfo("王村长", Role.HEAD), new_signer("王村长"))
    desk.settlements.settle(desk.clock().date(), agent=agent, head=fake_head, counted_fen=80000)
    _put_back(desk.db.path, own, triggers)
    assert _user_triggers(desk.db.path) == triggers
    with desk.db.read() as conn:
        return int(conn.execute("SELECT MAX(seq) FROM journal WHERE kind = 'settlement'").fetchone()[0])


def test_a_forged_countersign_is_named_by_verify(desk: Desk, agent: UserInfo, clock: FakeClock) -> None:
    seq = forge_settlement(desk, agent)
    result = desk.verify()
    assert not result.ok and result.first_bad_seq == seq
    assert f"第 {seq} 条「王村长」的签名不对" in (result.reason or "")
    home = desk.db.path.parent
    desk.close()
    code, out, _err = Cli(home, clock)("verify")
    assert code == 5 and f"第 {seq} 条「王村长」的签名不对" in out


def test_a_countersign_left_unsigned_is_named_by_verify(desk: Desk, agent: UserInfo) -> None:
    _day_of_cash(desk, agent)
    no_key = vouch(UserInfo("王村长", Role.HEAD))  # the insider's process: no key at all
    with pytest.raises(AuthError, match="签名密钥未解锁"):
        desk.settlements.settle(desk.clock().date(), agent=agent, head=no_key, counted_fen=80000)
    assert desk.verify().ok


def test_a_key_swapped_in_by_an_unsigned_user_entry_is_named(desk: Desk, agent: UserInfo) -> None:
    """The insider appends a user entry giving the head a key of their own making (no old key or
    administrator signed it), then signs with it: verify names the key change."""
    from app.domain.entries import UserEntry
    from app.services.users import _new_pin
    from app.storage import journal, users

    _day_of_cash(desk, agent)
    with desk.db.write() as conn:
        row = users.by_name(conn, "王村长")
        assert row is not None
        signer, sealed = _new_pin(row, FORGED_PIN)
        appended = journal.append(conn, desk.clock().isoformat(), UserEntry(
            action="pin", name=row.name, role=row.role, active=True, pin_salt=row.pin_salt.hex(),
            pin_hash=row.pin_hash.hex(), pin_kdf=row.pin_kdf, failed_attempts=0, locked_until=None,
            by=row.name, sign_key=signer.public_hex, sealed_key=sealed))
        users.save(conn, row)
    result = desk.verify()
    assert not result.ok and result.first_bad_seq == appended.seq
    assert "签名密钥或角色变更" in (result.reason or "")


def test_the_genuine_countersign_verifies(desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    _day_of_cash(desk, agent)
    desk.settlements.settle(desk.clock().date(), agent=agent, head=head, counted_fen=80000)
    with desk.db.read() as conn:
        sigs = conn.execute("SELECT json_extract(body, '$.data.sigs') FROM journal WHERE kind = 'settlement'"
                            ).fetchone()[0]
    assert '"王村长"' in sigs and '"李代收"' in sigs
    assert desk.verify().ok
