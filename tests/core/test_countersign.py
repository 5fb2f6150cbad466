"""Sign-offs as signatures in the ledger (issue 22): the PIN-sealed key, the chain rules on the
signatures (as the county runs them, from a saved state), and a ledger of the previous release
getting its keys at the next sign-in."""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime
from pathlib import Path

import orjson
import pytest

from app.domain.chain import ChainError, ChainRules
from app.domain.countersign import SealError, new_signer, seal, stretch, unseal
from app.domain.records import UserInfo
from app.domain.review import review_entries
from app.services.desk import Desk
from app.services.users import hash_pin
from app.storage import journal
from app.storage.db import DB_FILENAME
from app.storage.projections import expected_cash
from tests.conftest import AGENT_PIN, HEAD_PIN
from tests.core.test_receipts import med
from tests.factories import ZHANG, ZHANG_WIFE, FakeClock

Row = tuple[int, str, str, str, str, str]
V8 = Path(__file__).parent / "data" / "v8-village.sqlite3"


def test_only_the_pin_opens_the_sealed_key_and_one_scrypt_gives_the_pin_hash_too() -> None:
    salt, kdf = os.urandom(16), "scrypt$1024$8$1"
    signer = new_signer("王村长")
    stretched = stretch("567890", salt, kdf)
    assert stretched[:32] == hash_pin("567890", salt, kdf)  # the hash the user table keeps
    sealed = seal(signer, stretched, salt, kdf)
    assert unseal(sealed, stretched, "王村长", signer.public_hex) == signer
    with pytest.raises(SealError):
        unseal(sealed, stretch("111111", salt, kdf), "王村长", signer.public_hex)
    with pytest.raises(SealError):  # the sealed key is bound to its owner's name
        unseal(sealed, stretched, "李代收", signer.public_hex)
    assert signer.private.hex() not in sealed and signer.private.hex() not in repr(signer)


def _rows(desk: Desk) -> list[Row]:
    with desk.db.read() as conn:
        return journal.rows(conn, 1, journal.newest_seq(conn))


def _signed_day(desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    for person in (ZHANG, ZHANG_WIFE):
        desk.receipts.record(agent, [med(person)], cash_fen=40000)
    desk.settlements.settle(desk.clock().date(), agent=agent, head=head, counted_fen=80000)


def _rehashed(row: Row, change: dict[str, object]) -> Row:
    """The entry with its data changed and its hash made again (what a file holder can do)."""
    import hashlib

    seq, kind, at, body, prev, _ = row
    entry = orjson.loads(body)
    gone = {k for k, v in change.items() if v is None}  # a change to None takes the field out
    entry["data"] = {k: v for k, v in {**entry["data"], **change}.items() if k not in gone}
    text = orjson.dumps(entry, option=orjson.OPT_SORT_KEYS).decode()
    return seq, kind, at, text, prev, hashlib.sha256((prev + text).encode()).hexdigest()


def test_the_county_checks_signatures_from_the_state_it_saved(desk: Desk, agent: UserInfo,
                                                              head: UserInfo) -> None:
    _signed_day(desk, agent, head)
    rows = _rows(desk)
    settlement = next(r for r in rows if r[1] == "settlement")
    before = ChainRules()
    for row in rows[: settlement[0] - 1]:
        before.feed(*row)
    # as the server does between two batches: the state through JSON, the next batch from it
    state = orjson.dumps(before.to_state())
    for change, code in (({"sigs": None}, "missing_signature"),
                         ({"sigs": {"李代收": orjson.loads(settlement[3])["data"]["sigs"]["李代收"]}},
                          "missing_signature"),
                         ({"counted_fen": 80001, "difference_fen": 1, "reason": "多收1分"}, "bad_signature"),
                         ({"head": "李代收"}, "bad_signature")):
        rules = ChainRules.from_state(orjson.loads(state))
        with pytest.raises(ChainError) as caught:
            rules.feed(*_rehashed(settlement, change))
        assert (caught.value.code, caught.value.seq) == (code, settlement[0]), change
    genuine = ChainRules.from_state(orjson.loads(state))
    genuine.feed(*settlement)
    assert genuine.seq == settlement[0]


def test_a_countersign_by_a_non_head_is_refused_by_the_chain(desk: Desk, agent: UserInfo) -> None:
    """Even signed with a real key: the agent cannot be the 'head' of their own settlement."""
    from app.domain.entries import SettlementEntry

    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    assert agent.signer is not None
    with desk.db.write() as conn:
        number = journal.entries(conn, "receipt")[0][3]["number"]
        forged = journal.append(conn, desk.clock().isoformat(), SettlementEntry(
            day=desk.clock().date().isoformat(), expected_fen=40000, counted_fen=40000, difference_fen=0,
            reason=None, denominations={"10000": 4}, receipts=1, voids=0, receipt_numbers=(number,),
            agent="李代收", head="李代收", round=1), (agent.signer,))
    result = desk.verify()
    assert not result.ok and result.first_bad_seq == forged.seq
    assert "不是另一位村委会负责人" in (result.reason or "")


def test_a_ledger_of_the_previous_release_gets_keys_at_sign_in(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(V8, home / DB_FILENAME)
    with Desk(home, clock=FakeClock(datetime(2026, 11, 22, 18, 0)), create=False) as desk:
        assert desk.verify().ok  # unsigned entries before any key: accepted as they were
        agent = desk.users.authenticate("李代收", AGENT_PIN)
        head = desk.users.authenticate("王村长", HEAD_PIN)
        assert agent.signer is not None and head.signer is not None
        day = desk.settlements.unsettled_days()[0]
        with desk.db.read() as conn:
            expected = expected_cash(conn, day)[0]
        desk.settlements.settle(day, agent=agent, head=head, counted_fen=expected)
        assert desk.verify().ok
        with desk.db.read() as conn:
            entries = journal.entries(conn)
        rows = _rows(desk)
    # The county holds this device's chain up to before the upgrade, its state saved by the older
    # server (no keys in it): the next batch, first keys and signed settlement, is taken.
    first_key = next(r[0] for r in rows if r[1] == "user" and '"sign_key"' in r[3])
    before = ChainRules()
    for row in rows[: first_key - 1]:
        before.feed(*row)
    old_state = {k: v for k, v in orjson.loads(orjson.dumps(before.to_state())).items() if k != "keys"}
    county = ChainRules.from_state(old_state)
    for row in rows[first_key - 1:]:
        county.feed(*row)
    assert county.keys.keyed and set(county.keys.people) == {"李代收", "王村长"}
    keys = [(d["name"], d["action"]) for _s, k, _a, d in entries if k == "user" and d.get("sign_key")]
    assert keys == [("李代收", "key"), ("王村长", "key")]
    newest = [d for _s, k, _a, d in entries if k == "settlement"][-1]
    assert set(newest["sigs"]) == {"李代收", "王村长"}
    assert all("sigs" not in d for _s, k, _a, d in entries[: -3])  # what the older release wrote is as it was
    flags = [f for f in review_entries(entries, as_of=date(2026, 11, 30)).flags if f.code == "key_first"]
    assert [f.ref for f in flags] == ["李代收", "王村长"]
    assert "首次发放" in flags[0].reason and flags[0].label == "签名密钥首次发放"


def test_a_pin_change_is_signed_by_the_old_key_and_flagged(desk: Desk, agent: UserInfo) -> None:
    desk.users.change_pin("李代收", AGENT_PIN, "2468")
    again = desk.users.authenticate("李代收", "2468")
    desk.receipts.record(again, [med(ZHANG)], cash_fen=40000)
    assert desk.verify().ok
    with desk.db.read() as conn:
        entries = journal.entries(conn)
    change = next(d for _s, k, _a, d in entries if k == "user" and d["action"] == "pin")
    assert set(change["sigs"]) == {"李代收"} and change["sign_key"] != next(
        d for _s, k, _a, d in entries if k == "user" and d["name"] == "李代收")["sign_key"]
    flags = [f for f in review_entries(entries, as_of=date(2026, 11, 30)).flags if f.code == "key_changed"]
    assert [f.ref for f in flags] == ["李代收"]
    # the old PIN opens nothing any more
    from app.services.errors import AuthError

    with pytest.raises(AuthError):
        desk.users.authenticate("李代收", AGENT_PIN)
