"""The first search after login must not wait seconds for the search index: while another thread
builds it, the box is answered by one scan of the roster, same kinds of query, exact first."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.desk import Desk
from app.services.roster.search import scan
from tests.factories import signed_agent
from tests.roster.factory import family, person_id, row, write_csv


@pytest.fixture
def village(desk: Desk, tmp_path: Path) -> Desk:
    rows = [*family(), row(person_id(61), "王伟", "医疗"), row(person_id(62), "王伟明", "医疗"),
            row(person_id(63), "李王", "医疗")]
    desk.roster.import_file(write_csv(tmp_path / "清册.csv", rows), by=signed_agent(desk))
    return desk


QUERIES = ["王伟", "王", "张三丰", "zsf", "zhangsanfeng", "wangw", person_id(61)[-4:], person_id(61)[-6:],
           person_id(61), "13800001111", "1111", "阿依古丽", "𠇔", "nobody", "%", "_"]


@pytest.mark.parametrize("query", QUERIES)
def test_the_scan_finds_who_the_index_finds(village: Desk, query: str) -> None:
    index = village.roster.index()
    with village.db.read() as conn:
        scanned = scan(conn, query)
    found = index.find(query)
    assert {p.id_number for p in scanned} == {p.id_number for p in found}
    if found:  # the exact match leads both lists
        assert scanned[0].name == found[0].name


def test_while_the_index_is_being_built_a_search_is_answered_at_once(village: Desk) -> None:
    roster = village.roster
    roster._index = None  # as at start: nothing built yet
    with roster._index_lock:  # another thread (the window's warm-up) is building it
        people = roster.search("王伟")
    assert [p.name for p in people][:2] == ["王伟", "王伟明"] and roster._index is None
    assert [p.name for p in roster.search("王伟")][:2] == ["王伟", "王伟明"]  # built now
    assert roster._index is not None
