"""The countersigned day the sync benchmark sends is what a desk of this release sends: the county
accepts it, checking each signature (a receipt whose agent signature does not hold is refused),
so the benchmark's figures include the signature checks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine

from app.domain.canonical import canonical_json
from sync import protocol as p
from sync.server import models as m
from sync.server import uploads
from sync.server.core import ServerRefusal
from sync.server.db import session
from tests.server.conftest import migrated_engine
from tests.server.signed_days import batch, day, enrolled

B = "341824100201"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from migrated_engine("sqlite", tmp_path)


def _upload(engine: Engine, device_id: str, sent: p.Batch) -> p.BatchResult:
    with session(engine) as s:
        device = s.get(m.Device, device_id)
        assert device is not None
        return uploads.accept_batch(s, device, sent)


def _rehashed(entries: list[p.Entry], at: int, data: dict[str, object]) -> list[p.Entry]:
    """Entry `at` (index) with other data, the chain's hashes redone after it (as an insider
    holding the file can): only the signature can tell."""
    out = entries[:at]
    prev = out[-1].hash
    for n, e in enumerate(entries[at:], start=at):
        body = e.body if n != at else canonical_json({**orjson.loads(e.body), "data": data})
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        out.append(p.Entry(seq=e.seq, kind=e.kind, recorded_at=e.recorded_at, body=body, prev_hash=prev, hash=digest))
        prev = digest
    return out


def test_the_countersigned_day_is_accepted_with_every_signature_checked(engine: Engine) -> None:
    with session(engine) as s:
        device_id, _, key = enrolled(s, B)
    entries = day(B, 1, 3, countersigned=True)
    signed = [e for e in entries if "sigs" in orjson.loads(e.body)["data"]]
    assert [e.kind for e in signed] == ["user", "receipt", "receipt", "receipt", "settlement"]
    assert _upload(engine, device_id, batch(device_id, key, entries)).status is p.BatchStatus.ACCEPTED


def test_a_receipt_of_the_countersigned_day_signed_by_no_one_is_refused(engine: Engine) -> None:
    with session(engine) as s:
        device_id, _, key = enrolled(s, B)
    entries = day(B, 1, 3, countersigned=True)
    second = next(n for n, e in enumerate(entries) if e.kind == "receipt") + 1
    data = orjson.loads(entries[second].body)["data"]
    data["sigs"] = {"李代收": "00" * 64}
    with pytest.raises(ServerRefusal) as refused:
        _upload(engine, device_id, batch(device_id, key, _rehashed(entries, second, data)))
    assert (refused.value.code, refused.value.seq) == ("bad_signature", entries[second].seq)
