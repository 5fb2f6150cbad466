"""Uploads at the same moment. Two villages upload a receipt for the same person, insurance and year at the same moment, each
in its own transaction on its own connection, as two server processes do. On PostgreSQL each
transaction locks only its own device's row, so without more both read "not paid elsewhere"
before either commits and the double payment slips past. A barrier holds both uploads at the
county's cross-village check until both are there, then lets them race. (SQLite takes the whole
database at BEGIN IMMEDIATE: the second upload cannot even start, there is nothing to race.)"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from app.domain.canonical import canonical_json
from sync import protocol as p
from sync.server import models as m
from sync.server import uploads
from sync.server.core import ServerRefusal
from sync.server.db import make_engine, migrate, session
from sync.server.rules import CountyRules
from tests.server.conftest import database_url, migrated_engine
from tests.server.signed_days import batch, day, enrolled

B, C = "341824100201", "341824101305"  # two villages of two townships
PERSON = "341824195001010011"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from migrated_engine("postgresql", tmp_path)


def _race(engine: Engine, monkeypatch: pytest.MonkeyPatch, batches: list[tuple[str, p.Batch]]) -> list[str]:
    """Each upload's answer: its status, or the code it was refused with."""
    both_there = threading.Barrier(len(batches), timeout=20)
    check_held = CountyRules.check_held

    def at_the_same_time(self: CountyRules, s: Any) -> None:
        both_there.wait()  # every upload has its transaction open and its device locked
        check_held(self, s)

    monkeypatch.setattr(CountyRules, "check_held", at_the_same_time)

    def upload(device_id: str, sent: p.Batch) -> str:
        with session(engine) as s:  # the calling device as the request's dependency reads it
            device = s.get(m.Device, device_id)
            assert device is not None
        try:
            with session(engine) as s:
                return str(uploads.accept_batch(s, device, sent).status)
        except ServerRefusal as refused:
            return refused.code

    with ThreadPoolExecutor(len(batches)) as pool:
        return list(pool.map(lambda b: upload(*b), batches))


def test_one_person_paid_in_two_villages_at_once_is_flagged_for_both(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = []
    with session(engine) as s:
        for village in (B, C):
            device_id, _, key = enrolled(s, village)
            sent.append((device_id, batch(device_id, key, day(village, 1, 2, person=lambda v, n: (
                PERSON if n == 1 else f"{v[6:]}{n:06d}")))))
    assert _race(engine, monkeypatch, sent) == ["accepted", "accepted"]
    with session(engine) as s:
        flags = s.exec(select(m.CountyFlag).order_by(col(m.CountyFlag.township_code))).all()
        lines = s.exec(select(m.PaidLine.village_code).where(m.PaidLine.id_number == PERSON)).all()
    assert sorted(lines) == [B, C]  # both receipts held: each village did nothing wrong it could know
    assert [(f.code, f.township_code, f.village_code) for f in flags] == [
        ("paid_in_two_villages", B[:9], B), ("paid_in_two_villages", C[:9], C)]
    assert all(B in f.reason and C in f.reason and "2027 年度医疗保险" in f.reason for f in flags)


def test_one_slip_used_by_two_devices_of_a_village_at_once_is_refused_once(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same race on a remittance slip: two devices of one village remit under one number."""
    sent = []
    with session(engine) as s:
        for device_no in (1, 2):
            device_id, _, key = enrolled(s, B, device_no)
            entries = day(B, device_no, 1, person=lambda v, n, d=device_no: f"{v[6:]}{d:02d}{n:04d}")
            sent.append((device_id, batch(device_id, key, [*entries, _remittance(entries[-1], "JK-2026-0001")])))
    assert sorted(_race(engine, monkeypatch, sent)) == ["accepted", "slip_reused"]
    with session(engine) as s:
        assert len(s.exec(select(m.Remittance)).all()) == 1


def test_one_receipt_book_registered_by_two_devices_of_a_village_at_once_is_refused_once(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two desks of one village register overlapping ranges of the county's uniform receipts
    (统一票据) at the same moment: one book is the village's once, the other desk is told whose it is."""
    sent = []
    with session(engine) as s:
        for device_no, (first, last) in ((1, ("0001201", "0001250")), (2, ("0001240", "0001290"))):
            device_id, _, key = enrolled(s, B, device_no)
            entries = day(B, device_no, 1, person=lambda v, n, d=device_no: f"{v[6:]}{d:02d}{n:04d}")
            book = _after(entries[-1], "receipt_book", {"prefix": "皖", "first": f"皖{first}", "last": f"皖{last}",
                                                         "by": "王村长"})
            sent.append((device_id, batch(device_id, key, [*entries, book])))
    assert sorted(_race(engine, monkeypatch, sent)) == ["accepted", "foreign_serial"]
    with session(engine) as s:
        assert len(s.exec(select(m.Entry).where(m.Entry.kind == "receipt_book")).all()) == 1


def _remittance(last: p.Entry, slip: str) -> p.Entry:
    return _after(last, "remittance", {"slip_no": slip, "amount_fen": 40000, "day": last.recorded_at[:10],
                                       "settled_days": [last.recorded_at[:10]], "by": "李代收"})


def _after(last: p.Entry, kind: str, data: dict[str, Any]) -> p.Entry:
    """The entry of `kind` with `data` next after `last` in its chain."""
    seq, at = last.seq + 1, last.recorded_at[:-2] + "59"
    body = canonical_json({"seq": seq, "kind": kind, "recorded_at": at, "data": data})
    return p.Entry(seq=seq, kind=kind, recorded_at=at, body=body, prev_hash=last.hash,
                   hash=hashlib.sha256((last.hash + body).encode()).hexdigest())


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    for url in database_url(request.param, tmp_path):
        migrate(url)
        made = make_engine(url)
        yield made
        made.dispose()


def test_an_upload_checked_from_a_state_another_upload_moved_on_is_checked_again(any_engine: Engine) -> None:
    """The desk sends its day twice at once (a retry while the first is still in): the second was
    checked before the lock from the device as it was read, held nothing; by the time it holds
    the lock the first's entries are held, so what is new is checked again from there."""
    with session(any_engine) as s:
        device_id, _, key = enrolled(s, B)
    entries = day(B, 1, 8)
    with session(any_engine) as s:
        stale = s.get(m.Device, device_id)
        assert stale is not None and stale.held_seq == 0
    with session(any_engine) as s:  # the first upload lands meanwhile
        device = s.get(m.Device, device_id)
        assert device is not None
        assert uploads.accept_batch(s, device, batch(device_id, key, entries[:5])).status is p.BatchStatus.ACCEPTED
    with session(any_engine) as s:
        answer = uploads.accept_batch(s, stale, batch(device_id, key, entries))
    assert (answer.status, answer.held_seq, answer.held_hash) == (p.BatchStatus.ACCEPTED, len(entries), entries[-1].hash)
    with session(any_engine) as s:
        held = s.exec(select(m.Entry.seq).where(m.Entry.device_id == device_id).order_by(col(m.Entry.seq))).all()
        receipts = s.exec(select(m.PaidLine.receipt_number).where(m.PaidLine.device_id == device_id)).all()
    assert list(held) == list(range(1, len(entries) + 1))
    assert sorted(receipts) == [f"{B}-01-{n:06d}" for n in range(1, 9)]  # each receipt's line once
