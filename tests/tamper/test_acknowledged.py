"""What `verify` checks by default, and what only `verify --full` does.

By default the sign-offs' signatures are checked on the entries after the newest one the county
acknowledged, as the OS keyring remembers it: the county checked those signatures before it
acknowledged them, and the hash chain proves the file still holds them byte for byte. Each attack
here re-signs nothing (it has no PIN): it swaps one receipt's agent signature for another
receipt's, rewrites the journal with every hash after it recomputed, and, where it says so, puts
the keyring's mark of the newest entry back in line with the rewritten file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson

from app.domain.canonical import canonical_json
from app.domain.records import UserInfo
from app.services.desk import Desk
from app.storage.highwater import current_mark
from app.storage.journal import entry_hash
from tests.core.test_cli import Cli
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_MOTHER, ZHANG_WIFE, FakeClock, county_ack
from tests.keyrings import MemoryKeyring


def _receipts(desk: Desk, agent: UserInfo) -> list[int]:
    """Four receipts; their journal sequences."""
    numbers = [desk.receipts.record(agent, [med(p)], cash_fen=40000, cash_confirmed=True).number
               for p in (ZHANG, ZHANG_WIFE, ZHANG_MOTHER, AYGUL)]
    conn = sqlite3.connect(desk.db.path)
    try:
        return [conn.execute("SELECT journal_seq FROM receipt WHERE number = ?", (n,)).fetchone()[0]
                for n in numbers]
    finally:
        conn.close()


def _swap_signature(path: Path, seq: int, from_seq: int) -> None:
    """Entry `seq` gets the agent signature of entry `from_seq`; every hash from it on is made
    again, the journal's trigger dropped and put back (the sqlite3 shell)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        (trigger,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                  "AND name = 'journal_no_update'").fetchone()
        conn.execute("DROP TRIGGER journal_no_update")
        donor = orjson.loads(conn.execute("SELECT body FROM journal WHERE seq = ?", (from_seq,)).fetchone()[0])
        rows = conn.execute("SELECT seq, body, prev_hash FROM journal WHERE seq >= ? ORDER BY seq", (seq,)).fetchall()
        prev = rows[0][2]
        for at, body, _ in rows:
            if at == seq:
                entry = orjson.loads(body)
                entry["data"]["sigs"] = donor["data"]["sigs"]
                body = canonical_json(entry)
            digest = entry_hash(prev, body)
            conn.execute("UPDATE journal SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?", (body, prev, digest, at))
            prev = digest
        conn.execute(trigger)
    finally:
        conn.close()


def _mark_follows_the_file(desk: Desk) -> None:
    """The keyring's mark of the newest entry made again from the rewritten file: an attacker
    who can write this PC's keyring too (or a file whose mark was never kept)."""
    conn = sqlite3.connect(desk.db.path)
    try:
        desk.db.highwater.store.set(desk.db.highwater.key, current_mark(conn).to_text())
    finally:
        conn.close()


def test_a_forged_signature_after_what_the_county_acknowledged_is_named(desk: Desk, agent: UserInfo) -> None:
    seqs = _receipts(desk, agent)
    county_ack(desk, seqs[1])
    assert desk.verify().ok and desk.verify().acknowledged == seqs[1]
    _swap_signature(desk.db.path, seqs[3], seqs[2])
    _mark_follows_the_file(desk)
    result = desk.verify()
    assert not result.ok and result.first_bad_seq == seqs[3]
    assert "签名不对" in (result.reason or "")


def test_a_forged_signature_before_it_breaks_the_acknowledgement_and_is_named(desk: Desk, agent: UserInfo) -> None:
    seqs = _receipts(desk, agent)
    county_ack(desk, seqs[3])
    _swap_signature(desk.db.path, seqs[1], seqs[0])
    _mark_follows_the_file(desk)
    result = desk.verify()  # the acknowledged entry's hash changed: every signature is checked again
    assert not result.ok and result.first_bad_seq == seqs[1]
    assert "签名不对" in (result.reason or "")


def test_full_checks_the_signatures_the_county_acknowledged_again(desk: Desk, agent: UserInfo,
                                                                  memory_keyring: MemoryKeyring) -> None:
    """A file whose acknowledgement (in the file and in the keyring) covers a forged signature, as
    only someone who can write the keyring and sign as the county could make: the default check
    takes the county's word for it; --full does not."""
    seqs = _receipts(desk, agent)
    _swap_signature(desk.db.path, seqs[1], seqs[0])
    memory_keyring.values.clear()  # no mark of the genuine file left
    county_ack(desk, seqs[3])
    quick = desk.verify()
    assert quick.ok and quick.acknowledged == seqs[3]
    full = desk.verify(full=True)
    assert not full.ok and full.first_bad_seq == seqs[1] and full.acknowledged == 0


def test_without_a_keyring_every_signature_is_checked(desk: Desk, agent: UserInfo,
                                                      memory_keyring: MemoryKeyring) -> None:
    """The acknowledgement in the file alone is not enough: its county key is in the file too."""
    seqs = _receipts(desk, agent)
    _swap_signature(desk.db.path, seqs[1], seqs[0])
    memory_keyring.values.clear()
    county_ack(desk, seqs[3])  # signed by a key the attacker put into the file
    memory_keyring.values.clear()  # and a PC with nothing kept outside the file
    result = desk.verify()
    assert not result.ok and result.first_bad_seq == seqs[1]


def test_the_command_line_says_what_the_default_took_from_the_county(desk: Desk, agent: UserInfo,
                                                                        clock: FakeClock) -> None:
    seqs = _receipts(desk, agent)
    county_ack(desk, seqs[2])
    cli = Cli(desk.home, clock)
    code, out, _ = cli("verify")
    assert code == 0 and f"前 {seqs[2]} 条记录未重验签名" in out and "--full" in out
    checked = cli.json("verify", "--full")
    assert checked["ok"] is True and checked["note"] is None
