"""Two transactions changing one village's progress at once, on PostgreSQL (two desks of a
village uploading together, or a payments file loaded during an upload). Each counts the village
before it commits; without more, the second counts before the first has committed (it does not
see the first's payment), then overwrites the first's row once the first commits: the kept count
misses a payment. progress_count takes the village's advisory lock before counting, so the
second counts after the first committed. (SQLite takes the whole database at BEGIN IMMEDIATE:
nothing can race there.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from sync.server import models as m
from sync.server import progress, progress_count, service, township_count
from sync.server.db import session
from tests.factories import CONFIG_PATH, make_id
from tests.server.conftest import migrated_engine

VILLAGE = "341824100201"
A, B = make_id(date(1970, 1, 1), 41), make_id(date(1971, 1, 1), 42)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from migrated_engine("postgresql", tmp_path)


def _row(id_number: str) -> dict[str, Any]:
    return {"证件号码": id_number, "姓名": "某某", "险种": "medical", "缴费年度": 2027, "缴费档次": "",
            "应缴金额": "400.00", "人员类别": "一般", "缴费状态": "", "缴费渠道": ""}


def _race(engine: Engine, monkeypatch: pytest.MonkeyPatch, module: Any,
          first: tuple[str, str], second: tuple[str, str]) -> None:
    """Two payments (village, person) at once: the first is held after `module._store` kept its
    figures, not yet committed, while the second runs; then both go on and commit."""
    stored, go_on = threading.Event(), threading.Event()
    store = module._store

    def held_after_storing(*args: Any) -> None:
        store(*args)
        if threading.current_thread().name == "first":
            stored.set()  # kept, not yet committed
            assert go_on.wait(20)

    monkeypatch.setattr(module, "_store", held_after_storing)

    def pay(village: str, id_number: str) -> None:
        with session(engine) as s:
            service.add_payment(s, village, id_number, "medical", 2027, 40000, "微信", "2026-11-20")

    one = threading.Thread(target=pay, args=first, name="first")
    other = threading.Thread(target=pay, args=second, name="second")
    one.start()
    assert stored.wait(20)
    other.start()
    time.sleep(0.5)  # the second has counted by now, unless it waits for the first
    go_on.set()
    one.join(20)
    other.join(20)


def test_two_payments_counted_at_once_are_both_in_the_kept_count(engine: Engine,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with session(engine) as s:
        service.load_config(s, CONFIG_PATH.read_text(encoding="utf-8"))
    with session(engine) as s:
        service.load_roster(s, VILLAGE, [_row(A), _row(B)])
    _race(engine, monkeypatch, progress_count, (VILLAGE, A), (VILLAGE, B))
    with session(engine) as s:
        row = s.exec(select(m.VillageCount).where(m.VillageCount.village_code == VILLAGE)).one()
        medical = orjson.loads(row.body)["2027"]["lines"]["medical"]
        sha, config = progress._config(s)
        again = progress_count.count(s, [VILLAGE], sha, config)[VILLAGE][1][2027].lines["medical"]
    assert (medical["due"], medical["other"], medical["unpaid"]) == (2, 2, 0)
    assert medical["other"] == again.other


def test_two_villages_of_a_township_counted_at_once_are_both_in_its_sum(engine: Engine,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The same race one level up (township_count.py): two villages of one township each sum the
    township before they commit. Without the township's lock the second sums without the first's
    village row, then overwrites the first's sum once the first commits."""
    other = VILLAGE[:9] + "202"
    with session(engine) as s:
        service.load_config(s, CONFIG_PATH.read_text(encoding="utf-8"))
    for village, person in ((VILLAGE, A), (other, B)):
        with session(engine) as s:
            service.load_roster(s, village, [_row(person)])
    _race(engine, monkeypatch, township_count, (VILLAGE, A), (other, B))
    with session(engine) as s:
        row = s.get(township_count.TownshipCount, VILLAGE[:9])
        assert row is not None
        medical = orjson.loads(row.body)["2027"]["lines"]["medical"]
    assert (row.villages, medical["due"], medical["other"], medical["unpaid"]) == (2, 2, 2, 0)
