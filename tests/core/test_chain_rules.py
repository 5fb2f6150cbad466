"""The journal rules the desk's verify and the county server share: a ledger checked in two
halves (the server's batches, state saved between them) is judged exactly as in one pass."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from app.domain.canonical import canonical_json
from app.domain.chain import ChainError, ChainRules
from app.domain.records import UserInfo
from app.services.desk import Desk
from tests.core.test_receipts import med
from tests.factories import AYGUL, ZHANG, ZHANG_WIFE, FakeClock


def forged(entry: tuple[int, str, str, str, str, str],
           edit: Callable[[dict[str, Any]], None]) -> tuple[int, str, str, str, str, str]:
    """The entry with its data changed by `edit` and its hash recomputed: what a forger who knows
    the format would send."""
    body = json.loads(entry[3])
    edit(body["data"])
    text = canonical_json(body)
    return (entry[0], entry[1], entry[2], text, entry[4], hashlib.sha256((entry[4] + text).encode()).hexdigest())


def journal(desk: Desk) -> list[tuple[int, str, str, str, str, str]]:
    with desk.db.read() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            "SELECT seq, kind, recorded_at, body, prev_hash, hash FROM journal ORDER BY seq")]


@pytest.fixture
def ledger(desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> list[tuple[int, str, str, str, str, str]]:
    first = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.receipts.record(agent, [med(ZHANG_WIFE)], cash_fen=40000)
    desk.receipts.void(first.number, reason="收错了", agent=agent, head=head)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    clock.next_day()
    desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
    return journal(desk)


def test_two_halves_with_saved_state_equal_one_pass(ledger: list[tuple[int, str, str, str, str, str]]) -> None:
    whole = ChainRules()
    for e in ledger:
        whole.feed(*e)
    half = len(ledger) // 2
    first = ChainRules()
    for e in ledger[:half]:
        first.feed(*e)
    second = ChainRules.from_state(json.loads(json.dumps(first.to_state())))  # as the server stores it
    for e in ledger[half:]:
        second.feed(*e)
    assert second.to_state() == whole.to_state()
    assert whole.open_days() == {ledger[-1][3].split('"day":"')[1][:10]}  # only the newest day is open


def test_a_changed_amount_with_a_recomputed_hash_names_the_rule(ledger: list[tuple[int, str, str, str, str, str]]) -> None:
    import hashlib

    rules = ChainRules()
    receipt = next(e for e in ledger if e[1] == "receipt")
    for e in ledger[: receipt[0] - 1]:
        rules.feed(*e)
    forged_body = receipt[3].replace('"total_fen":40000', '"total_fen":30000')
    forged_hash = hashlib.sha256((receipt[4] + forged_body).encode()).hexdigest()
    with pytest.raises(ChainError) as caught:
        rules.feed(receipt[0], receipt[1], receipt[2], forged_body, receipt[4], forged_hash)
    assert (caught.value.code, caught.value.seq) == ("bad_total", receipt[0])


def test_a_receipt_removed_from_the_middle_is_a_gap(ledger: list[tuple[int, str, str, str, str, str]]) -> None:
    rules = ChainRules()
    receipt = [e for e in ledger if e[1] == "receipt"][1]
    with pytest.raises(ChainError) as caught:
        for e in ledger:
            if e is not receipt:
                rules.feed(*e)
    assert caught.value.code == "gap" and caught.value.seq == receipt[0]


def test_bodies_read_as_bytes_are_judged_as_their_text(ledger: list[tuple[int, str, str, str, str, str]]) -> None:
    """verify reads each body as its UTF-8 bytes (no decoding); the county server passes text.
    Both must reach the same state, and one changed byte of a name is still a changed entry."""
    as_text, as_bytes = ChainRules(), ChainRules()
    for seq, kind, at, body, prev, digest in ledger:
        as_text.feed(seq, kind, at, body, prev, digest)
        as_bytes.feed(seq, kind, at, body.encode("utf-8"), prev, digest)
    assert as_bytes.to_state() == as_text.to_state()
    receipt = next(e for e in ledger if e[1] == "receipt")
    rules = ChainRules()
    for e in ledger[: receipt[0] - 1]:
        rules.feed(*e)
    raw = receipt[3].encode("utf-8")
    name = "张".encode()
    assert name in raw
    with pytest.raises(ChainError) as caught:
        rules.feed(receipt[0], receipt[1], receipt[2], raw.replace(name, "章".encode(), 1), receipt[4],
                   receipt[5])
    assert (caught.value.code, caught.value.seq) == ("bad_hash", receipt[0])
