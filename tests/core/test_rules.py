"""One home per ledger rule: what the desk refuses before writing is what the chain refuses on
replay (desk verify, the county's check), in the same words."""

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
from app.services.errors import Refused
from tests.core.test_chain_rules import journal
from tests.core.test_paid_on_behalf import pay_on_behalf
from tests.core.test_receipts import med
from tests.factories import ZHANG, FakeClock

Journal = list[tuple[int, str, str, str, str, str]]


def _appended(ledger: Journal, kind: str, data: dict[str, Any]) -> tuple[int, str, str, str, str, str]:
    """An entry a forger appends after the ledger, with a correct hash."""
    seq, at, prev = ledger[-1][0] + 1, ledger[-1][2], ledger[-1][5]
    body = canonical_json({"seq": seq, "kind": kind, "recorded_at": at, "data": data})
    return seq, kind, at, body, prev, hashlib.sha256((prev + body).encode()).hexdigest()


def _refused_on_replay(ledger: Journal, kind: str, data: dict[str, Any]) -> ChainError:
    rules = ChainRules()
    for e in ledger:
        rules.feed(*e)
    with pytest.raises(ChainError) as caught:
        rules.feed(*_appended(ledger, kind, data))
    return caught.value


def _same_words(desk_act: Callable[[], object], ledger: Journal, kind: str, data: dict[str, Any]) -> None:
    with pytest.raises(Refused) as refused:
        desk_act()
    assert _refused_on_replay(ledger, kind, data).reason == refused.value.message


def test_a_settled_receipt_is_not_voided_by_the_desk_nor_by_a_forged_entry(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    _same_words(lambda: desk.receipts.void(r.number, reason="收错了", agent=agent, head=head), journal(desk),
                "void", {"number": r.number, "day": r.day.isoformat(), "reason": "收错了", "agent": agent.name,
                         "head": head.name})


def test_a_refund_is_asked_once_at_the_desk_and_in_the_chain(
        desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock) -> None:
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    desk.receipts.request_refund(r.number, reason="重复缴费", agent=agent, head=head)
    _same_words(lambda: desk.receipts.request_refund(r.number, reason="再来", agent=agent, head=head),
                journal(desk), "refund_request",
                {"number": r.number, "day": r.day.isoformat(), "amount_fen": 40000, "reason": "再来",
                 "agent": agent.name, "head": head.name})


def test_a_refunded_receipt_is_not_paid_on_behalf(desk: Desk, agent: UserInfo, head: UserInfo,
                                                  clock: FakeClock) -> None:
    """The chain always refused this; the desk used to write it (and then failed verify)."""
    pay_on_behalf(desk, head)
    r = desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    desk.receipts.request_refund(r.number, reason="重复缴费", agent=agent, head=head)
    _same_words(lambda: desk.receipts.record_paid_on_behalf(r.number, voucher="320000123456", channel="电子税务局",
                                                            by=agent), journal(desk), "paid_on_behalf",
                {"number": r.number, "voucher": "320000123456", "channel": "电子税务局", "amount_fen": 40000,
                 "paid_at": clock().isoformat(), "by": agent.name})
    assert desk.verify().ok


def test_an_overlapping_book_is_refused_alike(desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    desk.receipt_books.add("0000501", "0000600", prefix="皖", by=head)
    _same_words(lambda: desk.receipt_books.add("0000590", "0000700", prefix="皖", by=head), journal(desk),
                "receipt_book", {"prefix": "皖", "first": "皖0000590", "last": "皖0000700", "by": head.name})
    assert json.loads(journal(desk)[-1][3])["kind"] == "receipt_book"
